package mappings

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/switchboard-app/switchboard/mappings/canonical"
	"github.com/switchboard-app/switchboard/mappings/decimal"
)

// Rules and out mappings read the canonical record, which holds only the
// model's fields: a name that is not one of them is nil on every record
// (or, when the record has it, fails validation), so it is refused when
// the flow is compiled. The check is conservative: what it cannot follow
// (a computed key, a function's result, a predicate's element, anything
// below attributes) is not checked.

// shape is what is known of a value an expression reads: the record, an
// object or a list of the model, an element of a list, a list's scope
// object, or (kind "") nothing, and then nothing below it is checked.
type shape struct {
	kind  canonical.Kind
	field *canonical.Field // Object: its members; List: the list, whose element's members are the list's
	path  string           // canonical path, "" for the record
	scope *listScope       // a list's scope object: item, index, parent and root
}

// listScope is what the expressions of a list's elements run with: a list
// rule's ("lines[].total"), or the fields of an out mapping's each.
type listScope struct {
	item   shape // the element
	parent shape // the enclosing scope: the record, or the outer list's scope
}

// unchecked is a value nothing is known of.
var unchecked = shape{}

// modelNames checks the names expressions read from the canonical records
// of one entity.
type modelNames struct {
	entity string
	record shape
	// whole are the paths of objects and lists a rule sets as a whole:
	// until it has run they may hold anything, so nothing below is checked.
	whole map[string]bool
	// lastSet is, by field path ("lines.kind" for "lines[].kind"), the
	// position of the last enabled rule that sets it: a value set before
	// may still be translated into one of an enumeration's.
	lastSet map[string]int
}

// newModelNames checks names against entity's model; rules are the flow's
// rules (for the fields they set as a whole). It is nil for an unknown entity.
func newModelNames(entity string, rules []Rule) *modelNames {
	e, err := canonical.Get(entity)
	if err != nil {
		return nil
	}
	root := &canonical.Field{Name: entity, Kind: canonical.Object, Fields: e.Fields}
	m := &modelNames{entity: entity, record: shape{kind: canonical.Object, field: root}, whole: map[string]bool{},
		lastSet: map[string]int{}}
	for i := range rules {
		path := rulePath(rules[i].Field)
		if f, err := canonical.Lookup(entity, path); err == nil && (f.Kind == canonical.Object || f.Kind == canonical.List) {
			m.whole[path] = true
		}
		if path != "" && !rules[i].Disabled && rules[i].Kind != RuleFilter {
			m.lastSet[path] = i
		}
	}
	return m
}

// rulePath is a rule's field as a model path: "lines.kind" for "lines[].kind".
func rulePath(field string) string { return strings.Replace(field, "[].", ".", 1) }

// setLater reports whether an enabled rule after position i (-1: the
// mapping in, before every rule) sets the field at path, which may then
// translate a value into one of its enumeration's.
func (m *modelNames) setLater(i int, path string) bool {
	last, ok := m.lastSet[path]
	return ok && last > i
}

// checkLiteral refuses v, a literal value for field f at path, set at
// position i (-1: by the mapping in), when it cannot convert to the
// field's kind or, unless a later rule sets the field, is not one of its
// allowed values: either fails every record it is set on.
func (m *modelNames) checkLiteral(f *canonical.Field, path string, i int, v any) error {
	if f.Enum == nil || m.setLater(i, path) {
		_, err := f.Coerce(v)
		return err
	}
	_, err := f.Convert(v)
	return err
}

// listEnv is the scope of the elements of the list field at path (e.g.
// "lines" or "prices.price_lists") within parent.
func (m *modelNames) listEnv(path string, parent shape) shape {
	item := unchecked
	if f, err := canonical.Lookup(m.entity, path); err == nil && f.Kind == canonical.List && !m.whole[path] {
		item = shape{kind: canonical.Object, field: f, path: path}
	}
	return shape{scope: &listScope{item: item, parent: parent}}
}

// eachEnv is the scope of the fields of an out mapping's each: its item is
// an element of the list src gives, when src is a path to a list field.
func (m *modelNames) eachEnv(src string, env shape) shape {
	item := unchecked
	if tree, err := parser.Parse(src); err == nil {
		c := &nameCheck{m: m, env: env, locals: map[string]bool{}}
		if s, _, err := c.resolve(tree.Node); err == nil && s.kind == canonical.List {
			item = shape{kind: canonical.Object, field: s.field, path: s.path}
		}
	}
	return shape{scope: &listScope{item: item, parent: env}}
}

// check refuses src when it reads a name env does not have. The error is
// a *file.Error at the name.
func (m *modelNames) check(src string, env shape) error {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil // compiling reports it
	}
	c := &nameCheck{m: m, env: env, locals: map[string]bool{}, inner: map[ast.Node]bool{}}
	ast.Walk(&tree.Node, c)
	for _, n := range c.chains {
		if c.inner[n] {
			continue
		}
		if _, _, err := c.resolve(n); err != nil {
			return err
		}
	}
	return nil
}

// nameCheck collects the chains of names (prices.list, item.sku,
// $env["x"]) of one expression, and resolves them.
type nameCheck struct {
	m      *modelNames
	env    shape
	chains []ast.Node        // identifiers, members and optional chains, innermost first
	inner  map[ast.Node]bool // those that are part of a longer chain, and callees
	locals map[string]bool   // names declared with let
}

// Visit implements ast.Visitor.
func (c *nameCheck) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		c.chains = append(c.chains, n)
	case *ast.MemberNode:
		c.inner[n.Node] = true
		c.chains = append(c.chains, n)
	case *ast.ChainNode:
		c.inner[n.Node] = true
		c.chains = append(c.chains, n)
	case *ast.CallNode:
		c.inner[n.Callee] = true
	case *ast.VariableDeclaratorNode:
		c.locals[n.Name] = true
	}
}

// resolve follows a chain from the scope; it returns what the chain reads
// and the chain as written, or an error at the first name that is certainly
// not there.
func (c *nameCheck) resolve(n ast.Node) (shape, string, error) {
	switch x := n.(type) {
	case *ast.IdentifierNode:
		if x.Value == "$env" {
			return c.env, x.Value, nil
		}
		if c.locals[x.Value] {
			return unchecked, x.Value, nil
		}
		s, err := c.m.member(c.env, x.Value, x.Value, x)
		return s, x.Value, err
	case *ast.ChainNode:
		return c.resolve(x.Node)
	case *ast.MemberNode:
		return c.resolveMember(x)
	}
	return unchecked, "", nil
}

func (c *nameCheck) resolveMember(x *ast.MemberNode) (shape, string, error) {
	base, written, err := c.resolve(x.Node)
	if err != nil || (base.kind == "" && base.scope == nil) || x.Method {
		return unchecked, "", err
	}
	switch p := x.Property.(type) {
	case *ast.StringNode:
		written += "." + p.Value
		s, err := c.m.member(base, p.Value, written, p)
		return s, written, err
	case *ast.IntegerNode:
		if base.kind == canonical.List {
			return shape{kind: canonical.Object, field: base.field, path: base.path}, written + "[" + strconv.Itoa(p.Value) + "]", nil
		}
	}
	return unchecked, "", nil
}

// member is the member name of base, written as written; at is the node
// the error points at.
func (m *modelNames) member(base shape, name, written string, at ast.Node) (shape, error) {
	if base.scope != nil {
		return m.scopeMember(base.scope, name, written, at)
	}
	if base.kind != canonical.Object {
		return unchecked, nil
	}
	path := name
	if base.path != "" {
		path = base.path + "." + name
	}
	f := base.field.Child(name)
	if f == nil {
		msg := fmt.Sprintf("%s is not a field of %s", path, m.entity)
		if written != path {
			msg = written + ": " + msg
		}
		return unchecked, &file.Error{Location: at.Location(), Message: msg}
	}
	switch {
	case m.whole[path]:
		return unchecked, nil
	case f.Kind != canonical.Object && f.Kind != canonical.List:
		return shape{kind: f.Kind}, nil
	}
	return shape{kind: f.Kind, field: f, path: path}, nil
}

// scopeMember is a name of a list's scope object: item, index, parent or root.
func (m *modelNames) scopeMember(s *listScope, name, written string, at ast.Node) (shape, error) {
	switch name {
	case "item":
		return s.item, nil
	case "index":
		return shape{kind: canonical.Integer}, nil
	case "parent":
		return s.parent, nil
	case "root":
		return m.record, nil
	}
	msg := fmt.Sprintf("%s is not defined for a list's elements, which have item, index, parent and root", written)
	if m.record.field.Child(name) != nil {
		msg += fmt.Sprintf(" (the record's %s is root.%s)", name, name)
	}
	return unchecked, &file.Error{Location: at.Location(), Message: msg}
}

// literal returns the value of p's expression when it is a literal: text,
// a number, true or false (nil sets nothing and is not returned).
func literal(p *program) (any, bool) {
	if p.isConst {
		return p.konst, p.konst != nil
	}
	tree, err := parser.Parse(p.src)
	if err != nil {
		return nil, false
	}
	if _, ok := tree.Node.(*ast.FloatNode); ok {
		d, err := decimal.Parse(strings.TrimSpace(p.src))
		return d, err == nil
	}
	return nil, false
}
