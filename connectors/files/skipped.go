package files

import (
	"log/slog"
	"path"
	"strings"
	"sync"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
)

// msgSkipped is the log message of an entry of a flow's folder that
// matches its pattern but is not read.
const msgSkipped = "an entry matching the flow's file pattern is not read"

// unlisted maps the entries a listing left out to why.
type unlisted map[string]string

// skipper collects into skips the entries of the flow's folder that match
// its pattern but that the transport does not list as files, leaving out
// hidden names (partial uploads by convention) and the flow's own folders.
func (s *stream) skipper(skips unlisted) transport.SkipFunc {
	own := map[string]bool{}
	for _, dir := range []string{s.opts.processing, s.opts.archive, s.opts.errors} {
		own[firstPart(dir)] = true
	}
	return func(name, why string) {
		if strings.HasPrefix(name, ".") || own[name] { // a folder, or a link to one inside the folder
			return
		}
		skips[name] = why
	}
}

// firstPart is the first folder of a path inside the flow's folder.
func firstPart(p string) string {
	p = path.Clean(p)
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return p
}

// skipBook keeps, by sub-folder and pattern, what the last listing of a
// connection's flow folder left out. It is shared by every open instance
// of the connection (connectors.Shared): the engine opens the source
// again for each run.
type skipBook struct {
	mu   sync.Mutex
	last map[string]unlisted
}

// skipBookOf returns the connection's skipBook.
func skipBookOf(shared *connectors.Shared) *skipBook {
	return shared.Load("files:unlisted", func() any { return &skipBook{last: map[string]unlisted{}} }).(*skipBook)
}

// swap keeps skips as the last listing of key, and returns the one before.
func (b *skipBook) swap(key string, skips unlisted) unlisted {
	b.mu.Lock()
	defer b.mu.Unlock()
	before := b.last[key]
	if len(skips) == 0 {
		delete(b.last, key)
	} else {
		b.last[key] = skips
	}
	return before
}

// tellSkipped logs the entries a listing of the flow's folder left out,
// naming the folder, the entry and why, so that a file that "never
// arrives" can be told from one never sent. An entry is logged once while
// it stays: a listing logs those the last listing of the same folder and
// pattern did not leave out.
func (c *Conn) tellSkipped(o options, skips unlisted) {
	before := c.skips.swap(o.dir+"\x00"+o.pattern, skips)
	for name, why := range skips {
		if before[name] == why {
			continue
		}
		c.logger.Warn(msgSkipped, slog.String("at", c.where), slog.String("folder", o.dir),
			slog.String("pattern", o.pattern), slog.String("file", name), slog.String("why", why))
	}
}
