package files

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files/transport/ftp"
	"github.com/switchboard-app/switchboard/connectors/files/transport/transporttest"
)

// TestFTPPerRecordWithEightWorkers: eight workers writing one file per
// record over one FTP connection all succeed: transfers wait for a free
// session of the connection's pool instead of failing.
func TestFTPPerRecordWithEightWorkers(t *testing.T) {
	for _, sessions := range []int64{2, ftp.DefaultSessions} {
		t.Run(fmt.Sprint(sessions, " sessions"), func(t *testing.T) {
			rm := ftpRemote(t, ftp.TLSExplicit)
			rm.values[FieldWriteMode], rm.values[FieldSessions] = "per_record", sessions
			c := openFlowConn(t, rm.name, rm.values, rm.secrets, connectors.Env{Logger: quiet, DataDir: t.TempDir(), Shared: connectors.NewShared()})
			const workers, each = 8, 25
			var wg sync.WaitGroup
			errs := make(chan error, workers*each)
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						req := connectors.WriteRequest{Entity: connectors.Product, IdempotencyKey: fmt.Sprintf("w%d-%d", w, i),
							Data: map[string]any{"sku": fmt.Sprintf("P%d-%d", w, i)}}
						if _, err := c.Write(ctx(t), req); err != nil {
							errs <- err
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatalf("a write failed: %v", err)
			}
			if err := c.Flush(ctx(t)); err != nil {
				t.Fatal(err)
			}
			tr := rm.dial(t)
			defer tr.Close()
			if list, err := tr.List(ctx(t), ".", "*.csv"); err != nil || len(list) != workers*each {
				t.Fatalf("%d files for %d records (%v)", len(list), workers*each, err)
			}
		})
	}
}

// TestAnUploadBySFTPAtALimitedRateIsReadWhole: OpenSSH's sftp client
// uploads 60,000 rows (about 1 MB) at a limited rate, straight under the
// file's name, while runs go on reading the folder; every row is read
// exactly once. At 2,000 kbit/s the client sends 255 KB at once and then
// waits about a second, four times: the settle time of 3 seconds outlasts
// its pauses.
func TestAnUploadBySFTPAtALimitedRateIsReadWhole(t *testing.T) {
	rm := sftpRemote(t, false)
	env := transporttest.RequireEnv(t, "SWITCHBOARD_IT_SFTP_KEY")
	client, err := exec.LookPath("sftp")
	if err != nil {
		t.Skip("no OpenSSH sftp client")
	}
	const total = 60000
	local := filepath.Join(t.TempDir(), "stock.csv")
	if err := os.WriteFile(local, []byte("n,name\n"+rows(1, total)), 0o600); err != nil {
		t.Fatal(err)
	}
	done := uploadSlowly(t, client, rm, env["SWITCHBOARD_IT_SFTP_KEY"], local, path.Join(rm.values[FieldFolder].(string), "stock.csv"))
	rm.values[FieldSettleTime], rm.values[FieldPattern] = "3s", "*.csv"
	var records []string
	cursor := ""
	for uploading := true; uploading || len(records) < total; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			uploading = false
		default:
		}
		conn := openFlowConn(t, rm.name, rm.values, rm.secrets, connectors.Env{Logger: quiet, DataDir: t.TempDir()})
		got := read(t, conn, cursor, 500, -1)
		records, cursor = append(records, got.records...), got.cursor
		if !uploading && len(got.records) == 0 && len(records) < total {
			break
		}
	}
	countRows(t, records, total)
}

// uploadSlowly starts OpenSSH's sftp client putting local at remote at
// 2,000 kbit/s; the channel gets its result.
func uploadSlowly(t *testing.T, client string, rm remote, key, local, remote string) <-chan error {
	t.Helper()
	host, port := splitAddr(t, fmt.Sprint(rm.values[FieldHost], ":", rm.values[FieldPort]))
	batch := filepath.Join(t.TempDir(), "batch")
	if err := os.WriteFile(batch, []byte(fmt.Sprintf("put %s %s\n", local, remote)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(client, "-b", batch, "-l", "2000", "-i", key, "-P", fmt.Sprint(port),
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
		fmt.Sprintf("%s@%s", rm.values[FieldUsername], host))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		if err := cmd.Wait(); err != nil {
			done <- fmt.Errorf("sftp upload: %w: %s", err, out.String())
			return
		}
		done <- nil
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return done
}

// TestTestConnectionChecksItCanWrite: "test connection" writes and removes
// a probe file, and says so when it cannot (the SFTP chroot's root belongs
// to root).
func TestTestConnectionChecksItCanWrite(t *testing.T) {
	rm := sftpRemote(t, false)
	tests := []struct {
		folder string
		ok     bool
		want   string
	}{
		{rm.values[FieldFolder].(string), true, "Switchboard can write there"},
		{"/", false, "but Switchboard cannot write there"},
	}
	for _, tt := range tests {
		t.Run(tt.folder, func(t *testing.T) {
			rm.values[FieldFolder] = tt.folder
			c := openFlowConn(t, rm.name, rm.values, rm.secrets, connectors.Env{Logger: quiet, DataDir: t.TempDir()})
			res, err := c.Test(ctx(t))
			if err != nil || res.OK != tt.ok || !strings.Contains(res.Message, tt.want) {
				t.Fatalf("test: %+v, %v; want ok %v saying %q", res, err, tt.ok, tt.want)
			}
			if tt.ok {
				tr := rm.dial(t)
				defer tr.Close()
				if list, _ := tr.List(ctx(t), ".", ".switchboard-probe-*"); len(list) != 0 {
					t.Fatalf("the probe file was left: %v", list)
				}
			}
		})
	}
}

// TestAMissingTargetFolderIsMadeWhenTheFlowSaysSo: an FTP or SFTP
// connection's folder that does not exist is refused, unless the flow
// writing to it sets create_folders.
func TestAMissingTargetFolderIsMadeWhenTheFlowSaysSo(t *testing.T) {
	for _, r := range []struct {
		name string
		get  func(t *testing.T) remote
	}{
		{"ftp", func(t *testing.T) remote { return ftpRemote(t, ftp.TLSExplicit) }},
		{"sftp", func(t *testing.T) remote { return sftpRemote(t, false) }},
	} {
		t.Run(r.name, func(t *testing.T) {
			rm := r.get(t)
			base := rm.values[FieldFolder].(string)
			rm.values[FieldFolder] = base + "/new/deeper"
			rm.values[FieldFileName] = "out.csv"
			write := func(create bool) error {
				rm.values[FieldCreateFolders] = create
				c := openFlowConn(t, rm.name, rm.values, rm.secrets, connectors.Env{Logger: quiet, DataDir: t.TempDir()})
				if _, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, Data: map[string]any{"sku": "A"}}); err != nil {
					return err
				}
				return c.Flush(ctx(t))
			}
			if err := write(false); err == nil || !strings.Contains(err.Error(), "does not exist") {
				t.Fatalf("without create_folders: %v, want the folder refused", err)
			}
			if err := write(true); err != nil {
				t.Fatalf("with create_folders: %v", err)
			}
			tr := rm.dial(t)
			defer tr.Close()
			if _, err := tr.Stat(ctx(t), "new/deeper/out.csv"); err != nil {
				t.Fatalf("the file in the made folder: %v", err)
			}
		})
	}
}

// TestATargetWritesAgainAfterItsConnectionBroke: a target's connection is
// kept for many runs; once it broke (the server restarted), the write that
// found it so fails as transient and the next one dials again, instead of
// every later write failing.
func TestATargetWritesAgainAfterItsConnectionBroke(t *testing.T) {
	rm := sftpRemote(t, false)
	rm.values[FieldWriteMode] = "per_record"
	c := openFlowConn(t, rm.name, rm.values, rm.secrets, connectors.Env{Logger: quiet, DataDir: t.TempDir()})
	writeOne := func(sku string) error {
		_, err := c.Write(ctx(t), connectors.WriteRequest{Entity: connectors.Product, IdempotencyKey: sku, Data: map[string]any{"sku": sku}})
		if err == nil {
			err = c.Flush(ctx(t))
		}
		return err
	}
	if err := writeOne("A"); err != nil {
		t.Fatal(err)
	}
	_ = c.tr.Close() // as when the server goes away
	if err := writeOne("B"); err == nil {
		t.Log("the write after the break passed")
	} else if class, _ := connectors.Classify(err); class != connectors.ClassTransient {
		t.Fatalf("the write on the broken connection failed as %s: %v", class, err)
	}
	if err := writeOne("C"); err != nil {
		t.Fatalf("a write after the connection broke: %v", err)
	}
}
