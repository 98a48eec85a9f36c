package files

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// flowOptions resolves a test flow's options for use on a folder
// connection on the files root dir.
func flowOptions(t *testing.T, dir string, use connectors.Use, values map[string]any) connectors.Config {
	t.Helper()
	if _, set := values[FieldSettleTime]; !set && use == connectors.UseRead {
		values[FieldSettleTime] = "0s" // taken at once, as in openFlowConn
	}
	conn := connectors.Config{Values: map[string]any{FieldFolder: "."}}
	opts, err := FolderSpec().ResolveAndValidateFlow(use, values, conn, connectors.Env{Files: connectors.FilesRoot{Dir: dir}})
	if err != nil {
		t.Fatal(err)
	}
	return opts
}

// TestFlowsOnOneConnectionReadTheirOwnFiles: the sub-folder and the
// pattern come with each read, so flows sharing one connection take only
// their own files, and archive them in their own sub-folder.
func TestFlowsOnOneConnectionReadTheirOwnFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "orders/o.csv", "n\nO1\n")
	write(t, dir, "stock/s.csv", "n\nS1\n")
	write(t, dir, "stock/p.xml", "<r><p><n>P1</n></p></r>")
	c := folderConn(t, dir, nil)
	flows := []struct {
		values map[string]any
		want   string
	}{
		{map[string]any{FieldSubFolder: "orders"}, "o.csv:2 n=O1"},
		{map[string]any{FieldSubFolder: "stock", FieldPattern: "*.csv"}, "s.csv:2 n=S1"},
		{map[string]any{FieldSubFolder: "stock", FieldPattern: "*.xml", FieldFormat: FormatXML}, "p.xml:1 n=P1"},
	}
	for _, f := range flows {
		c.readOpts = flowOptions(t, dir, connectors.UseRead, f.values)
		if got := strings.Join(read(t, c, "", 10, -1).records, "|"); got != f.want {
			t.Errorf("flow %v read %q, want %q", f.values, got, f.want)
		}
	}
	if tr := tree(t, dir); tr != "orders/archive/o.csv stock/archive/p.xml stock/archive/s.csv" {
		t.Fatalf("files after the runs: %s", tr)
	}
}

// TestAFlowLeavesAnotherFlowsClaimAlone: a file another flow of the same
// folder claimed, and did not finish, is not taken up by this flow after
// its claim timeout when it does not match this flow's pattern.
func TestAFlowLeavesAnotherFlowsClaimAlone(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "orders-1.csv", "n\n1\n")
	orders := folderConn(t, dir, map[string]any{FieldPattern: "orders-*.csv"})
	read(t, orders, "", 10, 1) // read but never committed: the claim stays
	stock := folderConn(t, dir, map[string]any{FieldPattern: "stock-*.csv", FieldClaimTimeout: "1ns"})
	if got := read(t, stock, "", 10, -1); len(got.records) != 0 {
		t.Fatalf("the stock flow took the orders flow's claimed file: %q", got.records)
	}
	again := folderConn(t, dir, map[string]any{FieldPattern: "orders-*.csv", FieldClaimTimeout: "1ns"})
	if got := read(t, again, "", 10, -1); strings.Join(got.records, "|") != "orders-1.csv:2 n=1" {
		t.Fatalf("the orders flow read %q after its claim timed out", got.records)
	}
}

// TestFlowsOnOneConnectionWriteTheirOwnFiles: writes of two flows through
// one connection land in each flow's sub-folder, in its format, never in
// one file together.
func TestFlowsOnOneConnectionWriteTheirOwnFiles(t *testing.T) {
	dir := t.TempDir()
	c := folderConn(t, dir, nil)
	orders := flowOptions(t, dir, connectors.UseWrite, map[string]any{FieldSubFolder: "orders", FieldFileName: "orders-{number}.csv"})
	stock := flowOptions(t, dir, connectors.UseWrite, map[string]any{FieldSubFolder: "stock", FieldFormat: FormatJSON,
		FieldOutputFolder: "out", FieldFileName: "stock-{number}.json"})
	writes := []struct {
		opts connectors.Config
		data map[string]any
	}{
		{orders, map[string]any{"n": "O1"}}, {orders, map[string]any{"n": "O2"}},
		{stock, map[string]any{"n": "S1"}}, {orders, map[string]any{"n": "O3"}},
	}
	for _, w := range writes {
		if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Order, Data: w.data, Options: w.opts}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Flush(ctx(t)); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"orders/orders-1.csv":    "n\nO1\nO2\n",
		"stock/out/stock-2.json": "[\n{\"n\":\"S1\"}\n]",
		"orders/orders-3.csv":    "n\nO3\n",
	}
	for name, body := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || strings.TrimSpace(string(got)) != strings.TrimSpace(body) {
			t.Errorf("%s holds %q (%v), want %q", name, got, err, body)
		}
	}
	if tr := tree(t, dir); tr != "orders/orders-1.csv orders/orders-3.csv stock/out/stock-2.json" {
		t.Fatalf("files: %s", tr)
	}
}
