package mappings

import "github.com/switchboard-app/switchboard/mappings/canonical"

// PreviewResult shows every stage of one sample record's trip through a flow.
type PreviewResult struct {
	Key        string
	Native     map[string]any // the sample as given
	Canonical  map[string]any // after mapping in, before rules
	AfterRules map[string]any // after rules, normalised
	Output     map[string]any // the target's native record (a copy of AfterRules without an out mapping)
	Rules      []RuleStep     // what each rule did, in order
	Skipped    bool
	SkipReason string
	Errors     Errors // every error of every stage, each naming its stage and field
}

// Preview compiles cfg and runs sample through it, writing nothing. Unlike
// [Program.Run] it goes on after errors as far as it can, so the mapping
// editor can show every problem at once: a stage that failed passes what it
// has to the next. A compile error stops the preview.
func Preview(cfg FlowConfig, sample map[string]any) PreviewResult {
	res := PreviewResult{Native: sample}
	p, err := Compile(cfg)
	if err != nil {
		res.Errors = canonical.AsErrors(err)
		return res
	}
	r := p.runner()
	defer r.release()
	r.trace = &res.Rules

	can := r.mapIn(deepCopy(sample).(map[string]any))
	res.Key = canonical.Key(p.entity, can)
	res.collect(r)
	res.Canonical = deepCopy(can).(map[string]any)

	res.Skipped, res.SkipReason = r.applyRules(can)
	res.collect(r)
	// A skipped record is shown normalised as far as it can be, but a run
	// skips it without validating it, so its validation errors are no errors.
	if err := canonical.Normalize(p.entity, can); err != nil && !res.Skipped {
		res.Errors = append(res.Errors, canonical.AsErrors(err)...)
	}
	res.AfterRules = can
	res.Key = writtenKey(p.entity, can, res.Key)
	if !res.Skipped {
		res.Output = r.mapOut(deepCopy(can).(map[string]any))
		res.collect(r)
	}
	return res
}

func (res *PreviewResult) collect(r *runner) {
	if err := r.failed(res.Key); err != nil {
		res.Errors = append(res.Errors, canonical.AsErrors(err)...)
	}
}
