// Package erp holds what the ERP and accounting connectors share: the
// options of a flow that writes orders into the back office (the kind of
// document an order becomes, the customer of guest orders, the VAT codes
// per country and rate, the shipping and payment method tables, the
// warehouse and the invoice journal), read from the flow's options with
// errors a person can act on.
//
// A connector puts [FlowFields] in its spec, with its own defaults, checks
// them in its ValidateFlow step with [ValidateFlow], and reads them from
// each WriteRequest with [Parse].
package erp
