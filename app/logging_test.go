package app

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func TestStderrLog(t *testing.T) {
	for _, tc := range []struct {
		name, format, level string
		check               func(t *testing.T, out string)
		fails               string
	}{
		{name: "text by default", check: func(t *testing.T, out string) {
			if !strings.Contains(out, `msg="key made"`) || !strings.Contains(out, "path=/x") || strings.Contains(out, "debug line") {
				t.Fatalf("text output %q", out)
			}
		}},
		{name: "json", format: "JSON", check: func(t *testing.T, out string) {
			var line map[string]any
			first, _, _ := strings.Cut(out, "\n")
			if err := json.Unmarshal([]byte(first), &line); err != nil || line["msg"] != "key made" || line["path"] != "/x" {
				t.Fatalf("json output %q: %v", out, err)
			}
		}},
		{name: "debug level", level: "debug", check: func(t *testing.T, out string) {
			if !strings.Contains(out, "debug line") {
				t.Fatalf("debug output %q", out)
			}
		}},
		{name: "bad format", format: "xml", fails: "SWITCHBOARD_LOG_FORMAT=xml: want text or json"},
		{name: "bad level", level: "loud", fails: "SWITCHBOARD_LOG_LEVEL=loud: want debug"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvLogFormat, tc.format)
			t.Setenv(EnvLogLevel, tc.level)
			var buf bytes.Buffer
			h, err := StderrLog(&buf)
			if tc.fails != "" {
				if err == nil || !strings.Contains(err.Error(), tc.fails) {
					t.Fatalf("StderrLog = %v, want an error with %q", err, tc.fails)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			log := slog.New(h)
			log.Info("key made", slog.String("path", "/x"))
			log.Debug("debug line")
			tc.check(t, buf.String())
		})
	}
}

// TestLogsReachStderrAndTheLogTable: Switchboard's log lines go to both
// places, with the attributes given to the logger.
func TestLogsReachStderrAndTheLogTable(t *testing.T) {
	var table, stderr bytes.Buffer
	log := slog.New(tee(slog.NewJSONHandler(&table, nil), slog.NewJSONHandler(&stderr, nil))).With("component", "switchboard")
	log.Warn("generated a new secret key", "key_id", "k1")
	for name, buf := range map[string]*bytes.Buffer{"log table": &table, "stderr": &stderr} {
		var line map[string]any
		if err := json.Unmarshal(buf.Bytes(), &line); err != nil || line["msg"] != "generated a new secret key" ||
			line["component"] != "switchboard" || line["key_id"] != "k1" {
			t.Errorf("%s got %q (%v)", name, buf.String(), err)
		}
	}
}
