package app

import (
	"encoding/json"
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
