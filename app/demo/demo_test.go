package demo_test

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/app/demo"
	_ "github.com/switchboard-app/switchboard/connectors/all"
	_ "github.com/switchboard-app/switchboard/pb_migrations"
)

// fastEngine polls and retries at test speed.
var fastEngine = app.EngineConfig{Workers: 4, PollEvery: 20 * time.Millisecond,
	BackoffBase: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond, AlertEvery: time.Hour}

// server is a test app with Switchboard registered and started as serve
// starts it: the OnServe hooks have run, so the engine is working.
type server struct {
	app *tests.TestApp
	sb  *app.Switchboard
}

// newServer starts a server; before runs between app.Register and the
// start, to bind more hooks.
func newServer(t *testing.T, before func(*app.Switchboard)) *server {
	t.Helper()
	return startServer(t, fastEngine, before)
}

// newServerWith starts a server with an engine configuration.
func newServerWith(t *testing.T, cfg app.EngineConfig) *server {
	t.Helper()
	return startServer(t, cfg, nil)
}

func startServer(t *testing.T, cfg app.EngineConfig, before func(*app.Switchboard)) *server {
	t.Helper()
	t.Setenv("SWITCHBOARD_SECRET_KEY", "")
	ta, err := tests.NewTestAppWithConfig(core.BaseAppConfig{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ta.Cleanup) // stops the engine through OnTerminate
	sb := app.Register(ta, app.Options{Engine: cfg})
	if before != nil {
		before(sb)
	}
	router, err := apis.NewRouter(ta)
	if err != nil {
		t.Fatal(err)
	}
	ev := &core.ServeEvent{App: ta, Router: router}
	if err := ta.OnServe().Trigger(ev, func(*core.ServeEvent) error { return nil }); err != nil {
		t.Fatalf("starting: %v", err)
	}
	if err := sb.Ready(); err != nil {
		t.Fatalf("flows cannot run: %v", err)
	}
	return &server{app: ta, sb: sb}
}

func (s *server) count(t *testing.T, collection string) int {
	t.Helper()
	n, err := s.app.CountRecords(collection)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// statuses counts the flow's transactions by status.
func (s *server) statuses(t *testing.T, flow string) map[string]int {
	t.Helper()
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	err := s.app.DB().NewQuery("SELECT status, COUNT(*) AS n FROM transactions WHERE flow = {:f} GROUP BY status").
		Bind(dbx.Params{"f": flow}).All(&rows)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if !waitFor(20*time.Second, cond) {
		t.Fatalf("timed out waiting for %s", what)
	}
}

// waitFor reports whether cond holds within d.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func TestInstallIsIdempotent(t *testing.T) {
	s := newServer(t, nil)
	dir := s.app.DataDir()
	first, err := demo.Install(s.app, dir)
	if err != nil {
		t.Fatal(err)
	}
	second, err := demo.Install(s.app, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Created || second.Created {
		t.Fatalf("Created: first %v, second %v; want true, false", first.Created, second.Created)
	}
	want := first
	want.Created = false
	if second != want {
		t.Fatalf("second Install = %+v, want %+v", second, want)
	}
	for _, c := range []struct {
		collection string
		want       int
	}{{"connections", 2}, {"integrations", 1}, {"flows", 1}} {
		if got := s.count(t, c.collection); got != c.want {
			t.Errorf("%s: %d records, want %d", c.collection, got, c.want)
		}
	}
	for _, sub := range []string{demo.InboxDir, demo.SamplesDir} {
		files, _ := filepath.Glob(filepath.Join(first.Dir, sub, "*.csv"))
		if len(files) != len(demo.SampleNames()) {
			t.Errorf("%s holds %d feeds, want %d", sub, len(files), len(demo.SampleNames()))
		}
	}
}

func TestInstalledFlowIsEnabledAndScheduled(t *testing.T) {
	s := newServer(t, nil)
	res, err := demo.Install(s.app, s.app.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	flow, err := s.app.FindRecordById("flows", res.FlowID)
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]string{"entity": "product", "schedule": demo.Schedule,
		"source": res.SupplierID, "target": res.ShopID, "name": demo.FlowName} {
		if got := flow.GetString(field); got != want {
			t.Errorf("flow %s = %q, want %q", field, got, want)
		}
	}
	if !flow.GetBool("enabled") {
		t.Error("flow is not enabled")
	}
	var opts struct {
		Source, Target map[string]any
	}
	if err := flow.UnmarshalJSONField("options", &opts); err != nil || opts.Source["pattern"] != "*.csv" ||
		opts.Source["decimal_comma"] != "Prijs" || opts.Target["format"] != "xml" || opts.Target["xml_record"] != "Product" {
		t.Errorf("flow options %s (%v), want what it reads and writes", flow.GetString("options"), err)
	}
	for _, id := range []string{res.SupplierID, res.ShopID} {
		conn, err := s.app.FindRecordById("connections", id)
		if err != nil {
			t.Fatal(err)
		}
		var cfg map[string]any
		if err := conn.UnmarshalJSONField("config", &cfg); err != nil || len(cfg) != 1 || cfg["folder"] == nil {
			t.Errorf("connection %q config %v (%v), want its folder alone", conn.GetString("name"), cfg, err)
		}
	}
	if !filepath.IsAbs(res.Dir) {
		t.Errorf("demo folder %q is not absolute", res.Dir)
	}
}

// TestDemoLivesInTheFilesRoot: the demo's folders are in the files root,
// made private to the service, and its connections name them relative to
// it, as every folder connection must.
func TestDemoLivesInTheFilesRoot(t *testing.T) {
	tests := []struct {
		name string
		root func(dataDir string) string // "" keeps the default
	}{
		{"default files root", func(string) string { return "" }},
		{"files root set", func(string) string { return filepath.Join(t.TempDir(), "exchange") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, nil)
			root := tt.root(s.app.DataDir())
			t.Setenv(app.FilesRootEnv, root)
			if root == "" {
				root = filepath.Join(s.app.DataDir(), "files")
			}
			res, err := demo.Install(s.app, s.app.DataDir())
			if err != nil {
				t.Fatal(err)
			}
			if res.Dir != filepath.Join(root, demo.Folder) {
				t.Errorf("demo folder %q, want %q", res.Dir, filepath.Join(root, demo.Folder))
			}
			if info, err := os.Stat(root); err != nil || info.Mode().Perm() != 0o700 {
				t.Errorf("files root %s: %v, want mode 0700", root, err)
			}
			for id, want := range map[string]string{res.SupplierID: "demo/supplier/inbox", res.ShopID: "demo/shop/outbox"} {
				rec, err := s.app.FindRecordById("connections", id)
				if err != nil {
					t.Fatal(err)
				}
				var cfg struct {
					Folder string `json:"folder"`
				}
				if err := rec.UnmarshalJSONField("config", &cfg); err != nil || cfg.Folder != want {
					t.Errorf("connection %q folder %q, want %q", rec.GetString("name"), cfg.Folder, want)
				}
			}
		})
	}
}

func TestSamplesAreInTheirEncodings(t *testing.T) {
	tests := []struct {
		name  string
		check func([]byte) bool
	}{
		{"groothandel-tuin-utf8.csv", func(b []byte) bool { return utf8.Valid(b) && strings.Contains(string(b), "Café") }},
		{"gartenmoebel-windows1252.csv", func(b []byte) bool { return !utf8.Valid(b) && strings.Contains(string(b), "M\xfcller") }},
		{"spreadsheet-export-utf16.csv", func(b []byte) bool { return len(b) > 2 && b[0] == 0xff && b[1] == 0xfe }},
	}
	if got := strings.Join(demo.SampleNames(), ","); got != "gartenmoebel-windows1252.csv,groothandel-tuin-utf8.csv,spreadsheet-export-utf16.csv" {
		t.Fatalf("samples %s", got)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("samples", tt.name))
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(b) {
				t.Fatalf("%s is not in its encoding", tt.name)
			}
		})
	}
}

// shopProduct is a product in the shop's XML.
type shopProduct struct {
	SKU   string `xml:"SKU"`
	Title string `xml:"Title"`
	EAN   string `xml:"EAN"`
	Price struct {
		Currency string `xml:"currency,attr"`
		Value    string `xml:",chardata"`
	} `xml:"Price"`
	Stock string `xml:"Stock"`
}

// wantProducts are the feeds' good rows in the shop: the supplier's price
// plus 20%, rounded to 5 cents.
var wantProducts = []struct{ sku, title, price, stock string }{
	{"TM-1001", "Teakhouten tuinbank 150 cm", "227.95", "12"},
	{"TM-1002", "Loungeset Ibiza 4-delig", "1498.80", "3"},
	{"TM-1003", "Parasol Ø 300 cm antraciet", "95.40", "25"},
	{"TM-1004", "Bistroset Café de Paris", "178.80", "8"},
	{"TM-1005", "Plantenbak cortenstaal 80x40", "77.95", "0"},
	{"GM-2001", "Gartenstuhl Müller, klappbar", "59.90", "40"},
	{"GM-2002", "Liegestuhl Größe L", "106.80", "15"},
	{"GM-2003", "Blumenkübel groß Terrakotta", "41.95", "22"},
	{"GM-2004", "Chaise longue Élégance", "262.80", "4"},
	{"GM-2005", "Café-Tisch rund Ø 80 cm", "155.40", "6"},
	{"SK-3001", "Strandstoel Årvik", "47.95", "30"},
	{"SK-3002", "Tuintafel Ærø eiken 200 cm", "718.80", "2"},
	{"SK-3003", "Schommelbank Fjällbacka", "418.80", "5"},
	{"SK-3004", "Windlicht Crème, set van 3", "29.95", "50"},
}

// shopProducts reads every product the shop's XML files hold, by SKU.
func shopProducts(t *testing.T, outbox string) (map[string]shopProduct, int) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(outbox, "products-*.xml"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]shopProduct{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Products []shopProduct `xml:"Product"`
		}
		if err := xml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, p := range doc.Products {
			if _, dup := out[p.SKU]; dup {
				t.Errorf("%s written twice", p.SKU)
			}
			out[p.SKU] = p
		}
	}
	return out, len(files)
}

// runDemo installs the demo, runs its flow and waits until every record
// has settled: 14 succeeded and 1 failed, nothing else.
func runDemo(t *testing.T, s *server) (demo.Result, string) {
	t.Helper()
	res, err := demo.Install(s.app, s.app.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.sb.Engine().RunFlow(res.FlowID, app.TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "14 succeeded and 1 failed", func() bool {
		st := s.statuses(t, res.FlowID)
		return st[app.StatusSucceeded] == len(wantProducts) && st[app.StatusFailed] == 1 && len(st) == 2
	})
	return res, run
}

func TestDemoRunsThroughTheEngine(t *testing.T) {
	s := newServer(t, nil)
	res, run := runDemo(t, s)
	checkFailed(t, s, res.FlowID)
	checkRun(t, s, run)
	outbox := filepath.Join(res.Dir, demo.OutboxDir)
	waitFor(5*time.Second, func() bool {
		got, _ := shopProducts(t, outbox)
		return len(got) == len(wantProducts)
	})
	checkProducts(t, outbox)
	checkArchived(t, filepath.Join(res.Dir, demo.InboxDir))
}

// checkFailed checks the one failed transaction: its key is the bad row's
// file and line, its error names the field and the value.
func checkFailed(t *testing.T, s *server, flow string) {
	t.Helper()
	tx, err := s.app.FindFirstRecordByFilter("transactions", "flow = {:f} && status = 'failed'", dbx.Params{"f": flow})
	if err != nil {
		t.Fatal(err)
	}
	if key := tx.GetString("key"); key != "spreadsheet-export-utf16.csv:6" {
		t.Errorf("failed key %q, want the file and line spreadsheet-export-utf16.csv:6", key)
	}
	msg := tx.GetString("error")
	for _, want := range []string{"SK-3005", "prices.cost", "twelve"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not name %q", msg, want)
		}
	}
	t.Logf("the failed transaction: %s: %s", tx.GetString("key"), msg)
}

func checkRun(t *testing.T, s *server, id string) {
	t.Helper()
	eventually(t, "the run's counts", func() bool {
		run, err := s.app.FindRecordById("runs", id)
		return err == nil && !run.GetDateTime("finished").IsZero() && run.GetInt("succeeded") == len(wantProducts)
	})
	run, _ := s.app.FindRecordById("runs", id)
	if run.GetInt("read") != len(wantProducts)+1 || run.GetInt("failed") != 1 || run.GetString("error") != "" {
		t.Errorf("run: read %d, failed %d, error %q", run.GetInt("read"), run.GetInt("failed"), run.GetString("error"))
	}
}

func checkProducts(t *testing.T, outbox string) {
	t.Helper()
	got, files := shopProducts(t, outbox)
	t.Logf("%d products in %d XML file(s)", len(got), files)
	for _, w := range wantProducts {
		p, ok := got[w.sku]
		switch {
		case !ok:
			t.Errorf("%s missing from the shop's XML", w.sku)
		case p.Title != w.title || p.Price.Value != w.price || p.Price.Currency != "EUR" || p.Stock != w.stock || len(p.EAN) != 13:
			t.Errorf("%s = %+v, want title %q, price EUR %s, stock %s", w.sku, p, w.title, w.price, w.stock)
		}
	}
	if _, ok := got["SK-3005"]; ok {
		t.Error("the bad row was written")
	}
}

func checkArchived(t *testing.T, inbox string) {
	t.Helper()
	eventually(t, "the feeds to be archived", func() bool {
		left, _ := filepath.Glob(filepath.Join(inbox, "*.csv"))
		archived, _ := filepath.Glob(filepath.Join(inbox, "archive", "*.csv"))
		return len(left) == 0 && len(archived) == len(demo.SampleNames())
	})
}

func TestRegisterInstallsOnServeWhenEnabled(t *testing.T) {
	tests := []struct {
		name         string
		enabled      bool
		integrations int
	}{
		{"without the flag", false, 0},
		{"with the flag", true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, func(sb *app.Switchboard) { demo.Register(sb, func() bool { return tt.enabled }) })
			if got := s.count(t, "integrations"); got != tt.integrations {
				t.Fatalf("%d integrations, want %d", got, tt.integrations)
			}
			if !tt.enabled {
				return
			}
			eventually(t, "the first run's transactions", func() bool { return s.count(t, "transactions") == len(wantProducts)+1 })
			if n := s.count(t, "runs"); n != 1 {
				t.Fatalf("%d runs, want 1", n)
			}
		})
	}
}
