package ui

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
)

// The wizard's steps, in order.
const (
	stepPickA    = "pick_a"
	stepConnectA = "connect_a"
	stepPickB    = "pick_b"
	stepConnectB = "connect_b"
	stepFlows    = "flows"
	stepSetup    = "setup"
	stepReview   = "review"
)

var wizardSteps = []string{stepPickA, stepConnectA, stepPickB, stepConnectB, stepFlows, stepSetup, stepReview}

// wizardDraft is what a user chose in the wizard so far; it is kept per
// user, so that one who leaves half way finds it again. It never holds a
// secret: connections are saved when they are connected.
type wizardDraft struct {
	Step        string      `json:"step"`
	ConnectorA  string      `json:"connector_a,omitempty"`
	ConnectionA string      `json:"connection_a,omitempty"`
	ConnectorB  string      `json:"connector_b,omitempty"`
	ConnectionB string      `json:"connection_b,omitempty"`
	Name        string      `json:"name,omitempty"`
	Flows       []draftFlow `json:"flows,omitempty"`
}

// draftFlow is one flow the wizard will create.
type draftFlow struct {
	Entity string `json:"entity"`
	// Forward is true for a flow from the first app to the second.
	Forward  bool           `json:"forward"`
	Name     string         `json:"name"`
	Schedule string         `json:"schedule"`
	Webhook  bool           `json:"webhook,omitempty"`
	Options  map[string]any `json:"options,omitempty"`
	// Matches pairs the source's fields with canonical fields, when the
	// source has no default mapping.
	Matches []fieldMatch `json:"matches,omitempty"`
	// Percent and RoundTo are the price rule, when set.
	Percent string `json:"percent,omitempty"`
	RoundTo string `json:"round_to,omitempty"`
}

// fieldMatch is a native field and the canonical field it fills ("": not
// used).
type fieldMatch struct {
	Native string `json:"native"`
	Target string `json:"target"`
	Sample string `json:"sample,omitempty"`
}

// key names a draft flow in the flows step: "product:ab".
func (f draftFlow) key() string {
	if f.Forward {
		return f.Entity + ":ab"
	}
	return f.Entity + ":ba"
}

// stepIndex is a step's position, from 1.
func stepIndex(step string) int {
	for i, s := range wizardSteps {
		if s == step {
			return i + 1
		}
	}
	return 1
}

// loadDraft returns the user's draft and its record (nil when there is
// none: a new draft at the first step).
func (u *UI) loadDraft(user *core.Record) (wizardDraft, *core.Record) {
	d := wizardDraft{Step: stepPickA}
	rec, err := u.app().FindFirstRecordByData("wizard_drafts", "user", user.Id)
	if err != nil {
		return d, nil
	}
	if err := rec.UnmarshalJSONField("data", &d); err != nil || stepIndex(d.Step) == 1 && d.Step != stepPickA {
		return wizardDraft{Step: stepPickA}, rec
	}
	return d, rec
}

// saveDraft keeps the user's draft.
func (u *UI) saveDraft(user *core.Record, rec *core.Record, d wizardDraft) error {
	if rec == nil {
		col, err := u.app().FindCollectionByNameOrId("wizard_drafts")
		if err != nil {
			return fmt.Errorf("finding the drafts: %w", err)
		}
		rec = core.NewRecord(col)
		rec.Set("user", user.Id)
	}
	rec.Set("data", d)
	if err := u.app().Save(rec); err != nil {
		return fmt.Errorf("saving the wizard's draft: %w", err)
	}
	return nil
}

// hasDraft tells whether the user left the wizard half way.
func (u *UI) hasDraft(user *core.Record) bool {
	if user == nil {
		return false
	}
	_, rec := u.loadDraft(user)
	return rec != nil
}
