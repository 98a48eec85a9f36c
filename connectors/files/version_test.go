package files

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
	"github.com/switchboard-app/switchboard/connectors/files/transport/ftp"
)

// readIDs reads every page from cursor as the engine does, acknowledging
// each, and returns the records' ids and the last cursor.
func readIDs(t *testing.T, c *flowConn, cursor string) ([]string, string) {
	t.Helper()
	stream, err := c.Read(ctx(t), connectors.ReadRequest{Entity: connectors.Product, Cursor: cursor, PageSize: 10})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	defer stream.Close()
	var ids []string
	for {
		page, err := stream.Next(ctx(t))
		if errors.Is(err, connectors.ErrEndOfInput) {
			return ids, cursor
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		for _, r := range page.Records {
			if r.Err != nil {
				t.Fatalf("record %s: %v", r.Key, r.Err)
			}
			ids = append(ids, r.ID)
		}
		cursor = page.Cursor
		if page.Ack != nil {
			if err := page.Ack(ctx(t)); err != nil {
				t.Fatalf("Ack: %v", err)
			}
		}
	}
}

// TestRowsOfAFileSentAgainWithinTheMinuteGetNewIDs: without a key field a
// row's id is its file's name, version and row number. On vsftpd refusing
// MDTM, a file's time is known only to the minute of its listing, so a
// second orders.csv of the same size, sent within that minute, must still
// give its rows ids of their own: with the first file's, its orders would
// update the ones the first file made. A server that answers MDTM keeps
// the ids it always gave, the file's modification second.
func TestRowsOfAFileSentAgainWithinTheMinuteGetNewIDs(t *testing.T) {
	tests := []struct {
		name, addrVar string
		precise       bool
	}{
		{"ftp with MDTM", "SWITCHBOARD_IT_FTP_ADDR", true},
		{"ftp without MDTM", "SWITCHBOARD_IT_FTP_LEGACY_ADDR", false},
	}
	coarse := regexp.MustCompile(`^orders\.csv@-?\d+\.18\.[0-9a-f]{16}#[12]$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rm := ftpRemoteAt(t, tt.addrVar, ftp.TLSNone)
			tr := rm.dial(t)
			defer tr.Close()
			rm.values[FieldPattern] = "*.csv"
			conn := openFlowConn(t, rm.name, rm.values, rm.secrets, connectors.Env{Logger: quiet, DataDir: t.TempDir()})
			cursor := ""
			var all []string
			for _, body := range []string{"order\nA-100\nB-200\n", "order\nC-300\nD-400\n"} {
				if err := transport.Put(ctx(t), tr, "orders.csv", strings.NewReader(body)); err != nil {
					t.Fatal(err)
				}
				info, err := tr.Stat(ctx(t), "orders.csv")
				if err != nil {
					t.Fatal(err)
				}
				if info.CoarseTime == tt.precise {
					t.Fatalf("Stat: CoarseTime = %v, want %v", info.CoarseTime, !tt.precise)
				}
				var ids []string
				ids, cursor = readIDs(t, conn, cursor)
				if len(ids) != 2 {
					t.Fatalf("read %v, want the file's two rows", ids)
				}
				for i, id := range ids {
					want := fmt.Sprintf("orders.csv@%d#%d", info.ModTime.Unix(), i+1)
					if tt.precise && id != want {
						t.Errorf("id %q, want %q", id, want)
					}
					if !tt.precise && !coarse.MatchString(id) {
						t.Errorf("id %q, want orders.csv@MINUTE.SIZE.HASH#N", id)
					}
				}
				all = append(all, ids...)
			}
			if !tt.precise {
				seen := map[string]bool{}
				for _, id := range all {
					if seen[id] {
						t.Fatalf("the second file's rows got the first one's ids: %v", all)
					}
					seen[id] = true
				}
			}
		})
	}
}

// TestAFileHalfReadByAVersionWithoutFTPTimesIsReadOn: earlier versions
// gave a file on an FTP server that does not answer MDTM no time at all
// (Go's zero time) in the cursor. A file such a version was half-way
// through when it was stopped for the upgrade is read on after its
// committed records, not from its start again, whose records would come
// twice under new ids.
func TestAFileHalfReadByAVersionWithoutFTPTimesIsReadOn(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "big.csv", "n\n1\n2\n3\n4\n5\n6\n")
	values := map[string]any{FieldClaimTimeout: "1ns"}     // a claim left is taken up at once
	first := read(t, folderConn(t, dir, values), "", 4, 1) // a page of 4 committed, then a stop
	cur, err := parseCursor(first.cursor)
	if err != nil || cur.Current == nil {
		t.Fatalf("cursor %s: %v", first.cursor, err)
	}
	cur.Current.File.Mod = time.Time{}.Unix() // as the earlier version kept it
	second := read(t, folderConn(t, dir, values), cur.String(), 4, -1)
	all := append(first.records, second.records...)
	if len(all) != 6 || all[4] != "big.csv:6 n=5" {
		t.Fatalf("records over two runs: %q", all)
	}
	if tr := tree(t, dir); tr != "archive/big.csv" {
		t.Fatalf("after: %s", tr)
	}
}
