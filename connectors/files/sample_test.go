package files

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestSampleReadsInPlace: a sample is the first records of the first
// matching file, and leaves the file where it is, so the next run reads
// every record.
func TestSampleReadsInPlace(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"a.csv":   "sku;name\nA-1;Chair\nA-2;Table\nA-3;Bench\n",
		"b.csv":   "sku;name\nB-1;Lamp\n",
		"c.txt":   "not a feed",
		".up.csv": "sku;name\nX;partial upload\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := folderConn(t, dir, map[string]any{FieldPattern: "*.csv", FieldKeyField: "sku"})
	recs, err := c.Sample(ctx(t), connectors.ReadRequest{Entity: connectors.Product, Options: c.readOpts}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Data["name"] != "Chair" || recs[1].Key != "A-2" {
		t.Fatalf("sample %+v", recs)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.csv")); err != nil {
		t.Fatalf("the sampled file moved: %v", err)
	}
	if got := read(t, c, "", 10, -1); len(got.records) != 4 {
		t.Fatalf("a run after the sample read %v, want 4 records", got.records)
	}
	empty := folderConn(t, t.TempDir(), nil)
	if recs, err := empty.Sample(ctx(t), connectors.ReadRequest{Options: empty.readOpts}, 5); err != nil || len(recs) != 0 {
		t.Fatalf("an empty folder's sample: %v %v", recs, err)
	}
}

// TestSamplePassesOverUploadsUnderWay: a file under one of the flow's
// temporary names (an upload under way) or a ready marker is not sampled,
// as a run would not read it: the sample is the first file a run reads.
func TestSamplePassesOverUploadsUnderWay(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"a.csv.part": "sku;name\nX-1;half upl",
		"b.csv":      "sku;name\nB-1;Lamp\n",
		"b.csv.done": "",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := folderConn(t, dir, map[string]any{FieldPattern: "*", FieldKeyField: "sku",
		FieldTemporaryNames: "*.part", FieldReadyMarker: ".done"})
	recs, err := c.Sample(ctx(t), connectors.ReadRequest{Entity: connectors.Product, Options: c.readOpts}, 5)
	if err != nil || len(recs) != 1 || recs[0].Key != "B-1" {
		t.Fatalf("sample = %+v, %v; want the one record of b.csv", recs, err)
	}
}
