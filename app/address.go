package app

import (
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
)

// Fields that the answer to a connection's save carries when its secrets
// were cleared because its address changed.
const (
	secretsClearedField   = "secrets_cleared"
	secretsClearedMessage = "secrets_cleared_message"
)

// clearSecretsOnNewAddress runs on every update of a connection. Like a
// browser's saved passwords, a connection's secrets belong to its
// address: when the address changes (addressChange), every secret that the
// same save does not set again is removed, so it is never sent to the new
// host. The record then carries secrets_cleared (their names) and
// secrets_cleared_message for the API answer. A required secret that is
// not set again refuses the save, saying why.
func (s *Switchboard) clearSecretsOnNewAddress(e *core.RecordEvent) error {
	old := e.Record.Original()
	change := s.addressChange(old, e.Record)
	if change == "" {
		return e.Next()
	}
	before, kept := sealedSecrets(old), sealedSecrets(e.Record)
	var cleared []string
	for name, sealed := range kept {
		if before[name] == sealed { // not set again: a new seal differs
			delete(kept, name)
			cleared = append(cleared, name)
		}
	}
	if len(cleared) == 0 {
		return e.Next()
	}
	sort.Strings(cleared)
	if err := s.requireAgain(e.Record, cleared, change); err != nil {
		return err
	}
	e.Record.Set("secrets", kept)
	e.Record.Set(secretsClearedField, cleared)
	e.Record.Set(secretsClearedMessage, fmt.Sprintf(
		"The address changed (%s); a stored secret is never sent to a new address, so %s %s cleared. Enter %s again.",
		change, strings.Join(cleared, ", "), plural(len(cleared), "was", "were"), plural(len(cleared), "it", "them")))
	return e.Next()
}

// requireAgain refuses a save that clears a required secret, naming it.
func (s *Switchboard) requireAgain(rec *core.Record, cleared []string, change string) error {
	reg, ok := s.registry.Lookup(rec.GetString("connector"))
	if !ok {
		return nil
	}
	errs := validation.Errors{}
	for _, name := range cleared {
		if f, ok := reg.Spec.Field(name); ok && f.Required {
			errs[name] = validation.NewError("validation_secret_needed_again",
				"The address changed ("+change+"); a stored secret is never sent to a new address: enter it again.")
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return validation.Errors{"secrets": errs}
}

// addressChange says how a connection's address changed between two
// versions of its record, or "" when it did not: another connector, or a
// field that decides where its secrets go or who can read them on the way
// (fieldChange).
func (s *Switchboard) addressChange(old, rec *core.Record) string {
	if was, is := old.GetString("connector"), rec.GetString("connector"); was != is {
		return fmt.Sprintf("connector changed from %s to %s", was, is)
	}
	reg, ok := s.registry.Lookup(rec.GetString("connector"))
	if !ok {
		return ""
	}
	before, errBefore := recordConfig(old)
	after, errAfter := recordConfig(rec)
	if errBefore != nil || errAfter != nil {
		return ""
	}
	for _, f := range reg.Spec.Fields {
		if change := fieldChange(f, before, after); change != "" {
			return change
		}
	}
	return ""
}

// fieldChange says how one field of a connection's config changed in a
// way that could send its secrets elsewhere, or "" when it did not:
//
//   - an address field (isAddressField) to another origin (scheme, host
//     and port of a URL) or another host or port, from empty too: an
//     empty field may stand for an address the connector derives (the
//     Shopify connector's OAuth2 endpoints are the shop's own), where the
//     secrets did go.
//   - a trust field (isTrustField) to any other value, from empty too:
//     turning TLS off sends a password in clear text, a new CA or a pinned
//     certificate or host key lets whoever holds it read the secrets on
//     the way. Turning TLS on or pinning a stricter key would not expose
//     them, but telling such a change from a weaker one for every
//     connector is more than the rule is worth: any change clears, and
//     retyping a secret is the price of the rare harmless one.
func fieldChange(f connectors.Field, before, after map[string]any) string {
	was, is := fieldText(before, f), fieldText(after, f)
	switch {
	case isAddressField(f):
		if addressKey(f, was) == addressKey(f, is) {
			return ""
		}
	case isTrustField(f):
		if strings.Join(strings.Fields(was), " ") == strings.Join(strings.Fields(is), " ") {
			return ""
		}
		if f.Type == connectors.TypeText { // a PEM certificate: too long to quote
			return f.Name + " changed"
		}
	default:
		return ""
	}
	return fmt.Sprintf("%s changed from %q to %q", f.Name, was, is)
}

// isAddressField reports whether a field says where a connection's
// secrets go: a URL, or a host or port.
func isAddressField(f connectors.Field) bool {
	return !f.Secret && (f.Type == connectors.TypeURL || f.Name == "host" || f.Name == "port")
}

// trustFields are the connectors' fields that decide who can read a
// connection's secrets on the way to its address: the TLS mode (FTP),
// the certificate authorities trusted (HTTP's tls_ca, FTP's ca_cert), and
// a pinned certificate or host key. A connector that adds such a field
// (an insecure or skip-verify switch among them) lists it here;
// TestTrustFieldsAreKnown fails for one that looks like it and is not.
var trustFields = map[string]bool{
	"tls": true, "tls_ca": true, "ca_cert": true, "tls_fingerprint": true, "host_key_fingerprint": true,
}

// isTrustField reports whether a field decides who can read a
// connection's secrets in transit.
func isTrustField(f connectors.Field) bool { return !f.Secret && trustFields[f.Name] }

// fieldText is a field's value in a config, or its default, as text.
func fieldText(config map[string]any, f connectors.Field) string {
	v, ok := config[f.Name]
	if !ok || v == nil || v == "" {
		v = f.Default
	}
	if v == nil {
		return ""
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

// addressKey is what of an address field's value decides where secrets
// go: a URL's origin, a host name in lower case, a port as it is.
func addressKey(f connectors.Field, value string) string {
	if f.Type == connectors.TypeURL {
		return origin(value)
	}
	return strings.TrimSuffix(strings.ToLower(value), ".")
}

// defaultPorts are the ports a URL without one goes to.
var defaultPorts = map[string]string{"http": "80", "https": "443", "ws": "80", "wss": "443", "ftp": "21", "sftp": "22"}

// origin is a URL's scheme, host and port, as a browser keys saved
// passwords: https://Shop.example.com/api and https://shop.example.com:443/
// have the same origin; http:// or another port is another one. Text that
// is no URL with a host is its own origin.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return strings.ToLower(raw)
	}
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		port = defaultPorts[scheme]
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	return scheme + "://" + net.JoinHostPort(host, port)
}
