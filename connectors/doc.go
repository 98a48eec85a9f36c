// Package connectors is Switchboard's plugin API: the interfaces a connector
// implements, the declarative [Spec] it registers with, the registry the
// engine and the UI read, the validation of connection configs and of
// flows' options (flow fields), and error classification.
//
// A connector lives in its own sub-package and registers itself once, from
// init:
//
//	func init() {
//		connectors.Register(spec, New)
//	}
//
// The engine never sleeps on behalf of a connector and a connector never
// retries on its own: it returns errors classified with [Transient],
// [TransientAfter] or [Permanent] (or [HTTPStatusError] for an HTTP answer),
// and the engine owns backoff, pausing and alerts.
//
// Every connector's tests run the conformance suite in
// connectors/conntest; connectors/all imports every connector.
package connectors
