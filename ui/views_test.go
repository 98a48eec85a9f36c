package ui

import (
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/switchboard-app/switchboard/ui/i18n"
)

// TestABrokenTemplateFailsTheStart: a template that does not parse stops
// the appliance from starting, instead of failing a page later.
func TestABrokenTemplateFailsTheStart(t *testing.T) {
	broken := fstest.MapFS{}
	_ = fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := templateFS.ReadFile(path)
			broken[path] = &fstest.MapFile{Data: data}
		}
		return nil
	})
	if _, err := parseViews(broken); err != nil {
		t.Fatalf("the shipped templates do not parse: %v", err)
	}
	broken["templates/views/activity_list.html"] = &fstest.MapFile{Data: []byte(`{{define "content"}}{{if .Rows}}{{end}`)}
	if _, err := parseViews(broken); err == nil || !strings.Contains(err.Error(), "activity_list") {
		t.Fatalf("a broken template parsed: %v", err)
	}
}

// messageUse finds the message keys that templates and handlers name.
var messageUse = []*regexp.Regexp{
	regexp.MustCompile(`\.T "([a-z0-9_.]+)"`),
	regexp.MustCompile(`"((?:flash|error|setup|login|connection|settings|account|users|schedule|nav)\.[a-z0-9_]+)"`),
}

// TestEveryMessageIsInTheCatalogue: every text the templates and handlers
// name exists in every language (i18n.Load checks that the languages
// agree).
func TestEveryMessageIsInTheCatalogue(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	_ = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".html") || (strings.HasSuffix(path, ".go") &&
			!strings.HasSuffix(path, "_test.go"))) {
			files = append(files, path)
		}
		return nil
	})
	found := 0
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range messageUse {
			for _, m := range re.FindAllStringSubmatch(string(data), -1) {
				found++
				if !cat.Has(m[1]) {
					t.Errorf("%s names message %q, which the catalogue lacks", path, m[1])
				}
			}
		}
	}
	if found < 200 {
		t.Fatalf("only %d message uses found: the scan is broken", found)
	}
}

// TestPagesCarrySecurityHeaders: no inline script may run and no other
// site may frame the UI or learn its addresses from the referrer.
func TestPagesCarrySecurityHeaders(t *testing.T) {
	e := newEnv(t, false, false)
	for _, path := range []string{"/login", "/static/switchboard.css", "/activity"} {
		rec := e.as("viewer").get(path)
		if path == "/login" {
			rec = e.as("").get(path)
		}
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s = %d", path, rec.Code)
		}
		csp := rec.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") ||
			!strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("GET %s: Content-Security-Policy %q", path, csp)
		}
		if got := rec.Header().Get("Referrer-Policy"); got != "same-origin" {
			t.Errorf("GET %s: Referrer-Policy %q", path, got)
		}
	}
}

// TestPagesAreNotStored: a page shows what only its user may read
// (payloads, a flow's webhook secret, users' e-mail addresses), so no
// browser or proxy may keep it: after signing out, Back or a shared
// machine's cache would show it again. The static files, whose addresses
// change with their content, may be kept.
func TestPagesAreNotStored(t *testing.T) {
	e := newEnv(t, false, false)
	tests := []struct{ role, path string }{
		{"", "/login"},
		{"viewer", "/"},
		{"viewer", "/activity"},
		{"viewer", "/connections"},
		{"viewer", "/usage.csv"},
		{"admin", "/users"},
		{"admin", "/settings"},
		{"viewer", "/users"}, // refused: the error page too
	}
	for _, tt := range tests {
		rec := e.as(tt.role).get(tt.path)
		if got := rec.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("GET %s as %q (%d): Cache-Control %q, want no-store", tt.path, tt.role, rec.Code, got)
		}
	}
	if got := e.as("viewer").get("/static/switchboard.css").Header().Get("Cache-Control"); got == "no-store" {
		t.Errorf("a static file is not to be kept: Cache-Control %q", got)
	}
}

// TestNoInlineScript: the strict policy would block inline script and
// event handlers, so no template may have any.
func TestNoInlineScript(t *testing.T) {
	inline := regexp.MustCompile(`(?i)<script>|<script [^>]*>[^<]|\son[a-z]+=|javascript:|style="`)
	_ = fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := templateFS.ReadFile(path)
		if m := inline.Find(data); m != nil {
			t.Errorf("%s has inline script or style: %q", path, m)
		}
		return nil
	})
}

// TestSignInTellsVisitorsNoKeyDetails: a failed key check is told to an
// anonymous visitor as "needs attention", without key ids or paths.
func TestSignInTellsVisitorsNoKeyDetails(t *testing.T) {
	t.Setenv("SWITCHBOARD_SECRET_KEY", "")
	e := unserved(t, fixtureDir)
	meta, _ := e.app.FindCollectionByNameOrId("sb_meta")
	canary := newRecordOf(meta)
	canary.Set("key", "secret_canary")
	canary.Set("value", "sb1:kzz9:bm90IHNlYWxlZCB3aXRoIHRoaXMga2V5")
	if err := e.app.Save(canary); err != nil {
		t.Fatal(err)
	}
	e.serve()
	rec := e.as("").get("/login")
	mustContain(t, "the sign-in page", rec, "The appliance needs attention")
	mustNotContain(t, "the sign-in page", rec, "kzz9", "secret.key", "SWITCHBOARD_SECRET_KEY", "sealed")
	mustContain(t, "the signed-in dashboard", e.as("viewer").get("/"), "kzz9")
}

func TestChooseLanguage(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ setting, accept, want string }{
		{"", "", "en"},
		{"", "nl-BE,nl;q=0.9,en;q=0.8", "nl"},
		{"", "es-ES", "es"},
		{"", "fr-FR,de;q=0.8", "en"},
		{"es", "nl-NL", "es"},
		{"xx", "nl-NL", "nl"},
	} {
		if got := cat.Choose(tc.setting, tc.accept); got != tc.want {
			t.Errorf("Choose(%q, %q) = %s, want %s", tc.setting, tc.accept, got, tc.want)
		}
	}
}
