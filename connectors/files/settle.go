package files

import (
	"context"
	"log/slog"
	"path"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors/files/transport"
)

// settle moves a committed file on: to the error folder with its report
// when it failed, else to the archive folder or away. Errors are logged
// and returned; the records are safe either way, and the fingerprint in the
// cursor keeps the file from being read again.
func (s *stream) settle(ctx context.Context, from, orig string, failed bool, report string) error {
	err := settle(ctx, s.tr, s.opts, from, orig, failed, report)
	if err != nil {
		s.c.logger.Warn("moving a read file on failed", slog.String("file", orig), slog.Any("error", err))
	}
	return err
}

// settle moves a file read with the options o on, through tr.
func settle(ctx context.Context, tr transport.Transport, o options, from, orig string, failed bool, report string) error {
	switch {
	case failed:
		to, err := freeName(ctx, tr, o.errors, orig, report != "")
		if err != nil {
			return err
		}
		if err := tr.Rename(ctx, from, to); err != nil {
			return err
		}
		if report == "" {
			return nil
		}
		return transport.Put(ctx, tr, reportName(to), strings.NewReader(report))
	case o.deleteAfter:
		return tr.Remove(ctx, from)
	}
	to, err := freeName(ctx, tr, o.archive, orig, false)
	if err != nil {
		return err
	}
	return tr.Rename(ctx, from, to)
}

// freeName makes dir and returns dir/name, or a name with the time in it
// when that file exists already, or, with withReport, when the report
// beside it would replace a file (one named NAME.error.txt that failed
// before).
func freeName(ctx context.Context, tr transport.Transport, dir, name string, withReport bool) (string, error) {
	if err := tr.Mkdir(ctx, dir); err != nil {
		return "", err
	}
	p := path.Join(dir, name)
	exists, err := transport.Exists(ctx, tr, p)
	if err == nil && !exists && withReport {
		exists, err = transport.Exists(ctx, tr, reportName(p))
	}
	if err != nil || !exists {
		return p, err
	}
	ext := path.Ext(name)
	stamp := "-" + time.Now().UTC().Format("20060102-150405.000000000")
	return path.Join(dir, fitName(strings.TrimSuffix(name, ext), len(stamp)+len(ext))+stamp+ext), nil
}

// reportName is the name of the error report beside the file at p.
func reportName(p string) string {
	const suffix = ".error.txt"
	dir, name := path.Split(p)
	return dir + fitName(name, len(suffix)) + suffix
}
