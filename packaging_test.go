package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// settingLiteral finds the names of SWITCHBOARD_ settings in Go source.
var settingLiteral = regexp.MustCompile(`"(SWITCHBOARD_[A-Z0-9_]*[A-Z0-9])"`)

// testSetting tells the settings that only tests read (the integration
// servers, the vendors' specs the fakes load), which the appliance never
// does.
func testSetting(name string) bool {
	return strings.HasPrefix(name, "SWITCHBOARD_IT_") || name == "SWITCHBOARD_REQUIRE_IT" || name == "SWITCHBOARD_SPECS"
}

// TestEnvFileListsEverySetting: the packaged environment file names every
// SWITCHBOARD_ setting the code reads, so an administrator finds them all.
func TestEnvFileListsEverySetting(t *testing.T) {
	env, err := os.ReadFile(filepath.Join("packaging", "switchboard.env"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(string(env), "\n") {
		if name, _, ok := strings.Cut(strings.TrimLeft(line, "#"), "="); ok {
			listed[strings.TrimSpace(name)] = true
		}
	}
	read := map[string]string{}
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range settingLiteral.FindAllStringSubmatch(string(src), -1) {
			if !testSetting(m[1]) {
				read[m[1]] = path
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(read) < 15 {
		t.Fatalf("found only %d settings in the code: %v", len(read), read)
	}
	for name, path := range read {
		if !listed[name] {
			t.Errorf("%s (read in %s) is not in packaging/switchboard.env", name, path)
		}
	}
}
