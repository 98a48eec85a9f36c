package app

import (
	"bytes"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// TestTheLogIsCopiedBesideTheWriter: what the writer commits reaches the
// database file through the engine's checkpointer, not through a copy at
// the end of a commit: 3,000 pages written in a few commits stay below the
// writer's own threshold, and the checkpointer copies them all.
func TestTheLogIsCopiedBesideTheWriter(t *testing.T) {
	if walCheckpointPages <= 3000 {
		t.Fatalf("the writer copies the log itself every %d pages: the test's 3,000 would not wait for the checkpointer", walCheckpointPages)
	}
	env := newTestEnv(t)
	servedMux(t, env)
	writer := env.app.NonconcurrentDB()
	if _, err := writer.NewQuery("CREATE TABLE scratch (data BLOB)").Execute(); err != nil {
		t.Fatal(err)
	}
	page := bytes.Repeat([]byte{'x'}, 4000) // one page of the log each
	for range 30 {
		err := env.app.RunInTransaction(func(tx core.App) error {
			for range 100 {
				if _, err := tx.DB().NewQuery("INSERT INTO scratch (data) VALUES ({:d})").Bind(dbx.Params{"d": page}).Execute(); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	frames := env.sb.metrics.ckptFrames
	eventually(t, "the checkpointer to copy the 3,000 pages", func() bool { return frames.Value("data") >= 3000 })
}

func TestFramesCopied(t *testing.T) {
	for _, tt := range []struct {
		name                   string
		before, frames, copied int
		want                   int
	}{
		{"an empty log", 0, 0, 0, 0},
		{"the first copy", 0, 120, 120, 120},
		{"more of the same log", 120, 300, 250, 130},
		{"nothing new", 250, 250, 250, 0},
		{"a log that started again", 250, 40, 40, 40},
		{"a log no reader lets go of", 250, 400, 0, 0},
		{"not a log (-1)", 0, -1, -1, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := framesCopied(tt.before, tt.frames, tt.copied); got != tt.want {
				t.Errorf("framesCopied(%d, %d, %d) = %d, want %d", tt.before, tt.frames, tt.copied, got, tt.want)
			}
		})
	}
}

func TestTheCheckpointerWaitsLongerWhenIdle(t *testing.T) {
	for _, tt := range []struct {
		name   string
		wait   time.Duration
		copied int
		want   time.Duration
	}{
		{"a pass that copied", walCheckpointIdle, 10, walCheckpointEvery},
		{"the first idle pass", walCheckpointEvery, 0, 2 * walCheckpointEvery},
		{"idle for long", walCheckpointIdle, 0, walCheckpointIdle},
		{"almost idle for long", 3 * walCheckpointIdle / 4, 0, walCheckpointIdle},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextCheckpointWait(tt.wait, tt.copied); got != tt.want {
				t.Errorf("nextCheckpointWait(%v, %d) = %v, want %v", tt.wait, tt.copied, got, tt.want)
			}
		})
	}
}
