package connectors

// Entity is a canonical kind of data that moves through a flow.
type Entity string

// The canonical entities.
const (
	Product  Entity = "product"
	Customer Entity = "customer"
	Order    Entity = "order"
	Stock    Entity = "stock"
	Invoice  Entity = "invoice"
	Shipment Entity = "shipment"
)

// Entities lists every canonical entity in a stable order.
func Entities() []Entity {
	return []Entity{Product, Customer, Order, Stock, Invoice, Shipment}
}

// Valid reports whether e is one of the canonical entities.
func (e Entity) Valid() bool {
	for _, known := range Entities() {
		if e == known {
			return true
		}
	}
	return false
}
