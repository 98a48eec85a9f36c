package sftp

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
)

// A sender with write access to the folder can put a symbolic link in it
// (a file, or a sub-folder such as archive/, linked to a place outside).
// The server follows links, so every path is resolved by the server
// (SFTP's REALPATH, which follows every link on the way) before it is used,
// and refused when it resolves outside the folder. A link that stays
// inside the folder is fine.

// resolveBase notes where the folder itself resolves to on the server; a
// server that cannot resolve paths leaves paths unchecked.
func (t *Transport) resolveBase() {
	if real, err := t.client.RealPath(t.base); err == nil {
		t.real = path.Clean(real)
	}
}

// confine refuses the server path p, inside the folder, when it resolves
// outside it: p itself when it exists (or only its last element is
// missing), else the nearest folder on its way that exists.
func (t *Transport) confine(rel, p string) error {
	if t.real == "" {
		return nil
	}
	for dir := p; ; dir = path.Dir(dir) {
		real, err := t.client.RealPath(dir)
		switch {
		case err == nil:
			return t.inside(rel, path.Clean(real))
		case !errors.Is(err, fs.ErrNotExist) || dir == t.base || !strings.HasPrefix(dir, t.base):
			return t.fail("resolving "+rel, err)
		}
	}
}

// inside refuses a path that resolved to real outside the folder.
func (t *Transport) inside(rel, real string) error {
	if t.real == "/" || real == t.real || strings.HasPrefix(real, t.real+"/") {
		return nil
	}
	return connectors.Permanent(fmt.Errorf("sftp: path %q: %w: a symbolic link leads out of the folder %s (to %s)",
		rel, transport.ErrUnsafePath, t.real, real))
}
