package spectest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"go.yaml.in/yaml/v4"
)

// The vendor specs the connectors are tested against, by their path under
// [Dir].
const (
	// AdobeCommerce is Adobe Commerce's (Magento 2) admin REST API, 2.4.9,
	// Swagger 2.
	AdobeCommerce = "adobe-commerce/admin-schema-2.4.9.yaml"
	// ShopwareAdmin is Shopware 6's Admin API, 6.7.10.1, OpenAPI 3.1.
	ShopwareAdmin = "shopware/adminApiSchema-6.7.10.1.json.gz"
)

// EnvDir names the folder of the vendor specs; RequireEnv, set to 1, makes
// a missing spec fail a test instead of skipping it.
const (
	EnvDir     = "SWITCHBOARD_SPECS"
	RequireEnv = "SWITCHBOARD_REQUIRE_IT"
)

// Dir is the folder of the vendor specs: $SWITCHBOARD_SPECS, or
// ../shared/specs next to the repository (the folder holding go.mod).
func Dir() string {
	if d := os.Getenv(EnvDir); d != "" {
		return d
	}
	return filepath.Join(repoRoot(), "..", "shared", "specs")
}

// repoRoot is the nearest folder up from the working directory that holds
// go.mod; the working directory when there is none.
func repoRoot() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		if filepath.Dir(dir) == dir {
			return wd
		}
	}
}

// Require returns the path of a spec under [Dir]. When the file is absent
// the test is skipped, or fails with SWITCHBOARD_REQUIRE_IT=1.
func Require(t testing.TB, rel string) string {
	t.Helper()
	path := filepath.Join(Dir(), filepath.FromSlash(rel))
	if _, err := os.Stat(path); err != nil {
		msg := fmt.Sprintf("the vendor spec %s is not in %s (set %s to the specs folder): %v", rel, Dir(), EnvDir, err)
		if os.Getenv(RequireEnv) == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

// Spec is a loaded vendor spec: the document as OpenAPI 3 and a router for
// its operations, which match on paths under Base whatever the host.
type Spec struct {
	// Name is the spec's path under Dir.
	Name string
	// Doc is the document, repaired and converted to OpenAPI 3.
	Doc *openapi3.T
	// Base is the path the API's operations are under: the first
	// server's path, such as /rest/default or /api.
	Base   string
	router routers.Router
	// checked is Doc as requests are validated against it: a 3.1 document
	// is validated by kin-openapi's own validator (which takes 3.1's lists
	// of types), not by JSON Schema 2020-12, which compiles the schema
	// again for every request (a second for Shopware's product).
	checked *openapi3.T
}

type loaded struct {
	once sync.Once
	spec *Spec
	err  error
}

var cache sync.Map // path -> *loaded

// Load returns the spec at rel under Dir, read and repaired once per test
// binary: loading a large spec takes seconds. A missing file skips the
// test (see [Require]); one that does not load fails it.
func Load(t testing.TB, rel string) *Spec {
	t.Helper()
	return loadOnce(t, Require(t, rel), rel)
}

// LoadFile returns the spec in a file of the repository (a test's own
// small spec), read once per test binary, without repairs.
func LoadFile(t testing.TB, path string) *Spec {
	t.Helper()
	return loadOnce(t, path, filepath.Base(path))
}

func loadOnce(t testing.TB, path, name string) *Spec {
	t.Helper()
	entry, _ := cache.LoadOrStore(path, &loaded{})
	l := entry.(*loaded)
	l.once.Do(func() { l.spec, l.err = load(path, name) })
	if l.err != nil {
		t.Fatalf("loading the spec %s: %v", name, l.err)
	}
	return l.spec
}

// load reads, repairs and converts a spec and builds its router.
func load(path, rel string) (*Spec, error) {
	raw, err := readDocument(path)
	if err != nil {
		return nil, err
	}
	for _, f := range Fixups[rel] {
		if err := f.Apply(raw); err != nil {
			return nil, fmt.Errorf("fixup %q: %w", f.What, err)
		}
	}
	doc, err := toV3(raw)
	if err != nil {
		return nil, err
	}
	if _, v2 := raw["swagger"]; v2 {
		nullable(doc)
	}
	partialPatches(doc)
	base := basePath(doc)
	doc.Servers = openapi3.Servers{{URL: base}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("building the router: %w", err)
	}
	checked := *doc
	if doc.IsOpenAPI31OrLater() {
		checked.OpenAPI = "3.0.3"
	}
	return &Spec{Name: rel, Doc: doc, Base: base, router: router, checked: &checked}, nil
}

// readDocument decodes a JSON or YAML file, gzipped when it ends in .gz,
// into plain maps and lists.
func readDocument(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	var doc any
	if strings.HasSuffix(strings.TrimSuffix(path, ".gz"), ".json") {
		err = json.Unmarshal(data, &doc) // JSON is read ten times faster so than as YAML
	} else {
		err = yaml.Unmarshal(data, &doc)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m, ok := plain(doc).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: not a JSON or YAML object", path)
	}
	return m, nil
}

// plain turns YAML's maps with keys of any type into map[string]any.
func plain(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = plain(e)
		}
		return x
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = plain(e)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = plain(e)
		}
	}
	return v
}

// toV3 loads a document as OpenAPI 3, converting Swagger 2.
func toV3(raw map[string]any) (*openapi3.T, error) {
	data, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	if _, v2 := raw["swagger"]; !v2 {
		var doc openapi3.T
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("loading as OpenAPI 3: %w", err)
		}
		if err := openapi3.NewLoader().ResolveRefsIn(&doc, nil); err != nil {
			return nil, fmt.Errorf("resolving the references: %w", err)
		}
		return &doc, nil
	}
	var v2doc openapi2.T
	if err := json.Unmarshal(data, &v2doc); err != nil {
		return nil, fmt.Errorf("loading as Swagger 2: %w", err)
	}
	doc, err := openapi2conv.ToV3(&v2doc)
	if err != nil {
		return nil, fmt.Errorf("converting Swagger 2 to OpenAPI 3: %w", err)
	}
	return doc, nil
}

// basePath is the path of the document's first server ("" for none).
func basePath(doc *openapi3.T) string {
	if len(doc.Servers) == 0 {
		return ""
	}
	u, err := url.Parse(doc.Servers[0].URL)
	if err != nil {
		return ""
	}
	return strings.TrimRight(u.Path, "/")
}

// partialPatches makes the body of every PATCH operation a partial record:
// an update sends the fields it changes, so the required properties at the
// top of its schema are not required (RFC 7396). Specs generated from an
// entity's definition (Shopware's) give PATCH the entity's whole schema.
func partialPatches(doc *openapi3.T) {
	for _, item := range doc.Paths.Map() {
		if item.Patch == nil || item.Patch.RequestBody == nil || item.Patch.RequestBody.Value == nil {
			continue
		}
		for _, media := range item.Patch.RequestBody.Value.Content {
			if media.Schema == nil || media.Schema.Value == nil {
				continue
			}
			partial := *media.Schema.Value
			partial.Required = nil
			media.Schema = &openapi3.SchemaRef{Value: &partial}
		}
	}
}

// nullable lets every value of a document converted from Swagger 2 be
// null: Swagger 2 cannot say that a property may be null, and apps
// described with it (Adobe Commerce) answer null for values they lack.
func nullable(doc *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(ref *openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		s.Nullable = true
		for _, p := range s.Properties {
			walk(p)
		}
		walk(s.Items)
		walk(s.AdditionalProperties.Schema)
		for _, list := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
			for _, r := range list {
				walk(r)
			}
		}
	}
	for _, ref := range doc.Components.Schemas {
		walk(ref)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, p := range op.Parameters {
				if p.Value != nil {
					walk(p.Value.Schema)
				}
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, mt := range op.RequestBody.Value.Content {
					walk(mt.Schema)
				}
			}
			for _, resp := range op.Responses.Map() {
				if resp.Value != nil {
					for _, mt := range resp.Value.Content {
						walk(mt.Schema)
					}
				}
			}
		}
	}
}
