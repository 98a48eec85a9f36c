package transport

import (
	"context"
	"io"
	"path"
)

// Sub returns a Transport on the folder dir of t: every path given to it
// is taken relative to dir. dir must stay inside t's folder ([Clean]); "."
// returns t itself. Closing the sub-folder's transport closes nothing: t
// stays open for its owner to close.
func Sub(t Transport, dir string) (Transport, error) {
	clean, err := Clean(dir)
	if err != nil {
		return nil, err
	}
	if clean == "." {
		return t, nil
	}
	return &sub{t: t, dir: clean}, nil
}

// sub is a Transport on a sub-folder of another.
type sub struct {
	t   Transport
	dir string
}

// in is p inside the sub-folder. A p that leaves it is left for the
// transport's own checks to refuse, so that it is never cleaned away.
func (s *sub) in(p string) string {
	if _, err := Clean(p); err != nil {
		return p
	}
	return path.Join(s.dir, p)
}

// List implements [Transport.List].
func (s *sub) List(ctx context.Context, dir, pattern string) ([]FileInfo, error) {
	return s.t.List(ctx, s.in(dir), pattern)
}

// Open implements [Transport.Open].
func (s *sub) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	return s.t.Open(ctx, s.in(name))
}

// Create implements [Transport.Create].
func (s *sub) Create(ctx context.Context, name string) (io.WriteCloser, error) {
	return s.t.Create(ctx, s.in(name))
}

// Rename implements [Transport.Rename].
func (s *sub) Rename(ctx context.Context, from, to string) error {
	return s.t.Rename(ctx, s.in(from), s.in(to))
}

// Remove implements [Transport.Remove].
func (s *sub) Remove(ctx context.Context, name string) error { return s.t.Remove(ctx, s.in(name)) }

// Mkdir implements [Transport.Mkdir].
func (s *sub) Mkdir(ctx context.Context, dir string) error { return s.t.Mkdir(ctx, s.in(dir)) }

// Stat implements [Transport.Stat].
func (s *sub) Stat(ctx context.Context, name string) (FileInfo, error) {
	return s.t.Stat(ctx, s.in(name))
}

// Close implements [Transport.Close]; the underlying transport stays open.
func (s *sub) Close() error { return nil }
