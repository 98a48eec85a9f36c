// Package seenkeys makes the keys by which a flow remembers the webhook
// deliveries it has taken, so that a redelivery or a replay is recognised
// and not stored again.
//
// A delivery is recognised by its delivery key (the app's delivery id)
// and by its content key (a hash of its body); the engine remembers each
// as one short key of the flow, in the table seen_deliveries (migration
// 1766400000_seen_deliveries.go). The key is a hash, so that every key
// has the same 16 bytes whatever the flow's id and the delivery's key.
package seenkeys

import "crypto/sha256"

// Size is the length of a key in bytes: 128 bits, which two different
// deliveries do not share by chance.
const Size = 16

// For returns the key by which a flow remembers a delivery's key (its
// delivery key or its content key): the first 128 bits of the SHA-256 of
// the flow's id, a zero byte and the delivery's key.
func For(flow, deliveryKey string) []byte {
	h := sha256.New()
	h.Write([]byte(flow))
	h.Write([]byte{0})
	h.Write([]byte(deliveryKey))
	return h.Sum(nil)[:Size]
}
