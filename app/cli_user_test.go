package app

import (
	"bytes"
	"strings"
	"testing"
)

// TestUserAddReadsThePasswordFromStdin: `user add --password-stdin` takes
// the password from standard input (its first line), so that it appears
// neither in the process list nor in the shell's history, and prints it
// nowhere; given with --password as well, or with nothing on standard
// input, it refuses and adds nobody.
func TestUserAddReadsThePasswordFromStdin(t *testing.T) {
	env := newTestEnv(t)
	cases := []struct {
		name, email, stdin string
		args               []string
		wantErr            string
	}{
		{"a line", "pipe@example.com", "correct horse battery\n", nil, ""},
		{"a line ending in CRLF, and a second one", "crlf@example.com", "correct horse battery\r\nignored\n", nil, ""},
		{"no line ending", "bare@example.com", "correct horse battery", nil, ""},
		{"empty", "empty@example.com", "\n", nil, "holds no password"},
		{"both ways", "both@example.com", "correct horse battery\n", []string{"--password", "other one"}, "use one"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd := env.sb.userCommand()
			var out bytes.Buffer
			cmd.SetOut(&out)
			cmd.SetErr(&out)
			cmd.SetIn(strings.NewReader(tc.stdin))
			cmd.SetArgs(append([]string{"add", tc.email, "--role", RoleEditor, "--password-stdin"}, tc.args...))
			err := cmd.Execute()
			user, findErr := env.app.FindAuthRecordByEmail("users", tc.email)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || findErr == nil {
					t.Fatalf("error %v (user added: %v), want one saying %q and no user", err, findErr == nil, tc.wantErr)
				}
				return
			}
			if err != nil || findErr != nil {
				t.Fatalf("user add = %v, finding the user: %v", err, findErr)
			}
			if !user.ValidatePassword("correct horse battery") || user.GetString("role") != RoleEditor {
				t.Fatalf("the user does not have the password from standard input, or role %q", user.GetString("role"))
			}
			if strings.Contains(out.String(), "correct horse") || strings.Contains(out.String(), "Password:") {
				t.Fatalf("user add printed the password: %q", out.String())
			}
		})
	}
}
