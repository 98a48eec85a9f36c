// Package canonical is Switchboard's own data model: the six entities every
// connector maps to and from (product, customer, order, stock, invoice,
// shipment).
//
// The model is declared once, as Go tables of [Field] ([Entities], [Lookup]).
// The same tables generate the JSON Schema documents served to the API and
// the UI ([Schema]), convert mapped values to their canonical types
// ([Field.Convert]) and validate whole records ([Validate]).
//
// Canonical records are plain map[string]any values, so the engine, the
// activity log and the UI can treat them as JSON objects. Inside a record,
// money and quantities are [decimal.Decimal], timestamps are time.Time with
// their zone, countries are ISO 3166-1 alpha-2 codes and currencies are
// ISO 4217 codes. Custom data goes under the free-form "attributes" object
// that every entity has.
package canonical
