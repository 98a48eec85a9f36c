package pb_migrations

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(flowOptionsUp, nil)
}

// fileConnectors are the connectors whose per-use settings move from the
// connection to its flows.
var fileConnectors = []string{"folder", "ftp", "sftp"}

// readSettings and writeSettings are the file connections' settings that
// became flow options, for flows that read through the connection (it is
// their source) and flows that write through it (their target), as they
// were when they moved.
var (
	readSettings = []string{"pattern", "format", "encoding", "delimiter", "quote", "header", "columns", "decimal_comma", "duplicate_columns",
		"record_path", "key_field", "after_read", "archive_folder", "error_folder", "processing_folder", "claim_timeout"}
	writeSettings = []string{"format", "encoding", "delimiter", "header", "columns", "record_path", "output_folder",
		"file_name", "write_mode", "xml_root", "xml_record", "neutralise_formulas"}
)

// engineOptions are the top-level flow options the engine read when the
// options got their fields; source and target hold the connections'.
var engineOptions = map[string]bool{"ordered": true, "source": true, "target": true}

// flowOptionsUp moves the per-use settings of file connections (pattern,
// format, folders, file names...) into the options of every flow that uses
// the connection: under "source" the reading ones for flows it is the
// source of, under "target" the writing ones for flows it is the target
// of, without replacing an option a flow sets already. They are then
// removed from the connection, whose config keeps host, credentials and
// folder. Top-level options that nothing ever read are dropped, with a
// warning that lists them.
func flowOptionsUp(app core.App) error {
	conns, err := fileConnections(app)
	if err != nil {
		return err
	}
	flows, err := allFlows(app)
	if err != nil {
		return err
	}
	for _, f := range flows {
		f.move(conns, migrationLog())
		if err := f.save(app); err != nil {
			return err
		}
	}
	for _, c := range conns {
		if err := c.strip(app, migrationLog()); err != nil {
			return err
		}
	}
	return nil
}

// fileConnection is a file connection's stored config.
type fileConnection struct {
	ID     string `db:"id"`
	Name   string `db:"name"`
	Config string `db:"config"`
	config map[string]any
	flows  int // the flows that took its settings
}

func fileConnections(app core.App) (map[string]*fileConnection, error) {
	var rows []*fileConnection
	err := app.DB().Select("id", "name", "COALESCE(config, '') AS config").From("connections").
		Where(dbx.In("connector", anySlice(fileConnectors)...)).All(&rows)
	if err != nil {
		return nil, fmt.Errorf("listing file connections: %w", err)
	}
	out := map[string]*fileConnection{}
	for _, c := range rows {
		if json.Unmarshal([]byte(c.Config), &c.config) != nil || c.config == nil {
			continue // no settings to move
		}
		out[c.ID] = c
	}
	return out, nil
}

// settings returns the connection's values of the named settings.
func (c *fileConnection) settings(names []string) map[string]any {
	out := map[string]any{}
	for _, name := range names {
		if v, ok := c.config[name]; ok {
			out[name] = v
		}
	}
	return out
}

// strip removes the moved settings from the connection's config.
func (c *fileConnection) strip(app core.App, logger *slog.Logger) error {
	var moved []string
	for _, name := range append(readSettings, writeSettings...) {
		if _, ok := c.config[name]; ok {
			moved = append(moved, name)
			delete(c.config, name)
		}
	}
	if len(moved) == 0 {
		return nil
	}
	if c.flows == 0 {
		logger.Warn("a file connection that no flow uses loses its per-flow settings; a new flow sets them as its options",
			slog.String("connection", c.Name), slog.String("settings", strings.Join(moved, ", ")))
	}
	data, err := json.Marshal(c.config)
	if err != nil {
		return fmt.Errorf("connection %q: %w", c.Name, err)
	}
	_, err = app.DB().NewQuery("UPDATE connections SET config = {:config} WHERE id = {:id}").
		Bind(dbx.Params{"config": string(data), "id": c.ID}).Execute()
	if err != nil {
		return fmt.Errorf("connection %q: %w", c.Name, err)
	}
	return nil
}

// storedFlow is a flow's ends and stored options.
type storedFlow struct {
	ID      string `db:"id"`
	Name    string `db:"name"`
	Source  string `db:"source"`
	Target  string `db:"target"`
	Options string `db:"options"`
	options map[string]any
	changed bool
}

func allFlows(app core.App) ([]*storedFlow, error) {
	var rows []*storedFlow
	err := app.DB().Select("id", "name", "source", "target", "COALESCE(options, '') AS options").From("flows").All(&rows)
	if err != nil {
		return nil, fmt.Errorf("listing flows: %w", err)
	}
	return rows, nil
}

// move gives the flow its connections' settings and drops the top-level
// options nothing read.
func (f *storedFlow) move(conns map[string]*fileConnection, logger *slog.Logger) {
	if json.Unmarshal([]byte(f.Options), &f.options) != nil || f.options == nil {
		f.options = map[string]any{}
	}
	f.dropUnread(logger)
	if c := conns[f.Source]; c != nil {
		c.flows++
		f.merge("source", c.settings(readSettings))
	}
	if c := conns[f.Target]; c != nil {
		c.flows++
		f.merge("target", c.settings(writeSettings))
	}
}

func (f *storedFlow) dropUnread(logger *slog.Logger) {
	var dropped []string
	for name := range f.options {
		if !engineOptions[name] {
			dropped = append(dropped, name)
			delete(f.options, name)
		}
	}
	if len(dropped) > 0 {
		sort.Strings(dropped)
		f.changed = true
		logger.Warn("a flow's options that nothing read are dropped", slog.String("flow", f.Name),
			slog.String("options", strings.Join(dropped, ", ")))
	}
}

// merge adds settings under key, keeping the options the flow has there.
func (f *storedFlow) merge(key string, settings map[string]any) {
	if len(settings) == 0 {
		return
	}
	own, _ := f.options[key].(map[string]any)
	if own == nil {
		own = map[string]any{}
	}
	for name, v := range settings {
		if _, set := own[name]; !set {
			own[name] = v
		}
	}
	f.options[key] = own
	f.changed = true
}

func (f *storedFlow) save(app core.App) error {
	if !f.changed {
		return nil
	}
	data, err := json.Marshal(f.options)
	if err != nil {
		return fmt.Errorf("flow %q: %w", f.Name, err)
	}
	_, err = app.DB().NewQuery("UPDATE flows SET options = {:options} WHERE id = {:id}").
		Bind(dbx.Params{"options": string(data), "id": f.ID}).Execute()
	if err != nil {
		return fmt.Errorf("flow %q: %w", f.Name, err)
	}
	return nil
}

func anySlice(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}
