package xerotest

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

// accounts are the organisation's revenue accounts.
var accounts = map[string]string{"200": "Sales", "260": "Other Revenue"}

// taxRates are the organisation's tax rates: two at 0% for sales (zero
// rated and exempt), one for purchases only, one deleted.
func taxRates() []any {
	rate := func(name, taxType, status string, revenue bool, pct float64) any {
		return map[string]any{"Name": name, "TaxType": taxType, "Status": status, "ReportTaxType": "OUTPUT",
			"CanApplyToRevenue": revenue, "CanApplyToExpenses": !revenue, "DisplayTaxRate": pct, "EffectiveRate": pct,
			"TaxComponents": []any{map[string]any{"Name": "VAT", "Rate": pct, "IsCompound": false, "IsNonRecoverable": false}}}
	}
	return []any{
		rate("BTW hoog 21%", "OUTPUT", "ACTIVE", true, 21),
		rate("BTW laag 9%", "TAX002", "ACTIVE", true, 9),
		rate("Zero rated", "ZERORATEDOUTPUT", "ACTIVE", true, 0),
		rate("Exempt", "EXEMPTOUTPUT", "ACTIVE", true, 0),
		rate("BTW voorbelasting 21%", "INPUT", "ACTIVE", false, 21),
		rate("USt 19%", "TAX003", "DELETED", true, 19),
	}
}

// salesRate is the rate of a tax type that sales may use.
func salesRate(taxType string) (float64, bool) {
	for _, r := range taxRates() {
		m := r.(map[string]any)
		if m["TaxType"] == taxType && m["Status"] == "ACTIVE" && m["CanApplyToRevenue"] == true {
			return m["EffectiveRate"].(float64), true
		}
	}
	return 0, false
}

// finalStatus is the status of an invoice that is not changed any more.
var finalStatus = map[string]bool{"PAID": true, "VOIDED": true, "DELETED": true}

// saveInvoice makes or changes an invoice: its contact, lines (items,
// accounts, tax types) checked, its amounts computed.
func (x *Xero) saveInvoice(c *spectest.Call, id string, rec map[string]any) (map[string]any, []string) {
	old, exists := c.Store.Get(Invoices, id)
	if id != "" && !exists {
		return nil, []string{"The invoice " + id + " was not found"}
	}
	if exists && finalStatus[text(old["Status"])] {
		return nil, []string{"Invoice not of valid status for modification"}
	}
	inv := merge(old, rec)
	errs := x.checkInvoice(c, inv)
	if len(errs) > 0 {
		return nil, errs
	}
	at := x.tick()
	if !exists {
		n := c.Store.NextID(Invoices)
		inv["InvoiceID"], inv["InvoiceNumber"] = uuid(Invoices, n), fmt.Sprintf("INV-%04d", n)
		inv["AmountPaid"], inv["AmountCredited"], inv["HasAttachments"] = money(0), money(0), false
	}
	if inv["Status"] == nil {
		inv["Status"] = "DRAFT"
	}
	inv["Date"], inv["DueDate"] = msDay(inv["Date"], at), msDay(inv["DueDate"], at)
	inv["UpdatedDateUTC"] = MSDate(at)
	amounts(inv)
	c.Store.Put(Invoices, text(inv["InvoiceID"]), inv)
	return inv, nil
}

// checkInvoice returns Xero's validation errors of an invoice, and
// replaces its contact by the contact Xero has.
func (x *Xero) checkInvoice(c *spectest.Call, inv map[string]any) []string {
	var errs []string
	if t := text(inv["Type"]); t != "ACCREC" && t != "ACCPAY" {
		errs = append(errs, "Invoice Type must be specified")
	}
	contactID := text(lookup(inv, "Contact.ContactID"))
	contact, ok := c.Store.Get(Contacts, contactID)
	if !ok {
		errs = append(errs, "The contact "+contactID+" could not be found")
	} else {
		summary := map[string]any{"ContactID": contactID}
		for _, k := range []string{"Name", "EmailAddress", "FirstName", "LastName"} {
			if contact[k] != nil {
				summary[k] = contact[k]
			}
		}
		inv["Contact"] = summary
	}
	lines, _ := inv["LineItems"].([]any)
	for i, l := range lines {
		errs = append(errs, checkLine(c, l.(map[string]any), text(inv["Status"]), i)...)
	}
	if inv["Status"] == "AUTHORISED" && inv["DueDate"] == nil {
		errs = append(errs, "Due Date is mandatory for approved invoices")
	}
	return errs
}

func checkLine(c *spectest.Call, line map[string]any, status string, i int) []string {
	var errs []string
	if code := text(line["ItemCode"]); code != "" {
		if _, _, ok := c.Store.Find(Items, func(it map[string]any) bool { return it["Code"] == code }); !ok {
			errs = append(errs, fmt.Sprintf("Item code '%s' is not valid", code))
		}
	} else if text(line["Description"]) == "" {
		errs = append(errs, "Description must be specified on line "+strconv.Itoa(i+1))
	}
	if acct := text(line["AccountCode"]); acct != "" && accounts[acct] == "" {
		errs = append(errs, fmt.Sprintf("Account code '%s' is not a valid code for this document.", acct))
	} else if acct == "" && status != "" && status != "DRAFT" {
		errs = append(errs, "Account code must be specified for line "+strconv.Itoa(i+1))
	}
	if tt := text(line["TaxType"]); tt != "" {
		if _, ok := salesRate(tt); !ok {
			errs = append(errs, fmt.Sprintf("The TaxType code '%s' does not exist or cannot be used for this type of transaction.", tt))
		}
	}
	return errs
}

// amounts computes each line's amount and tax, and the totals, as the
// invoice's LineAmountTypes say: Exclusive adds the tax to the amounts,
// Inclusive takes it out of them.
func amounts(inv map[string]any) {
	lines, _ := inv["LineItems"].([]any)
	kind := text(inv["LineAmountTypes"])
	if kind == "" {
		kind, inv["LineAmountTypes"] = "Exclusive", "Exclusive"
	}
	var sub, tax float64
	for i, l := range lines {
		line := l.(map[string]any)
		amount := round(num(line["Quantity"])*num(line["UnitAmount"]) - num(line["DiscountAmount"]))
		rate, _ := salesRate(text(line["TaxType"]))
		lineTax := 0.0
		switch kind {
		case "Exclusive":
			lineTax = round(amount * rate / 100)
			sub += amount
		case "Inclusive":
			lineTax = round(amount - amount/(1+rate/100))
			sub += amount - lineTax
		default:
			sub += amount
		}
		tax += lineTax
		line["LineAmount"], line["TaxAmount"] = money(amount), money(lineTax)
		if line["LineItemID"] == nil {
			line["LineItemID"] = uuid("LineItems", i+1+len(text(inv["InvoiceID"])))
		}
	}
	inv["SubTotal"], inv["TotalTax"], inv["Total"] = money(sub), money(tax), money(sub+tax)
	inv["AmountDue"] = money(sub + tax - num(inv["AmountPaid"]))
}

func num(v any) float64 {
	f, _ := strconv.ParseFloat(text(v), 64)
	return f
}

func round(f float64) float64 { return math.Round(f*100) / 100 }

func money(f float64) json.Number { return json.Number(strconv.FormatFloat(round(f), 'f', 2, 64)) }

// msDay writes a date (2025-03-14, or a Xero date kept) as Xero does; the
// day of at when there is none.
func msDay(v any, at time.Time) string {
	s := text(v)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return MSDate(t)
	}
	if s != "" {
		return s
	}
	return MSDate(at.Truncate(24 * time.Hour))
}

// AddInvoice keeps a sales invoice as Xero has it (made in Xero), its
// amounts computed.
func (x *Xero) AddInvoice(inv map[string]any) map[string]any {
	inv = spectest.Copy(inv)
	n := x.Store.NextID(Invoices)
	if inv["InvoiceID"] == nil {
		inv["InvoiceID"] = uuid(Invoices, n)
	}
	if inv["InvoiceNumber"] == nil {
		inv["InvoiceNumber"] = fmt.Sprintf("INV-%04d", n)
	}
	at := x.tick()
	inv["Date"], inv["DueDate"] = msDay(inv["Date"], at), msDay(inv["DueDate"], at)
	if inv["UpdatedDateUTC"] == nil {
		inv["UpdatedDateUTC"] = MSDate(at)
	}
	amounts(inv)
	x.Store.Put(Invoices, text(inv["InvoiceID"]), inv)
	return inv
}

// AddCreditNote keeps a sales credit note as Xero has it.
func (x *Xero) AddCreditNote(cn map[string]any) map[string]any {
	cn = spectest.Copy(cn)
	n := x.Store.NextID(CreditNotes)
	cn["CreditNoteID"], cn["CreditNoteNumber"] = uuid(CreditNotes, n), fmt.Sprintf("CN-%04d", n)
	at := x.tick()
	cn["Date"], cn["UpdatedDateUTC"] = msDay(cn["Date"], at), MSDate(at)
	amounts(cn)
	delete(cn, "AmountDue")
	cn["RemainingCredit"] = cn["Total"]
	x.Store.Put(CreditNotes, text(cn["CreditNoteID"]), cn)
	return cn
}
