package app

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// docsCommand writes the man pages and shell completions generated from
// the command tree, for the packages.
func docsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:          "docs FOLDER",
		Short:        "Writes the man pages (man1/) and shell completions (completions/) into FOLDER",
		Args:         cobra.ExactArgs(1),
		Hidden:       true,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return writeDocs(cmd.Root(), args[0])
		},
	}
	return markNoData(cmd)
}

func writeDocs(root *cobra.Command, dir string) error {
	manDir := filepath.Join(dir, "man1")
	compDir := filepath.Join(dir, "completions")
	for _, d := range []string{manDir, compDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", d, err)
		}
	}
	root.DisableAutoGenTag = true
	header := &doc.GenManHeader{Title: "SWITCHBOARD", Section: "1", Source: "Switchboard " + Version, Manual: "Switchboard manual"}
	if err := doc.GenManTree(root, header, manDir); err != nil {
		return fmt.Errorf("writing the man pages: %w", err)
	}
	if err := gzipAll(manDir); err != nil {
		return fmt.Errorf("compressing the man pages: %w", err)
	}
	gens := map[string]func(string) error{
		"switchboard.bash": func(p string) error { return root.GenBashCompletionFileV2(p, true) },
		"_switchboard":     root.GenZshCompletionFile,
		"switchboard.fish": func(p string) error { return root.GenFishCompletionFile(p, true) },
	}
	for name, gen := range gens {
		if err := gen(filepath.Join(compDir, name)); err != nil {
			return fmt.Errorf("writing the completion %s: %w", name, err)
		}
	}
	return nil
}

// gzipAll replaces every file in dir by its gzip, as manual pages are
// installed, with no name nor time in the header so that a build repeats.
func gzipAll(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if e.IsDir() || filepath.Ext(path) == ".gz" {
			continue
		}
		if err := gzipFile(path); err != nil {
			return err
		}
	}
	return nil
}

func gzipFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(path+".gz", buf.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Remove(path)
}

// shellArg refuses a shell completion has no script for, naming it and
// the shells it has.
func shellArg(cmd *cobra.Command, args []string) error {
	if !slices.Contains(cmd.ValidArgs, args[0]) {
		return fmt.Errorf("%s has no script for %q: name bash, zsh or fish", cmd.CommandPath(), args[0])
	}
	return nil
}

// completionCommand prints a shell's completion script.
func completionCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:       "completion bash|zsh|fish",
		Short:     "Prints the shell completion script for bash, zsh or fish",
		Args:      cobra.MatchAll(wantArgs(1, 1, "the shell: bash, zsh or fish"), shellArg),
		ValidArgs: []string{"bash", "zsh", "fish"},
		RunE: func(cmd *cobra.Command, args []string) error {
			root, out := cmd.Root(), cmd.OutOrStdout()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			default:
				return root.GenFishCompletion(out, true)
			}
		},
	}
	return markNoData(cmd)
}
