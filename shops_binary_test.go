package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors/adobecommerce/adobetest"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
	"github.com/switchboard-app/switchboard/connectors/files/transport/ftp"
	"github.com/switchboard-app/switchboard/connectors/files/transport/sftp"
	"github.com/switchboard-app/switchboard/connectors/files/transport/transporttest"
	shopifyfake "github.com/switchboard-app/switchboard/connectors/shopify/fake"
	"github.com/switchboard-app/switchboard/connectors/shopware/shopwaretest"
	woofake "github.com/switchboard-app/switchboard/connectors/woocommerce/fake"
)

// fileFlush makes file targets' writes final within a second of the
// first, so that the tests need not wait for the 30s default.
var fileFlush = []string{"SWITCHBOARD_FLUSH_AGE=1s"}

// TestShopifyOrdersToCSVOnSFTPThroughTheBinary: a Shopify store's paid
// orders (the shopify connector on its fake) become CSV files on a real
// SFTP server through the binary, each order in one row of one file; a
// pending order is not read; an order whose time is not one fails alone,
// naming the order, the field and the cause.
func TestShopifyOrdersToCSVOnSFTPThroughTheBinary(t *testing.T) {
	it := requireEnv(t, "SWITCHBOARD_IT_SFTP_ADDR", "SWITCHBOARD_IT_SFTP_USER", "SWITCHBOARD_IT_SFTP_PASS", "SWITCHBOARD_IT_SFTP_DIR")
	shopify, shopifyURL := newShopify(t)
	shopify.AddOrder(shopifyOrder("1001", "PAID"))
	shopify.AddOrder(shopifyOrder("1002", "PENDING"))
	bad := shopifyOrder("1003", "PAID")
	bad["processedAt"] = "14-03-2025 10:21" // not a time as Shopify's API answers it
	shopify.AddOrder(bad)

	dir := t.TempDir()
	run(t, dir, nil, "superuser", "upsert", "root@example.com", password)
	a := serve(t, dir, fileFlush)
	token := a.superuser(t)
	host, port, _ := strings.Cut(it[0], ":")
	folder := transporttest.UniqueName("orders")
	shop := a.create(t, token, "connections", map[string]any{"name": "Shopify", "connector": "shopify",
		"config": map[string]any{"shop": shopifyURL}, "secrets": map[string]any{"access_token": shopifyToken}})
	drop := a.create(t, token, "connections", map[string]any{"name": "ERP drop", "connector": "sftp",
		"config":  map[string]any{"host": host, "port": atoi(t, port), "username": it[1], "folder": it[3]},
		"secrets": map[string]any{"password": it[2]}})
	flow := a.flow(t, token, "orders to the ERP's folder", "order", shop, drop, map[string]any{
		"options": map[string]any{"source": map[string]any{"financial_status": "paid"},
			"target": map[string]any{"format": "csv", "sub_folder": folder, "file_name": "orders-{run}.csv", "create_folders": true}},
		"mapping": map[string]any{"out": []any{
			map[string]any{"target": "number", "expr": "number"}, map[string]any{"target": "email", "expr": "customer.email"},
			map[string]any{"target": "country", "expr": "shipping.country"}, map[string]any{"target": "total", "expr": "str(totals.total)"}}}})

	a.runFlow(t, token, flow)
	waitSettled(t, a, token, flow, 1, 1)
	checkFailure(t, a, token, flow, "1003", "ordered_at", "14-03-2025 10:21")
	sftpCfg := sftp.Config{Addr: it[0], User: it[1], Password: it[2], Folder: it[3], Timeout: 10 * time.Second}
	header := "number,email,country,total"
	waitForRows(t, sftpCfg, folder, []string{header, "1001,jane@example.com,DE,386.63"})

	shopify.AddOrder(shopifyOrder("1004", "PAID"))
	a.runFlow(t, token, flow)
	waitSettled(t, a, token, flow, 2, 1)
	waitForRows(t, sftpCfg, folder, []string{header, header, "1001,jane@example.com,DE,386.63", "1004,jane@example.com,DE,386.63"})
}

// TestSupplierCSVToWooCommerceThroughTheBinary: a supplier's product
// feed and stock file in a folder become WooCommerce products (the
// woocommerce connector on its fake) and their stock, through the
// binary. A product the shop has is updated by its policy, not made
// again, also by a later feed; a row whose price is not a number fails
// alone, naming the product, the field and the cause.
func TestSupplierCSVToWooCommerceThroughTheBinary(t *testing.T) {
	woo := woofake.New(wooKey, wooSecret)
	woo.AddProduct(map[string]any{"name": "Speaker cable 3 m (the shop's own text)", "sku": "CBL-3M", "regular_price": "14.95"})
	wooSrv := httptest.NewServer(woo)
	defer wooSrv.Close()
	dir := t.TempDir()
	supplier := filepath.Join(dir, "sb_data", "files", "supplier")
	writeFile(t, filepath.Join(supplier, "products", "feed-1.csv"),
		"sku,name,price,ean\nCBL-3M,CABLE 3M,12.95,8712345678906\nSPK-200,BOOKSHELF SPEAKER,149.00,8712345678913\nLAMP-2,DESK LAMP,call us,8712345678920\n")
	writeFile(t, filepath.Join(supplier, "stock", "stock.csv"), "sku,qty\nCBL-3M,40\nSPK-200,7\n")
	run(t, dir, nil, "superuser", "upsert", "root@example.com", password)
	a := serve(t, dir, nil)
	token := a.superuser(t)
	src := a.create(t, token, "connections", map[string]any{"name": "Supplier", "connector": "folder", "config": map[string]any{"folder": "supplier"}})
	dst := a.create(t, token, "connections", map[string]any{"name": "WooCommerce", "connector": "woocommerce",
		"config": map[string]any{"base_url": wooSrv.URL}, "secrets": map[string]any{"consumer_key": wooKey, "consumer_secret": wooSecret}})
	products := a.flow(t, token, "supplier products", "product", src, dst, map[string]any{
		"options": map[string]any{"source": map[string]any{"sub_folder": "products", "pattern": "*.csv", "format": "csv", "key_field": "sku"},
			"target": map[string]any{"update_fields": "regular_price,global_unique_id"}},
		"mapping": map[string]any{"in": []any{
			map[string]any{"target": "sku", "expr": "sku"}, map[string]any{"target": "name", "expr": "title(lower(name))"},
			map[string]any{"target": "prices.list", "expr": "price"}, map[string]any{"target": "gtin", "expr": "ean"}}}})
	stock := a.flow(t, token, "supplier stock", "stock", src, dst, map[string]any{
		"options": map[string]any{"source": map[string]any{"sub_folder": "stock", "pattern": "*.csv", "format": "csv", "key_field": "sku"}},
		"mapping": map[string]any{"in": []any{map[string]any{"target": "sku", "expr": "sku"}, map[string]any{"target": "quantity", "expr": "qty"}}}})

	a.runFlow(t, token, products)
	waitSettled(t, a, token, products, 2, 1)
	checkFailure(t, a, token, products, "LAMP-2", "prices.list", "call us")
	a.runFlow(t, token, stock)
	waitSettled(t, a, token, stock, 2, 0)
	checkWooProducts(t, woo, map[string]string{"CBL-3M": "12.95 40", "SPK-200": "149.00 7"})
	if cable, _ := woo.Product("CBL-3M"); cable["name"] != "Speaker cable 3 m (the shop's own text)" || cable["global_unique_id"] != "8712345678906" {
		t.Fatalf("the shop's own product was not updated by its policy: %v", cable)
	}

	writeFile(t, filepath.Join(supplier, "products", "feed-2.csv"), "sku,name,price,ean\nCBL-3M,CABLE 3M,13.50,8712345678906\n")
	a.runFlow(t, token, products)
	waitSettled(t, a, token, products, 3, 1)
	checkWooProducts(t, woo, map[string]string{"CBL-3M": "13.50 40", "SPK-200": "149.00 7"})
}

// checkWooProducts checks that the shop holds exactly these products,
// each with its price and stock ("12.95 40").
func checkWooProducts(t *testing.T, woo *woofake.Server, want map[string]string) {
	t.Helper()
	for sku, w := range want {
		p, ok := woo.Product(sku)
		if got := fmt.Sprint(p["regular_price"], " ", p["stock_quantity"]); !ok || got != w {
			t.Errorf("the shop's %s: price and stock %q, want %q", sku, got, w)
		}
	}
	if n := woo.Products(); n != len(want) {
		t.Fatalf("the shop holds %d products, want %d", n, len(want))
	}
}

// TestAdobeCommerceStockFromFTPThroughTheBinary: a supplier's stock file
// on a real FTP server (explicit TLS) goes into Adobe Commerce's source
// items (the adobe-commerce connector on the fake of Adobe's own spec)
// through the binary; the line of a product the shop does not have fails
// alone, saying what to do; the file is read once, so a second run
// writes nothing again.
func TestAdobeCommerceStockFromFTPThroughTheBinary(t *testing.T) {
	it := requireEnv(t, "SWITCHBOARD_IT_FTP_ADDR", "SWITCHBOARD_IT_FTP_USER", "SWITCHBOARD_IT_FTP_PASS", "SWITCHBOARD_IT_FTPS_CA")
	shop := adobetest.New(t)
	shop.AddSource("tilburg")
	for _, sku := range []string{"CBL-3M", "HP-20"} {
		shop.AddProduct(map[string]any{"sku": sku, "name": sku, "price": 10})
	}
	ca, err := os.ReadFile(it[3])
	if err != nil {
		t.Fatal(err)
	}
	folder := transporttest.UniqueName("stock")
	uploadFTP(t, ftp.Config{Addr: it[0], User: it[1], Password: it[2], TLS: ftp.TLSExplicit, CAPEM: string(ca), Timeout: 10 * time.Second},
		folder, "stock-2025-03-15.csv", "sku;qty\nCBL-3M;125\nHP-20;0\nNOPE-9;4\n")

	dir := t.TempDir()
	run(t, dir, nil, "superuser", "upsert", "root@example.com", password)
	a := serve(t, dir, nil)
	token := a.superuser(t)
	host, port, _ := strings.Cut(it[0], ":")
	src := a.create(t, token, "connections", map[string]any{"name": "Supplier FTP", "connector": "ftp",
		"config":  map[string]any{"host": host, "port": atoi(t, port), "username": it[1], "tls": "explicit", "ca_cert": string(ca), "folder": folder},
		"secrets": map[string]any{"password": it[2]}})
	dst := a.create(t, token, "connections", map[string]any{"name": "Adobe Commerce", "connector": "adobe-commerce",
		"config": shop.Config(), "secrets": shop.Secrets()})
	flow := a.flow(t, token, "supplier stock", "stock", src, dst, map[string]any{
		"options": map[string]any{"source": map[string]any{"pattern": "*.csv", "key_field": "sku"}, "target": map[string]any{"source_code": "tilburg"}},
		"mapping": map[string]any{"in": []any{map[string]any{"target": "sku", "expr": "sku"}, map[string]any{"target": "quantity", "expr": "qty"}}}})

	a.runFlow(t, token, flow)
	waitSettled(t, a, token, flow, 2, 1)
	checkFailure(t, a, token, flow, "NOPE-9", "product NOPE-9 does not exist in Adobe Commerce; add it there")
	for sku, want := range map[string]string{"CBL-3M": "125 1", "HP-20": "0 0"} {
		item, ok := shop.SourceItem("tilburg", sku)
		if got := fmt.Sprint(item["quantity"], " ", item["status"]); !ok || got != want {
			t.Errorf("%s's source item at tilburg is %v, want quantity and status %s", sku, item, want)
		}
	}
	if n := shop.Store.Len(adobetest.SourceItems); n != 2 {
		t.Fatalf("Adobe Commerce holds %d source items, want 2", n)
	}

	a.runFlow(t, token, flow)
	a.waitFor(t, token, "the second run to end", func() bool { return a.runsDone(t, token) && a.runs(t, token, flow) == 2 })
	if n := a.count(t, token, "flow='"+flow+"'"); n != 3 {
		t.Fatalf("%d transactions after a second run, want the first run's 3: the file was read again", n)
	}
}

// TestShopifyProductsIntoShopwareThroughTheBinary: a Shopify store's
// products (the shopify connector on its fake) go into Shopware 6 (the
// shopware connector on the fake of its own Admin API spec) through the
// binary, with the tax rate a rule gives: a new product is created; a
// product made by hand in Shopware is found by its number and updated by
// the flow's policy; a later run makes a new product without making the
// others again; a gift card, VAT-free, fails alone, since the shop has
// no tax of 0%.
func TestShopifyProductsIntoShopwareThroughTheBinary(t *testing.T) {
	shopify, shopifyURL := newShopify(t)
	shopware := shopwaretest.New(t)
	byHand := shopware.AddProduct("LAMP-1", "Desk lamp, brushed brass", 3)
	byHand["description"] = "Written by the marketing team"
	shopware.Add(shopwaretest.Products, byHand)
	shopify.AddProduct(shopifyProduct("Speaker cable 3 m", "Cables", "CBL-3M", "12.95"))
	shopify.AddProduct(shopifyProduct("Desk lamp", "Lamps", "LAMP-1", "39.00"))
	shopify.AddProduct(shopifyProduct("Gift card", "Gift cards", "GIFT-25", "25.00"))

	dir := t.TempDir()
	run(t, dir, nil, "superuser", "upsert", "root@example.com", password)
	a := serve(t, dir, nil)
	token := a.superuser(t)
	src := a.create(t, token, "connections", map[string]any{"name": "Shopify", "connector": "shopify",
		"config": map[string]any{"shop": shopifyURL}, "secrets": map[string]any{"access_token": shopifyToken}})
	dst := a.create(t, token, "connections", map[string]any{"name": "Shopware", "connector": "shopware",
		"config": shopware.Config(), "secrets": shopware.Secrets()})
	flow := a.flow(t, token, "products to Shopware", "product", src, dst, map[string]any{
		"options": map[string]any{"target": map[string]any{"update_fields": "price"}},
		"rules": []any{map[string]any{"kind": "expr", "field": "prices.tax_rate",
			"expr": `"Gift cards" in (categories ?? []) ? 0 : 21`}}})

	a.runFlow(t, token, flow)
	waitSettled(t, a, token, flow, 2, 1)
	checkFailure(t, a, token, flow, "GIFT-25", "no tax rate of 0%")
	checkShopwareProduct(t, shopware, "CBL-3M", "Speaker cable 3 m", "gross:12.95")
	checkShopwareProduct(t, shopware, "LAMP-1", "Desk lamp, brushed brass", "gross:39")
	if lamp, _ := shopware.ProductByNumber("LAMP-1"); lamp["description"] != "Written by the marketing team" {
		t.Fatalf("the product made by hand lost its description: %v", lamp)
	}

	shopify.AddProduct(shopifyProduct("Bookshelf speaker", "Speakers", "SPK-200", "149.00"))
	a.runFlow(t, token, flow)
	waitSettled(t, a, token, flow, 3, 1)
	checkShopwareProduct(t, shopware, "SPK-200", "Bookshelf speaker", "gross:149")
	if n := shopware.Store.Len(shopwaretest.Products); n != 3 {
		t.Fatalf("Shopware holds %d products, want 3, each once", n)
	}
}

// shopifyProduct is a product of one variant in Shopify.
func shopifyProduct(title, productType, sku, price string) shopifyfake.Product {
	return shopifyfake.Product{Title: title, ProductType: productType, Vendor: "Acme Audio",
		Variants: []*shopifyfake.Variant{{SKU: sku, Title: "Default Title", Price: price}}}
}

// checkShopwareProduct checks a product's name and that its price holds
// price ("gross:12.95").
func checkShopwareProduct(t *testing.T, shop *shopwaretest.Shop, number, name, price string) {
	t.Helper()
	p, ok := shop.ProductByNumber(number)
	if !ok || p["name"] != name || !strings.Contains(fmt.Sprint(p["price"]), price) {
		t.Fatalf("Shopware's product %s is %v; want %q at %s", number, p, name, price)
	}
}

// waitSettled waits until the flow has at least succeeded transactions
// that succeeded, exactly failed that failed, and none still to do.
func waitSettled(t *testing.T, a *appliance, token, flow string, succeeded, failed int) {
	t.Helper()
	of := "flow='" + flow + "' && "
	a.waitFor(t, token, fmt.Sprintf("%d transactions to succeed and %d to fail", succeeded, failed), func() bool {
		return a.count(t, token, of+"status='succeeded'") >= succeeded && a.count(t, token, of+"status='failed'") >= failed &&
			a.count(t, token, of+"status!='succeeded' && status!='failed' && status!='skipped'") == 0
	})
	if n := a.count(t, token, of+"status='failed'"); n != failed {
		t.Fatalf("%d transactions failed, want %d:\n%s", n, failed, a.transactions(t, token, flow, "status='failed'"))
	}
}

// checkFailure checks, through the transactions API, that the flow's
// record key failed with an error holding each of want (the record, the
// field, the cause).
func checkFailure(t *testing.T, a *appliance, token, flow, key string, want ...string) {
	t.Helper()
	var list struct {
		Items []struct {
			Error string `json:"error"`
		} `json:"items"`
	}
	filter := "flow='" + flow + "' && status='failed' && key='" + key + "'"
	a.call(t, http.MethodGet, "/api/collections/transactions/records?filter="+urlQuery(filter), token, nil, &list)
	if len(list.Items) != 1 {
		t.Fatalf("%d failed transactions of %s, want 1; failed:\n%s", len(list.Items), key, a.transactions(t, token, flow, "status='failed'"))
	}
	for _, w := range append([]string{key}, want...) {
		if !strings.Contains(list.Items[0].Error, w) {
			t.Errorf("the error of %s lacks %q: %s", key, w, list.Items[0].Error)
		}
	}
}

// runs counts the flow's runs.
func (a *appliance) runs(t *testing.T, token, flow string) int {
	t.Helper()
	var list struct {
		TotalItems int `json:"totalItems"`
	}
	a.call(t, http.MethodGet, "/api/collections/runs/records?perPage=1&filter="+urlQuery("flow='"+flow+"'"), token, nil, &list)
	return list.TotalItems
}

// waitForRows waits until the CSV files of an SFTP folder hold exactly
// these rows (in any order and any file), and no other file.
func waitForRows(t *testing.T, cfg sftp.Config, folder string, want []string) {
	t.Helper()
	sort.Strings(want)
	var got []string
	deadline := time.Now().Add(90 * time.Second)
	for {
		got = sftpRows(t, cfg, folder)
		if strings.Join(got, "\n") == strings.Join(want, "\n") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the SFTP folder holds the rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// sftpRows reads the lines of every file in an SFTP folder, sorted; a
// file that is not CSV, or hidden, is a line of its own name.
func sftpRows(t *testing.T, cfg sftp.Config, folder string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tr, err := sftp.Dial(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	list, err := tr.List(ctx, folder, "*")
	if err != nil {
		return nil // the folder is made with the first file
	}
	var rows []string
	for _, f := range list {
		if !strings.HasSuffix(f.Name, ".csv") || strings.HasPrefix(f.Name, ".") {
			rows = append(rows, "file "+f.Name)
			continue
		}
		rows = append(rows, readLines(ctx, t, tr, path.Join(folder, f.Name))...)
	}
	sort.Strings(rows)
	return rows
}

func readLines(ctx context.Context, t *testing.T, tr transport.Transport, name string) []string {
	t.Helper()
	rc, err := tr.Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(strings.ReplaceAll(string(data), "\r\n", "\n")), "\n")
}

// uploadFTP puts a file in a new folder on the FTP server.
func uploadFTP(t *testing.T, cfg ftp.Config, folder, name, body string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
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
