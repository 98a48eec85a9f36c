package demo

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/switchboard-app/switchboard/app"
)

// Command returns the "demo" command, with "install" and "remove", to add
// to the root command beside app's commands.
func Command(sb *app.Switchboard) *cobra.Command {
	cmd := &cobra.Command{Use: "demo", Short: "Installs or removes the demo integration (see docs/demo.md)"}
	cmd.AddCommand(&cobra.Command{
		Use: "install", Short: "Creates the demo integration; its flow runs on the next serve", Args: cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := sb.App().RunAllMigrations(); err != nil {
				return fmt.Errorf("applying migrations: %w", err)
			}
			// The flow's webhook secret is sealed as it is saved.
			if err := sb.LoadKeys(); err != nil {
				return fmt.Errorf("the demo was not installed: %w", err)
			}
			res, err := Install(sb.App(), sb.App().DataDir())
			if err != nil {
				return err
			}
			if !res.Created {
				_, err = fmt.Fprintf(c.OutOrStdout(), "The demo is installed already, in %s.\n", res.Dir)
				return err
			}
			_, err = fmt.Fprintf(c.OutOrStdout(), "Demo installed in %s; start switchboard serve and open Activity.\n", res.Dir)
			return err
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use: "remove", Short: "Deletes the demo's integration, flow, activity, connections and folder", Args: cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := sb.App().RunAllMigrations(); err != nil {
				return fmt.Errorf("applying migrations: %w", err)
			}
			had, err := Uninstall(sb.App(), sb.App().DataDir())
			if err != nil {
				return err
			}
			msg := "Demo removed.\n"
			if !had {
				msg = "No demo integration found; the demo folder is gone.\n"
			}
			_, err = fmt.Fprint(c.OutOrStdout(), msg)
			return err
		},
	})
	return cmd
}
