package app

import (
	"errors"
	"fmt"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestWaitingRecordsTakeTheMappingInForceAtTheirAttempt: a record is
// mapped when it is attempted, so records waiting in the inbox (here
// retrying while the target is down) when the flow's mapping changes are
// written with the new mapping, as the docs say.
func TestWaitingRecordsTakeTheMappingInForceAtTheirAttempt(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, pricedProductMapping())
	const n = 5
	for i := range n {
		fe.source.Add(connectors.Product, fmt.Sprintf("p%d", i), map[string]any{
			"sku": fmt.Sprintf("SKU-%d", i), "name": fmt.Sprintf("chair %d", i), "price": "10.00"})
	}
	fe.target.SetOutage(connectors.Transient(errors.New("503 Service Unavailable")))
	fe.run(t)
	eventually(t, "every record to wait for a retry", func() bool {
		return fe.statuses(t)[StatusRetrying] == n
	})
	mapping := pricedProductMapping()["mapping"].(map[string]any)
	mapping["in"].([]map[string]any)[1]["expr"] = "lower(name) + \" (new)\""
	fe.flow.Set("mapping", mapping)
	if err := fe.app.Save(fe.flow); err != nil {
		t.Fatal(err)
	}
	fe.target.SetOutage(nil)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: n})
	for _, w := range fe.target.Log() {
		if title := fmt.Sprint(w.Data["title"]); title != fmt.Sprintf("%s (new)", lowerChair(w.Data["code"])) {
			t.Errorf("record %v written with title %q, not the new mapping's", w.Data["code"], title)
		}
	}
}

// lowerChair is the name the test's records have for a code SKU-i.
func lowerChair(code any) string {
	var i int
	_, _ = fmt.Sscanf(fmt.Sprint(code), "SKU-%d", &i)
	return fmt.Sprintf("chair %d", i)
}
