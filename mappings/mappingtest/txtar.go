package mappingtest

import (
	"bytes"
	"strings"
)

// archive is a txtar archive: a comment, then files introduced by
// "-- name --" lines.
type archive struct {
	comment string
	files   []archiveFile
}

type archiveFile struct {
	name string
	data []byte
}

func parseArchive(data []byte) *archive {
	a := &archive{}
	var cur *archiveFile
	var buf bytes.Buffer
	flush := func() {
		if cur == nil {
			a.comment = buf.String()
		} else {
			cur.data = append([]byte(nil), buf.Bytes()...)
			a.files = append(a.files, *cur)
		}
		buf.Reset()
	}
	for _, line := range strings.SplitAfter(string(data), "\n") {
		trimmed := strings.TrimRight(line, "\r\n")
		if name, ok := strings.CutPrefix(trimmed, "-- "); ok && strings.HasSuffix(name, " --") && len(name) > 3 {
			flush()
			cur = &archiveFile{name: strings.TrimSpace(strings.TrimSuffix(name, " --"))}
			continue
		}
		buf.WriteString(line)
	}
	flush()
	return a
}

func (a *archive) file(name string) ([]byte, bool) {
	for _, f := range a.files {
		if f.name == name {
			return f.data, true
		}
	}
	return nil, false
}

func (a *archive) format() []byte {
	var b bytes.Buffer
	b.WriteString(a.comment)
	for _, f := range a.files {
		b.WriteString("-- " + f.name + " --\n")
		b.Write(f.data)
		if len(f.data) > 0 && f.data[len(f.data)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// set replaces, adds or (for empty data) removes a file.
func (a *archive) set(name string, data []byte) {
	for i := range a.files {
		if a.files[i].name == name {
			if len(data) == 0 {
				a.files = append(a.files[:i], a.files[i+1:]...)
			} else {
				a.files[i].data = data
			}
			return
		}
	}
	if len(data) > 0 {
		a.files = append(a.files, archiveFile{name: name, data: data})
	}
}
