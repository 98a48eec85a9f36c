package xerotest

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

// unitPlaces is how many decimals of unit amounts and prices a call
// takes and is answered with: two, as Xero rounds them, unless the call
// opts in to four with unitdp=4.
func unitPlaces(c *spectest.Call) int {
	if c.Query.Get("unitdp") == "4" {
		return 4
	}
	return 2
}

// withUnitPlaces is a copy of a record with its unit amounts (an
// invoice's or credit note's lines', an item's prices) rounded to places
// decimals, as Xero takes and answers them.
func withUnitPlaces(collection string, rec map[string]any, places int) map[string]any {
	out := spectest.Copy(rec)
	switch collection {
	case Invoices, CreditNotes:
		lines, _ := out["LineItems"].([]any)
		for _, l := range lines {
			if line, ok := l.(map[string]any); ok {
				roundUnit(line, "UnitAmount", places)
			}
		}
	case Items:
		for _, k := range []string{"SalesDetails", "PurchaseDetails"} {
			if d, ok := out[k].(map[string]any); ok {
				roundUnit(d, "UnitPrice", places)
			}
		}
	}
	return out
}

func roundUnit(m map[string]any, key string, places int) {
	if m[key] == nil {
		return
	}
	f, err := strconv.ParseFloat(text(m[key]), 64)
	if err != nil {
		return
	}
	scale := math.Pow10(places)
	m[key] = json.Number(strconv.FormatFloat(math.Round(f*scale)/scale, 'f', -1, 64))
}
