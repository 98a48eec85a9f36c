package app

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestModelRoute: GET /api/switchboard/model serves every entity with its
// fields' paths, types and documentation, nested fields included.
func TestModelRoute(t *testing.T) {
	env := newTestEnv(t)
	mux := servedMux(t, env)
	req := httptest.NewRequest(http.MethodGet, APIPrefix+"/model", nil)
	req.Header.Set("Authorization", env.tokens[RoleViewer])
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	var model Model
	if err := json.Unmarshal(rec.Body.Bytes(), &model); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("%d %v", rec.Code, err)
	}
	find := func(fields []ModelField, path string) *ModelField {
		for i := range fields {
			if fields[i].Path == path {
				return &fields[i]
			}
		}
		return nil
	}
	var order *ModelEntity
	for i := range model.Entities {
		if model.Entities[i].Name == "order" {
			order = &model.Entities[i]
		}
	}
	if len(model.Entities) != 6 || order == nil || order.Key != "number" {
		t.Fatalf("entities %+v", model.Entities)
	}
	for _, tc := range []struct{ path, parent, kind string }{
		{"number", "", "string"}, {"billing", "", "object"}, {"billing.country", "billing", "country"},
		{"lines", "", "list"}, {"lines.unit_price", "lines", "decimal"},
	} {
		fields := order.Fields
		if tc.parent != "" {
			fields = find(order.Fields, tc.parent).Fields
		}
		f := find(fields, tc.path)
		if f == nil || f.Kind != tc.kind || f.Doc == "" {
			t.Errorf("%s: %+v, want kind %s with a doc", tc.path, f, tc.kind)
		}
	}
}

// TestFunctionsRoute: the function library is served with its examples.
func TestFunctionsRoute(t *testing.T) {
	env := newTestEnv(t)
	mux := servedMux(t, env)
	req := httptest.NewRequest(http.MethodGet, APIPrefix+"/functions", nil)
	req.Header.Set("Authorization", env.tokens[RoleViewer])
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	var fns []FunctionDoc
	if err := json.Unmarshal(rec.Body.Bytes(), &fns); err != nil {
		t.Fatal(err)
	}
	for _, f := range fns {
		if f.Name == "round_to" {
			if len(f.Examples) == 0 || f.Examples[0].Result != "1.05" || f.Signature != "round_to(x, step)" {
				t.Fatalf("round_to: %+v", f)
			}
			return
		}
	}
	t.Fatalf("no round_to among %d functions", len(fns))
}
