package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/adobecommerce"
	"github.com/switchboard-app/switchboard/connectors/adobecommerce/adobetest"
	"github.com/switchboard-app/switchboard/connectors/files"
	"github.com/switchboard-app/switchboard/connectors/files/transport/ftp"
	"github.com/switchboard-app/switchboard/connectors/files/transport/transporttest"
	"github.com/switchboard-app/switchboard/connectors/shopware"
	"github.com/switchboard-app/switchboard/connectors/shopware/shopwaretest"
)

// newEnvWith is a test app whose registry also has the given connectors,
// with the engine at test speed (not started).
func newEnvWith(t *testing.T, regs ...connectors.Registration) *testEnv {
	t.Helper()
	env := newTestEnv(t)
	for _, r := range regs {
		if err := env.sb.registry.Register(r.Spec, r.New); err != nil {
			t.Fatal(err)
		}
	}
	env.sb.engine.cfg = fastEngine.withDefaults()
	return env
}

// failures are the flow's failed transactions' errors by business key.
func failures(t *testing.T, env *testEnv, flowID string) map[string]string {
	t.Helper()
	recs, err := env.app.FindAllRecords("transactions", dbx.HashExp{"flow": flowID, "status": StatusFailed})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range recs {
		out[r.GetString("key")] = r.GetString("error")
	}
	return out
}

// TestAdobeCommerceStockFromACSVOnFTP: a supplier's stock file on the
// real FTP server goes through the engine into Adobe Commerce's MSI
// source items (the fake of Adobe's own spec); the line of a product the
// shop does not have fails alone, saying what to do.
func TestAdobeCommerceStockFromACSVOnFTP(t *testing.T) {
	it := transporttest.RequireEnv(t, "SWITCHBOARD_IT_FTP_ADDR", "SWITCHBOARD_IT_FTP_USER", "SWITCHBOARD_IT_FTP_PASS", "SWITCHBOARD_IT_FTPS_CA")
	shop := adobetest.New(t)
	shop.AddSource("tilburg")
	for _, sku := range []string{"CBL-3M", "HP-20"} {
		shop.AddProduct(map[string]any{"sku": sku, "name": sku, "price": 10})
	}
	ca, err := os.ReadFile(it["SWITCHBOARD_IT_FTPS_CA"])
	if err != nil {
		t.Fatal(err)
	}
	folder := transporttest.UniqueName("stock")
	upload(t, ftp.Config{Addr: it["SWITCHBOARD_IT_FTP_ADDR"], User: it["SWITCHBOARD_IT_FTP_USER"], Password: it["SWITCHBOARD_IT_FTP_PASS"],
		TLS: ftp.TLSExplicit, CAPEM: string(ca), Timeout: 10 * time.Second}, folder, "stock-2025-03-15.csv", "sku;qty\nCBL-3M;125\nHP-20;0\nNOPE-9;4\n")
	host, port, _ := strings.Cut(it["SWITCHBOARD_IT_FTP_ADDR"], ":")
	env := newEnvWith(t, connectors.Registration{Spec: files.FTPSpec(), New: files.NewFTP}, connectors.Registration{Spec: adobecommerce.Spec, New: adobecommerce.New})
	src := env.saveConnection(t, "Supplier FTP", "ftp", map[string]any{"host": host, "port": port, "username": it["SWITCHBOARD_IT_FTP_USER"],
		"tls": "explicit", "ca_cert": string(ca), "folder": folder, "timeout": "10s"}, map[string]string{"password": it["SWITCHBOARD_IT_FTP_PASS"]})
	dst := env.saveConnection(t, "Adobe Commerce", "adobe-commerce", shop.Config(), shop.Secrets())
	flow := env.flowBetween(t, src, dst, string(connectors.Stock), map[string]any{
		"options": map[string]any{"source": map[string]any{"pattern": "*.csv", "key_field": "sku"}, "target": map[string]any{"source_code": "tilburg"}},
		"mapping": map[string]any{"in": []any{map[string]any{"target": "sku", "expr": "sku"}, map[string]any{"target": "quantity", "expr": "qty"}}}})
	env.start(t)
	run := env.runAndSettle(t, flow)
	if run.GetInt("read") != 3 {
		t.Fatalf("the run read %d records, want 3", run.GetInt("read"))
	}
	for sku, want := range map[string]string{"CBL-3M": "125 1", "HP-20": "0 0"} {
		item, ok := shop.SourceItem("tilburg", sku)
		if got := fmt.Sprint(item["quantity"], " ", item["status"]); !ok || got != want {
			t.Errorf("%s's source item at tilburg is %v, want quantity and status %s", sku, item, want)
		}
	}
	if _, saved := shop.SourceItem("tilburg", "NOPE-9"); saved {
		t.Error("a source item was saved for a product the shop does not have")
	}
	if got := failures(t, env, flow.Id); len(got) != 1 || !strings.Contains(got["NOPE-9"], "product NOPE-9 does not exist in Adobe Commerce; add it there") {
		t.Fatalf("failures %v; want NOPE-9's, saying what to do", got)
	}
}

// upload puts a file in a new folder on the FTP server.
func upload(t *testing.T, cfg ftp.Config, folder, name, body string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tr, err := ftp.Dial(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if err := tr.Mkdir(ctx, folder); err != nil {
		t.Fatal(err)
	}
	w, err := tr.Create(ctx, folder+"/"+name)
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

// TestShopwareProductsFromAFolderCSV: a product feed in a folder goes
// through the engine into Shopware (the fake of its own Admin API spec):
// a new product is created with the ids of its tax rate and currency; a
// product made by hand in the shop is found by its number and updated
// with what the flow's policy allows, keeping what was enriched there; a
// later feed updates, not duplicates.
func TestShopwareProductsFromAFolderCSV(t *testing.T) {
	shop := shopwaretest.New(t)
	byHand := shop.AddProduct("LAMP-1", "Desk lamp, brushed brass", 3)
	byHand["description"] = "Written by the marketing team"
	shop.Add(shopwaretest.Products, byHand)
	env := newEnvWith(t, connectors.Registration{Spec: shopware.Spec, New: shopware.New})
	root, err := CreateFilesDir(env.app.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "in", "products-1.csv"), "sku,name,price,vat,stock\nCBL-3M,Speaker cable 3 m,12.95,21,125\nLAMP-1,Desk lamp,39.00,21,8\n")
	src := env.saveConnection(t, "Feed", "folder", map[string]any{"folder": "in"}, nil)
	dst := env.saveConnection(t, "Shopware", "shopware", shop.Config(), shop.Secrets())
	in := []any{
		map[string]any{"target": "sku", "expr": "sku"}, map[string]any{"target": "name", "expr": "name"},
		map[string]any{"target": "prices.list", "expr": "price"}, map[string]any{"target": "prices.tax_rate", "expr": "vat"},
		map[string]any{"target": "prices.currency", "expr": `"EUR"`}, map[string]any{"target": "prices.includes_tax", "expr": "true"},
		map[string]any{"target": "stock_quantity", "expr": "stock"},
	}
	flow := env.flowBetween(t, src, dst, string(connectors.Product), map[string]any{"mapping": map[string]any{"in": in},
		"options": map[string]any{"source": map[string]any{"pattern": "*.csv", "key_field": "sku"}, "target": map[string]any{"update_fields": "price, stock"}}})
	env.start(t)
	env.runAndSettle(t, flow)
	if got := failures(t, env, flow.Id); len(got) > 0 {
		t.Fatalf("failures: %v", got)
	}
	cable, ok := shop.ProductByNumber("CBL-3M")
	if !ok || cable["taxId"] != shopwaretest.ID("tax-21") || !strings.Contains(fmt.Sprint(cable["price"]), shopwaretest.ID("EUR")) ||
		!strings.Contains(fmt.Sprint(cable["price"]), "gross:12.95") || fmt.Sprint(cable["stock"]) != "125" {
		t.Fatalf("the new product is %v", cable)
	}
	lamp, _ := shop.Get(shopwaretest.Products, byHand["id"].(string))
	if lamp["name"] != "Desk lamp, brushed brass" || lamp["description"] != "Written by the marketing team" ||
		fmt.Sprint(lamp["stock"]) != "8" || !strings.Contains(fmt.Sprint(lamp["price"]), "gross:39") {
		t.Fatalf("the product made by hand is %v; want its price and stock updated and its name and description kept", lamp)
	}
	writeFile(t, filepath.Join(root, "in", "products-2.csv"), "sku,name,price,vat,stock\nCBL-3M,Speaker cable 3 m,13.50,21,120\n")
	env.runAndSettle(t, flow)
	if n := shop.Store.Len(shopwaretest.Products); n != 2 {
		t.Fatalf("the shop has %d products after the second feed, want 2", n)
	}
	if cable, _ := shop.ProductByNumber("CBL-3M"); !strings.Contains(fmt.Sprint(cable["price"]), "gross:13.5") || fmt.Sprint(cable["stock"]) != "120" {
		t.Fatalf("after the second feed the product is %v", cable)
	}
}
