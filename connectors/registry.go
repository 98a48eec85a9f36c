package connectors

import (
	"fmt"
	"sort"
	"sync"
)

// Registration is a registered connector: its spec and constructor.
type Registration struct {
	Spec Spec
	New  Constructor
}

// Registry holds registered connectors. The package-level functions use the
// default registry that connector packages register into from init; tests
// can build their own with [NewRegistry].
type Registry struct {
	mu    sync.RWMutex
	byKey map[string]Registration
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byKey: map[string]Registration{}}
}

// Register adds a connector. It fails on a spec that does not pass
// [Spec.Check], a nil constructor or a name registered twice.
func (r *Registry) Register(spec Spec, ctor Constructor) error {
	if err := spec.Check(); err != nil {
		return fmt.Errorf("registering connector: %w", err)
	}
	if ctor == nil {
		return fmt.Errorf("registering connector %s: nil constructor", spec.Name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.byKey[spec.Name]; dup {
		return fmt.Errorf("registering connector %s: already registered", spec.Name)
	}
	r.byKey[spec.Name] = Registration{Spec: spec, New: ctor}
	return nil
}

// Lookup returns the connector registered under name.
func (r *Registry) Lookup(name string) (Registration, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	reg, ok := r.byKey[name]
	return reg, ok
}

// Specs returns every registered spec, sorted by name.
func (r *Registry) Specs() []Spec {
	r.mu.RLock()
	defer r.mu.RUnlock()
	specs := make([]Spec, 0, len(r.byKey))
	for _, reg := range r.byKey {
		specs = append(specs, reg.Spec)
	}
	sort.Slice(specs, func(i, j int) bool { return specs[i].Name < specs[j].Name })
	return specs
}

// Resolve validates a connection's config and secrets against the named
// connector's spec; an unknown connector is refused.
func (r *Registry) Resolve(name string, values map[string]any, secrets map[string]string) (Config, error) {
	reg, ok := r.Lookup(name)
	if !ok {
		return Config{}, fmt.Errorf("unknown connector %q", name)
	}
	return reg.Spec.Resolve(values, secrets)
}

// Open validates the config, with the connector's Validate step, and
// builds the connector.
func (r *Registry) Open(name string, values map[string]any, secrets map[string]string, env Env) (Connector, error) {
	reg, ok := r.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown connector %q", name)
	}
	cfg, err := reg.Spec.ResolveAndValidate(values, secrets, env)
	if err != nil {
		return nil, err
	}
	c, err := reg.New(cfg, env)
	if err != nil {
		return nil, fmt.Errorf("opening %s connector: %w", name, err)
	}
	return c, nil
}

// Default is the registry connector packages register into.
var Default = NewRegistry()

// Register adds a connector to the default registry and panics on a bad
// spec: it is called from init, where a mistake is a programming error.
func Register(spec Spec, ctor Constructor) {
	if err := Default.Register(spec, ctor); err != nil {
		panic(err)
	}
}

// Lookup returns a connector from the default registry.
func Lookup(name string) (Registration, bool) { return Default.Lookup(name) }

// Specs lists the default registry's specs, sorted by name.
func Specs() []Spec { return Default.Specs() }
