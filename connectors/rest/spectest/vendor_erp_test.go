package spectest

import (
	"net/http"
	"strings"
	"testing"
)

// TestERPSpecsRoute: Xero's and Business Central's specs load with their
// repairs, and requests reach the operations the vendors document: Xero's
// paths that differ only in a parameter's name no longer hide each other,
// and Business Central's OData keys in parentheses are path parameters.
func TestERPSpecsRoute(t *testing.T) {
	const id, company = "8a1c4e6b-1f0d-4a57-9a63-3c2b5d7e9f01", "5d115c9c-44e3-ea11-bb43-000d3a2feca1"
	tests := []struct {
		spec, base string
		routes     map[string]string
	}{
		{Xero, "/api.xro/2.0", map[string]string{
			"POST /api.xro/2.0/Contacts/" + id:                       "POST /Contacts/{ContactID}",
			"GET /api.xro/2.0/Contacts/" + id:                        "GET /Contacts/{ContactID}",
			"PUT /api.xro/2.0/Invoices":                              "PUT /Invoices",
			"POST /api.xro/2.0/Invoices/" + id:                       "POST /Invoices/{InvoiceID}",
			"GET /api.xro/2.0/Invoices/" + id + "/Attachments/a.pdf": "GET /Invoices/{InvoiceID}/Attachments/{FileName}",
			"GET /api.xro/2.0/PurchaseOrders/" + id:                  "GET /PurchaseOrders/{PurchaseOrderID}",
		}},
		{BusinessCentral, "/v2.0/sandbox/api/v1.0", map[string]string{
			"GET /v2.0/sandbox/api/v1.0/companies(" + company + ")/customers":                                                      "GET /companies({company_id})/customers",
			"PATCH /v2.0/sandbox/api/v1.0/companies(" + company + ")/items(" + id + ")":                                            "PATCH /companies({company_id})/items({item_id})",
			"POST /v2.0/sandbox/api/v1.0/companies(" + company + ")/salesOrders(" + id + ")/salesOrderLines":                       "POST /companies({company_id})/salesOrders({salesOrder_id})/salesOrderLines",
			"DELETE /v2.0/sandbox/api/v1.0/companies(" + company + ")/salesOrders(" + id + ")/salesOrderLines('" + id + "-10000')": "DELETE /companies({company_id})/salesOrders({salesOrder_id})/salesOrderLines('{salesOrderLine_id}')",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			spec := Load(t, tt.spec)
			if spec.Base != tt.base {
				t.Errorf("base path %q, want %q", spec.Base, tt.base)
			}
			for request, want := range tt.routes {
				method, target, _ := strings.Cut(request, " ")
				req, _ := http.NewRequest(method, "http://127.0.0.1:1"+target, nil)
				route, _, err := spec.router.FindRoute(req)
				if err != nil {
					t.Errorf("%s: %v", request, err)
					continue
				}
				if got := method + " " + route.Path; got != want {
					t.Errorf("%s routes to %s, want %s", request, got, want)
				}
			}
		})
	}
}

// TestBusinessCentralAnswersAsTheAPIDoes: the answers Business Central
// gives fit its repaired spec: OData's annotations, $skiptoken in a next
// page's address, dates as dates.
func TestBusinessCentralAnswersAsTheAPIDoes(t *testing.T) {
	spec := Load(t, BusinessCentral)
	list := map[string]any{"@odata.context": "https://api.businesscentral.dynamics.com/v2.0/x/production/api/v1.0/$metadata#companies(1)/customers",
		"value":           []any{map[string]any{"@odata.etag": `W/"JzQ0O0VnQUFBQUo3QkRFQU1BQXdBREFBTUFBQUFBQT0xOzAwOyc="`, "id": "8a1c4e6b-1f0d-4a57-9a63-3c2b5d7e9f01", "displayName": "Anna"}},
		"@odata.nextLink": "https://api.businesscentral.dynamics.com/v2.0/x/production/api/v1.0/companies(1)/customers?$skiptoken=10000"}
	if err := spec.CheckResponse("GET /companies({company_id})/customers", 200, list); err != nil {
		t.Errorf("a page of customers: %v", err)
	}
	if err := spec.CheckSchema("salesOrder", map[string]any{"orderDate": "2025-03-14", "lastModifiedDateTime": "2025-03-14T10:21:05Z"}); err != nil {
		t.Errorf("an order's dates: %v", err)
	}
	if err := spec.CheckSchema("salesOrder", map[string]any{"orderDate": "2025-03-14T00:00:00Z"}); err == nil {
		t.Error("an order date with a time was taken")
	}
	op, err := spec.Operation("GET /companies({company_id})/items")
	if err != nil || op.Parameters.GetByInAndName("query", "$skiptoken") == nil {
		t.Errorf("the list of items takes no $skiptoken: %v", err)
	}
}

// TestXeroBodiesKeepTheirBooleans: a contact sent to the fake is not
// refused for the defaults Xero's spec writes as texts.
func TestXeroBodiesKeepTheirBooleans(t *testing.T) {
	spec := Load(t, Xero)
	contact := map[string]any{"Contacts": []any{map[string]any{"Name": "Anna de Vries", "EmailAddress": "anna@example.nl"}}}
	if err := spec.CheckRequestBody("PUT /Contacts", contact); err != nil {
		t.Fatal(err)
	}
	srv := New(t, spec)
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/Contacts", strings.NewReader(`{"Contacts": [{"Name": "Anna de Vries"}]}`))
	req.Header.Set("xero-tenant-id", "4a1b6c3d-2e5f-4a70-8b91-c2d3e4f50617")
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if refused := srv.TakeRefusals(); len(refused) > 0 {
		t.Fatalf("refused: %v", refused)
	}
}
