// Package redact takes credentials out of texts and records before
// Switchboard stores, returns, logs, mails or pushes them.
//
// A Redactor is built once for a connection, or for a flow from both of
// its connections, and is safe for concurrent use. It replaces by Mask:
//
//   - every secret of the connections in every form a request carries it
//     (see forms): as typed; in base64, standard and URL alphabets, with
//     and without padding, alone and as user:secret (a Basic Authorization
//     header); URL-escaped for a query, a path and a user-info part;
//     JSON-escaped; HTML-escaped;
//   - in records, the value under any credential-like key (SensitiveKey),
//     whatever it holds.
//
// A secret shorter than MinLength is not searched for on its own: it would
// blank ordinary text such as an order number. Its Basic form, base64 of
// user:secret, is long enough to be searched for, and so is any form at
// least MinLength long. A text that ends in a mark of a cut ("…" or "...")
// loses the beginning of a form cut off there, too.
package redact

// Mask replaces what must never be stored, returned, logged or pushed.
const Mask = "[redacted]"

// MinLength is the least length of a form that is searched for: shorter
// texts occur in ordinary text by chance.
const MinLength = 4

// Credentials is what a Redactor must know of one connection.
type Credentials struct {
	// Secrets are the connection's opened secret values.
	Secrets []string
	// Names are its plain configuration values: any of them, and any other
	// secret, may be the user name that goes with a secret in a Basic
	// Authorization header.
	Names []string
}

// Redactor takes the secrets of some connections out of texts and records.
// The nil Redactor knows no secrets: it still redacts credential-like keys.
type Redactor struct {
	match *matcher
}

// New builds the redactor of the given connections' credentials.
func New(conns ...Credentials) *Redactor {
	var all []string
	for _, c := range conns {
		for _, secret := range c.Secrets {
			all = append(all, forms(secret, userNames(c))...)
		}
	}
	return &Redactor{match: newMatcher(all)}
}

// Text returns s with every form of a secret replaced by Mask; s itself
// when it holds none.
func (r *Redactor) Text(s string) string {
	if r == nil {
		return s
	}
	return r.match.replace(s, Mask)
}

// userNames lists who a connection's secrets may be sent as, in a Basic
// Authorization header: nobody (the empty name), its plain values and its
// secrets, as far as they can be a user name (no colon, no line break, not
// long).
func userNames(c Credentials) []string {
	names := []string{""}
	for _, list := range [][]string{c.Names, c.Secrets} {
		for _, n := range list {
			if canBeUser(n) {
				names = append(names, n)
			}
		}
	}
	return names
}

// maxUserName bounds the values taken for user names.
const maxUserName = 256

func canBeUser(s string) bool {
	if s == "" || len(s) > maxUserName {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] == ':' || s[i] < ' ' {
			return false
		}
	}
	return true
}
