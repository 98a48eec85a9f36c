package auth

import (
	"strings"
	"testing"
)

// TestFieldHelpNamesNoGoIdentifiers: the help users read on a connection's
// form says what is sent, in the vendor's words, not the kit's names.
func TestFieldHelpNamesNoGoIdentifiers(t *testing.T) {
	for kind, fields := range kindFields {
		for _, f := range fields {
			if strings.Contains(f.Help, "Kind") {
				t.Errorf("%s field %s: help %q names a Go identifier", kind, f.Name, f.Help)
			}
		}
	}
}
