package app

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/pocketbase/dbx"
	"github.com/robfig/cron/v3"
)

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
		cron:    cron.New(cron.WithParser(scheduleParser), cron.WithLogger(cron.DiscardLogger)),
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
	var row struct {
		Schedule string `db:"schedule"`
		Enabled  bool   `db:"enabled"`
	}
	err := e.app().DB().NewQuery("SELECT schedule, enabled FROM flows WHERE id = {:id}").Bind(dbx.Params{"id": flowID}).One(&row)
	spec := row.Schedule
	if err != nil || !row.Enabled {
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

func (e *Engine) scheduledRun(flowID string) {
	_, err := e.RunFlow(flowID, TriggerSchedule)
	if err != nil && !errors.Is(err, ErrFlowRunning) && !errors.Is(err, ErrEngineStopped) {
		e.logger().Warn("scheduled run not started", slog.String("flow", flowID), slog.String("error", err.Error()))
	}
}
