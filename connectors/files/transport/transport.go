package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"
)

// FileInfo describes one file.
type FileInfo struct {
	// Name is the file's name inside its folder, without any folder.
	Name string
	// Size is the size in bytes.
	Size int64
	// ModTime is the last modification time, as precise as the server
	// tells.
	ModTime time.Time
	// CoarseTime is true when ModTime is known only to the minute, or to
	// the day: an FTP server that lists times without seconds and does not
	// answer MDTM. Two versions of a file written within that time cannot
	// be told apart by it.
	CoarseTime bool
	// Dir is true for a folder.
	Dir bool
}

// Transport moves files in and out of one folder and its sub-folders. It
// is used by one run at a time; implementations reuse their connection
// across calls until Close.
type Transport interface {
	// List returns the regular files directly in dir whose names match
	// pattern (path.Match syntax; "" matches all), sorted by name. Names
	// that are not safe file names are left out.
	List(ctx context.Context, dir, pattern string) ([]FileInfo, error)
	// Open opens a file for streaming. The caller must Close it before
	// starting another transfer on the same transport.
	Open(ctx context.Context, name string) (io.ReadCloser, error)
	// Create creates or truncates a file for writing; the data is complete
	// once Close returns nil. Use [Put] to publish a file atomically.
	Create(ctx context.Context, name string) (io.WriteCloser, error)
	// Rename moves a file, replacing the target if it exists.
	Rename(ctx context.Context, from, to string) error
	// Remove deletes a file.
	Remove(ctx context.Context, name string) error
	// Mkdir makes a folder and its parents; an existing folder is fine.
	Mkdir(ctx context.Context, dir string) error
	// Stat describes a file or folder; a missing one gives an error for
	// which errors.Is(err, fs.ErrNotExist) holds.
	Stat(ctx context.Context, name string) (FileInfo, error)
	// Close ends the connection.
	Close() error
}

// ErrUnsafePath is wrapped by the error for a path that is absolute, climbs
// out of the folder or holds characters a file name may not.
var ErrUnsafePath = errors.New("unsafe path")

// Clean checks that p stays inside the folder and returns it cleaned; ""
// and "." mean the folder itself.
func Clean(p string) (string, error) {
	if strings.ContainsAny(p, "\x00\\") {
		return "", fmt.Errorf("path %q: %w: no NUL or backslash allowed", p, ErrUnsafePath)
	}
	if strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("path %q: %w: absolute paths are refused", p, ErrUnsafePath)
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return "", fmt.Errorf("path %q: %w: \"..\" is refused", p, ErrUnsafePath)
		}
	}
	return path.Clean("./" + p), nil
}

// CheckName checks that name is a plain file name: not empty, not "." or
// "..", and without slashes, backslashes, NUL or other control characters.
func CheckName(name string) error {
	if name == "" || name == "." || name == ".." {
		return fmt.Errorf("file name %q: %w", name, ErrUnsafePath)
	}
	for _, r := range name {
		if r == '/' || r == '\\' || r < 0x20 || r == 0x7f {
			return fmt.Errorf("file name %q: %w: no slashes or control characters allowed", name, ErrUnsafePath)
		}
	}
	return nil
}

// Match reports whether name matches pattern; "" matches everything.
func Match(pattern, name string) (bool, error) {
	if pattern == "" {
		return true, nil
	}
	ok, err := path.Match(pattern, name)
	if err != nil {
		return false, fmt.Errorf("pattern %q: %w", pattern, err)
	}
	return ok, nil
}

// Put writes r to name atomically: it uploads under a hidden temporary name
// in the same folder and renames it into place once complete, so a reader
// never sees half a file. The temporary file is removed on failure.
func Put(ctx context.Context, t Transport, name string, r io.Reader) error {
	dir, base := path.Split(name)
	tmp := path.Join(dir, "."+base+".part")
	w, err := t.Create(ctx, tmp)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = t.Rename(ctx, tmp, name)
	}
	if err != nil {
		_ = t.Remove(context.WithoutCancel(ctx), tmp)
		return fmt.Errorf("uploading %s: %w", name, err)
	}
	return nil
}

// Exists reports whether name exists.
func Exists(ctx context.Context, t Transport, name string) (bool, error) {
	_, err := t.Stat(ctx, name)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// SkipFunc is told of an entry that matches a listing's pattern but that
// List leaves out, with why in words.
type SkipFunc func(name, why string)

type skipKey struct{}

// WithSkips returns ctx with fn told of the entries its listings leave out
// although they match: folders, links, other entries that are no plain
// file, and names that are not safe file names.
func WithSkips(ctx context.Context, fn SkipFunc) context.Context {
	return context.WithValue(ctx, skipKey{}, fn)
}

// Skip tells the SkipFunc of ctx, if it has one, that List leaves name out
// and why. The folder itself and its parent ("." and "..") are no entries
// to tell of.
func Skip(ctx context.Context, name, why string) {
	if fn, ok := ctx.Value(skipKey{}).(SkipFunc); ok && name != "." && name != ".." {
		fn(name, why)
	}
}

// Why List leaves out an entry that matches its pattern.
const (
	WhyFolder  = "it is a folder"
	WhyLink    = "it is a symbolic link"
	WhyNotFile = "it is not a plain file (a device, a pipe or a socket)"
)

// ModeProblem says why an entry of the given mode is not a plain file; ""
// when it is one.
func ModeProblem(mode fs.FileMode) string {
	switch {
	case mode.IsRegular():
		return ""
	case mode.IsDir():
		return WhyFolder
	case mode&fs.ModeSymlink != 0:
		return WhyLink
	default:
		return WhyNotFile
	}
}

// NameProblem says why name is not a safe file name ([CheckName]); ""
// when it is one.
func NameProblem(name string) string {
	if CheckName(name) == nil {
		return ""
	}
	if strings.ContainsAny(name, "/\\") {
		return "its name holds a slash or a backslash"
	}
	if name == "" || name == "." || name == ".." {
		return "it has no file name"
	}
	return "its name holds a line break or another control character"
}

// Unlisted says why an entry named name of the given mode that matches a
// listing's pattern is left out of it, telling ctx's SkipFunc; "" for a
// plain file with a safe name, which is listed.
func Unlisted(ctx context.Context, name string, mode fs.FileMode) string {
	why := ModeProblem(mode)
	if why == "" {
		why = NameProblem(name)
	}
	if why != "" {
		Skip(ctx, name, why)
	}
	return why
}
