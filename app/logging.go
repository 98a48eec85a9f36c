package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// The environment variables that shape the log on standard error.
const (
	// EnvLogFormat is "text" (the default) or "json".
	EnvLogFormat = "SWITCHBOARD_LOG_FORMAT"
	// EnvLogLevel is "debug", "info" (the default), "warn" or "error".
	EnvLogLevel = "SWITCHBOARD_LOG_LEVEL"
)

// StderrLog returns the handler that writes Switchboard's log lines to w
// (standard error, which systemd passes to the journal), in the format
// and from the level the environment sets. Every line also goes to
// PocketBase's log table, which the dashboard shows.
func StderrLog(w io.Writer) (slog.Handler, error) {
	var r envReader
	level := slog.LevelInfo
	if v := r.value(EnvLogLevel); v != "" {
		if err := level.UnmarshalText([]byte(v)); err != nil {
			r.fail("%s=%s: want debug, info, warn or error", EnvLogLevel, v)
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	switch v := strings.ToLower(r.value(EnvLogFormat)); v {
	case "", "text":
		h = slog.NewTextHandler(w, opts)
	case "json":
		h = slog.NewJSONHandler(w, opts)
	default:
		r.fail("%s=%s: want text or json", EnvLogFormat, v)
	}
	if len(r.problems) > 0 {
		return nil, fmt.Errorf("the environment does not configure the log: %s", strings.Join(r.problems, "; "))
	}
	return h, nil
}

// LogsAsJSON tells whether the environment asks for the log on standard
// error as JSON: plain-text lines (PocketBase's start banner, warnings in
// plain words) are then logged as JSON lines too, so that a collector
// reading the journal parses every line.
func LogsAsJSON() bool {
	var r envReader
	return strings.EqualFold(r.value(EnvLogFormat), "json")
}

// teeHandler hands every record to two handlers.
type teeHandler struct{ a, b slog.Handler }

// tee returns a handler writing to a and b; b may be nil.
func tee(a, b slog.Handler) slog.Handler {
	if b == nil {
		return a
	}
	return teeHandler{a, b}
}

func (t teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return t.a.Enabled(ctx, l) || t.b.Enabled(ctx, l)
}

func (t teeHandler) Handle(ctx context.Context, r slog.Record) error {
	var errA, errB error
	if t.a.Enabled(ctx, r.Level) {
		errA = t.a.Handle(ctx, r.Clone())
	}
	if t.b.Enabled(ctx, r.Level) {
		errB = t.b.Handle(ctx, r)
	}
	return errors.Join(errA, errB)
}

func (t teeHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return teeHandler{t.a.WithAttrs(attrs), t.b.WithAttrs(attrs)}
}

func (t teeHandler) WithGroup(name string) slog.Handler {
	return teeHandler{t.a.WithGroup(name), t.b.WithGroup(name)}
}
