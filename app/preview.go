package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/mappings"
)

// maxPreviewBody bounds a preview request.
const maxPreviewBody = 4 << 20

// PreviewAnswer is one sample record's trip through a flow, every stage
// shown and nothing written.
type PreviewAnswer struct {
	Key        string              `json:"key"`
	Native     map[string]any      `json:"native"`
	Canonical  map[string]any      `json:"canonical"`
	AfterRules map[string]any      `json:"after_rules"`
	Output     map[string]any      `json:"output"`
	Rules      []PreviewRuleStep   `json:"rules"`
	Skipped    bool                `json:"skipped"`
	SkipReason string              `json:"skip_reason,omitempty"`
	Errors     []PreviewFieldError `json:"errors"`
	// Target is the target's current record that the write would update,
	// when the record is known there and the target can read it.
	Target *PreviewTarget `json:"target,omitempty"`
}

// PreviewRuleStep is what one rule did to the sample.
type PreviewRuleStep struct {
	Rule    string `json:"rule"`
	Field   string `json:"field,omitempty"`
	Applied bool   `json:"applied"`
	Before  any    `json:"before"`
	After   any    `json:"after"`
}

// PreviewFieldError is one problem of the preview, in words and in parts.
type PreviewFieldError struct {
	Stage    string `json:"stage"`
	Field    string `json:"field,omitempty"`
	Position int    `json:"position,omitempty"`
	Cause    string `json:"cause"`
	Message  string `json:"message"`
}

// handlePreview maps one sample record through every stage, writing
// nothing.
func (e *Engine) handlePreview(re *core.RequestEvent) error {
	req, err := readPreviewRequest(re.Request.Body)
	if err != nil {
		return re.BadRequestError(err.Error(), nil)
	}
	answer, err := e.Preview(re.Request.PathValue("id"), req)
	var invalid *InvalidRequestError
	switch {
	case errors.Is(err, ErrNotFound):
		return re.NotFoundError("No such flow.", nil)
	case errors.Is(err, ErrNoSample):
		return re.BadRequestError("Send a sample record: the flow has no records yet.", nil)
	case errors.As(err, &invalid):
		return re.BadRequestError(invalid.Reason, nil)
	case err != nil:
		return err
	}
	return re.JSON(http.StatusOK, answer)
}

// readPreviewRequest decodes a preview request as the engine decodes
// records: numbers stay exact (json.Number), as in a webhook's records.
func readPreviewRequest(body io.Reader) (PreviewRequest, error) {
	var req PreviewRequest
	data, err := io.ReadAll(io.LimitReader(body, maxPreviewBody+1))
	if err != nil {
		return req, fmt.Errorf("the body could not be read: %w", err)
	}
	if len(data) > maxPreviewBody {
		return req, fmt.Errorf("the body is larger than %d bytes", maxPreviewBody)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return req, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	// A key the request does not take (a misspelt "sample") is refused,
	// as a flow's save refuses one in its mapping or rules: left out, the
	// preview would run on the flow's latest record instead.
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, fmt.Errorf("the body %s", shapeProblem(err, previewShape))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return req, fmt.Errorf("the body must be %s: it holds more after its object", previewShape)
	}
	return req, nil
}

// previewShape is what a preview's body must be.
const previewShape = `JSON such as {"sample": {...}, "mapping": {...}, "rules": [...]}, all optional`

func previewAnswer(res mappings.PreviewResult) PreviewAnswer {
	out := PreviewAnswer{Key: res.Key, Native: res.Native, Canonical: res.Canonical, AfterRules: res.AfterRules,
		Output: res.Output, Skipped: res.Skipped, SkipReason: res.SkipReason,
		Rules: []PreviewRuleStep{}, Errors: []PreviewFieldError{}}
	for _, step := range res.Rules {
		out.Rules = append(out.Rules, PreviewRuleStep{Rule: step.Rule, Field: step.Field, Applied: step.Applied,
			Before: step.Before, After: step.After})
	}
	for _, fe := range res.Errors {
		pe := PreviewFieldError{Stage: fe.Stage, Field: fe.Field, Position: fe.Pos, Message: fe.Error()}
		if fe.Cause != nil {
			pe.Cause = fe.Cause.Error()
		}
		out.Errors = append(out.Errors, pe)
	}
	return out
}
