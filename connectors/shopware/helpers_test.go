package shopware

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/conntest"
	"github.com/switchboard-app/switchboard/connectors/shopware/shopwaretest"
)

var env = connectors.Env{}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func open(t *testing.T, shop *shopwaretest.Shop) *Conn {
	t.Helper()
	return conntest.Open(t, Spec, New, shop.Config(), shop.Secrets(), env).(*Conn)
}

func options(t *testing.T, use connectors.Use, values map[string]any) connectors.Config {
	t.Helper()
	return conntest.FlowOptions(t, Spec, use, values)
}

// goldenInput is the input of a golden file: the vendor's shapes, for
// seeding the fake shop.
func goldenInput(t *testing.T, name string) any {
	t.Helper()
	data, err := os.ReadFile("testdata/golden/" + name + ".txtar")
	if err != nil {
		t.Fatal(err)
	}
	_, input, _ := strings.Cut(string(data), "-- input.json --\n")
	input, _, _ = strings.Cut(input, "\n-- ")
	var v any
	if err := json.Unmarshal([]byte(input), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// anOrder is the golden order with another number, id and change time.
func anOrder(t *testing.T, n int, state, updated string) map[string]any {
	o := goldenInput(t, "order.in").(map[string]any)
	id := shopwaretest.ID(fmt.Sprint("order-", n))
	o["id"], o["orderNumber"], o["updatedAt"], o["createdAt"] = id, fmt.Sprint(n), updated, updated
	o["stateMachineState"] = shopwaretest.State("order.state", state)
	for _, d := range o["deliveries"].([]any) {
		dm := d.(map[string]any)
		dm["id"], dm["orderId"] = shopwaretest.ID(fmt.Sprint("delivery-", n)), id
	}
	return o
}

func readAll(t *testing.T, c *Conn, entity connectors.Entity, cursor string, opts connectors.Config, size int) ([]string, string) {
	t.Helper()
	stream, err := c.Read(ctx(t), connectors.ReadRequest{Entity: entity, Cursor: cursor, PageSize: size, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for range 100 {
		page, err := stream.Next(ctx(t))
		if errors.Is(err, connectors.ErrEndOfInput) {
			return keys, cursor
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Records {
			if r.Err != nil {
				t.Fatalf("record %s: %v", r.ID, r.Err)
			}
			keys = append(keys, r.Key)
		}
		cursor = page.Cursor
	}
	t.Fatal("the read never ended")
	return nil, ""
}
