package instance

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseEnv(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       map[string]string
		fails      bool
	}{
		{"empty", "", map[string]string{}, false},
		{"comments and blanks", "# a\n; b\n\n  \n", map[string]string{}, false},
		{"plain", "SWITCHBOARD_HTTP=127.0.0.1:8090\n", map[string]string{"SWITCHBOARD_HTTP": "127.0.0.1:8090"}, false},
		{"quoted", `A="x y"` + "\nB='z'\n", map[string]string{"A": "x y", "B": "z"}, false},
		{"export and spaces", "export A = v \n", map[string]string{"A": "v"}, false},
		{"equals in value", "K=a=b\n", map[string]string{"K": "a=b"}, false},
		{"no equals", "SWITCHBOARD_SECRET_KEY abc\n", nil, true},
		{"no key", "=v\n", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseEnv(tc.text)
			if tc.fails {
				if err == nil {
					t.Fatalf("ParseEnv(%q) = %v, want an error", tc.text, got)
				}
				if want := "line 1"; !contains(err.Error(), want) || contains(err.Error(), "abc") {
					t.Fatalf("error %q should name %s and not quote the line", err, want)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ParseEnv(%q) = %v, %v; want %v", tc.text, got, err, tc.want)
			}
		})
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestLocate(t *testing.T) {
	file := filepath.Join(t.TempDir(), "switchboard.env")
	if err := os.WriteFile(file, []byte("SWITCHBOARD_DIR=/srv/sb\nSWITCHBOARD_WORKERS=3\nOTHER=x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing.env")
	for _, tc := range []struct {
		name             string
		envFile, envDir  string
		wantDir, wantSrc string
		packaged         bool
		wantErr          string // the warning Locate returns beside its answer
	}{
		{"a named file that is missing", missing, "", LocalDir, "the default", false, EnvEnvFile + " names " + missing + ", which does not exist"},
		{"no file read", "none", "", LocalDir, "the default", false, ""},
		{"the file's folder", file, "", "/srv/sb", file, true, ""},
		{"the environment wins", file, "/elsewhere", "/elsewhere", EnvDir, true, ""},
		{"a file without a folder", writeFile(t, "SWITCHBOARD_HTTP=:1\n"), "", PackagedDir, "the packaged default", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvEnvFile, tc.envFile)
			t.Setenv(EnvDir, tc.envDir)
			t.Setenv("SWITCHBOARD_WORKERS", "")
			os.Unsetenv("SWITCHBOARD_WORKERS")
			os.Unsetenv("OTHER")
			if tc.envDir == "" {
				os.Unsetenv(EnvDir)
			}
			clear(fromFile)
			w, err := Locate()
			if (err == nil) != (tc.wantErr == "") || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Locate() error = %v, want %q", err, tc.wantErr)
			}
			if w.Dir != tc.wantDir || w.From != tc.wantSrc || w.Packaged != tc.packaged {
				t.Fatalf("Locate() = %+v, %v; want %s from %s, packaged %v", w, err, tc.wantDir, tc.wantSrc, tc.packaged)
			}
			if tc.envFile == file && os.Getenv("SWITCHBOARD_WORKERS") != "3" {
				t.Fatal("the file's SWITCHBOARD_WORKERS was not set")
			}
			if os.Getenv("OTHER") != "" {
				t.Fatal("a variable without the SWITCHBOARD_ prefix was set from the file")
			}
		})
	}
}

func writeFile(t *testing.T, text string) string {
	path := filepath.Join(t.TempDir(), "switchboard.env")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
