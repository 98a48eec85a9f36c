package mappings

import "github.com/switchboard-app/switchboard/mappings/canonical"

// OutputPaths lists the fields of the records the program writes, in the
// order its write mapping lists them, as dotted paths ("number",
// "lines.sku": a list's elements are passed through). Without a write
// mapping the target takes canonical records, and the paths follow the
// canonical model. Writers of ordered formats (XML elements) follow them.
func (p *Program) OutputPaths() []string {
	return p.outPaths
}

// outputPaths computes what OutputPaths returns, once, at compile time.
func (p *Program) outputPaths() []string {
	var out []string
	if p.hasOut {
		mappedPaths(p.out, "", &out)
		return out
	}
	if e, err := canonical.Get(p.entity); err == nil {
		modelPaths(e.Fields, "", &out)
	}
	return out
}

func mappedPaths(fields []cfield, prefix string, out *[]string) {
	for i := range fields {
		f := &fields[i]
		path := childPath(prefix, f.name)
		*out = append(*out, path)
		mappedPaths(f.kids, path, out)
		mappedPaths(f.sub, path, out)
	}
}

func modelPaths(fields []*canonical.Field, prefix string, out *[]string) {
	for _, f := range fields {
		path := childPath(prefix, f.Name)
		*out = append(*out, path)
		modelPaths(f.Fields, path, out)
	}
}

func childPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}
