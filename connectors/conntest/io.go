package conntest

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

const seeded = 7

func (s Suite) checkRead(t *testing.T) {
	s.Seed(t, seeded)
	c := s.open(t, s.Secrets)
	reader := c.(connectors.Reader)
	ids, cursor := s.readAll(t, reader, "")
	if len(ids) != seeded {
		t.Fatalf("read %d records, want %d", len(ids), seeded)
	}
	again, _ := s.readAll(t, reader, cursor)
	latest := ids[max(0, len(ids)-s.Rereads):]
	for _, id := range again {
		if !slices.Contains(latest, id) {
			t.Fatalf("reading again from the committed cursor gave %d records already read: %v", len(again), again)
		}
	}
}

// readAll reads every page from cursor and acknowledges each, as the engine
// does after committing; it returns the record ids and the last cursor.
func (s Suite) readAll(t *testing.T, reader connectors.Reader, cursor string) ([]string, string) {
	t.Helper()
	ctx := s.ctx(t)
	stream, err := reader.Read(ctx, connectors.ReadRequest{Entity: s.Entity, Cursor: cursor, PageSize: 3,
		Options: s.options(t, connectors.UseRead)})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	defer func() { _ = stream.Close() }()
	var ids []string
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("stream never ended")
		}
		page, err := stream.Next(ctx)
		if errors.Is(err, connectors.ErrEndOfInput) {
			return ids, cursor
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		for _, r := range page.Records {
			if r.Err == nil && r.ID == "" {
				t.Fatalf("record without id: %+v", r)
			}
			ids = append(ids, r.ID)
		}
		if page.Cursor != "" {
			cursor = page.Cursor
		}
		if page.Ack != nil {
			if err := page.Ack(ctx); err != nil {
				t.Fatalf("Ack: %v", err)
			}
		}
	}
}

func (s Suite) checkWrite(t *testing.T) {
	c := s.open(t, s.Secrets)
	w := c.(connectors.Writer)
	ctx := s.ctx(t)
	// Each write is given a record of its own, which the writer may keep:
	// the suite, like the engine, never changes it afterwards.
	req := connectors.WriteRequest{Entity: s.Entity, Key: "conformance-1", Data: connectors.CloneData(s.Sample),
		Options: s.options(t, connectors.UseWrite)}
	first, err := w.Write(ctx, req)
	if err != nil {
		t.Fatalf("first Write: %v", err)
	}
	req.TargetID, req.Data = first.TargetID, connectors.CloneData(s.Sample)
	second, err := w.Write(ctx, req)
	if err != nil {
		t.Fatalf("repeated Write: %v", err)
	}
	if f, ok := c.(connectors.Flusher); ok {
		if err := f.Flush(ctx); err != nil {
			t.Fatalf("Flush: %v", err)
		}
	}
	if first.TargetID != "" && second.TargetID != first.TargetID {
		t.Fatalf("repeated write with target id %q created %q", first.TargetID, second.TargetID)
	}
	if s.Written != nil {
		got, want := fmt.Sprint(s.Written(t, second.TargetID)), fmt.Sprint(s.Sample)
		if got != want {
			t.Fatalf("after the writes (and Flush) the app holds %s, want %s: a writer delivers the whole record it was given", got, want)
		}
	}
}

func (s Suite) checkWebhook(t *testing.T) {
	c := s.open(t, s.Secrets)
	recv := c.(connectors.WebhookReceiver)
	const secret = "conformance-webhook-secret"
	req := s.Webhook(t, secret)
	if err := recv.VerifyWebhook(req); err != nil {
		t.Fatalf("valid webhook refused: %v", err)
	}
	hook, err := recv.ParseWebhook(req)
	if err != nil || len(hook.Records) == 0 {
		t.Fatalf("ParseWebhook = %+v, %v; want records", hook, err)
	}
	tampered := req
	tampered.Body = append(append([]byte(nil), req.Body...), ' ', '1')
	if err := recv.VerifyWebhook(tampered); err == nil {
		t.Fatal("tampered webhook body accepted")
	}
	wrongKey := req
	wrongKey.Secret = "another-secret"
	if err := recv.VerifyWebhook(wrongKey); err == nil {
		t.Fatal("webhook accepted under the wrong secret")
	}
}
