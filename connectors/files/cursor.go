package files

import (
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/switchboard-app/switchboard/connectors/files/transport"
)

// maxSeen is how many committed files the cursor remembers.
const maxSeen = 1000

// fingerprint identifies one file: its name, size and modification time,
// and once read, its content's checksum. The checksum of a file that went
// to the error folder covers only the Read bytes read before its error.
type fingerprint struct {
	Name  string `json:"n"`
	Size  int64  `json:"s"`
	Mod   int64  `json:"m"`
	Sum   string `json:"h,omitempty"`
	Error bool   `json:"e,omitempty"` // it went to the error folder
	Read  int64  `json:"b,omitempty"` // with Error: the bytes Sum covers
}

// fingerprintJSON is a fingerprint as the cursor holds it. A name that is
// not UTF-8 (a Windows sender's Latin-1 "Müller.csv") goes in NameBytes:
// JSON would turn its bytes into U+FFFD, and the cursor would no longer
// know the file by its name.
type fingerprintJSON struct {
	plainFingerprint
	NameBytes []byte `json:"nb,omitempty"`
}

type plainFingerprint fingerprint

// MarshalJSON keeps a name that is not UTF-8 byte for byte.
func (f fingerprint) MarshalJSON() ([]byte, error) {
	j := fingerprintJSON{plainFingerprint: plainFingerprint(f)}
	if !utf8.ValidString(f.Name) {
		j.Name, j.NameBytes = "", []byte(f.Name)
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (f *fingerprint) UnmarshalJSON(b []byte) error {
	var j fingerprintJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*f = fingerprint(j.plainFingerprint)
	if j.NameBytes != nil {
		f.Name = string(j.NameBytes)
	}
	return nil
}

func fingerprintOf(name string, info transport.FileInfo) fingerprint {
	return fingerprint{Name: name, Size: info.Size, Mod: info.ModTime.Truncate(time.Second).Unix()}
}

func (f fingerprint) same(o fingerprint) bool {
	return f.Name == o.Name && f.Size == o.Size && f.Mod == o.Mod
}

// progress is how far into a file the committed pages go. Read and
// Prefix are set when the file changed while it was read: Read bytes of it
// were read, whose SHA-256 is Prefix, and it is read on after Records only
// while it starts with them.
type progress struct {
	File    fingerprint `json:"f"`
	Records int         `json:"r"`
	Read    int64       `json:"b,omitempty"`
	Prefix  string      `json:"p,omitempty"`
}

// cursor is what the engine stores with each page: the files committed
// recently and the file being read.
type cursor struct {
	Version int           `json:"v"`
	Seen    []fingerprint `json:"seen,omitempty"`
	Current *progress     `json:"cur,omitempty"`
}

func parseCursor(s string) (cursor, error) {
	c := cursor{Version: 1}
	if s == "" {
		return c, nil
	}
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return cursor{}, fmt.Errorf("files: reading the cursor: %w", err)
	}
	return c, nil
}

func (c cursor) String() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// seenLike returns the files remembered with f's name, size and
// modification second, newest last.
func (c cursor) seenLike(f fingerprint) []fingerprint {
	var out []fingerprint
	for _, s := range c.Seen {
		if s.same(f) {
			out = append(out, s)
		}
	}
	return out
}

// withSeen returns a copy with f remembered and no current file.
func (c cursor) withSeen(f fingerprint) cursor {
	seen := make([]fingerprint, 0, len(c.Seen)+1)
	seen = append(seen, c.Seen...)
	seen = append(seen, f)
	if len(seen) > maxSeen {
		seen = seen[len(seen)-maxSeen:]
	}
	return cursor{Version: 1, Seen: seen}
}

// withProgress returns a copy recording that n records of f are committed.
func (c cursor) withProgress(f fingerprint, n int) cursor {
	return cursor{Version: 1, Seen: c.Seen, Current: &progress{File: f, Records: n}}
}

// withChange returns a copy recording that n records of f are committed
// and that f changed after read bytes of it, whose checksum is prefix,
// were read.
func (c cursor) withChange(f fingerprint, n int, read int64, prefix string) cursor {
	return cursor{Version: 1, Seen: c.Seen, Current: &progress{File: f, Records: n, Read: read, Prefix: prefix}}
}

// resumes reports whether f is the file earlier pages committed part of:
// the same file, or, when f is claimed already (in the processing
// folder), one of its name that changed while it was read.
func (c cursor) resumes(f fingerprint, claimed bool) bool {
	p := c.Current
	return p != nil && (p.File.same(f) || (claimed && p.Read > 0 && p.File.Name == f.Name) ||
		(claimed && p.File.Mod == noTime && p.File.Name == f.Name && p.File.Size == f.Size))
}

// noTime is the modification time earlier versions gave a file on an FTP
// server that does not answer MDTM: none (Go's zero time). A file such a
// version was half-way through when it stopped is the claimed file of that
// name and size; read from the start again, its committed records would
// come again under other ids.
var noTime = time.Time{}.Unix()

// skip returns how many records of f earlier pages already committed.
func (c cursor) skip(f fingerprint, claimed bool) int {
	if c.resumes(f, claimed) {
		return c.Current.Records
	}
	return 0
}
