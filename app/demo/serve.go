package demo

import (
	"log/slog"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
)

// Register makes the server install the demo when it starts, if enabled
// says so then (it is asked at start, after the command line is parsed),
// and run the demo flow at once when it was just created, so the Activity
// page shows transactions without waiting for the schedule. Call it after
// app.Register, so the engine has started when the hook runs. A demo that
// cannot be installed is logged; the server starts anyway.
func Register(sb *app.Switchboard, enabled func() bool) {
	sb.App().OnServe().BindFunc(func(e *core.ServeEvent) error {
		if enabled() {
			Start(sb, e.App.DataDir())
		}
		return e.Next()
	})
}

// Start installs the demo under dataDir and, when it was just created,
// starts a run of its flow. Problems are logged, not returned: the demo is
// never a reason for the server not to start.
func Start(sb *app.Switchboard, dataDir string) Result {
	log := sb.App().Logger().With(slog.String("component", "demo"))
	res, err := Install(sb.App(), dataDir)
	if err != nil {
		log.Error("installing the demo", slog.String("error", err.Error()))
		return res
	}
	if !res.Created {
		log.Info("demo already installed", slog.String("folder", res.Dir))
		return res
	}
	if _, err := sb.Engine().RunFlow(res.FlowID, app.TriggerManual); err != nil {
		log.Warn("first demo run not started; the schedule will run it", slog.String("error", err.Error()))
	}
	return res
}
