// Package docgen writes a connector's documentation page,
// docs/connectors/NAME.md, from its spec and default mappings, so that
// the page says what the code does: what the connector reads and
// writes, its settings and flow options, its default mappings as tables,
// and its limits. A connector's test checks that the committed page is
// current ([Check]); -update-docs rewrites it.
package docgen

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/mappings"
)

var update = flag.Bool("update-docs", false, "rewrite the connectors' documentation pages")

// Page is what a connector's page says besides its spec.
type Page struct {
	Spec connectors.Spec
	// App names the app in sentences ("Adobe Commerce").
	App string
	// Reads and Writes say per entity which calls read or write it.
	Reads, Writes map[connectors.Entity]string
	// Setup says how to make the credentials, in Markdown.
	Setup string
	// Behaviour lists what the connector does that a person relies on:
	// duplicate protection, missing references, the update policy.
	Behaviour []string
	// Limits lists the app's limits and how the connector keeps within
	// them.
	Limits []string
	// Tests says what the connector is tested against.
	Tests string
}

// Check compares the page rendered from p with the file at path, or
// writes it with -update-docs.
func Check(t *testing.T, p Page, path string) {
	t.Helper()
	got, err := Render(p)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%s is not the page the spec makes (%v); run the test with -update-docs and commit the page", path, err)
	}
}

// Render writes the page.
func Render(p Page) ([]byte, error) {
	var b bytes.Buffer
	s := p.Spec
	fmt.Fprintf(&b, "# %s\n\n<!-- generated from the connector's spec and default mappings by its test; run it with -update-docs -->\n\n", s.Title)
	fmt.Fprintf(&b, "%s\n\nRegistered as `%s` (category %s).\n\n", s.Description, s.Name, s.Category)
	entities(&b, p)
	if p.Setup != "" {
		fmt.Fprintf(&b, "## Setting up\n\n%s\n\n", strings.TrimSpace(p.Setup))
	}
	fieldTable(&b, "## Connection settings", s.Fields, false)
	fieldTable(&b, "## Flow options", s.FlowFields, true)
	list(&b, "## Behaviour", p.Behaviour)
	if err := mappingTables(&b, p); err != nil {
		return nil, err
	}
	list(&b, "## Limits", p.Limits)
	if p.Tests != "" {
		fmt.Fprintf(&b, "## Tests\n\n%s\n", strings.TrimSpace(p.Tests))
	}
	return append(bytes.TrimRight(b.Bytes(), "\n"), '\n'), nil
}

func entities(b *bytes.Buffer, p Page) {
	b.WriteString("## What it reads and writes\n\n| entity | reads | writes |\n| --- | --- | --- |\n")
	for _, e := range connectors.Entities() {
		r, w := p.Reads[e], p.Writes[e]
		if !p.Spec.CanRead(e) && !p.Spec.CanWrite(e) {
			continue
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", e, orDash(p.Spec.CanRead(e), r), orDash(p.Spec.CanWrite(e), w))
	}
	webhooks := "no"
	if p.Spec.Webhooks {
		webhooks = "yes"
	}
	kinds := make([]string, len(p.Spec.Auth))
	for i, k := range p.Spec.Auth {
		kinds[i] = "`" + string(k) + "`"
	}
	fmt.Fprintf(b, "\nAuthentication: %s. Webhooks: %s.\n\n", strings.Join(kinds, ", "), webhooks)
}

func orDash(ok bool, s string) string {
	if !ok {
		return "–"
	}
	if s == "" {
		return "yes"
	}
	return s
}

func fieldTable(b *bytes.Buffer, title string, fields []connectors.Field, flow bool) {
	if len(fields) == 0 {
		return
	}
	fmt.Fprintf(b, "%s\n\n", title)
	if flow {
		b.WriteString("Set per flow, under `source` when the connection is the flow's source and `target` when it is its target.\n\n" +
			"| option | for | type | default | what it does |\n| --- | --- | --- | --- | --- |\n")
	} else {
		b.WriteString("| field | type | default | what it is |\n| --- | --- | --- | --- |\n")
	}
	for _, f := range fields {
		typ := string(f.Type)
		if f.Secret {
			typ += ", secret"
		}
		if f.Required {
			typ += ", required"
		}
		if f.Advanced {
			typ += ", advanced"
		}
		def := ""
		if f.Default != nil && f.Default != "" {
			def = "`" + fmt.Sprint(f.Default) + "`"
		}
		if flow {
			fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s |\n", f.Name, strings.ReplaceAll(f.Use.String(), "|", ", "), typ, def, cell(f.Help))
		} else {
			fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", f.Name, typ, def, cell(f.Help))
		}
	}
	b.WriteString("\n")
}

func list(b *bytes.Buffer, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "%s\n\n", title)
	for _, it := range items {
		fmt.Fprintf(b, "- %s\n", it)
	}
	b.WriteString("\n")
}

// mappingTables writes each default mapping as a table.
func mappingTables(b *bytes.Buffer, p Page) error {
	if p.Spec.Mappings == nil {
		return nil
	}
	all, err := mappings.LoadDefaults(p.Spec.Mappings, ".")
	if err != nil {
		return err
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Entity != all[j].Entity {
			return entityOrder(all[i].Entity) < entityOrder(all[j].Entity)
		}
		return all[i].Direction < all[j].Direction
	})
	b.WriteString("## Default mappings\n\nA flow's mapping overrides change or drop any of these fields, and add others ([mappings](../mappings.md)).\n\n")
	for _, m := range all {
		from, to := p.App, "canonical"
		if m.Direction == mappings.Out {
			from, to = "canonical", p.App
		}
		fmt.Fprintf(b, "### %s %s: %s to %s\n\n", m.Entity, m.Direction, from, to)
		if m.Doc != "" {
			fmt.Fprintf(b, "%s\n\n", m.Doc)
		}
		fmt.Fprintf(b, "| %s field | from | note |\n| --- | --- | --- |\n", to)
		rows(b, m.Fields, "")
		b.WriteString("\n")
	}
	return nil
}

func rows(b *bytes.Buffer, fields []mappings.Field, prefix string) {
	for _, f := range fields {
		expr := f.Expr
		if f.Each != "" {
			expr = "each of " + f.Each
		}
		fmt.Fprintf(b, "| `%s` | `%s` | %s |\n", prefix+f.Target, cell(expr), cell(f.Doc))
		if f.Each != "" {
			rows(b, f.Fields, prefix+f.Target+"[].")
		}
	}
}

func entityOrder(e string) int {
	for i, x := range connectors.Entities() {
		if string(x) == e {
			return i
		}
	}
	return len(connectors.Entities())
}

// cell makes text fit a table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
