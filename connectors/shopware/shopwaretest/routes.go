package shopwaretest

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

func notFound(entity, id string) spectest.Reply {
	return spectest.JSON(http.StatusNotFound, map[string]any{"errors": []any{map[string]any{"status": "404",
		"code": "FRAMEWORK__RESOURCE_NOT_FOUND", "title": "Not Found", "detail": fmt.Sprintf("The %s resource with the following primary key was not found: id(%s)", entity, id)}}})
}

func badRequest(code, detail string) spectest.Reply {
	return spectest.JSON(http.StatusBadRequest, map[string]any{"errors": []any{map[string]any{"status": "400", "code": code,
		"title": "Bad Request", "detail": detail}}})
}

func (s *Shop) routes() {
	s.Handle("POST /oauth/token", s.token)
	s.Handle("GET /_info/version", func(*spectest.Call) spectest.Reply {
		return spectest.JSON(200, map[string]any{"version": "6.7.10.1"})
	})
	for _, e := range []string{Products, Taxes, Currencies, Warehouses, ProductWarehouses, Orders, Customers} {
		s.Handle("POST /search/"+e, s.search(e))
	}
	s.Handle("POST /product", s.createProduct)
	s.Handle("PATCH /product/{id}", s.patchProduct)
	s.Handle("POST /_action/sync", s.sync)
	s.Handle("PATCH /order-delivery/{id}", s.patchDelivery)
	s.Handle("POST /_action/order_delivery/{orderDeliveryId}/state/{transition}", s.deliveryTransition)
	s.Handle("POST /_action/order/{orderId}/state/{transition}", s.orderTransition)
}

// createProduct makes a product; its id and number must be new.
func (s *Shop) createProduct(c *spectest.Call) spectest.Reply {
	p := c.Body.(map[string]any)
	if _, exists := c.Store.Get(Products, fmt.Sprint(p["id"])); exists {
		return badRequest("FRAMEWORK__WRITE_CONSTRAINT_VIOLATION", fmt.Sprintf("A product with the id %v exists already.", p["id"]))
	}
	if _, exists := s.ProductByNumber(fmt.Sprint(p["productNumber"])); exists {
		return badRequest("CONTENT__DUPLICATE_PRODUCT_NUMBER", fmt.Sprintf("Product with number %q already exists.", p["productNumber"]))
	}
	if _, ok := c.Store.Get(Taxes, fmt.Sprint(p["taxId"])); !ok {
		return badRequest("FRAMEWORK__WRITE_CONSTRAINT_VIOLATION", fmt.Sprintf("The tax %v does not exist.", p["taxId"]))
	}
	p["createdAt"], p["availableStock"] = s.tick(), p["stock"]
	s.Add(Products, p)
	return spectest.JSON(200, map[string]any{"data": p})
}

// patchProduct changes the fields given.
func (s *Shop) patchProduct(c *spectest.Call) spectest.Reply {
	p, ok := c.Store.Get(Products, c.Params["id"])
	if !ok {
		return notFound("product", c.Params["id"])
	}
	merge(p, c.Body.(map[string]any))
	p["updatedAt"] = s.tick()
	s.Add(Products, p)
	return spectest.JSON(200, map[string]any{"data": p})
}

func merge(into, from map[string]any) {
	for k, v := range from {
		into[k] = v
	}
	if st, ok := from["stock"]; ok {
		into["availableStock"] = st
	}
}

// syncEntities are the entities the sync API upserts here, with their
// collections and schemas.
var syncEntities = map[string][2]string{"product": {Products, "Product"}, "product_warehouse": {ProductWarehouses, "ProductWarehouse"}}

// sync upserts payloads: each one's fields must be the entity's. As in
// Shopware (whose sync runs in one transaction unless fail-on-error is
// false), one refused row refuses the call and nothing of it is written;
// the error points at the row (/<operation>/<row>).
func (s *Shop) sync(c *spectest.Call) spectest.Reply {
	ops, _ := c.Body.([]any)
	if reply, ok := s.checkSync(ops); !ok {
		return reply
	}
	written := map[string]any{}
	for _, o := range ops {
		op := o.(map[string]any)
		target := syncEntities[fmt.Sprint(op["entity"])]
		var ids []any
		for _, item := range op["payload"].([]any) {
			rec := item.(map[string]any)
			id := fmt.Sprint(rec["id"])
			old, exists := c.Store.Get(target[0], id)
			if !exists {
				old = map[string]any{"createdAt": s.tick()}
			} else {
				old["updatedAt"] = s.tick()
			}
			merge(old, rec)
			c.Store.Put(target[0], id, old)
			ids = append(ids, id)
		}
		written[fmt.Sprint(op["entity"])] = ids
	}
	return spectest.JSON(200, map[string]any{"data": written, "notFound": map[string]any{}, "deleted": map[string]any{}})
}

// checkSync refuses a sync call with an operation the fake does not
// take or a row that is not the entity's, before anything is written.
func (s *Shop) checkSync(ops []any) (spectest.Reply, bool) {
	for i, o := range ops {
		op := o.(map[string]any)
		target, ok := syncEntities[fmt.Sprint(op["entity"])]
		if !ok || op["action"] != "upsert" {
			return badRequest("FRAMEWORK__SYNC_ACTION", fmt.Sprintf("the fake syncs upserts of %v only", keys(syncEntities))), false
		}
		for j, item := range op["payload"].([]any) {
			if err := s.Spec().CheckPartial(target[1], item.(map[string]any)); err != nil {
				return spectest.JSON(http.StatusBadRequest, map[string]any{"errors": []any{map[string]any{"status": "400",
					"code": "FRAMEWORK__WRITE_CONSTRAINT_VIOLATION", "title": "Bad Request", "detail": err.Error(),
					"source": map[string]any{"pointer": fmt.Sprintf("/%d/%d", i, j)}}}}), false
			}
		}
	}
	return spectest.Reply{}, true
}

func keys(m map[string][2]string) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return strings.Join(out, ", ")
}
