package app

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// The environment variables that tune the engine.
const (
	EnvWorkers       = "SWITCHBOARD_WORKERS"
	EnvDownAfter     = "SWITCHBOARD_DOWN_AFTER"
	EnvRetentionDays = "SWITCHBOARD_RETENTION_DAYS"
	EnvRetryBase     = "SWITCHBOARD_RETRY_BASE"
	EnvRetryMax      = "SWITCHBOARD_RETRY_MAX"
	EnvRetryMaxAge   = "SWITCHBOARD_RETRY_MAX_AGE"
	EnvProbeInterval = "SWITCHBOARD_PROBE_INTERVAL"
	EnvAlertInterval = "SWITCHBOARD_ALERT_INTERVAL"
	EnvWebhookRate   = "SWITCHBOARD_WEBHOOK_RATE"
	EnvFlushRecords  = "SWITCHBOARD_FLUSH_RECORDS"
	EnvFlushAge      = "SWITCHBOARD_FLUSH_AGE"
)

// ConfigFromEnv reads the engine's settings from the environment (see the
// Env constants). An unset or empty variable keeps its default; a value
// that cannot be used is an error naming the variable, the value and what
// is expected, so that a mistyped setting stops the start instead of being
// ignored.
func ConfigFromEnv() (EngineConfig, error) {
	var r envReader
	var c EngineConfig
	c.Workers = r.count(EnvWorkers, 1000)
	c.DownAfter = r.count(EnvDownAfter, 1000)
	if days := r.count(EnvRetentionDays, 36500); days > 0 {
		c.Retention = time.Duration(days) * 24 * time.Hour
	}
	c.BackoffBase = r.duration(EnvRetryBase)
	c.BackoffMax = r.duration(EnvRetryMax)
	c.MaxAge = r.duration(EnvRetryMaxAge)
	c.ProbeEvery = r.duration(EnvProbeInterval)
	c.AlertEvery = r.duration(EnvAlertInterval)
	c.WebhookRate = r.rate(EnvWebhookRate)
	c.FlushRecords = r.count(EnvFlushRecords, 10_000_000)
	c.FlushAge = r.duration(EnvFlushAge)
	if d := c.withDefaults(); d.BackoffBase > d.BackoffMax {
		r.fail("%s (%s) is longer than %s (%s): the first retry would wait longer than the longest",
			EnvRetryBase, d.BackoffBase, EnvRetryMax, d.BackoffMax)
	}
	if len(r.problems) > 0 {
		return c, fmt.Errorf("the environment does not configure the engine: %s", strings.Join(r.problems, "; "))
	}
	return c, nil
}

// envReader reads settings and collects what is wrong with them.
type envReader struct {
	problems []string
}

// value returns a variable's value with surrounding spaces removed; "" when unset.
func (r *envReader) value(name string) string { return strings.TrimSpace(os.Getenv(name)) }

func (r *envReader) fail(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

// count reads a whole number from 1 to most; 0 when unset.
func (r *envReader) count(name string, most int) int {
	v := r.value(name)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > most {
		r.fail("%s=%s: want a whole number from 1 to %d", name, v, most)
		return 0
	}
	return n
}

// duration reads a positive duration with a unit; 0 when unset.
func (r *envReader) duration(name string) time.Duration {
	v := r.value(name)
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.fail("%s=%s: want a duration above zero with its unit, such as 30s, 15m or 72h", name, v)
		return 0
	}
	return d
}

// rate reads a number of calls per second above zero; 0 when unset. A
// rate above the largest the engine takes is taken as that largest.
func (r *envReader) rate(name string) float64 {
	v := r.value(name)
	if v == "" {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f > 0) {
		r.fail("%s=%s: want a number of calls per second above zero, such as 500", name, v)
		return 0
	}
	return f
}
