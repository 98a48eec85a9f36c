package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/switchboard-app/switchboard/connectors"
)

// readFolder points the flow's source at a folder connection reading the files
// from the files root's sub-folder dir, which is made.
func (fe *flowEnv) readFolder(t *testing.T, dir string) string {
	t.Helper()
	root, err := CreateFilesDir(fe.app.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(root, dir)
	if err := os.MkdirAll(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	source := fe.saveConnection(t, "Supplier files", "folder", map[string]any{"folder": dir}, nil)
	integ, _ := fe.app.FindRecordById("integrations", fe.flow.GetString("integration"))
	integ.Set("a", source.Id)
	if err := fe.app.Save(integ); err != nil {
		t.Fatal(err)
	}
	fe.flow.Set("source", source.Id)
	if err := fe.app.Save(fe.flow); err != nil {
		t.Fatal(err)
	}
	return folder
}

// TestARowThatCannotBeReadKeepsItsTextAndCauseThroughARetry: a CSV row with
// the wrong number of fields fails with its cause, its input shows the row
// as it was read, the owner is told, and a retry fails again with the same
// cause and says what to do, instead of a mapping error on an empty input.
func TestARowThatCannotBeReadKeepsItsTextAndCauseThroughARetry(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	folder := fe.readFolder(t, "supplier")
	csv := "sku;name\nSKU-1;Chair\nSKU-2;Table;\"oak; 2 m\"\nSKU-3;Lamp\n"
	if err := os.WriteFile(filepath.Join(folder, "products.csv"), []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 2, StatusFailed: 1})
	const cause = "products.csv line 3: 3 fields where the header has 2"
	const wantErr = "this row could not be read from the file: " + cause + "; fix the file and send it again"
	tx, err := fe.app.FindFirstRecordByFilter("transactions", "flow = {:f} && status = 'failed'", dbx.Params{"f": fe.flow.Id})
	if err != nil {
		t.Fatal(err)
	}
	assertUnreadable(t, fe, tx.Id, wantErr, cause, `SKU-2;Table;"oak; 2 m"`, 0)
	eventually(t, "an alert mail", func() bool { return fe.app.TestMailer.TotalSend() > 0 })
	if msg := fe.app.TestMailer.FirstMessage(); !strings.Contains(msg.Text, "products.csv:3: "+wantErr) {
		t.Fatalf("alert %q: %q does not name the row", msg.Subject, msg.Text)
	}

	if n, err := fe.sb.engine.Retry(dbx.HashExp{"id": tx.Id}); err != nil || n != 1 {
		t.Fatalf("Retry = %d, %v", n, err)
	}
	eventually(t, "the retry to fail", func() bool {
		rec, err := fe.app.FindRecordById("transactions", tx.Id)
		return err == nil && rec.GetString("status") == StatusFailed && rec.GetInt("attempts") == 1
	})
	assertUnreadable(t, fe, tx.Id, wantErr, cause, `SKU-2;Table;"oak; 2 m"`, 1)
}

// assertUnreadable checks a transaction of a row that could not be read:
// its error, its input (the row's text and the cause) and its attempts.
func assertUnreadable(t *testing.T, fe *flowEnv, id, wantErr, cause, raw string, attempts int) {
	t.Helper()
	rec, err := fe.app.FindRecordById("transactions", id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.GetString("error") != wantErr || rec.GetString("error_class") != string(connectors.ClassPermanent) {
		t.Fatalf("error %q (%s), want %q", rec.GetString("error"), rec.GetString("error_class"), wantErr)
	}
	p, err := fe.sb.engine.payloads.decode(rec.GetString("payloads"))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Unreadable || p.Input["raw"] != raw || p.Input["error"] != cause || p.Canonical != nil || p.Output != nil {
		t.Fatalf("payloads %+v; want the row %q and the cause %q as input, and nothing mapped", p, raw, cause)
	}
	if len(p.Attempts) != attempts || (attempts > 0 && p.Attempts[attempts-1].Error != wantErr) {
		t.Fatalf("attempts %+v; want %d, the last failing with %q", p.Attempts, attempts, wantErr)
	}
}
