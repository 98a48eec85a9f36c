package app

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestPayloadsRoundTrip(t *testing.T) {
	p := Payloads{
		Input:    map[string]any{"sku": "A-1", "qty": "3"},
		Output:   json.RawMessage(`{"code":"A-1"}`),
		Attempts: []Attempt{{At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Outcome: "failed", Error: "503"}},
	}
	enc, err := encodePayloads(p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodePayloads(enc)
	if err != nil {
		t.Fatal(err)
	}
	if got.Input["sku"] != "A-1" || string(got.Output) != `{"code":"A-1"}` || len(got.Attempts) != 1 || got.Attempts[0].Error != "503" {
		t.Fatalf("round trip = %+v", got)
	}
	if _, err := decodePayloads("not base64!"); err == nil {
		t.Fatal("garbage decoded")
	}
}

func TestAttemptLogIsBounded(t *testing.T) {
	var p Payloads
	for i := range 200 {
		p.Attempts = append(p.Attempts, Attempt{DurationMS: int64(i)})
	}
	enc, _ := encodePayloads(p)
	got, _ := decodePayloads(enc)
	if len(got.Attempts) != maxAttemptsKept || got.Attempts[0].DurationMS != 0 || got.Attempts[maxAttemptsKept-1].DurationMS != 199 {
		t.Fatalf("kept %d attempts: first %d last %d", len(got.Attempts), got.Attempts[0].DurationMS, got.Attempts[len(got.Attempts)-1].DurationMS)
	}
}

func TestRedactor(t *testing.T) {
	r := newRedactor(map[string]string{"api_key": "sk_live_123456"}, map[string]string{"short": "ab"})
	in := map[string]any{
		"sku":      "A-1",
		"password": "hunter2",
		"nested":   map[string]any{"Authorization": "Bearer x", "note": "key sk_live_123456 leaked"},
		"list":     []any{"sk_live_123456", 5},
		"empty":    map[string]any{"token": ""},
	}
	out := r.record(in)
	flat := strings.Join([]string{out["password"].(string), out["nested"].(map[string]any)["Authorization"].(string),
		out["nested"].(map[string]any)["note"].(string), out["list"].([]any)[0].(string)}, "|")
	if strings.Contains(flat, "hunter2") || strings.Contains(flat, "sk_live") || strings.Contains(flat, "Bearer") {
		t.Fatalf("not redacted: %s", flat)
	}
	if out["sku"] != "A-1" || out["empty"].(map[string]any)["token"] != "" {
		t.Fatalf("over-redacted: %v", out)
	}
	if in["password"] != "hunter2" {
		t.Fatal("the original was changed")
	}
	if got := r.text("failed with ab and sk_live_123456"); got != "failed with ab and "+Redacted {
		t.Fatalf("text = %q", got)
	}
}
