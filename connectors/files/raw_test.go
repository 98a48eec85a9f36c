package files

import (
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestABadRowComesWithItsText: a row that cannot be read is a record with
// its error and its text, so that the text can be shown with the error.
func TestABadRowComesWithItsText(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.csv", "sku;name;price\nA1;Chair;12\nA2;Table\nA3;Lamp;3\n")
	c := folderConn(t, dir, map[string]any{FieldPattern: "*.csv"})
	stream, err := c.Read(ctx(t), connectors.ReadRequest{Entity: connectors.Product, PageSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	page, err := stream.Next(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	var bad []connectors.Record
	for _, r := range page.Records {
		if r.Err != nil {
			bad = append(bad, r)
		} else if r.Raw != "" {
			t.Errorf("record %s was read and still carries raw text %q", r.Key, r.Raw)
		}
	}
	if len(bad) != 1 || bad[0].Raw != "A2;Table" || bad[0].Err.Error() != "a.csv line 3: 2 fields where the header has 3" {
		t.Fatalf("bad records %+v; want a.csv line 3 with its text A2;Table", bad)
	}
}
