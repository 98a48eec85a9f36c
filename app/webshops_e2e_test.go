package app

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files"
	"github.com/switchboard-app/switchboard/connectors/files/transport/sftp"
	"github.com/switchboard-app/switchboard/connectors/files/transport/transporttest"
	"github.com/switchboard-app/switchboard/connectors/shopify"
	shopifyfake "github.com/switchboard-app/switchboard/connectors/shopify/fake"
	"github.com/switchboard-app/switchboard/connectors/shopify/schema"
	"github.com/switchboard-app/switchboard/connectors/woocommerce"
	woofake "github.com/switchboard-app/switchboard/connectors/woocommerce/fake"
)

// newShopsEnv is a test app whose registry has the webshop connectors
// and SFTP besides the folder connector, with the engine at test speed
// (not started).
func newShopsEnv(t *testing.T) *testEnv {
	t.Helper()
	return newEnvWith(t, connectors.Registration{Spec: shopify.Spec, New: shopify.New}, connectors.Registration{Spec: woocommerce.Spec, New: woocommerce.New},
		connectors.Registration{Spec: files.SFTPSpec(), New: files.NewSFTP})
}

// start starts the engine, and stops it when the test ends.
func (env *testEnv) start(t *testing.T) {
	t.Helper()
	if err := env.sb.engine.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.sb.engine.Stop)
}

// flowBetween saves an integration of two connections and a flow in it.
func (env *testEnv) flowBetween(t *testing.T, src, dst *core.Record, entity string, fields map[string]any) *core.Record {
	t.Helper()
	name := src.GetString("name") + " <-> " + dst.GetString("name")
	integ, err := env.app.FindFirstRecordByData("integrations", "name", name)
	if err != nil {
		integ = newRecord(t, env.app, "integrations", map[string]any{"name": name, "a": src.Id, "b": dst.Id, "enabled": true})
	}
	all := map[string]any{"integration": integ.Id, "name": entity + " flow", "entity": entity, "source": src.Id, "target": dst.Id,
		"enabled": true, "schedule": ""}
	for k, v := range fields {
		all[k] = v
	}
	return newRecord(t, env.app, "flows", all)
}

// runAndSettle runs the flow now, waits until its run has ended and its
// transactions are done or failed, and returns the run; a run that failed
// fails the test.
func (env *testEnv) runAndSettle(t *testing.T, flow *core.Record) *core.Record {
	t.Helper()
	var runID string
	eventually(t, "the run to start", func() bool {
		var err error
		runID, err = env.sb.engine.RunFlow(flow.Id, TriggerManual)
		return err == nil
	})
	var run *core.Record
	within(t, 3*time.Minute, "the run to end and its transactions to settle", func() bool {
		var err error
		run, err = env.app.FindRecordById("runs", runID)
		return err == nil && !run.GetDateTime("finished").IsZero() && settled(t, env, flow.Id)
	})
	if msg := run.GetString("error"); msg != "" {
		t.Fatalf("the run failed: %s", msg)
	}
	return run
}

// within waits for cond as eventually does, for as long as d: a flow
// into a real server takes its time on a busy machine.
func within(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// requireShopifySchema skips without Shopify's schema, unless
// SWITCHBOARD_REQUIRE_IT=1.
func requireShopifySchema(t *testing.T) *shopifyfake.Server {
	t.Helper()
	if _, err := os.Stat(schema.Path()); err != nil {
		if os.Getenv("SWITCHBOARD_REQUIRE_IT") == "1" {
			t.Fatalf("Shopify's schema is required: %v", err)
		}
		t.Skipf("Shopify's schema is absent (%v); set %s", err, schema.SpecsEnv)
	}
	s, err := schema.Load(schema.Path())
	if err != nil {
		t.Fatal(err)
	}
	return shopifyfake.New(s, shopifyfake.Options{RestoreRate: 1e6})
}

// TestShopifyOrdersToCSVOnSFTP: a Shopify store's paid orders become one
// CSV file on a real SFTP server, through the engine.
func TestShopifyOrdersToCSVOnSFTP(t *testing.T) {
	it := transporttest.RequireEnv(t, "SWITCHBOARD_IT_SFTP_ADDR", "SWITCHBOARD_IT_SFTP_USER", "SWITCHBOARD_IT_SFTP_PASS", "SWITCHBOARD_IT_SFTP_DIR")
	shop := requireShopifySchema(t)
	shop.AddToken("shpat_e2e_token_0123456789")
	srv := httptest.NewServer(shop)
	t.Cleanup(srv.Close)
	for i, paid := range []string{"PAID", "PENDING", "PAID"} {
		o := shopifyOrder(t)
		delete(o, "id")
		o["name"], o["displayFinancialStatus"] = "#"+string(rune('1'+i))+"001", paid
		shop.AddOrder(o)
	}
	env := newShopsEnv(t)
	host, port, _ := net.SplitHostPort(it["SWITCHBOARD_IT_SFTP_ADDR"])
	folder := it["SWITCHBOARD_IT_SFTP_DIR"] + "/e2e-" + time.Now().Format("150405.000000000")
	src := env.saveConnection(t, "Shopify", "shopify", map[string]any{"shop": srv.URL}, map[string]string{"access_token": "shpat_e2e_token_0123456789"})
	dst := env.saveConnection(t, "ERP drop", "sftp", map[string]any{"host": host, "port": atoiOr(port), "username": it["SWITCHBOARD_IT_SFTP_USER"],
		"folder": it["SWITCHBOARD_IT_SFTP_DIR"]}, map[string]string{"password": it["SWITCHBOARD_IT_SFTP_PASS"]})
	flow := env.flowBetween(t, src, dst, "order", map[string]any{
		"options": map[string]any{"source": map[string]any{"financial_status": "paid"},
			"target": map[string]any{"format": "csv", "sub_folder": filepath.Base(folder), "file_name": "orders-{run}.csv"}},
		"mapping": map[string]any{"out": []any{
			map[string]any{"target": "number", "expr": "number"}, map[string]any{"target": "email", "expr": "customer.email"},
			map[string]any{"target": "country", "expr": "shipping.country"}, map[string]any{"target": "total", "expr": "str(totals.total)"},
			map[string]any{"target": "currency", "expr": "currency"}}}})
	env.start(t)
	mkdirSFTP(t, it, filepath.Base(folder))
	env.runAndSettle(t, flow)
	if failed := failures(t, env, flow.Id); len(failed) > 0 {
		t.Fatalf("failed transactions: %v", failed)
	}
	csv := readSFTPFiles(t, it, filepath.Base(folder))
	want := "number,email,country,total,currency\n1001,anna.devries@example.nl,NL,288.10,EUR\n3001,anna.devries@example.nl,NL,288.10,EUR\n"
	if sortedRows(csv) != want { // workers write in parallel: rows come in any order
		t.Fatalf("the CSV on the SFTP server:\n%s\nwant (in any order):\n%s", csv, want)
	}
}

// sortedRows returns a CSV text with its header first and its rows sorted.
func sortedRows(csv string) string {
	lines := strings.Split(strings.TrimSuffix(csv, "\n"), "\n")
	if len(lines) > 1 {
		slices.Sort(lines[1:])
	}
	return strings.Join(lines, "\n") + "\n"
}

func shopifyOrder(t *testing.T) map[string]any {
	data, err := os.ReadFile("../connectors/shopify/testdata/order.json")
	if err != nil {
		t.Fatal(err)
	}
	var o map[string]any
	if err := json.Unmarshal(data, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

func atoiOr(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func sftpDial(t testing.TB, it map[string]string) *sftp.Transport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tr, err := sftp.Dial(ctx, sftp.Config{Addr: it["SWITCHBOARD_IT_SFTP_ADDR"], User: it["SWITCHBOARD_IT_SFTP_USER"],
		Password: it["SWITCHBOARD_IT_SFTP_PASS"], Folder: it["SWITCHBOARD_IT_SFTP_DIR"], Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}

func mkdirSFTP(t *testing.T, it map[string]string, dir string) {
	t.Helper()
	if err := sftpDial(t, it).Mkdir(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
}

// readSFTPFiles reads every file of a folder on the SFTP server, joined.
func readSFTPFiles(t *testing.T, it map[string]string, dir string) string {
	t.Helper()
	tr := sftpDial(t, it)
	list, err := tr.List(context.Background(), dir, "*.csv")
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, f := range list {
		r, err := tr.Open(context.Background(), dir+"/"+f.Name)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(r)
		r.Close()
		out.Write(data)
	}
	return out.String()
}

// TestSupplierCSVToWooCommerceProductsAndStock: a supplier's CSV in a
// folder becomes WooCommerce products, and its stock file their stock,
// through the engine and the batch endpoints.
func TestSupplierCSVToWooCommerceProductsAndStock(t *testing.T) {
	shop := woofake.New("ck_e2e_key_0123456789", "cs_e2e_secret_0123456789")
	shop.AddProduct(map[string]any{"name": "Speaker cable 3 m (the shop's own text)", "sku": "CBL-3M", "regular_price": "14.95"})
	srv := httptest.NewServer(shop)
	t.Cleanup(srv.Close)
	env := newShopsEnv(t)
	root := t.TempDir()
	t.Setenv("SWITCHBOARD_FILES_ROOT", root)
	writeShopFile(t, filepath.Join(root, "supplier", "products", "feed.csv"),
		"sku,name,price,ean\nCBL-3M,CABLE 3M,12.95,8712345678906\nSPK-200,BOOKSHELF SPEAKER,149.00,8712345678913\n")
	writeShopFile(t, filepath.Join(root, "supplier", "stock", "stock.csv"), "sku,qty\nCBL-3M,40\nSPK-200,7\n")
	src := env.saveConnection(t, "Supplier", "folder", map[string]any{"folder": "supplier"}, nil)
	dst := env.saveConnection(t, "Woo", "woocommerce", map[string]any{"base_url": srv.URL},
		map[string]string{"consumer_key": "ck_e2e_key_0123456789", "consumer_secret": "cs_e2e_secret_0123456789"})
	products := env.flowBetween(t, src, dst, "product", map[string]any{
		"options": map[string]any{"source": map[string]any{"sub_folder": "products", "pattern": "*.csv", "format": "csv"},
			"target": map[string]any{"update_fields": "regular_price,global_unique_id"}},
		"mapping": map[string]any{"in": []any{
			map[string]any{"target": "sku", "expr": "sku"}, map[string]any{"target": "name", "expr": "title(lower(name))"},
			map[string]any{"target": "prices.list", "expr": "price"}, map[string]any{"target": "gtin", "expr": "ean"}}}})
	stock := env.flowBetween(t, src, dst, "stock", map[string]any{"name": "stock flow",
		"options": map[string]any{"source": map[string]any{"sub_folder": "stock", "pattern": "*.csv", "format": "csv"}},
		"mapping": map[string]any{"in": []any{
			map[string]any{"target": "sku", "expr": "sku"}, map[string]any{"target": "quantity", "expr": "qty"}}}})
	env.start(t)
	env.runAndSettle(t, products)
	env.runAndSettle(t, stock)
	for _, f := range []map[string]string{failures(t, env, products.Id), failures(t, env, stock.Id)} {
		if len(f) > 0 {
			t.Fatalf("failed transactions: %v", f)
		}
	}
	cable, _ := shop.Product("CBL-3M")
	speaker, ok := shop.Product("SPK-200")
	if !ok || speaker["name"] != "Bookshelf Speaker" || speaker["regular_price"] != "149.00" || shop.Products() != 2 {
		t.Fatalf("the shop holds %d products; SPK-200: %v", shop.Products(), speaker)
	}
	if cable["name"] != "Speaker cable 3 m (the shop's own text)" || cable["regular_price"] != "12.95" || cable["global_unique_id"] != "8712345678906" {
		t.Fatalf("the existing product was not updated by its policy: %v", cable)
	}
	if q, s := jsonText(cable["stock_quantity"]), jsonText(speaker["stock_quantity"]); q != "40" || s != "7" {
		t.Fatalf("stock: CBL-3M %s, SPK-200 %s", q, s)
	}
	if shop.Calls("POST products/batch") == 0 {
		t.Fatal("nothing went through the batch endpoint")
	}
}

func jsonText(v any) string { data, _ := json.Marshal(v); return strings.Trim(string(data), `"`) }

func writeShopFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
