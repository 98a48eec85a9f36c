package ftp

import (
	"bufio"
	"fmt"
	"net"
	"path"
	"strings"
	"sync"
	"testing"
	"time"
)

// refusingServer is a minimal FTP server, control connection only, that
// keeps files as names with contents and refuses, as several servers do,
// to rename onto a file that exists (RNTO answers 553). vsftpd, the real
// server the other tests use, always renames over the target and cannot be
// made to refuse, so this fake stands in for such servers in this one
// respect. It knows the commands a login, a rename, a removal and SIZE
// send; it opens no data connections.
type refusingServer struct {
	ln        net.Listener
	refuseAll bool // refuse every rename, as a server that forbids renames
	mu        sync.Mutex
	files     map[string]string
	commands  []string
}

func newRefusingServer(t *testing.T, files map[string]string) *refusingServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &refusingServer{ln: ln, files: files}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *refusingServer) config() Config {
	return Config{Addr: s.ln.Addr().String(), User: "u", Password: "p", TLS: TLSNone, Timeout: 5 * time.Second}
}

func (s *refusingServer) file(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	body, ok := s.files[name]
	return body, ok
}

func (s *refusingServer) sent() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.commands, ",")
}

func (s *refusingServer) serve(c net.Conn) {
	defer func() { _ = c.Close() }()
	r := bufio.NewReader(c)
	reply := func(format string, args ...any) { _, _ = fmt.Fprintf(c, format+"\r\n", args...) }
	reply("220 fake")
	var from string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd, arg, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		cmd = strings.ToUpper(cmd)
		s.mu.Lock()
		if cmd == "RNFR" || cmd == "RNTO" || cmd == "DELE" {
			s.commands = append(s.commands, cmd+" "+path.Base(arg))
		}
		_, exists := s.files[arg]
		switch cmd {
		case "USER":
			reply("331 password")
		case "PASS":
			reply("230 logged in")
		case "TYPE":
			reply("200 ok")
		case "PWD":
			reply(`257 "/" is the current folder`)
		case "CWD":
			reply("250 ok")
		case "SIZE":
			if exists {
				reply("213 %d", len(s.files[arg]))
			} else {
				reply("550 no such file")
			}
		case "RNFR":
			from = ""
			if exists {
				from = arg
				reply("350 ready for RNTO")
			} else {
				reply("550 no such file")
			}
		case "RNTO":
			switch {
			case from == "":
				reply("503 RNFR first")
			case s.refuseAll:
				reply("553 renaming is not allowed")
			case exists:
				reply("553 %s: file exists", arg)
			default:
				s.files[arg] = s.files[from]
				delete(s.files, from)
				reply("250 renamed")
			}
			from = ""
		case "DELE":
			if exists {
				delete(s.files, arg)
				reply("250 deleted")
			} else {
				reply("550 no such file")
			}
		case "QUIT":
			s.mu.Unlock()
			reply("221 bye")
			return
		default:
			reply("502 not implemented")
		}
		s.mu.Unlock()
	}
}

// TestRenameReplacesOnServersThatRefuseRenamingOntoAFile: a server that
// refuses RNTO onto an existing file gets the file removed and the rename
// tried again, so publishing a file that replaces another works; a rename
// refused for another reason removes nothing.
func TestRenameReplacesOnServersThatRefuseRenamingOntoAFile(t *testing.T) {
	tests := []struct {
		name      string
		files     map[string]string
		refuseAll bool
		wantErr   bool
		want      map[string]string // what the folder holds after
		commands  string
	}{
		{"onto an existing file", map[string]string{"/.a.part": "new", "/a.csv": "old"}, false, false,
			map[string]string{"/a.csv": "new"}, "RNFR .a.part,RNTO a.csv,DELE a.csv,RNFR .a.part,RNTO a.csv"},
		{"onto no file", map[string]string{"/.a.part": "new"}, false, false,
			map[string]string{"/a.csv": "new"}, "RNFR .a.part,RNTO a.csv"},
		{"from a file that is gone", map[string]string{"/a.csv": "old"}, false, true,
			map[string]string{"/a.csv": "old"}, "RNFR .a.part"},
		{"renames forbidden, onto no file", map[string]string{"/.a.part": "new"}, true, true,
			map[string]string{"/.a.part": "new"}, "RNFR .a.part,RNTO a.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newRefusingServer(t, tt.files)
			s.refuseAll = tt.refuseAll
			tr, err := Dial(ctx(t), s.config())
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = tr.Close() }()
			err = tr.Rename(ctx(t), ".a.part", "a.csv")
			if (err != nil) != tt.wantErr {
				t.Fatalf("Rename: %v", err)
			}
			for name, body := range tt.want {
				if got, ok := s.file(name); !ok || got != body {
					t.Fatalf("%s holds %q (%v), want %q", name, got, ok, body)
				}
			}
			if _, ok := s.file("/.a.part"); ok && tt.want["/.a.part"] == "" {
				t.Fatal("the temporary is left")
			}
			if got := s.sent(); got != tt.commands {
				t.Fatalf("commands %s, want %s", got, tt.commands)
			}
		})
	}
}
