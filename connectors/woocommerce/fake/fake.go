// Package fake is a stateful WooCommerce for tests, built from the
// WooCommerce REST API v3 reference (there is no published spec): it
// answers /wp-json/wc/v3/ with products and their variations, orders with
// their notes, customers and webhooks; authenticates with a consumer key
// and secret (Basic authentication, or the consumer_key and
// consumer_secret query parameters); pages lists with page and per_page
// (1 to 100) and the X-WP-Total and X-WP-TotalPages headers; filters
// orders and products by modified_after, after, status and sku; takes the
// batch endpoints (at most 100 records a call, a result per record); and
// refuses what WooCommerce refuses (a price that is not text, a duplicated
// SKU, an unknown status) with its error codes.
package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Base is the API's path.
const Base = "/wp-json/wc/v3/"

// Server is the fake shop; use New.
type Server struct {
	mu        sync.Mutex
	key       string
	secret    string
	next      int
	products  map[int]map[string]any
	orders    map[int]map[string]any
	customers map[int]map[string]any
	webhooks  map[int]map[string]any
	notes     map[int][]map[string]any
	clock     func() time.Time
	calls     map[string]int
	noPaging  bool // DropPagingHeaders
}

// DropPagingHeaders leaves out the X-WP-Total and X-WP-TotalPages headers
// from then on, as a proxy or a cache in front of a shop that passes on
// only the headers it knows does.
func (s *Server) DropPagingHeaders() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noPaging = true
}

// New returns a shop that takes the consumer key and secret.
func New(key, secret string) *Server {
	return &Server{key: key, secret: secret, next: 100, products: map[int]map[string]any{}, orders: map[int]map[string]any{},
		customers: map[int]map[string]any{}, webhooks: map[int]map[string]any{}, notes: map[int][]map[string]any{},
		clock: time.Now, calls: map[string]int{}}
}

// Calls counts the requests by method and route, such as
// "POST products/batch".
func (s *Server) Calls(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[route]
}

func (s *Server) now() string { return s.clock().UTC().Format("2006-01-02T15:04:05") }

func (s *Server) id() int { s.next++; return s.next }

// apiError is WooCommerce's error body.
func apiError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"code": code, "message": message, "data": map[string]any{"status": status}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ServeHTTP answers the REST API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route, ok := strings.CutPrefix(r.URL.Path, Base)
	if !ok {
		apiError(w, http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
		return
	}
	if !s.authorized(r) {
		apiError(w, http.StatusUnauthorized, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
		return
	}
	var body map[string]any
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		dec := json.NewDecoder(r.Body)
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil {
			apiError(w, http.StatusBadRequest, "rest_invalid_json", "Invalid JSON body passed.")
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	parts := strings.Split(strings.Trim(route, "/"), "/")
	s.calls[r.Method+" "+routeName(parts)]++
	status, answer, header := s.route(r, parts, body)
	for k, v := range header {
		if !s.noPaging || !strings.HasPrefix(k, "X-WP-Total") {
			w.Header().Set(k, v)
		}
	}
	if e, isErr := answer.(wooError); isErr {
		apiError(w, status, e.code, e.message)
		return
	}
	writeJSON(w, status, answer)
}

// routeName names a route with its ids as {id}: products/{id}/variations.
func routeName(parts []string) string {
	out := make([]string, len(parts))
	for i, p := range parts {
		if _, err := strconv.Atoi(p); err == nil {
			p = "{id}"
		}
		out[i] = p
	}
	return strings.Join(out, "/")
}

func (s *Server) authorized(r *http.Request) bool {
	key, secret, ok := r.BasicAuth()
	if !ok {
		key, secret = r.URL.Query().Get("consumer_key"), r.URL.Query().Get("consumer_secret")
	}
	return key == s.key && secret == s.secret
}

// wooError is a refusal with WooCommerce's code.
type wooError struct{ code, message string }

func refuse(status int, code, message string) (int, any, map[string]string) {
	return status, wooError{code, message}, nil
}

func (s *Server) route(r *http.Request, parts []string, body map[string]any) (int, any, map[string]string) {
	switch parts[0] {
	case "system_status":
		return http.StatusOK, map[string]any{"environment": map[string]any{"site_url": "https://shop.example.com", "version": "9.6.0"}}, nil
	case "products":
		return s.productsRoute(r, parts, body)
	case "orders":
		return s.ordersRoute(r, parts, body)
	case "customers":
		return s.customersRoute(r, parts, body)
	case "webhooks":
		return s.webhooksRoute(r, parts, body)
	}
	return refuse(http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
}

// list answers a list with WooCommerce's paging: page and per_page, and
// the X-WP-Total and X-WP-TotalPages headers.
func list(r *http.Request, items []map[string]any, match func(map[string]any) bool) (int, any, map[string]string) {
	q := r.URL.Query()
	perPage, page := 10, 1
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return refuse(http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): per_page (per_page must be between 1 (inclusive) and 100 (inclusive))")
		}
		perPage = n
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return refuse(http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): page")
		}
		page = n
	}
	var out []map[string]any
	for _, it := range items {
		if match(it) {
			out = append(out, it)
		}
	}
	orderBy := q.Get("orderby")
	key := map[string]string{"": "date_created_gmt", "id": "id", "date": "date_created_gmt", "modified": "date_modified_gmt"}[orderBy]
	if key == "" {
		return refuse(http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): orderby")
	}
	desc := q.Get("order") == "desc" || (q.Get("order") == "" && orderBy != "id") // WooCommerce: newest first unless asked
	sort.SliceStable(out, func(i, j int) bool {
		a, b := fmt.Sprintf("%20v", out[i][key]), fmt.Sprintf("%20v", out[j][key])
		if a == b {
			a, b = fmt.Sprintf("%20v", out[i]["id"]), fmt.Sprintf("%20v", out[j]["id"])
		}
		return (a < b) != desc
	})
	total := len(out)
	pages := (total + perPage - 1) / perPage
	start := min((page-1)*perPage, total)
	end := min(start+perPage, total)
	return http.StatusOK, append([]map[string]any{}, out[start:end]...),
		map[string]string{"X-WP-Total": strconv.Itoa(total), "X-WP-TotalPages": strconv.Itoa(pages)}
}

// since checks modified_after and after (ISO 8601, GMT).
func since(r *http.Request, rec map[string]any) bool {
	q := r.URL.Query()
	for param, field := range map[string]string{"modified_after": "date_modified_gmt", "after": "date_created_gmt"} {
		if v := q.Get(param); v != "" {
			want, err := parseWooTime(v)
			have, _ := parseWooTime(fmt.Sprint(rec[field]))
			if err != nil || !have.After(want) {
				return false
			}
		}
	}
	return true
}

func parseWooTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date: %q", s)
}

func values(m map[int]map[string]any) []map[string]any {
	out := make([]map[string]any, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func idOf(parts []string, i int) (int, bool) {
	if len(parts) <= i {
		return 0, false
	}
	n, err := strconv.Atoi(parts[i])
	return n, err == nil
}

func copyJSON(m map[string]any) map[string]any {
	data, _ := json.Marshal(m)
	var out map[string]any
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	_ = dec.Decode(&out)
	return out
}
