package app

import (
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestWrongArgumentsAreNamed: a command given too few or too many
// arguments, or a shell completion has no script for, says what it wants
// and what it got, where cobra said only "accepts 1 arg(s), received 0".
// The arguments are checked before the command runs: no data is opened.
func TestWrongArgumentsAreNamed(t *testing.T) {
	tests := []struct {
		args []string
		says string
	}{
		{[]string{"user", "add"}, `switchboard user add needs EMAIL, the new user's e-mail address (usage: switchboard user add EMAIL`},
		{[]string{"user", "add", "Ann", "Smith"}, `takes at most EMAIL, the new user's e-mail address, not also ["Smith"]: quote a value that holds spaces`},
		{[]string{"restore"}, `switchboard restore needs FILE, the backup archive to restore (- for standard input)`},
		{[]string{"restore", "a.tar.gz", "b.tar.gz"}, `not also ["b.tar.gz"]`},
		{[]string{"backup", "a.tar.gz", "b.tar.gz"}, `switchboard backup takes at most FILE, the archive to write (- for standard output), not also ["b.tar.gz"]`},
		{[]string{"completion"}, `switchboard completion needs the shell: bash, zsh or fish`},
		{[]string{"completion", "tcsh"}, `switchboard completion has no script for "tcsh": name bash, zsh or fish`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			root := &cobra.Command{Use: "switchboard"}
			root.AddCommand((&Switchboard{}).Commands()...)
			root.SetArgs(tt.args)
			root.SetOut(io.Discard)
			root.SetErr(io.Discard)
			err := root.Execute()
			if err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("error %v, want one saying %s", err, tt.says)
			}
		})
	}
}
