package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-app/switchboard/app"
	"github.com/switchboard-app/switchboard/mappings"
)

// mapRow is one target field of the mapping editor: its default
// expression (from the connector's default mapping), its documentation
// and type (canonical fields), and this flow's own expression.
type mapRow struct {
	Path string
	// Input names the row's expression in the form: "e.billing.country",
	// or "ae.2" for a field the user added.
	Input, DropInput, TargetInput string
	// ID is the expression's element id: its input name without dots.
	ID        string
	Kind, Doc string
	Required  bool
	Default   string
	// Head rows are lists (each element becomes an object, "each" names
	// the list they come from); Sub rows are the fields of each element.
	Head, Sub bool
	Own       string
	// OwnDoc is the note the flow's own field carries, kept on save.
	OwnDoc string
	Drop   bool
	// Added rows are fields the user added, with an editable target.
	Added bool
	Error string
}

// mapSide is what the editor edits: one direction of a flow's mapping.
type mapSide struct {
	Dir      mappings.Direction
	Defaults []mappings.Field
	Own      []mappings.Field
}

func newMapSide(cfg mappings.FlowConfig, dir mappings.Direction) mapSide {
	side := mapSide{Dir: dir, Own: cfg.InOverrides}
	def := cfg.In
	if dir == mappings.Out {
		side.Own, def = cfg.OutOverrides, cfg.Out
	}
	if def != nil {
		side.Defaults = def.Fields
	}
	return side
}

// rows lays out the editor's rows: every canonical field when reading
// (the model's fields with the defaults' expressions), the default
// mapping's fields when writing, then the flow's own fields that are
// neither, and blank rows to add fields.
func (s mapSide) rows(model app.ModelEntity) []mapRow {
	defaults := map[string]mapRow{}
	var order []string
	flattenDefaults(s.Defaults, "", false, defaults, &order)
	var rows []mapRow
	seen := map[string]bool{}
	add := func(r mapRow) {
		if seen[r.Path] {
			return
		}
		seen[r.Path] = true
		if d, ok := defaults[r.Path]; ok {
			r.Default, r.Head = d.Default, r.Head || d.Head
		}
		rows = append(rows, r)
	}
	if s.Dir == mappings.In {
		for _, r := range modelRows(model.Fields, false) {
			add(r)
		}
	}
	for _, p := range order {
		add(defaults[p])
	}
	for i := range rows {
		rows[i].Input, rows[i].DropInput = "e."+rows[i].Path, "d."+rows[i].Path
		rows[i].ID = strings.ReplaceAll(rows[i].Input, ".", "-")
	}
	return s.withOwn(rows)
}

// withOwn fills in the flow's own expressions, and adds rows for own
// fields that match no row.
func (s mapSide) withOwn(rows []mapRow) []mapRow {
	index := map[string]int{}
	for i, r := range rows {
		index[r.Path] = i
	}
	var lists, extra []mapRow
	var walk func(fields []mappings.Field, prefix string)
	walk = func(fields []mappings.Field, prefix string) {
		for _, f := range fields {
			path := prefix + f.Target
			i, ok := index[path]
			switch {
			case ok && f.Drop:
				rows[i].Drop = true
			case ok:
				rows[i].Own, rows[i].OwnDoc = f.Expr, f.Doc
				if f.Each != "" {
					rows[i].Own = f.Each
					leftOut(rows, f, path)
				}
			case f.Each != "":
				lists = append(lists, ownList(f, path, prefix != "")...)
				continue
			case f.Expr != "":
				extra = append(extra, mapRow{Path: path, Own: f.Expr, OwnDoc: f.Doc, Added: true})
			}
			walk(f.Fields, path+".")
		}
	}
	walk(s.Own, "")
	for j := range lists {
		lists[j].Input, lists[j].DropInput = "e."+lists[j].Path, "d."+lists[j].Path
		lists[j].ID = strings.ReplaceAll(lists[j].Input, ".", "-")
	}
	for len(extra) < 3 {
		extra = append(extra, mapRow{Added: true})
	}
	for j := range extra {
		extra[j].Input, extra[j].TargetInput = "ae."+strconv.Itoa(j), "at."+strconv.Itoa(j)
		extra[j].ID = "ae-" + strconv.Itoa(j)
	}
	return append(append(rows, lists...), extra...)
}

// leftOut marks the element fields of the list at path that the flow's
// own list f does not have as left out: its own list replaces the
// default's, so a default element field it lacks is not written, and the
// editor shows it so and saves the list again without it.
func leftOut(rows []mapRow, f mappings.Field, path string) {
	own := map[string]bool{}
	var walk func(fields []mappings.Field, prefix string)
	walk = func(fields []mappings.Field, prefix string) {
		for _, c := range fields {
			own[prefix+c.Target] = true
			walk(c.Fields, prefix+c.Target+".")
		}
	}
	walk(f.Fields, path+".")
	for i := range rows {
		if strings.HasPrefix(rows[i].Path, path+".") && rows[i].Default != "" && !own[rows[i].Path] {
			rows[i].Drop = true
		}
	}
}

// ownList lays out a list the flow's own fields add (an each that no
// default has) as a head row followed by its elements' fields, a list
// inside it the same way, so that the editor shows it as the list it is
// and saves it again as one.
func ownList(f mappings.Field, path string, sub bool) []mapRow {
	out := []mapRow{{Path: path, Own: f.Each, OwnDoc: f.Doc, Head: true, Sub: sub}}
	for _, c := range f.Fields {
		p := path + "." + c.Target
		if c.Each != "" {
			out = append(out, ownList(c, p, true)...)
			continue
		}
		out = append(out, mapRow{Path: p, Own: c.Expr, OwnDoc: c.Doc, Sub: true})
	}
	return out
}

// flattenDefaults lists a mapping's fields as rows, by path.
func flattenDefaults(fields []mappings.Field, prefix string, sub bool, out map[string]mapRow, order *[]string) {
	for _, f := range fields {
		path := prefix + f.Target
		r := mapRow{Path: path, Default: f.Expr, Doc: f.Doc, Sub: sub}
		if f.Each != "" {
			r.Default, r.Head = f.Each, true
		}
		if _, dup := out[path]; !dup {
			*order = append(*order, path)
		}
		out[path] = r
		flattenDefaults(f.Fields, path+".", sub || f.Each != "", out, order)
	}
}

// modelRows lists the canonical fields a mapping sets: objects by their
// members, lists as a head and their element's fields; custom attributes
// are added by hand.
func modelRows(fields []app.ModelField, sub bool) []mapRow {
	var out []mapRow
	for _, f := range fields {
		switch f.Kind {
		case "object":
			out = append(out, modelRows(f.Fields, sub)...)
		case "list":
			out = append(out, mapRow{Path: f.Path, Kind: f.Kind, Doc: f.Doc, Required: f.Required, Head: true})
			out = append(out, modelRows(f.Fields, true)...)
		case "attributes":
		default:
			out = append(out, mapRow{Path: f.Path, Kind: f.Kind, Doc: f.Doc, Required: f.Required, Sub: sub})
		}
	}
	return out
}

// readRows overlays the submitted form on the rows: the own expressions,
// the fields left out and the added fields.
func readRows(r *http.Request, rows []mapRow) []mapRow {
	out := make([]mapRow, len(rows))
	for i, row := range rows {
		if row.Added {
			row.Path = strings.TrimSpace(r.PostFormValue(row.TargetInput))
		} else {
			row.Drop = r.PostFormValue(row.DropInput) == "on"
		}
		row.Own = strings.TrimSpace(r.PostFormValue(row.Input))
		out[i] = row
	}
	return out
}

// overrides turns the rows into the flow's own fields: a list whose
// source is set carries all its element's fields; an element field set
// alone changes only that field of the default list.
func overrides(rows []mapRow) []mappings.Field {
	var out []mappings.Field
	for i := 0; i < len(rows); i++ {
		row := rows[i]
		switch {
		case row.Added && (row.Path == "" || row.Own == ""):
		case row.Drop && !row.Added:
			out = append(out, mappings.Field{Target: row.Path, Drop: true})
		case row.Head && row.Own != "":
			var head mappings.Field
			head, i = listField(rows, i)
			out = append(out, head)
		case row.Own != "" && !row.Head:
			out = append(out, mappings.Field{Target: row.Path, Expr: row.Own, Doc: row.OwnDoc})
		}
	}
	return out
}

// listField is the list of the head row rows[i] with every field of its
// elements (the flow's own expression, or the default's), a list inside
// it as a list; it returns the position of the list's last row. A field
// left out, or a list inside it without a source, is not written.
func listField(rows []mapRow, i int) (mappings.Field, int) {
	head := rows[i]
	prefix := head.Path + "."
	list := mappings.Field{Target: head.Path, Each: firstOf(head.Own, head.Default), Doc: head.OwnDoc}
	for i+1 < len(rows) && strings.HasPrefix(rows[i+1].Path, prefix) {
		i++
		row := rows[i]
		var f mappings.Field
		switch {
		case row.Head:
			f, i = listField(rows, i)
			if row.Drop || f.Each == "" {
				continue
			}
		case row.Drop || firstOf(row.Own, row.Default) == "":
			continue
		default:
			f = mappings.Field{Target: row.Path, Expr: firstOf(row.Own, row.Default), Doc: row.OwnDoc}
		}
		f.Target = strings.TrimPrefix(f.Target, prefix)
		list.Fields = append(list.Fields, f)
	}
	return list, i
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
