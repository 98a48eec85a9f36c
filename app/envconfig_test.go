package app

import (
	"strings"
	"testing"
	"time"
)

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    EngineConfig
		wantErr []string // every part must be in the error
	}{
		{name: "unset keeps the defaults"},
		{name: "empty and blank keep the defaults", env: map[string]string{EnvWorkers: "", EnvRetryBase: "  "}},
		{name: "every setting", env: map[string]string{
			EnvWorkers: "16", EnvDownAfter: " 3 ", EnvRetentionDays: "7", EnvRetryBase: "10s", EnvRetryMax: "1h",
			EnvRetryMaxAge: "24h", EnvProbeInterval: "1m", EnvAlertInterval: "30m", EnvFlushRecords: "500", EnvFlushAge: "5s"},
			want: EngineConfig{Workers: 16, DownAfter: 3, Retention: 7 * 24 * time.Hour, BackoffBase: 10 * time.Second,
				BackoffMax: time.Hour, MaxAge: 24 * time.Hour, ProbeEvery: time.Minute, AlertEvery: 30 * time.Minute,
				FlushRecords: 500, FlushAge: 5 * time.Second}},
		{name: "no flush records", env: map[string]string{EnvFlushRecords: "0"}, wantErr: []string{"SWITCHBOARD_FLUSH_RECORDS=0"}},
		{name: "workers not a number", env: map[string]string{EnvWorkers: "abc"},
			wantErr: []string{"SWITCHBOARD_WORKERS=abc", "a whole number from 1 to 1000"}},
		{name: "no workers", env: map[string]string{EnvWorkers: "0"}, wantErr: []string{"SWITCHBOARD_WORKERS=0"}},
		{name: "negative retention", env: map[string]string{EnvRetentionDays: "-1"}, wantErr: []string{"SWITCHBOARD_RETENTION_DAYS=-1"}},
		{name: "down after a fraction", env: map[string]string{EnvDownAfter: "2.5"}, wantErr: []string{"SWITCHBOARD_DOWN_AFTER=2.5"}},
		{name: "duration without a unit", env: map[string]string{EnvRetryBase: "5"},
			wantErr: []string{"SWITCHBOARD_RETRY_BASE=5", "a duration above zero with its unit, such as 30s"}},
		{name: "negative duration", env: map[string]string{EnvProbeInterval: "-30s"}, wantErr: []string{"SWITCHBOARD_PROBE_INTERVAL=-30s"}},
		{name: "base above the maximum", env: map[string]string{EnvRetryBase: "2h"},
			wantErr: []string{"SWITCHBOARD_RETRY_BASE (2h0m0s) is longer than SWITCHBOARD_RETRY_MAX (30m0s)"}},
		{name: "every problem at once", env: map[string]string{EnvWorkers: "eight", EnvAlertInterval: "15 minutes"},
			wantErr: []string{"SWITCHBOARD_WORKERS=eight", "SWITCHBOARD_ALERT_INTERVAL=15 minutes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, name := range []string{EnvWorkers, EnvDownAfter, EnvRetentionDays, EnvRetryBase, EnvRetryMax,
				EnvRetryMaxAge, EnvProbeInterval, EnvAlertInterval, EnvFlushRecords, EnvFlushAge} {
				t.Setenv(name, tt.env[name])
			}
			got, err := ConfigFromEnv()
			if len(tt.wantErr) == 0 {
				if err != nil || got != tt.want {
					t.Fatalf("ConfigFromEnv() = %+v, %v; want %+v", got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("ConfigFromEnv() = %+v; want an error", got)
			}
			for _, part := range tt.wantErr {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not say %q", err, part)
				}
			}
		})
	}
}
