package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/pocketbase/dbx"

	"github.com/switchboard-app/switchboard/app"
)

// sampleChoice is a record the preview can run on: one a flow read
// before, by its key.
type sampleChoice struct {
	Value, Label string
}

// sampleState is the preview's sample as the form chose it: the latest
// record read (""), a transaction ("tx:<id>") or pasted JSON ("paste").
type sampleState struct {
	Choice  string
	Pasted  string
	Choices []sampleChoice
}

// recentSamples lists the last records a flow read, to preview on.
func (u *UI) recentSamples(r *request, flowID string) []sampleChoice {
	var rows []struct {
		ID      string `db:"id"`
		Key     string `db:"key"`
		Created string `db:"created"`
	}
	_ = u.app().DB().NewQuery(`SELECT id, key, created FROM transactions WHERE flow = {:flow} AND payloads != ''
		ORDER BY id DESC LIMIT 10`).Bind(dbx.Params{"flow": flowID}).All(&rows)
	out := make([]sampleChoice, 0, len(rows))
	for _, row := range rows {
		out = append(out, sampleChoice{Value: "tx:" + row.ID, Label: row.Key})
	}
	return out
}

// sampleFromQuery takes the sample a link chose: a transaction picked
// in Activity ("?sample=tx:<id>"), offered among the recent ones.
func sampleFromQuery(r *http.Request, s sampleState) sampleState {
	choice := r.URL.Query().Get("sample")
	if !strings.HasPrefix(choice, "tx:") {
		return s
	}
	s.Choice = choice
	for _, c := range s.Choices {
		if c.Value == choice {
			return s
		}
	}
	s.Choices = append([]sampleChoice{{Value: choice, Label: strings.TrimPrefix(choice, "tx:")}}, s.Choices...)
	return s
}

// readSampleState reads the sample chosen in a submitted form.
func readSampleState(r *http.Request) sampleState {
	return sampleState{Choice: r.PostFormValue("sample"), Pasted: r.PostFormValue("sample_json")}
}

// errBadSample refuses a pasted sample that is not a JSON object.
var errBadSample = errors.New("the pasted sample must be one record as a JSON object, such as {\"sku\": \"A-1\"}")

// errNothingToSample says that the source has nothing to read now.
var errNothingToSample = errors.New("the source has nothing to read now: pick a record read before, or paste one")

// sample is the native record to preview on; nil takes the latest record
// the flow read.
func (u *UI) sample(flowID string, s sampleState) (map[string]any, error) {
	switch {
	case s.Choice == "source":
		recs, err := u.sb.Engine().SampleFlow(context.Background(), flowID, 1)
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			return nil, errNothingToSample
		}
		return recs[0], nil
	case s.Choice == "paste":
		dec := json.NewDecoder(strings.NewReader(s.Pasted))
		dec.UseNumber()
		var rec map[string]any
		if err := dec.Decode(&rec); err != nil || rec == nil {
			return nil, errBadSample
		}
		return rec, nil
	case strings.HasPrefix(s.Choice, "tx:"):
		p, err := u.sb.Engine().TransactionPayloads(strings.TrimPrefix(s.Choice, "tx:"))
		if err != nil || p.Input == nil {
			return nil, fmt.Errorf("that record is gone: pick another")
		}
		return p.Input, nil
	}
	return nil, nil
}

// previewView is a preview as the page shows it: every stage, what each
// rule did and the errors in words.
type previewView struct {
	Answer                                app.PreviewAnswer
	Native, Canonical, AfterRules, Output string
	// Problem says why there is no preview (no sample yet).
	Problem string
}

func newPreviewView(a app.PreviewAnswer) *previewView {
	return &previewView{Answer: a, Native: prettyJSON(a.Native), Canonical: prettyJSON(a.Canonical),
		AfterRules: prettyJSON(a.AfterRules), Output: prettyJSON(a.Output)}
}

// runPreview previews a flow with a mapping and rules that may be
// unsaved; a preview that cannot run says why.
func (u *UI) runPreview(flowID string, s sampleState, req app.PreviewRequest) *previewView {
	sample, err := u.sample(flowID, s)
	if err != nil {
		return &previewView{Problem: err.Error()}
	}
	req.Sample = sample
	answer, err := u.sb.Engine().Preview(flowID, req)
	var invalid *app.InvalidRequestError
	switch {
	case errors.Is(err, app.ErrNoSample):
		return &previewView{Problem: err.Error()}
	case errors.As(err, &invalid):
		return &previewView{Problem: invalid.Reason}
	case err != nil:
		return &previewView{Problem: err.Error()}
	}
	return newPreviewView(answer)
}

// listIndex finds the element positions in a field path, lines[2].sku.
var listIndex = regexp.MustCompile(`\[\d*\]`)

// errorsByField gathers a preview's errors of the given stages by field
// path, element positions left out ("lines.sku"), each in words with its
// column.
func errorsByField(a app.PreviewAnswer, stages ...string) map[string]string {
	out := map[string]string{}
	for _, fe := range a.Errors {
		if fe.Field == "" || !contains(stages, fe.Stage) {
			continue
		}
		path := listIndex.ReplaceAllString(fe.Field, "")
		msg := fe.Cause
		if fe.Position > 0 {
			msg = fmt.Sprintf("column %d: %s", fe.Position, fe.Cause)
		}
		if prev, ok := out[path]; ok && prev != msg {
			msg = prev + "; " + msg
		}
		out[path] = msg
	}
	return out
}

// renderPart renders one named template of a view, for the script that
// swaps a part of the page.
func (v *viewSet) renderPart(view, name string, data any) (string, error) {
	t, ok := v.pages[view]
	if !ok {
		return "", fmt.Errorf("rendering %s: no such view", view)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return "", fmt.Errorf("rendering %s of %s: %w", name, view, err)
	}
	return buf.String(), nil
}

// livePreview answers the page's script: the preview's HTML and the
// errors by form control.
type livePreview struct {
	HTML   string            `json:"html"`
	Errors map[string]string `json:"errors"`
}

// wantsJSON tells whether the page's script asked, rather than a form.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
