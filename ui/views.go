package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/app"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// views are the pages and the partials each uses, besides the layout.
// Each is parsed once, at start-up: a broken template fails the start.
var views = map[string][]string{
	"login":              nil,
	"setup":              nil,
	"error":              nil,
	"dashboard":          {"status"},
	"activity_list":      {"status", "activity_filters"},
	"activity_show":      {"status", "payload"},
	"connections":        {"status"},
	"connection":         {"status", "field"},
	"connect":            nil,
	"integrations":       {"status"},
	"flow":               {"status", "mapping"},
	"users":              nil,
	"settings":           nil,
	"account":            nil,
	"usage":              nil,
	"connection_new":     nil,
	"integration_form":   nil,
	"flow_form":          {"field"},
	"mapping":            {"preview"},
	"rules":              {"preview"},
	"wizard":             {"field"},
	"integration_import": nil,
}

// viewSet holds the parsed pages.
type viewSet struct {
	pages map[string]*template.Template
}

// parseViews parses every view of the table from fsys (the embedded
// templates in the appliance).
func parseViews(fsys fs.FS) (*viewSet, error) {
	set := &viewSet{pages: map[string]*template.Template{}}
	for name, partials := range views {
		files := []string{"templates/layout.html", "templates/views/" + name + ".html"}
		for _, p := range partials {
			files = append(files, "templates/partials/"+p+".html")
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(fsys, files...)
		if err != nil {
			return nil, fmt.Errorf("parsing template %s: %w", name, err)
		}
		set.pages[name] = t
	}
	return set, nil
}

// render writes a page with the layout.
func (v *viewSet) render(w http.ResponseWriter, status int, name string, data any) error {
	t, ok := v.pages[name]
	if !ok {
		return fmt.Errorf("rendering %s: no such view", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("rendering %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// funcs are the templates' helpers; per-request text goes through the
// page's printer (.L) instead.
var funcs = template.FuncMap{
	"static":    staticURL,
	"pretty":    prettyJSON,
	"dict":      dict,
	"isLast":    func(i, n int) bool { return i == n-1 },
	"has":       func(list []string, s string) bool { return contains(list, s) },
	"show":      mappingsShow,
	"inc":       func(i int) int { return i + 1 },
	"list":      func(s ...string) []string { return s },
	"initials":  initials,
	"hasPrefix": strings.HasPrefix,
	"minutes":   func(d time.Duration) int { return int(d / time.Minute) },
	"outcome":   readOutcome,
	"failing":   failing,
}

// failing tells whether any of the fields has an error: the folded part
// of a form that holds one opens, so that a refused save shows why.
func failing(fields ...[]formField) bool {
	for _, list := range fields {
		for _, f := range list {
			if f.Error != "" {
				return true
			}
		}
	}
	return false
}

// outcomeText is an attempt's outcome as a page shows it: the catalogue
// key of its status ("status.skipped") and what the engine noted (a skipped
// record's reason), or, for an outcome that names no status, Key empty and
// the outcome in Note.
type outcomeText struct{ Key, Note string }

// readOutcome reads an attempt's outcome as the engine words it
// ("succeeded", "failed", "retrying", "skipped: <reason>"), so that its
// status shows in the reader's language.
func readOutcome(outcome string) outcomeText {
	status, note, _ := strings.Cut(outcome, ": ")
	if !contains(app.TransactionStatuses, status) {
		return outcomeText{Note: outcome}
	}
	return outcomeText{Key: "status." + status, Note: note}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// dict builds a map from key, value pairs, to hand a partial more than
// one value.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict needs pairs, got %d values", len(kv))
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		key, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict key %v is not text", kv[i])
		}
		m[key] = kv[i+1]
	}
	return m, nil
}

// prettyJSON shows a payload indented; "" when there is none.
func prettyJSON(v any) string {
	switch p := v.(type) {
	case nil:
		return ""
	case json.RawMessage:
		if len(p) == 0 {
			return ""
		}
		var buf bytes.Buffer
		if json.Indent(&buf, p, "", "  ") == nil {
			return buf.String()
		}
		return string(p)
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprint(v)
	}
	if s := string(out); s == "null" || s == "{}" || s == "[]" {
		return ""
	}
	return string(out)
}

// staticSums are the first hex digits of each static file's SHA-256, put
// in its URL so a browser fetches a changed file at once.
var staticSums = func() map[string]string {
	sums := map[string]string{}
	_ = fs.WalkDir(staticFS, "static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFS.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		sums[strings.TrimPrefix(path, "static/")] = hex.EncodeToString(sum[:6])
		return nil
	})
	return sums
}()

func staticURL(name string) string {
	return "/static/" + name + "?v=" + staticSums[name]
}
