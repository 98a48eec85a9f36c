package ui

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// views are the pages; each is parsed with the layout once, at start-up.
var views = []string{"home"}

// UI serves the admin pages.
type UI struct {
	sb    *app.Switchboard
	pages map[string]*template.Template
}

// Register parses the templates and adds the UI's routes to the app; it
// fails at start-up, not on the first request, when a template is broken.
func Register(sb *app.Switchboard) (*UI, error) {
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	u := &UI{sb: sb, pages: pages}
	sb.App().OnServe().BindFunc(func(e *core.ServeEvent) error {
		static, _ := fs.Sub(staticFS, "static")
		e.Router.GET("/static/{path...}", apis.Static(static, false)).BindFunc(securityHeaders)
		e.Router.GET("/{$}", u.home).BindFunc(securityHeaders)
		return e.Next()
	})
	return u, nil
}

func parsePages() (map[string]*template.Template, error) {
	pages := map[string]*template.Template{}
	for _, name := range views {
		t, err := template.ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parsing template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

func (u *UI) render(e *core.RequestEvent, name string, data any) error {
	var buf bytes.Buffer
	if err := u.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("rendering %s: %w", name, err)
	}
	return e.HTML(http.StatusOK, buf.String())
}

// ContentSecurityPolicy is sent with every page: nothing but the
// appliance's own files, no inline script, no framing.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders adds the headers every page and file of the UI carries.
func securityHeaders(e *core.RequestEvent) error {
	h := e.Response.Header()
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	return e.Next()
}

type homeData struct {
	// NeedsAttention is set when flows cannot run; the page says no more
	// than that to a visitor who has not signed in.
	NeedsAttention bool
}

func (u *UI) home(e *core.RequestEvent) error {
	return u.render(e, "home", homeData{NeedsAttention: u.sb.Ready() != nil})
}
