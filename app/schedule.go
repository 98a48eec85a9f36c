package app

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/robfig/cron/v3"
)

// scheduleZone is the time zone a schedule without a CRON_TZ= prefix is
// read in: UTC, whatever the machine's own zone is, so that "0 2 * * *"
// runs at 2:00 UTC as the web UI says, and the time a flow runs does not
// move when the server is set to another zone.
var scheduleZone = time.UTC

// scheduler runs each enabled flow on its schedule with robfig/cron; a
// tick that finds the flow still running is skipped.
type scheduler struct {
	mu      sync.Mutex
	cron    *cron.Cron
	entries map[string]cron.EntryID
	specs   map[string]string
}

func (e *Engine) startScheduler() error {
	e.sched = &scheduler{
		cron: cron.New(cron.WithParser(scheduleParser), cron.WithLocation(scheduleZone),
			cron.WithLogger(cron.DiscardLogger)),
		entries: map[string]cron.EntryID{},
		specs:   map[string]string{},
	}
	var ids []string
	if err := e.app().DB().NewQuery("SELECT id FROM flows").Column(&ids); err != nil {
		return fmt.Errorf("listing flows: %w", err)
	}
	for _, id := range ids {
		e.reschedule(id)
	}
	e.sched.cron.Start()
	return nil
}

func (e *Engine) stopScheduler() {
	if e.sched != nil {
		<-e.sched.cron.Stop().Done()
	}
}

// reschedule puts a flow's schedule in force: added, changed or removed.
func (e *Engine) reschedule(flowID string) {
	if e.sched == nil {
		return
	}
	var spec string
	err := e.app().DB().NewQuery("SELECT f.schedule FROM flows f WHERE f.id = {:id} AND f.id IN (" + enabledFlowsSQL + ")").
		Bind(dbx.Params{"id": flowID}).Row(&spec)
	if err != nil {
		spec = ""
	}
	s := e.sched
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.specs[flowID] == spec {
		return
	}
	if id, ok := s.entries[flowID]; ok {
		s.cron.Remove(id)
		delete(s.entries, flowID)
		delete(s.specs, flowID)
	}
	if spec == "" {
		return
	}
	id, err := s.cron.AddFunc(spec, func() { e.scheduledRun(flowID) })
	if err != nil {
		e.logger().Error("scheduling flow", slog.String("flow", flowID), slog.String("error", err.Error()))
		return
	}
	s.entries[flowID], s.specs[flowID] = id, spec
}

// rescheduleIntegration puts the schedules of an integration's flows in
// force, after the integration was enabled or disabled.
func (e *Engine) rescheduleIntegration(integrationID string) {
	var ids []string
	err := e.app().DB().NewQuery("SELECT id FROM flows WHERE integration = {:id}").
		Bind(dbx.Params{"id": integrationID}).Column(&ids)
	if err != nil {
		e.logger().Error("listing an integration's flows", slog.String("error", err.Error()))
	}
	for _, id := range ids {
		e.reschedule(id)
	}
}

func (e *Engine) scheduledRun(flowID string) {
	_, err := e.RunFlow(flowID, TriggerSchedule)
	if err != nil && !errors.Is(err, ErrFlowRunning) && !errors.Is(err, ErrEngineStopped) {
		e.logger().Warn("scheduled run not started", slog.String("flow", flowID), slog.String("error", err.Error()))
	}
}
