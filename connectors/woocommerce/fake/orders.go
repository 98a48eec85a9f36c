package fake

import (
	"fmt"
	"net/http"
	"strings"
)

var orderStatuses = []string{"pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "trash", "checkout-draft"}

// AddOrder keeps an order as the API would answer it (WooCommerce's
// example order), with its id and times when it has none; it returns the
// id.
func (s *Server) AddOrder(o map[string]any) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	o = copyJSON(o)
	id := toInt(o["id"])
	if id == 0 {
		id = s.id()
	}
	o["id"] = id
	if _, ok := o["number"]; !ok {
		o["number"] = fmt.Sprint(id)
	}
	now := s.now()
	for _, k := range []string{"date_created_gmt", "date_modified_gmt"} {
		if _, ok := o[k]; !ok {
			o[k] = now
		}
	}
	s.orders[id] = o
	return id
}

// Order returns a copy of an order.
func (s *Server) Order(id int) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyJSON(s.orders[id])
}

// Notes returns the notes of an order.
func (s *Server) Notes(id int) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any{}, s.notes[id]...)
}

func (s *Server) ordersRoute(r *http.Request, parts []string, body map[string]any) (int, any, map[string]string) {
	id, hasID := idOf(parts, 1)
	switch {
	case len(parts) == 1 && r.Method == http.MethodGet:
		if st := r.URL.Query().Get("status"); st != "" {
			for _, one := range strings.Split(st, ",") {
				if one != "any" && !contains(orderStatuses, one) {
					return refuse(http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): status (status[0] is not one of any, "+strings.Join(orderStatuses, ", ")+".)")
				}
			}
		}
		return list(r, values(s.orders), func(o map[string]any) bool { return matchOrder(r, o) })
	case len(parts) == 2 && hasID && r.Method == http.MethodGet:
		if o := s.orders[id]; o != nil {
			return http.StatusOK, o, nil
		}
		return refuse(http.StatusNotFound, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
	case len(parts) == 2 && hasID && r.Method == http.MethodPut:
		return s.updateOrder(id, body)
	case len(parts) == 3 && hasID && parts[2] == "notes":
		return s.notesRoute(r, id, body)
	}
	return refuse(http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
}

func matchOrder(r *http.Request, o map[string]any) bool {
	q := r.URL.Query()
	if st := q.Get("status"); st != "" && st != "any" && !contains(strings.Split(st, ","), fmt.Sprint(o["status"])) {
		return false
	}
	if search := q.Get("search"); search != "" && !orderMatches(o, search) {
		return false
	}
	return since(r, o)
}

// orderSearchFields are what WooCommerce's order search looks in besides
// the order's id: the addresses, e-mail and phone, as parts of words.
var orderSearchFields = []string{"first_name", "last_name", "company", "address_1", "address_2", "city", "postcode", "email", "phone"}

// orderMatches is WooCommerce's order search: the order with the term as
// its id, and every order whose addresses or line items hold the term
// anywhere (a search for order 12 finds "12 Main Street" too).
func orderMatches(o map[string]any, term string) bool {
	if fmt.Sprint(o["id"]) == term {
		return true
	}
	for _, address := range []string{"billing", "shipping"} {
		a, _ := o[address].(map[string]any)
		for _, f := range orderSearchFields {
			if v, ok := a[f].(string); ok && strings.Contains(strings.ToLower(v), strings.ToLower(term)) {
				return true
			}
		}
	}
	lines, _ := o["line_items"].([]any)
	for _, l := range lines {
		if name, ok := l.(map[string]any)["name"].(string); ok && strings.Contains(strings.ToLower(name), strings.ToLower(term)) {
			return true
		}
	}
	return false
}

func (s *Server) updateOrder(id int, in map[string]any) (int, any, map[string]string) {
	o := s.orders[id]
	if o == nil {
		return refuse(http.StatusBadRequest, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
	}
	if st, ok := in["status"]; ok {
		if text, isText := st.(string); !isText || !contains(orderStatuses, text) {
			return refuse(http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): status (status is not one of "+strings.Join(orderStatuses, ", ")+".)")
		}
	}
	for k, v := range in {
		o[k] = v
	}
	o["date_modified_gmt"] = s.now()
	return http.StatusOK, o, nil
}

func (s *Server) notesRoute(r *http.Request, id int, body map[string]any) (int, any, map[string]string) {
	if s.orders[id] == nil {
		return refuse(http.StatusNotFound, "woocommerce_rest_shop_order_invalid_id", "Invalid order ID.")
	}
	if r.Method == http.MethodGet {
		return http.StatusOK, append([]map[string]any{}, s.notes[id]...), nil
	}
	note, ok := body["note"].(string)
	if !ok || note == "" {
		return refuse(http.StatusBadRequest, "rest_missing_callback_param", "Missing parameter(s): note")
	}
	n := map[string]any{"id": s.id(), "note": note, "customer_note": body["customer_note"] == true, "date_created_gmt": s.now(), "author": "WooCommerce"}
	s.notes[id] = append(s.notes[id], n)
	return http.StatusCreated, n, nil
}

// AddCustomer keeps a customer and returns its id.
func (s *Server) AddCustomer(c map[string]any) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	status, res, _ := s.createCustomer(copyJSON(c))
	if status != http.StatusCreated {
		panic(fmt.Sprintf("fake: adding customer: %v", res))
	}
	return res.(map[string]any)["id"].(int)
}

// Customer returns a copy of the customer with the e-mail address.
func (s *Server) Customer(email string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.customers {
		if strings.EqualFold(fmt.Sprint(c["email"]), email) {
			return copyJSON(c), true
		}
	}
	return nil, false
}

func (s *Server) customersRoute(r *http.Request, parts []string, body map[string]any) (int, any, map[string]string) {
	id, hasID := idOf(parts, 1)
	switch {
	case len(parts) == 1 && r.Method == http.MethodGet:
		email := r.URL.Query().Get("email")
		return list(r, values(s.customers), func(c map[string]any) bool {
			return email == "" || strings.EqualFold(fmt.Sprint(c["email"]), email)
		})
	case len(parts) == 1 && r.Method == http.MethodPost:
		return s.createCustomer(body)
	case len(parts) == 2 && hasID && r.Method == http.MethodPut:
		c := s.customers[id]
		if c == nil {
			return refuse(http.StatusBadRequest, "woocommerce_rest_invalid_id", "Invalid resource ID.")
		}
		for k, v := range body {
			if k != "id" && k != "email" {
				c[k] = v
			}
		}
		c["date_modified_gmt"] = s.now()
		return http.StatusOK, c, nil
	}
	return refuse(http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
}

func (s *Server) createCustomer(in map[string]any) (int, any, map[string]string) {
	email, _ := in["email"].(string)
	if !strings.Contains(email, "@") {
		return refuse(http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): email")
	}
	for _, c := range s.customers {
		if strings.EqualFold(fmt.Sprint(c["email"]), email) {
			return refuse(http.StatusBadRequest, "registration-error-email-exists", "An account is already registered with your email address.")
		}
	}
	id, now := s.id(), s.now()
	c := map[string]any{"id": id, "email": email, "first_name": "", "last_name": "", "role": "customer", "username": email,
		"billing": map[string]any{}, "shipping": map[string]any{}, "date_created_gmt": now, "date_modified_gmt": now}
	for k, v := range in {
		c[k] = v
	}
	s.customers[id] = c
	return http.StatusCreated, c, nil
}

var webhookTopics = []string{"order.created", "order.updated", "order.deleted", "product.created", "product.updated",
	"product.deleted", "customer.created", "customer.updated", "customer.deleted"}

func (s *Server) webhooksRoute(r *http.Request, parts []string, body map[string]any) (int, any, map[string]string) {
	id, hasID := idOf(parts, 1)
	switch {
	case len(parts) == 1 && r.Method == http.MethodPost:
		topic, _ := body["topic"].(string)
		url, _ := body["delivery_url"].(string)
		if !contains(webhookTopics, topic) {
			return refuse(http.StatusBadRequest, "woocommerce_rest_webhook_invalid_topic", "Webhook topic is invalid.")
		}
		if !strings.HasPrefix(url, "http") {
			return refuse(http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): delivery_url")
		}
		w := map[string]any{"id": s.id(), "topic": topic, "delivery_url": url, "status": "active", "name": body["name"], "secret": body["secret"]}
		s.webhooks[w["id"].(int)] = w
		return http.StatusCreated, w, nil
	case len(parts) == 2 && hasID && r.Method == http.MethodDelete:
		w := s.webhooks[id]
		if w == nil {
			return refuse(http.StatusNotFound, "woocommerce_rest_webhook_invalid_id", "Invalid ID.")
		}
		if r.URL.Query().Get("force") != "true" {
			return refuse(http.StatusNotImplemented, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.")
		}
		delete(s.webhooks, id)
		return http.StatusOK, w, nil
	}
	return refuse(http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
}

// Webhooks counts the registered webhooks.
func (s *Server) Webhooks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.webhooks)
}
