package files

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/codec"
)

// Sample implements [connectors.Sampler]: the first records of the first
// file, by name, that the flow's pattern matches and a run would read (not
// hidden, not under a temporary name, not a marker), read where the file
// is. Nothing is claimed, moved or remembered.
func (c *Conn) Sample(ctx context.Context, req connectors.ReadRequest, n int) ([]connectors.Record, error) {
	o, err := c.options(req.Options, connectors.UseRead)
	if err != nil {
		return nil, err
	}
	tr, err := c.flowFolder(ctx, o, connectors.UseRead)
	if err != nil {
		return nil, err
	}
	files, err := tr.List(ctx, ".", o.pattern)
	if err != nil {
		return nil, err
	}
	for _, info := range files {
		if !o.incoming(info.Name) || info.Dir {
			continue
		}
		return c.sampleFile(ctx, tr.Open, o, info.Name, n)
	}
	return nil, nil
}

// sampleFile decodes up to n records of one file; a bad record is
// returned with its error, as a read would.
func (c *Conn) sampleFile(ctx context.Context, open func(context.Context, string) (io.ReadCloser, error), o options, name string, n int) (_ []connectors.Record, err error) {
	rc, err := open(ctx, name)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rc.Close() }()
	defer func() {
		if r := recover(); r != nil {
			err = connectors.Permanent(fmt.Errorf("%s: the reader failed on this file: %v", name, r))
		}
	}()
	dec, err := o.decoder(rc)
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("%s: %w", name, err))
	}
	var out []connectors.Record
	for len(out) < n {
		rec, line, err := dec.Next()
		switch {
		case errors.Is(err, io.EOF):
			return out, nil
		case codec.IsRecordError(err):
			out = append(out, connectors.Record{Key: fmt.Sprintf("%s:%d", name, line), Err: connectors.Permanent(err)})
		case err != nil:
			return out, connectors.Permanent(fmt.Errorf("%s: %w", name, err))
		default:
			key := fmt.Sprintf("%s:%d", name, line)
			if k := keyOf(rec, o.keyField); k != "" {
				key = k
			}
			out = append(out, connectors.Record{ID: key, Key: key, Data: rec})
		}
	}
	return out, nil
}
