package connectors

import (
	"errors"
	"io/fs"
	"strings"
	"syscall"
	"testing"
)

// TestFilesRootErrorSaysWhatToDo: a files root the service may not use
// is refused naming the folder and the way in for the packaged service's
// unit, not with a bare "permission denied".
func TestFilesRootErrorSaysWhatToDo(t *testing.T) {
	tests := []struct {
		name, dir string
		err       error
		want      []string
	}{
		{"under /home, hidden by ProtectHome", "/home/bob/exchange",
			&fs.PathError{Op: "mkdir", Path: "/home/bob", Err: syscall.EACCES},
			[]string{"the files root /home/bob/exchange (SWITCHBOARD_FILES_ROOT) cannot be used", "ProtectHome=yes",
				"ProtectHome=tmpfs and BindPaths=/home/bob/exchange", "mkdir /home/bob: permission denied"}},
		{"read-only under ProtectSystem", "/srv/exchange",
			&fs.PathError{Op: "mkdir", Path: "/srv/exchange", Err: syscall.EROFS},
			[]string{"the files root /srv/exchange", "read-only", "ReadWritePaths=/srv/exchange"}},
		{"another user's folder", "/srv/exchange",
			&fs.PathError{Op: "open", Path: "/srv/exchange", Err: syscall.EACCES},
			[]string{"the files root /srv/exchange", "is closed to the user", "give that user the folder"}},
		{"anything else", "/srv/exchange",
			&fs.PathError{Op: "open", Path: "/srv/exchange", Err: syscall.EIO},
			[]string{"the files root /srv/exchange (SWITCHBOARD_FILES_ROOT) cannot be used: open /srv/exchange: input/output error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := FilesRootError(tt.dir, tt.err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q\ndoes not say %q", err, w)
				}
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("%v does not wrap %v", err, tt.err)
			}
			if strings.Contains(err.Error(), "ProtectHome") != strings.HasPrefix(tt.dir, "/home/") {
				t.Errorf("%q speaks of ProtectHome for %s", err, tt.dir)
			}
		})
	}
}
