package files

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// journal lists, in the connection's private folder, the temporary files
// an upload batch makes on the server, each written and synced before the
// file is made. A batch's list is removed once its files are published or
// removed; a list left by a process that is gone names the temporaries a
// start must remove (those the engine did not record as committed). The
// server's own listing cannot be relied on for this: FTP servers hide
// names that start with a dot.
type journal struct {
	dir string // "" keeps no journal
	by  owner
	id  string // this journal's, among the connection's open instances

	mu   sync.Mutex
	f    *os.File // the batch being written
	name string
	seq  int
}

// journalExt ends the name of a batch's list.
const journalExt = ".list"

func newJournal(dataDir string, by owner) *journal {
	j := &journal{by: by, id: randomHex(4)}
	if dataDir != "" {
		j.dir = filepath.Join(dataDir, "uploads")
	}
	return j
}

// note records that the temporary file temp (from the connection's folder)
// is about to be made, in the current batch.
func (j *journal) note(temp string) error {
	if j.dir == "" {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		if err := j.open(); err != nil {
			return err
		}
	}
	if _, err := j.f.WriteString(temp + "\n"); err != nil {
		return fmt.Errorf("files: noting an upload: %w", err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("files: noting an upload: %w", err)
	}
	return nil
}

// open starts the list of a new batch; j.mu is held.
func (j *journal) open() error {
	if err := os.MkdirAll(j.dir, 0o700); err != nil {
		return fmt.Errorf("files: the upload journal: %w", err)
	}
	j.seq++
	name := j.by.String() + "-" + j.id + "-" + strconv.Itoa(j.seq) + journalExt
	f, err := os.OpenFile(filepath.Join(j.dir, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("files: the upload journal: %w", err)
	}
	if d, err := os.Open(j.dir); err == nil {
		_ = d.Sync() // the new name survives a crash of the machine too
		_ = d.Close()
	}
	j.f, j.name = f, name
	return nil
}

// seal ends the current batch and returns its name ("" when it noted
// nothing); the next note starts another.
func (j *journal) seal() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	name := j.name
	if j.f != nil {
		_ = j.f.Close()
	}
	j.f, j.name = nil, ""
	return name
}

// done forgets a batch whose temporaries are published or removed.
func (j *journal) done(batch string) {
	if j.dir == "" || batch == "" || filepath.Base(batch) != batch {
		return
	}
	_ = os.Remove(filepath.Join(j.dir, batch))
}

// leftovers returns the lists that processes which are gone left, by
// batch name: the temporaries each noted.
func (j *journal) leftovers() (map[string][]string, error) {
	if j.dir == "" {
		return nil, nil
	}
	entries, err := os.ReadDir(j.dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("files: reading the upload journal: %w", err)
	}
	out := map[string][]string{}
	for _, e := range entries {
		by, ok := ownerPrefix(e.Name())
		if !ok || !strings.HasSuffix(e.Name(), journalExt) || !j.by.gone(by) {
			continue
		}
		temps, err := readLines(filepath.Join(j.dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out[e.Name()] = temps
	}
	return out, nil
}

// ownerPrefix reads the owner a local file name starts with:
// "instance-process-...".
func ownerPrefix(name string) (owner, bool) {
	parts := strings.SplitN(name, "-", 3)
	if len(parts) < 3 {
		return owner{}, false
	}
	return parseOwner(parts[0] + "-" + parts[1])
}

func readLines(p string) ([]string, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("files: reading the upload journal: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			out = append(out, line)
		}
	}
	return out, sc.Err()
}
