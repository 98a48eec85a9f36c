package transport

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
)

// ErrOutsideFilesRoot is wrapped by the error for a local folder that is
// not a folder of the files root a connection may use.
var ErrOutsideFilesRoot = errors.New("not in the files root")

// CheckLocal checks a connection's local folder, given relative to the
// files root, and returns its real absolute path (symbolic links
// resolved). It refuses an absolute path, "..", a symbolic link that leads
// out of the files root, a folder inside the data folder's own files and a
// folder that holds the data folder. The folder need not exist yet.
func CheckLocal(root connectors.FilesRoot, folder string) (string, error) {
	real, err := resolveLocal(root, folder)
	if err != nil {
		return "", err
	}
	if root.DataDir == "" {
		return real, nil
	}
	data, err := realPath(root.DataDir)
	if err != nil {
		return "", fmt.Errorf("data folder: %w", err)
	}
	shared, err := realPath(filepath.Join(data, connectors.DataFilesDir))
	if err != nil {
		return "", fmt.Errorf("data folder: %w", err)
	}
	const why = ", which holds the database and the secret key"
	switch {
	case real == data:
		return "", outside(folder, "is the data folder"+why)
	case within(data, real):
		return "", outside(folder, "holds the data folder"+why)
	case within(real, data) && !within(real, shared):
		return "", outside(folder, "is inside the data folder"+why)
	}
	return real, nil
}

// CheckLocalSub checks a sub-folder of a connection's folder (archive,
// processing, error, output): it must be relative, without "..", and stay
// inside the folder, whose real path folderReal is, even through symbolic
// links.
func CheckLocalSub(root connectors.FilesRoot, folder, folderReal, sub string) error {
	clean, err := Clean(sub)
	if err != nil {
		return fmt.Errorf("must be a sub-folder of the folder, without .. or a leading /: %w", err)
	}
	real, err := CheckLocal(root, path.Join(folder, clean))
	if err != nil {
		return err
	}
	if !within(real, folderReal) {
		return outside(sub, "leads out of the folder through a symbolic link")
	}
	return nil
}

// resolveLocal checks folder's spelling and follows it, link by link, from
// the files root; it must stay inside the files root at every step.
func resolveLocal(root connectors.FilesRoot, folder string) (string, error) {
	if root.Dir == "" {
		return "", outside(folder, "cannot be used: no files root is configured")
	}
	if filepath.IsAbs(folder) || strings.HasPrefix(folder, "/") {
		return "", outside(folder, fmt.Sprintf("must be relative to the files root %s, not absolute: "+
			"move the folder into the files root and give its path from there, e.g. exchange/in", root.Dir))
	}
	clean, err := Clean(folder)
	if err != nil {
		return "", outside(folder, "must stay inside the files root: no .. or backslash allowed")
	}
	base, err := realPath(root.Dir)
	if err != nil {
		return "", connectors.FilesRootError(root.Dir, err)
	}
	real, err := follow(base, clean)
	if err != nil {
		return "", fmt.Errorf("folder %q: %w", folder, err)
	}
	if !within(real, base) {
		return "", outside(folder, "leads out of the files root through a symbolic link")
	}
	return real, nil
}

// follow walks rel from base, resolving each symbolic link it meets; the
// part that does not exist yet is joined as it is.
func follow(base, rel string) (string, error) {
	cur := base
	parts := strings.Split(rel, "/")
	for i, part := range parts {
		if part == "." {
			continue
		}
		next := filepath.Join(cur, part)
		info, err := os.Lstat(next)
		if errors.Is(err, fs.ErrNotExist) {
			return filepath.Join(append([]string{next}, parts[i+1:]...)...), nil
		}
		if err != nil {
			return "", err
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			if next, err = filepath.EvalSymlinks(next); err != nil {
				return "", &outsideError{msg: fmt.Sprintf("the symbolic link %s leads nowhere", part)}
			}
		}
		cur = next
	}
	return cur, nil
}

// realPath is p made absolute with its symbolic links resolved; a path
// that does not exist is only made absolute.
func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return abs, nil
	}
	return real, err
}

// within reports whether p is dir or inside it; both are clean and
// absolute.
func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// outsideError says why a folder is refused; it is an
// [ErrOutsideFilesRoot].
type outsideError struct{ msg string }

func (e *outsideError) Error() string { return e.msg }

func (e *outsideError) Unwrap() error { return ErrOutsideFilesRoot }

func outside(folder, why string) error {
	return &outsideError{msg: fmt.Sprintf("folder %q %s", folder, why)}
}
