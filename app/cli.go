package app

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/switchboard-app/switchboard/connectors"
)

// Commands returns Switchboard's commands, to add to the PocketBase root
// command beside its own serve, superuser and migrate.
func (s *Switchboard) Commands() []*cobra.Command {
	return []*cobra.Command{s.userCommand(), markNoData(s.connectorsCommand()), markNoData(versionCommand()),
		s.secretsCommand(), docsCommand(), completionCommand(), s.backupCommand(), s.restoreCommand()}
}

// wantArgs takes from least to most arguments, and refuses other counts
// naming the command, what it takes (want) and the extra arguments, where
// cobra said only "accepts 1 arg(s), received 0".
func wantArgs(least, most int, want string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) < least:
			return fmt.Errorf("%s needs %s (usage: %s)", cmd.CommandPath(), want, cmd.UseLine())
		case len(args) > most:
			return fmt.Errorf("%s takes at most %s, not also %q: quote a value that holds spaces (usage: %s)",
				cmd.CommandPath(), want, args[most:], cmd.UseLine())
		}
		return nil
	}
}

func (s *Switchboard) userCommand() *cobra.Command {
	user := &cobra.Command{Use: "user", Short: "Manages Switchboard users"}
	var role, password string
	var fromStdin bool
	add := &cobra.Command{
		Use:          "add EMAIL",
		Short:        "Adds a user with a role (admin, editor, operator or viewer)",
		Args:         wantArgs(1, 1, "EMAIL, the new user's e-mail address"),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if fromStdin {
				if cmd.Flags().Changed("password") {
					return errors.New("--password and --password-stdin are each a way to give the password: use one")
				}
				read, err := readPassword(cmd.InOrStdin(), cmd.ErrOrStderr())
				if err != nil {
					return err
				}
				password = read
			}
			return s.addUser(cmd.OutOrStdout(), args[0], role, password)
		},
	}
	add.Flags().StringVar(&role, "role", RoleViewer, "the user's role: "+strings.Join(Roles, ", "))
	add.Flags().StringVar(&password, "password", "", "the password, which other users of the machine see in the process list "+
		"and the shell keeps in its history: prefer --password-stdin; a random one is generated and printed when neither is given")
	add.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from standard input: its first line, "+
		"or asked for twice without echo on a terminal")
	user.AddCommand(add, s.userListCommand(), s.userSwitchCommand(true), s.userSwitchCommand(false))
	return user
}

// userListCommand lists the users with their roles and whether each is
// disabled.
func (s *Switchboard) userListCommand() *cobra.Command {
	return &cobra.Command{
		Use:          "list",
		Short:        "Lists the users: e-mail address, role, and disabled when a user cannot sign in",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return s.listUsers(cmd.OutOrStdout())
		},
	}
}

// userSwitchCommand disables a user (disable), or enables one again.
func (s *Switchboard) userSwitchCommand(disable bool) *cobra.Command {
	use, short := "enable EMAIL", "Lets a disabled user sign in again"
	if disable {
		use, short = "disable EMAIL", "Stops a user from signing in and ends their sessions; their work is kept"
	}
	return &cobra.Command{
		Use:          use,
		Short:        short,
		Args:         wantArgs(1, 1, "EMAIL, the user's e-mail address"),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.switchUser(cmd.OutOrStdout(), args[0], disable)
		},
	}
}

// listUsers prints one line per user, ordered by e-mail address.
func (s *Switchboard) listUsers(out io.Writer) error {
	if err := s.app.RunAllMigrations(); err != nil {
		return fmt.Errorf("applying migrations: %w", err)
	}
	users, err := s.app.FindAllRecords("users")
	if err != nil {
		return fmt.Errorf("listing users: %w", err)
	}
	slices.SortFunc(users, func(a, b *core.Record) int {
		return strings.Compare(strings.ToLower(a.Email()), strings.ToLower(b.Email()))
	})
	if len(users) == 0 {
		fmt.Fprintln(out, "No users yet: add one with switchboard user add EMAIL --role admin.")
		return nil
	}
	for _, u := range users {
		line := u.Email() + "\t" + u.GetString("role")
		if u.GetBool("disabled") {
			line += "\tdisabled"
		}
		fmt.Fprintln(out, line)
	}
	return nil
}

// switchUser disables or enables the user with the e-mail address; the
// users' hook renews a disabled user's token key, ending their sessions.
func (s *Switchboard) switchUser(out io.Writer, email string, disable bool) error {
	if err := s.app.RunAllMigrations(); err != nil {
		return fmt.Errorf("applying migrations: %w", err)
	}
	rec, err := s.app.FindAuthRecordByEmail("users", email)
	if err != nil {
		return fmt.Errorf("no user has the e-mail address %s: see switchboard user list", email)
	}
	state := map[bool]string{true: "disabled", false: "enabled"}[disable]
	if rec.GetBool("disabled") == disable {
		fmt.Fprintf(out, "%s is %s already.\n", rec.Email(), state)
		return nil
	}
	rec.Set("disabled", disable)
	if err := s.app.Save(rec); err != nil {
		return fmt.Errorf("switching user %s: %w", rec.Email(), err)
	}
	fmt.Fprintf(out, "%s is %s.\n", rec.Email(), state)
	return nil
}

func (s *Switchboard) addUser(out io.Writer, email, role, password string) error {
	if !slices.Contains(Roles, role) {
		return fmt.Errorf("unknown role %q: use one of %s", role, strings.Join(Roles, ", "))
	}
	if err := s.app.RunAllMigrations(); err != nil {
		return fmt.Errorf("applying migrations: %w", err)
	}
	if existing, err := s.app.FindAuthRecordByEmail("users", email); err == nil {
		return fmt.Errorf("a user with e-mail %s already exists", existing.Email())
	}
	generated := password == ""
	if generated {
		password = randomPassword()
	}
	users, err := s.app.FindCollectionByNameOrId("users")
	if err != nil {
		return fmt.Errorf("finding users: %w", err)
	}
	rec := core.NewRecord(users)
	rec.SetEmail(email)
	rec.SetPassword(password)
	rec.SetVerified(true)
	rec.Set("role", role)
	if err := s.app.Save(rec); err != nil {
		return fmt.Errorf("adding user %s: %w", email, err)
	}
	fmt.Fprintf(out, "Added %s as %s.\n", email, role)
	if generated {
		fmt.Fprintf(out, "Password: %s\n", password)
	}
	return nil
}

// readPassword reads a password for --password-stdin: on a terminal it
// asks for it twice without echo, prompting on prompt; otherwise it takes
// the first line of in, without its line ending.
func readPassword(in io.Reader, prompt io.Writer) (string, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return askPassword(int(f.Fd()), prompt)
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the password from standard input: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		return "", errors.New("--password-stdin: standard input holds no password (its first line is empty)")
	}
	return password, nil
}

// askPassword asks for a password twice on the terminal fd, without echo.
func askPassword(fd int, prompt io.Writer) (string, error) {
	var typed [2]string
	for i, label := range []string{"Password: ", "Password again: "} {
		fmt.Fprint(prompt, label)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("reading the password from the terminal: %w", err)
		}
		typed[i] = string(b)
	}
	switch {
	case typed[0] == "":
		return "", errors.New("no password typed")
	case typed[0] != typed[1]:
		return "", errors.New("the two passwords typed differ")
	}
	return typed[0], nil
}

func randomPassword() string {
	buf := make([]byte, 15)
	_, _ = rand.Read(buf)
	return base64.RawURLEncoding.EncodeToString(buf)
}

func (s *Switchboard) connectorsCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:          "connectors",
		Short:        "Lists the registered connectors with their entities and config fields",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(s.registry.Specs())
			}
			return s.printConnectors(cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the full specs as JSON")
	return cmd
}

func (s *Switchboard) printConnectors(out io.Writer) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCATEGORY\tREADS\tWRITES\tWEBHOOKS\tCONFIG (* required, ! secret)\tFLOW OPTIONS (<read >write)")
	for _, spec := range s.registry.Specs() {
		fields := make([]string, 0, len(spec.Fields))
		for _, f := range spec.Fields {
			fields = append(fields, f.Name+mark(f.Required, "*")+mark(f.Secret, "!"))
		}
		flowFields := make([]string, 0, len(spec.FlowFields))
		for _, f := range spec.FlowFields {
			flowFields = append(flowFields, f.Name+mark(f.Required, "*")+mark(f.Use&connectors.UseRead != 0, "<")+
				mark(f.Use&connectors.UseWrite != 0, ">"))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", spec.Name, spec.Category, joinEntities(spec.Reads),
			joinEntities(spec.Writes), yesNo(spec.Webhooks), strings.Join(fields, " "), strings.Join(flowFields, " "))
	}
	engine := make([]string, 0, len(engineFlowFields))
	for _, f := range engineFlowFields {
		engine = append(engine, f.Name)
	}
	fmt.Fprintf(tw, "\nEvery flow also takes the engine's options: %s\n", strings.Join(engine, " "))
	return tw.Flush()
}

func mark(on bool, m string) string {
	if on {
		return m
	}
	return ""
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func joinEntities[T ~string](list []T) string {
	if len(list) == 0 {
		return "-"
	}
	parts := make([]string, len(list))
	for i, e := range list {
		parts[i] = string(e)
	}
	return strings.Join(parts, ",")
}

func versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Prints Switchboard's version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "switchboard %s (commit %s, built %s, %s)\n", Version, Commit, Date, runtime.Version())
		},
	}
}
