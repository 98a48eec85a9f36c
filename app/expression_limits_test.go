package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestAnExpressionOverItsBudgetFailsItsRecord: a rule whose loops would
// run for hours on one record fails that record, naming the record, the
// field and the budget; the other records go through, and once the rule
// is mended a retry maps the kept record.
func TestAnExpressionOverItsBudgetFailsItsRecord(t *testing.T) {
	loops := `[{"kind":"expr","field":"name","expr":"name + string(count(categories, count(categories, count(categories, true) > 0) > 0))"}]`
	fe := newFlowEnv(t, connectors.Product, map[string]any{"rules": loops})
	many := make([]any, 200)
	for i := range many {
		many[i] = fmt.Sprintf("Category %d", i)
	}
	big, small := product("SKU-1", "Chair"), product("SKU-2", "Table")
	big["categories"], small["categories"] = many, many[:2]
	fe.source.Add(connectors.Product, "p1", big)
	fe.source.Add(connectors.Product, "p2", small)
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusFailed: 1, StatusSucceeded: 1})
	failed, err := fe.app.FindFirstRecordByData("transactions", "source_id", "p1")
	if err != nil {
		t.Fatal(err)
	}
	if msg := failed.GetString("error"); !strings.Contains(msg, "SKU-1") || !strings.Contains(msg, "name") ||
		!strings.Contains(msg, "memory budget exceeded") {
		t.Fatalf("error %q does not name the record, the field and the budget", msg)
	}

	fe.flow.Set("rules", `[{"kind":"expr","field":"name","expr":"name + string(len(categories))"}]`)
	if err := fe.app.Save(fe.flow); err != nil {
		t.Fatal(err)
	}
	if n, err := fe.sb.engine.Retry(dbx.HashExp{"id": failed.Id}); err != nil || n != 1 {
		t.Fatalf("Retry = %d, %v", n, err)
	}
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 2, StatusFailed: 0})
	if got := lastWrite(fe.target).Data["name"]; got != "Chair200" {
		t.Fatalf("the retried record was written with name %v, want Chair200", got)
	}
}
