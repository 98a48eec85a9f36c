package spectest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Call is one request that conforms to the spec, as a handler gets it.
type Call struct {
	// Op names the operation as "METHOD /path", the path as the spec
	// writes it: "GET /V1/products/{sku}".
	Op string
	// Request is the request; its body has been read into Body.
	Request *http.Request
	// Params are the path parameters by name, unescaped.
	Params map[string]string
	// Query is the request's query.
	Query url.Values
	// Body is the request's JSON body, numbers as json.Number; nil when it
	// has none.
	Body any
	// Store is the server's store.
	Store *Store
}

// Reply is a handler's answer.
type Reply struct {
	Status int
	// Body is encoded as JSON; nil sends no body.
	Body   any
	Header http.Header
}

// JSON is a reply with a status and a JSON body.
func JSON(status int, body any) Reply { return Reply{Status: status, Body: body} }

// Handler answers the calls of one operation.
type Handler func(c *Call) Reply

// Server is a fake app that answers as the spec says, once a request
// conforms to it.
type Server struct {
	// URL is the API's base address: the server's address and the spec's
	// base path.
	URL string
	// Origin is the server's address alone: http://127.0.0.1:port.
	Origin string
	// Store keeps the records the handlers create and read.
	Store *Store
	spec  *Spec
	srv   *httptest.Server

	mu       sync.Mutex
	handlers map[string]Handler
	aliases  []string
	auth     func(r *http.Request) error
	errBody  func(status int, msg string) any
	refusals []string // requests refused for not conforming
	faults   []string // answers of the fake that do not conform
	calls    []string
}

// New starts a fake of the spec. When the test ends the server stops, and
// the test fails for each request it refused that the test did not take
// with TakeRefusals, and for each answer of the fake's that does not fit
// the spec (a handler's or seeded record's fault).
func New(t testing.TB, spec *Spec) *Server {
	t.Helper()
	s := &Server{Store: NewStore(), spec: spec, handlers: map[string]Handler{},
		errBody: func(_ int, msg string) any { return map[string]any{"message": msg} }}
	s.srv = httptest.NewServer(s)
	s.URL, s.Origin = s.srv.URL+spec.Base, s.srv.URL
	t.Cleanup(func() {
		s.srv.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, r := range s.refusals {
			t.Errorf("the fake %s refused a request that does not conform to the spec: %s", spec.Name, r)
		}
		for _, f := range s.faults {
			t.Errorf("the fake %s answered what the spec does not allow: %s", spec.Name, f)
		}
	})
	return s
}

// Handle sets the handler of an operation, named "METHOD /path" as the
// spec writes the path. An operation the spec lacks is a test's mistake
// and panics.
func (s *Server) Handle(op string, h Handler) {
	if _, err := s.spec.Operation(op); err != nil {
		panic(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[op] = h
}

// Alias serves the API under another base path too, as apps do that
// take a variable first segment (Adobe Commerce's /rest/<store code>).
func (s *Server) Alias(base string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.aliases = append(s.aliases, strings.TrimRight(base, "/"))
}

// unalias moves a request under an alias to the spec's base path.
func (s *Server) unalias(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.aliases {
		if rest, ok := strings.CutPrefix(r.URL.EscapedPath(), a+"/"); ok {
			if u, err := url.Parse(s.spec.Base + "/" + rest); err == nil {
				r.URL.Path, r.URL.RawPath = u.Path, u.RawPath
			}
			return
		}
	}
}

// RequireAuth makes the server refuse (401) every request that check
// refuses, before anything else is looked at.
func (s *Server) RequireAuth(check func(r *http.Request) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth = check
}

// ErrorBody sets how the fake words its errors, as the app does; the
// default is {"message": msg}.
func (s *Server) ErrorBody(f func(status int, msg string) any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errBody = f
}

// TakeRefusals returns the requests refused so far for not conforming,
// and forgets them: a test that expects refusals takes them.
func (s *Server) TakeRefusals() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.refusals
	s.refusals = nil
	return out
}

// Calls lists the requests answered so far, as "METHOD /path?query STATUS".
func (s *Server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

// ServeHTTP checks a request against the spec and answers it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	uri := r.URL.RequestURI()
	status := s.serve(w, r)
	s.mu.Lock()
	s.calls = append(s.calls, fmt.Sprintf("%s %s %d", r.Method, uri, status))
	s.mu.Unlock()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) int {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return s.refuse(w, r, http.StatusBadRequest, "reading the body: "+err.Error())
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.unalias(r)
	route, params, err := s.spec.router.FindRoute(r)
	switch {
	case errors.Is(err, routers.ErrMethodNotAllowed):
		return s.refuse(w, r, http.StatusMethodNotAllowed, fmt.Sprintf("the spec has no %s operation on %s", r.Method, r.URL.Path))
	case err != nil:
		return s.refuse(w, r, http.StatusNotFound, fmt.Sprintf("the spec has no path %s", r.URL.Path))
	}
	op := r.Method + " " + route.Path
	if check := s.authCheck(); check != nil {
		if err := check(r); err != nil {
			return s.answer(w, op, route, Reply{Status: http.StatusUnauthorized, Body: s.errorBody(http.StatusUnauthorized, err.Error())})
		}
	}
	checked := *route
	checked.Spec = s.spec.checked
	if err := validateRequest(r, &checked, params, body); err != nil {
		return s.refuse(w, r, http.StatusBadRequest, op+": "+err.Error())
	}
	call := &Call{Op: op, Request: r, Params: unescape(params), Query: r.URL.Query(), Store: s.Store}
	if len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&call.Body); err != nil {
			return s.refuse(w, r, http.StatusBadRequest, op+": the body is not JSON: "+err.Error())
		}
	}
	return s.answer(w, op, route, s.handle(call, route))
}

func (s *Server) authCheck() func(*http.Request) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.auth
}

func (s *Server) errorBody(status int, msg string) any {
	s.mu.Lock()
	f := s.errBody
	s.mu.Unlock()
	return f(status, msg)
}

// handle runs the operation's handler, or answers its example.
func (s *Server) handle(c *Call, route *routers.Route) Reply {
	s.mu.Lock()
	h := s.handlers[c.Op]
	s.mu.Unlock()
	if h != nil {
		return h(c)
	}
	status, ref := successResponse(route.Operation)
	if ref == nil {
		return Reply{Status: status}
	}
	return Reply{Status: status, Body: Example(ref), Header: http.Header{"X-Spectest-Example": {"1"}}}
}

// refuse answers a request that does not conform, and keeps the reason.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, status int, msg string) int {
	s.mu.Lock()
	s.refusals = append(s.refusals, msg)
	s.mu.Unlock()
	writeJSON(w, status, nil, s.errorBody(status, msg))
	return status
}

// answer writes a reply, checking it against the operation's responses.
func (s *Server) answer(w http.ResponseWriter, op string, route *routers.Route, rep Reply) int {
	if rep.Status == 0 {
		rep.Status = http.StatusOK
	}
	if rep.Header.Get("X-Spectest-Example") == "" {
		if err := checkResponse(route.Operation, rep.Status, rep.Body); err != nil {
			s.mu.Lock()
			s.faults = append(s.faults, op+": "+err.Error())
			s.mu.Unlock()
		}
	}
	writeJSON(w, rep.Status, rep.Header, rep.Body)
	return rep.Status
}

func writeJSON(w http.ResponseWriter, status int, header http.Header, body any) {
	for k, vs := range header {
		w.Header()[k] = vs
	}
	if body == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func unescape(params map[string]string) map[string]string {
	out := make(map[string]string, len(params))
	for k, v := range params {
		if u, err := url.PathUnescape(v); err == nil {
			v = u
		}
		out[k] = v
	}
	return out
}

// validateRequest checks the request against its operation: parameters,
// headers, body (kin-openapi), no undeclared query parameter, and no
// property the body's schema does not name.
func validateRequest(r *http.Request, route *routers.Route, params map[string]string, body []byte) error {
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			RejectWhenRequestBodyNotSpecified: true}}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		return errors.New(oneLine(err))
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if unknown := unknownQuery(route.PathItem, route.Operation, r.URL.Query()); len(unknown) > 0 {
		return fmt.Errorf("query parameters the operation does not declare: %s", strings.Join(unknown, ", "))
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return fmt.Errorf("the body is not JSON: %w", err)
	}
	return checkValue(requestSchema(route.Operation), value, "the body")
}

// requestSchema is the JSON schema of an operation's body, if any.
func requestSchema(op *openapi3.Operation) *openapi3.SchemaRef {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil {
		return mt.Schema
	}
	return nil
}

// checkResponse checks an answer against the operation's response for
// its status (or the default response for an error). A status the
// operation does not declare, with no default, is not checked.
func checkResponse(op *openapi3.Operation, status int, body any) error {
	resp := op.Responses.Status(status)
	if resp == nil && status >= 400 {
		resp = op.Responses.Default()
	}
	if resp == nil || resp.Value == nil {
		return nil
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		if body != nil && len(resp.Value.Content) == 0 {
			return fmt.Errorf("status %d has no body in the spec, but the fake sent one", status)
		}
		return nil
	}
	return checkValue(mt.Schema, body, "the answer "+strconv.Itoa(status))
}

// successResponse is the operation's first 2xx status and its JSON
// schema.
func successResponse(op *openapi3.Operation) (int, *openapi3.SchemaRef) {
	var codes []string
	for code := range op.Responses.Map() {
		if strings.HasPrefix(code, "2") {
			codes = append(codes, code)
		}
	}
	sort.Strings(codes)
	if len(codes) == 0 {
		return http.StatusOK, nil
	}
	status, _ := strconv.Atoi(codes[0])
	resp := op.Responses.Value(codes[0])
	if resp == nil || resp.Value == nil {
		return status, nil
	}
	if mt := resp.Value.Content.Get("application/json"); mt != nil {
		return status, mt.Schema
	}
	return status, nil
}

// Operation returns the operation named "METHOD /path".
func (sp *Spec) Operation(op string) (*openapi3.Operation, error) {
	method, path, ok := strings.Cut(op, " ")
	if !ok {
		return nil, fmt.Errorf("operation %q: want \"METHOD /path\"", op)
	}
	item := sp.Doc.Paths.Value(path)
	if item == nil || item.GetOperation(strings.ToUpper(method)) == nil {
		return nil, fmt.Errorf("the spec %s has no operation %s", sp.Name, op)
	}
	return item.GetOperation(strings.ToUpper(method)), nil
}

// CheckRequestBody checks a body against the JSON body schema of the
// operation named "METHOD /path": what a connector sends, or a golden
// file's output, must fit it.
func (sp *Spec) CheckRequestBody(op string, body any) error {
	o, err := sp.Operation(op)
	if err != nil {
		return err
	}
	ref := requestSchema(o)
	if ref == nil {
		return fmt.Errorf("%s takes no JSON body", op)
	}
	return checkValue(ref, body, op+": the body")
}

// CheckResponse checks a body against the operation's response for
// status: a golden file's input must be what the app answers.
func (sp *Spec) CheckResponse(op string, status int, body any) error {
	o, err := sp.Operation(op)
	if err != nil {
		return err
	}
	if o.Responses.Status(status) == nil {
		return fmt.Errorf("%s has no %d response in the spec", op, status)
	}
	return checkResponse(o, status, body)
}

// SchemaOf returns a named schema of the document's components, for
// checking a record (a list's element) against it.
func (sp *Spec) SchemaOf(name string) (*openapi3.SchemaRef, error) {
	ref := sp.Doc.Components.Schemas[name]
	if ref == nil {
		return nil, fmt.Errorf("the spec %s has no schema %s", sp.Name, name)
	}
	return ref, nil
}

// CheckSchema checks a value against a named schema of the components.
func (sp *Spec) CheckSchema(name string, v any) error {
	ref, err := sp.SchemaOf(name)
	if err != nil {
		return err
	}
	return checkValue(&openapi3.SchemaRef{Ref: "#/components/schemas/" + name, Value: ref.Value}, v, name)
}

// Spec returns the spec the server follows.
func (s *Server) Spec() *Spec { return s.spec }

// CheckPartial checks the changes of a record against a named schema of
// the components, as a PATCH's body: the properties it holds must fit,
// and none may be unknown, but the schema's required ones may be absent
// (an upsert of the sync API that changes a record's stock).
func (sp *Spec) CheckPartial(name string, v any) error {
	ref, err := sp.SchemaOf(name)
	if err != nil {
		return err
	}
	partial := *ref.Value
	partial.Required = nil
	return checkValue(&openapi3.SchemaRef{Ref: "#/components/schemas/" + name, Value: &partial}, v, name)
}

// Meet makes the calls h answers wait for one another until n of them are
// in, or for at most wait, as the calls of n workers that run at the same
// time meet; then each is answered by h.
func Meet(n int, wait time.Duration, h Handler) Handler {
	var mu sync.Mutex
	arrived, all := 0, make(chan struct{})
	return func(c *Call) Reply {
		mu.Lock()
		if arrived++; arrived == n {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
		case <-time.After(wait):
		}
		return h(c)
	}
}
