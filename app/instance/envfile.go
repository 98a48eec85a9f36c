package instance

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strings"
)

// settingPrefix marks the variables an environment file may set.
const settingPrefix = "SWITCHBOARD_"

// fromFile records which variables LoadEnvFile set, and loaded the file
// it read last.
var (
	fromFile = map[string]bool{}
	named    []string
	loaded   string
)

// EnvFileRead returns the environment file that was read, "" when none.
func EnvFileRead() string { return loaded }

// EnvFileSettings returns the SWITCHBOARD_ variables the environment file
// that was read names, sorted, those the process environment overrides
// among them.
func EnvFileSettings() []string { return named }

// LoadEnvFile reads an environment file in systemd's EnvironmentFile
// format (KEY=VALUE lines, # and ; comments, values optionally quoted)
// and sets each SWITCHBOARD_ variable it names that the process
// environment does not set already, so that the process environment wins
// as it does for the service. It reports whether the file was read; a
// missing file is an error satisfying errors.Is(err, fs.ErrNotExist), and
// path "" reads nothing.
func LoadEnvFile(path string) (bool, error) {
	if path == "" {
		return false, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	settings, err := ParseEnv(string(data))
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	named = named[:0]
	for key, value := range settings {
		if strings.HasPrefix(key, settingPrefix) {
			named = append(named, key)
		}
		if _, set := os.LookupEnv(key); set || !strings.HasPrefix(key, settingPrefix) {
			continue
		}
		if err := os.Setenv(key, value); err != nil {
			return false, fmt.Errorf("%s: setting %s: %w", path, key, err)
		}
		fromFile[key] = true
	}
	slices.Sort(named)
	loaded = path
	return true, nil
}

// ParseEnv parses the text of an environment file into its settings. A
// line that is neither empty, a comment nor KEY=VALUE is an error naming
// the line.
func ParseEnv(text string) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		key, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" || strings.ContainsAny(key, " \t\"'") {
			// The line itself is not quoted: it may hold a secret.
			return nil, fmt.Errorf("line %d is neither a comment nor KEY=VALUE", n)
		}
		out[key] = unquote(strings.TrimSpace(value))
	}
	return out, sc.Err()
}

// unquote removes one pair of matching quotes around a value.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}
