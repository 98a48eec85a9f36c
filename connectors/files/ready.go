package files

import (
	"context"
	"log/slog"
	"path"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors/files/transport"
)

// A file is taken only once it is complete: by the sender's convention
// when the flow names one (a marker file, a temporary name), else once its
// size and modification time have stayed the same over the settle time.

// incoming reports whether a listed name is a file to read: not hidden,
// not a temporary name of an upload under way, not a marker.
func (o options) incoming(name string) bool {
	if strings.HasPrefix(name, ".") {
		return false // hidden: a partial upload by convention
	}
	for _, p := range o.temporary {
		if ok, _ := transport.Match(p, name); ok {
			return false
		}
	}
	return o.marker == "" || !strings.HasSuffix(name, o.marker)
}

// markers lists the sender's marker files, by name, when the flow waits
// for them.
func (s *stream) markers(ctx context.Context) (map[string]transport.FileInfo, error) {
	if s.opts.marker == "" {
		return nil, nil
	}
	list, err := s.tr.List(ctx, ".", "*"+s.opts.marker)
	if err != nil {
		return nil, err
	}
	out := make(map[string]transport.FileInfo, len(list))
	for _, info := range list {
		out[info.Name] = info
	}
	return out, nil
}

// ready decides whether a listed file is complete. With a marker, it is
// when NAME+marker (or NAME without its extension, +marker) is there and
// not older than the file, so that a marker left over from an earlier
// file says nothing of a new one. Without one, it is read once it has
// stayed the same over the settle time.
func (s *stream) ready(f *candidate, markers map[string]transport.FileInfo) bool {
	if s.opts.marker == "" {
		f.settle = s.needsSettle(f.info)
		return true
	}
	stem := strings.TrimSuffix(f.orig, path.Ext(f.orig))
	for _, name := range []string{f.orig + s.opts.marker, stem + s.opts.marker} {
		m, ok := markers[name]
		if ok && !m.ModTime.Truncate(time.Second).Before(f.info.ModTime.Truncate(time.Second)) {
			f.marker = name
			return true
		}
	}
	return false
}

// needsSettle reports whether a file must be seen unchanged over the
// settle time before it is claimed. A local file whose modification time
// is older than the settle time already has not changed for as long: the
// clock is this machine's. A server's clock may be off, so a remote file
// is always looked at twice.
func (s *stream) needsSettle(info transport.FileInfo) bool {
	if s.opts.settle <= 0 {
		return false
	}
	return s.c.local == nil || s.listedAt.Sub(info.ModTime) < s.opts.settle
}

// settleQueue waits until the settle time has passed since the listing,
// when a file needs it, lists again and keeps those files whose size and
// modification time did not change; the others are still being written
// and are left for a later run.
func (s *stream) settleQueue(ctx context.Context) error {
	dirs := map[string]bool{}
	for _, f := range s.queue {
		if f.settle {
			dirs[path.Dir(f.from)] = true
		}
	}
	if len(dirs) == 0 {
		return nil
	}
	if err := sleepUntil(ctx, s.listedAt.Add(s.opts.settle)); err != nil {
		return err
	}
	now, err := s.relist(ctx, dirs)
	if err != nil {
		return err
	}
	kept := s.queue[:0]
	for _, f := range s.queue {
		if !f.settle || s.unchanged(f, now) {
			kept = append(kept, f)
		}
	}
	s.queue = kept
	return nil
}

// relist lists the folders again, by path.
func (s *stream) relist(ctx context.Context, dirs map[string]bool) (map[string]transport.FileInfo, error) {
	out := map[string]transport.FileInfo{}
	for dir := range dirs {
		list, err := s.tr.List(ctx, dir, "")
		if err != nil {
			return nil, err
		}
		for _, info := range list {
			out[path.Join(dir, info.Name)] = info
		}
	}
	return out, nil
}

// unchanged reports whether a file is as it was listed, and logs it when
// it is not.
func (s *stream) unchanged(f candidate, now map[string]transport.FileInfo) bool {
	info, ok := now[f.from]
	if !ok {
		return false // moved away meanwhile
	}
	if info.Size == f.info.Size && info.ModTime.Equal(f.info.ModTime) {
		return true
	}
	s.c.logger.Info("file still being written; it is read once it has stopped changing", slog.String("file", f.orig),
		slog.Int64("size", f.info.Size), slog.Int64("size_now", info.Size), slog.Duration("settle_time", s.opts.settle))
	return false
}

// dropMarker removes the marker of a claimed file, so that it cannot
// stand for a later file of the same name.
func (s *stream) dropMarker(ctx context.Context, f candidate) {
	if f.marker == "" {
		return
	}
	if err := s.tr.Remove(ctx, f.marker); err != nil {
		s.c.logger.Warn("removing a marker file failed", slog.String("file", f.marker), slog.Any("error", err))
	}
}

// sleepUntil waits until t, or until ctx ends.
func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
