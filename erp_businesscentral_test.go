package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors/businesscentral/bctest"
	"github.com/switchboard-app/switchboard/connectors/files/transport/sftp"
)

// TestSupplierCSVOnSFTPIntoBusinessCentralItems: a supplier's product
// file on a real SFTP server becomes Business Central items through the
// binary, configured through its API (Business Central is the fake of
// its API v1.0 contract, signed in with client credentials): a new
// product an item, an item made by hand found by its number and only its
// prices updated, as the flow's update policy says; a row Business
// Central refuses fails alone with its reason; a later file updates the
// items, not duplicates.
func TestSupplierCSVOnSFTPIntoBusinessCentralItems(t *testing.T) {
	it := requireEnv(t, "SWITCHBOARD_IT_SFTP_ADDR", "SWITCHBOARD_IT_SFTP_USER", "SWITCHBOARD_IT_SFTP_PASS", "SWITCHBOARD_IT_SFTP_DIR")
	addr, user, pass, root := it[0], it[1], it[2], it[3]
	b := bctest.New(t)
	byHand := b.AddItem(map[string]any{"number": "CBL-3M", "displayName": "Speaker cable 3 m, oxygen-free copper", "unitPrice": 11.5})
	supplier := bcSupplier(t, addr, user, pass, root)
	folder := fmt.Sprintf("bc-e2e-%d", time.Now().UnixNano())
	if err := supplier.Mkdir(context.Background(), folder); err != nil {
		t.Fatal(err)
	}
	bcPut(t, supplier, folder+"/products-1.csv", "sku;name;price;cost;kind\nCBL-3M;CABLE 3M;12.95;4.10;Inventory\n"+
		"HP-20;HEADPHONES;59.00;31.00;Inventory\nSVC-1;INSTALLATION;45.00;0;Labour\n")

	dir := t.TempDir()
	run(t, dir, nil, "superuser", "upsert", "root@example.com", password)
	a := serve(t, dir, nil)
	token := a.superuser(t)
	host, port, _ := net.SplitHostPort(addr)
	portNumber, _ := strconv.Atoi(port)
	src := a.create(t, token, "connections", map[string]any{"name": "Supplier SFTP", "connector": "sftp",
		"config":  map[string]any{"host": host, "port": portNumber, "username": user, "folder": root},
		"secrets": map[string]any{"password": pass}})
	dst := a.create(t, token, "connections", map[string]any{"name": "Business Central", "connector": "business-central",
		"config": b.Config(), "secrets": b.Secrets()})
	integ := a.create(t, token, "integrations", map[string]any{"name": "Supplier <-> Business Central", "a": src, "b": dst, "enabled": true})
	flow := a.create(t, token, "flows", map[string]any{"integration": integ, "name": "supplier's products", "entity": "product",
		"source": src, "target": dst, "enabled": true, "schedule": "",
		"options": map[string]any{"source": map[string]any{"sub_folder": folder, "pattern": "*.csv", "key_field": "sku", "settle_time": "0s"},
			"target": map[string]any{"update_fields": "unitPrice, unitCost"}},
		"mapping": map[string]any{"in": []any{
			map[string]any{"target": "sku", "expr": "sku"}, map[string]any{"target": "name", "expr": "title(lower(name))"},
			map[string]any{"target": "prices.list", "expr": "price"}, map[string]any{"target": "prices.cost", "expr": "cost"},
			map[string]any{"target": "attributes.item_type", "expr": "kind"}}}})

	a.runFlow(t, token, flow)
	a.settle(t, token, flow, 1, 3)
	failed := a.transactions(t, token, flow, "status='failed'")
	if n := a.count(t, token, "flow='"+flow+"' && status='failed'"); n != 1 ||
		!strings.HasPrefix(failed, "SVC-1 ") || !strings.Contains(failed, `The value "Labour" can't be evaluated into type Item Type.`) {
		t.Fatalf("%d failed transactions:\n%s\nwant SVC-1's alone, with Business Central's reason", n, failed)
	}
	checkBCItem(t, b, "HP-20", "Headphones 59.00 31.00 Inventory")
	checkBCItem(t, b, "CBL-3M", "Speaker cable 3 m, oxygen-free copper 12.95 4.10 Inventory")
	if cable, _ := b.ByNumber(bctest.Items, "CBL-3M"); cable["id"] != byHand["id"] {
		t.Fatalf("the item made by hand is %v, the feed's %v", byHand["id"], cable["id"])
	}

	bcPut(t, supplier, folder+"/products-2.csv", "sku;name;price;cost;kind\nHP-20;HEADPHONES;55.00;31.00;Inventory\n")
	a.runFlow(t, token, flow)
	a.settle(t, token, flow, 2, 4)
	checkBCItem(t, b, "HP-20", "Headphones 55.00 31.00 Inventory")
	if n := len(b.All(bctest.Items)); n != 2 {
		t.Fatalf("Business Central has %d items after the second file, want 2", n)
	}
}

// bcSupplier is the supplier's side of the SFTP server.
func bcSupplier(t *testing.T, addr, user, pass, root string) *sftp.Transport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tr, err := sftp.Dial(ctx, sftp.Config{Addr: addr, User: user, Password: pass, Folder: root, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}

// bcPut writes a whole file on the SFTP server.
func bcPut(t *testing.T, tr *sftp.Transport, name, body string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w, err := tr.Create(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, body); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// checkBCItem checks an item's name, price, cost and type.
func checkBCItem(t *testing.T, b *bctest.BC, number, want string) {
	t.Helper()
	item, ok := b.ByNumber(bctest.Items, number)
	if got := fmt.Sprint(item["displayName"], " ", item["unitPrice"], " ", item["unitCost"], " ", item["type"]); !ok || got != want {
		t.Fatalf("item %s is %q, want %q", number, got, want)
	}
}
