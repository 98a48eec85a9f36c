//go:build !unix

package trytontest

import "testing"

// lock does nothing where trytond does not run.
func lock(testing.TB, string) (unlock func()) { return func() {} }
