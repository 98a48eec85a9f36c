package ui

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/ui/i18n"
)

// UI serves the admin pages.
type UI struct {
	sb      *app.Switchboard
	views   *viewSet
	cat     *i18n.Catalogue
	signIns *signInLimiter
	// verdicts are the connection tests' verdicts, shown after the
	// redirect that follows a test.
	verdicts *verdicts
}

// Register parses the templates and the message catalogue and adds the
// UI's routes to the app; it fails at start-up, not on the first request,
// when a template or a translation is broken.
func Register(sb *app.Switchboard) (*UI, error) {
	cat, err := i18n.Load()
	if err != nil {
		return nil, fmt.Errorf("loading the messages: %w", err)
	}
	views, err := parseViews(templateFS)
	if err != nil {
		return nil, err
	}
	u := &UI{sb: sb, views: views, cat: cat, signIns: newSignInLimiter(), verdicts: newVerdicts()}
	sb.App().OnServe().BindFunc(func(e *core.ServeEvent) error {
		u.registerRoutes(e)
		return e.Next()
	})
	return u, nil
}

func (u *UI) app() core.App { return u.sb.App() }
