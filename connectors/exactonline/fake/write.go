package fake

import (
	"fmt"
	"net/http"
	"strings"
)

// create answers a POST: the record checked as Exact Online checks it,
// given its key, number and amounts, and answered with 201.
func (d *division) create(s *Server, w http.ResponseWriter, r *http.Request, c *collection) {
	body, err := decodeBody(r)
	if err == nil {
		err = d.check(c, body, true)
	}
	if err != nil {
		odataError(w, http.StatusBadRequest, err.Error())
		return
	}
	rec := d.build(c, body)
	now := msDate(s.now())
	rec["Created"], rec["Modified"] = now, now
	c.records = append(c.records, rec)
	d.afterWrite(c, rec, now)
	writeJSON(w, http.StatusCreated, map[string]any{"d": c.present(rec, nil, c.linesKey)})
}

// update answers a PUT of a record's header: 204 without a body.
func (d *division) update(s *Server, w http.ResponseWriter, r *http.Request, c *collection, key string) {
	rec := c.find(c.key, key)
	if rec == nil {
		odataError(w, http.StatusNotFound, c.name+" not found: "+key)
		return
	}
	body, err := decodeBody(r)
	if err == nil && c.linesKey != "" && body[c.linesKey] != nil {
		err = fmt.Errorf("%s cannot be changed with the %s; change the lines themselves", c.linesKey, c.name)
	}
	if err == nil {
		err = d.checkUnique(c, body, rec)
	}
	if err == nil {
		err = d.check(c, body, false)
	}
	if err != nil {
		odataError(w, http.StatusBadRequest, err.Error())
		return
	}
	for k, v := range body {
		if !c.readOnly[k] {
			rec[k] = v
		}
	}
	if c.padded != "" && rec[c.padded] != nil {
		rec[c.padded] = pad(fmt.Sprint(rec[c.padded]))
	}
	rec["Modified"] = msDate(s.now())
	d.afterWrite(c, rec, fmt.Sprint(rec["Modified"]))
	w.WriteHeader(http.StatusNoContent)
}

// check refuses what Exact Online refuses: unknown properties, missing
// mandatory ones, references to records that do not exist, a code used
// twice, a document without lines.
func (d *division) check(c *collection, body map[string]any, creating bool) error {
	if err := d.checkProps(c, body, creating); err != nil {
		return err
	}
	if creating {
		if err := d.checkUnique(c, body, nil); err != nil {
			return err
		}
	}
	if c.linesKey == "" || !creating {
		return nil
	}
	lines, _ := body[c.linesKey].([]any)
	if len(lines) == 0 {
		return fmt.Errorf("Mandatory: %s; a %s needs at least one line", c.linesKey, c.name)
	}
	for i, l := range lines {
		line, ok := l.(map[string]any)
		if !ok {
			return fmt.Errorf("%s[%d] is not an object", c.linesKey, i)
		}
		if err := d.checkProps(c.lines, line, true); err != nil {
			return fmt.Errorf("%s line %d: %w", c.name, i+1, err)
		}
	}
	return nil
}

func (d *division) checkProps(c *collection, body map[string]any, creating bool) error {
	for k := range body {
		if !c.props[k] && !c.readOnly[k] && k != c.linesKey {
			return fmt.Errorf("The property '%s' does not exist on type 'Exact.Web.Api.Models.%s'. Make sure to only use property names that are defined by the type.", k, c.name)
		}
	}
	if creating {
		for _, req := range c.required {
			if v, ok := body[req]; !ok || v == nil || strings.TrimSpace(fmt.Sprint(v)) == "" {
				return fmt.Errorf("Mandatory: %s", req)
			}
		}
	}
	for prop, target := range c.refs {
		if v, ok := body[prop]; ok && v != nil && d.coll[target].find("ID", v) == nil {
			return fmt.Errorf("%s: %v does not exist", prop, v)
		}
	}
	for prop, target := range c.codes {
		if v, ok := body[prop]; ok && v != nil && fmt.Sprint(v) != "" && d.coll[target].find("Code", v) == nil {
			return fmt.Errorf("%s: code %q does not exist", prop, fmt.Sprint(v))
		}
	}
	return nil
}

func (d *division) checkUnique(c *collection, body map[string]any, self map[string]any) error {
	v, ok := body[c.unique]
	if c.unique == "" || !ok || v == nil {
		return nil
	}
	if other := c.find(c.unique, v); other != nil && (self == nil || other[c.key] != self[c.key]) {
		return fmt.Errorf("%s %q already exists", c.unique, strings.TrimSpace(fmt.Sprint(v)))
	}
	return nil
}

// build makes the record a POST creates: the server's key, code and
// number, and a document's line amounts and totals.
func (d *division) build(c *collection, body map[string]any) map[string]any {
	rec := map[string]any{}
	for k, v := range body {
		if !c.readOnly[k] && k != c.linesKey {
			rec[k] = v
		}
	}
	rec[c.key] = newGUID()
	if c.padded != "" {
		if rec[c.padded] == nil {
			c.next++
			rec[c.padded] = fmt.Sprint(c.next)
		}
		rec[c.padded] = pad(fmt.Sprint(rec[c.padded]))
	}
	if c.number != "" {
		c.next++
		rec[c.number] = c.next
	}
	if c.linesKey != "" {
		d.buildLines(c, rec, body[c.linesKey].([]any))
	}
	return rec
}

func (d *division) buildLines(c *collection, rec map[string]any, lines []any) {
	var total, vat float64
	out := make([]any, len(lines))
	for i, l := range lines {
		line := clone(l.(map[string]any))
		qty, _ := number(line["Quantity"])
		price, _ := number(line["UnitPrice"])
		if net, ok := number(line["NetPrice"]); ok {
			price = net
		}
		discount, _ := number(line["Discount"])
		amount := round2(qty * price * (1 - discount))
		item := d.coll["logistics/Items"].find("ID", line["Item"])
		line["ID"], line["LineNumber"], line["ItemCode"] = newGUID(), i+1, item["Code"]
		line["AmountFC"], line["AmountDC"] = amount, amount
		pct := 0.0
		if code := d.coll["vat/VATCodes"].find("Code", line["VATCode"]); code != nil && line["VATCode"] != nil {
			pct, _ = number(code["Percentage"])
		}
		line["VATPercentage"], line["VATAmount"] = pct, round2(amount*pct)
		total += amount
		vat += round2(amount * pct)
		out[i] = line
	}
	rec[c.linesKey] = out
	rec["AmountFCExclVat"], rec["VATAmountFC"] = round2(total), round2(vat)
	rec["AmountFC"], rec["AmountDC"] = round2(total+vat), round2(total+vat)
	rec["Status"] = map[string]int{"SalesOrder": 12, "SalesInvoice": 10, "Quotation": 20}[c.name]
	for _, p := range []string{"OrderedBy", "OrderAccount"} {
		if acc := d.coll["crm/Accounts"].find("ID", rec[p]); acc != nil {
			rec["OrderedByName"] = acc["Name"]
		}
	}
}

// afterWrite keeps what depends on a write: a sales price, made or
// changed, sets its item's standard sales price.
func (d *division) afterWrite(c *collection, rec map[string]any, now string) {
	if c.name != "SalesItemPrice" {
		return
	}
	if item := d.coll["logistics/Items"].find("ID", rec["Item"]); item != nil {
		item["StandardSalesPrice"], item["Modified"] = rec["Price"], now
		rec["ItemCode"] = item["Code"]
	}
}
