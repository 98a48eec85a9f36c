package files

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/conntest"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
	"github.com/switchboard-app/switchboard/connectors/files/transport/ftp"
	"github.com/switchboard-app/switchboard/connectors/files/transport/sftp"
	"github.com/switchboard-app/switchboard/connectors/files/transport/transporttest"
)

// remote is a connection to one of the test servers on a fresh folder.
type remote struct {
	name    string
	values  map[string]any
	secrets map[string]string
	dial    func(t *testing.T) transport.Transport // on the fresh folder
}

func splitAddr(t *testing.T, addr string) (string, int64) {
	host, port, ok := strings.Cut(addr, ":")
	var p int64
	if _, err := fmt.Sscan(port, &p); !ok || err != nil {
		t.Fatalf("address %q", addr)
	}
	return host, p
}

func ftpRemote(t *testing.T, mode string) remote {
	addrVar := "SWITCHBOARD_IT_FTP_ADDR"
	if mode == ftp.TLSImplicit {
		addrVar = "SWITCHBOARD_IT_FTPS_IMPLICIT_ADDR"
	}
	return ftpRemoteAt(t, addrVar, mode)
}

// ftpRemoteAt is ftpRemote on the server whose address is in addrVar.
func ftpRemoteAt(t *testing.T, addrVar, mode string) remote {
	env := transporttest.RequireEnv(t, addrVar, "SWITCHBOARD_IT_FTP_USER", "SWITCHBOARD_IT_FTP_PASS", "SWITCHBOARD_IT_FTPS_CA")
	ca, err := os.ReadFile(env["SWITCHBOARD_IT_FTPS_CA"])
	if err != nil {
		t.Fatal(err)
	}
	cfg := ftp.Config{Addr: env[addrVar], User: env["SWITCHBOARD_IT_FTP_USER"], Password: env["SWITCHBOARD_IT_FTP_PASS"],
		TLS: mode, CAPEM: string(ca), Timeout: 10 * time.Second}
	root, err := ftp.Dial(ctx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := transporttest.UniqueName("conn")
	if err := root.Mkdir(ctx(t), dir); err != nil {
		t.Fatal(err)
	}
	_ = root.Close()
	cfg.Folder = dir
	host, port := splitAddr(t, cfg.Addr)
	return remote{name: "ftp",
		values: map[string]any{FieldHost: host, FieldPort: port, FieldUsername: cfg.User, FieldTLS: mode,
			FieldCACert: string(ca), FieldFolder: dir, FieldTimeout: "10s"},
		secrets: map[string]string{FieldPassword: cfg.Password},
		dial: func(t *testing.T) transport.Transport {
			tr, err := ftp.Dial(ctx(t), cfg)
			if err != nil {
				t.Fatal(err)
			}
			return tr
		}}
}

func sftpRemote(t *testing.T, withKey bool) remote {
	env := transporttest.RequireEnv(t, "SWITCHBOARD_IT_SFTP_ADDR", "SWITCHBOARD_IT_SFTP_USER",
		"SWITCHBOARD_IT_SFTP_PASS", "SWITCHBOARD_IT_SFTP_KEY", "SWITCHBOARD_IT_SFTP_DIR")
	cfg := sftp.Config{Addr: env["SWITCHBOARD_IT_SFTP_ADDR"], User: env["SWITCHBOARD_IT_SFTP_USER"],
		Password: env["SWITCHBOARD_IT_SFTP_PASS"], Folder: env["SWITCHBOARD_IT_SFTP_DIR"], Timeout: 10 * time.Second}
	root, err := sftp.Dial(ctx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := transporttest.UniqueName("conn")
	if err := root.Mkdir(ctx(t), dir); err != nil {
		t.Fatal(err)
	}
	_ = root.Close()
	cfg.Folder += "/" + dir
	secrets := map[string]string{FieldPassword: cfg.Password}
	if withKey {
		key, err := os.ReadFile(env["SWITCHBOARD_IT_SFTP_KEY"])
		if err != nil {
			t.Fatal(err)
		}
		secrets = map[string]string{FieldPrivateKey: string(key)}
	}
	host, port := splitAddr(t, cfg.Addr)
	return remote{name: "sftp",
		values:  map[string]any{FieldHost: host, FieldPort: port, FieldUsername: cfg.User, FieldFolder: cfg.Folder, FieldTimeout: "10s"},
		secrets: secrets,
		dial: func(t *testing.T) transport.Transport {
			tr, err := sftp.Dial(ctx(t), cfg)
			if err != nil {
				t.Fatal(err)
			}
			return tr
		}}
}

func remotes(t *testing.T) []struct {
	name string
	get  func(t *testing.T) remote
} {
	return []struct {
		name string
		get  func(t *testing.T) remote
	}{
		{"ftp", func(t *testing.T) remote { return ftpRemote(t, ftp.TLSNone) }},
		{"ftps explicit", func(t *testing.T) remote { return ftpRemote(t, ftp.TLSExplicit) }},
		{"ftps implicit", func(t *testing.T) remote { return ftpRemote(t, ftp.TLSImplicit) }},
		{"ftp legacy behind NAT", func(t *testing.T) remote {
			return ftpRemoteAt(t, "SWITCHBOARD_IT_FTP_LEGACY_ADDR", ftp.TLSNone)
		}},
		{"sftp password", func(t *testing.T) remote { return sftpRemote(t, false) }},
		{"sftp key", func(t *testing.T) remote { return sftpRemote(t, true) }},
	}
}

func TestRemoteConformance(t *testing.T) {
	for _, r := range remotes(t) {
		t.Run(r.name, func(t *testing.T) {
			rm := r.get(t)
			reg, _ := connectors.Lookup(rm.name)
			bad := map[string]string{FieldPassword: "wrong-password"}
			conntest.Run(t, conntest.Suite{
				Registration: reg, Config: rm.values, Secrets: rm.secrets, BadSecrets: bad,
				ReadOptions:  map[string]any{FieldSubFolder: "in", FieldPattern: "*.csv", FieldSettleTime: "0s"},
				WriteOptions: map[string]any{FieldSubFolder: "out"},
				Env:          connectors.Env{Logger: quiet, DataDir: t.TempDir()},
				Entity:       connectors.Product,
				Seed: func(t *testing.T, n int) {
					tr := rm.dial(t)
					defer tr.Close()
					var b strings.Builder
					b.WriteString("sku,name\r\n")
					for i := 1; i <= n; i++ {
						fmt.Fprintf(&b, "S%d,Product %d\r\n", i, i)
					}
					if err := tr.Mkdir(ctx(t), "in"); err != nil {
						t.Fatal(err)
					}
					for name, body := range map[string]string{"in/products.csv": b.String(), "products.csv": "sku\r\nelsewhere\r\n"} {
						if err := transport.Put(ctx(t), tr, name, strings.NewReader(body)); err != nil {
							t.Fatal(err)
						}
					}
				},
				Sample:  map[string]any{"sku": "S1", "name": "Chair"},
				Timeout: 60 * time.Second,
			})
		})
	}
}

// TestRemoteLifecycle reads over each server: a bad row fails alone, the
// file is claimed while read and archived after the ack, and an
// unparseable file lands in the error folder with its report.
func TestRemoteLifecycle(t *testing.T) {
	for _, r := range remotes(t) {
		t.Run(r.name, func(t *testing.T) {
			rm := r.get(t)
			tr := rm.dial(t)
			defer tr.Close()
			files := map[string]string{
				"a.csv":    "sku;price\nA1;12,50\n\"A2;1\nA3;3\n",
				"b.csv":    "",
				"c.csv":    "sku|qty\r\nC1|1\r\n",
				".tmp.csv": "partial upload\n",
			}
			for name, body := range files {
				if err := transport.Put(ctx(t), tr, name, strings.NewReader(body)); err != nil {
					t.Fatal(err)
				}
			}
			rm.values[FieldPattern] = "*.*"
			rm.values[FieldDecimalComma] = "*"
			conn := openFlowConn(t, rm.name, rm.values, rm.secrets, connectors.Env{Logger: quiet, DataDir: t.TempDir()})
			got := read(t, conn, "", 10, -1)
			want := "a.csv:2 price=12.50,sku=A1|a.csv:3 ERR a.csv line 3: unclosed quote|a.csv:4 price=3,sku=A3|" +
				"b.csv ERR b.csv cannot be read: csv: the file is empty: no header row|" +
				"c.csv:2 qty=1,sku=C1"
			if strings.Join(got.records, "|") != want {
				t.Fatalf("records\n%s\nwant\n%s", strings.Join(got.records, "\n"), strings.ReplaceAll(want, "|", "\n"))
			}
			for _, p := range []string{"archive/a.csv", "archive/c.csv", "error/b.csv", "error/b.csv.error.txt", ".tmp.csv"} {
				if ok, err := transport.Exists(ctx(t), tr, p); !ok || err != nil {
					t.Errorf("%s missing after the run (%v)", p, err)
				}
			}
			if left, _ := tr.List(ctx(t), "processing", "*"); len(left) != 0 {
				t.Errorf("left in processing: %v", left)
			}
		})
	}
}
