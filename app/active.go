package app

import (
	"errors"

	"github.com/pocketbase/pocketbase/core"
)

// ErrFlowDisabled is returned when a disabled flow, or a flow of a disabled
// integration, is asked to run, or its failed transactions to be retried.
var ErrFlowDisabled = errors.New("the flow is disabled: enable it and its integration first")

// flowEnabled is the one rule of whether a flow moves records: the flow
// and its integration are both enabled. enabledFlowsSQL says the same to
// SQLite; TestFlowEnabledAgreesWithSQL keeps the two in step.
func flowEnabled(flow, integration *core.Record) bool {
	return flow.GetBool("enabled") && integration != nil && integration.GetBool("enabled")
}

// enabledFlowsSQL selects the ids of the enabled flows, as flowEnabled
// decides; more conditions on the flow (alias f) can follow with AND.
const enabledFlowsSQL = `SELECT f.id FROM flows f JOIN integrations i ON i.id = f.integration
	WHERE f.enabled = TRUE AND i.enabled = TRUE`
