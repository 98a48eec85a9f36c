// Package spectest is a fake app server driven by the app's own published
// API description (OpenAPI 3, or Swagger 2 converted to OpenAPI 3 with
// kin-openapi), shared by the tests of every REST connector.
//
// A [Server] refuses every request that does not conform to the spec: an
// unknown path or method, a query parameter the operation does not
// declare, a parameter or header of the wrong type or missing, a body of
// the wrong content type, shape or type, or with a property the schema
// does not name. The refusal is a 400 whose message says what is wrong,
// and the test fails at its end naming every refusal it did not expect
// (see [Server.TakeRefusals]). A request that conforms is answered by the
// handler registered for its operation ([Server.Handle]), usually one
// that keeps records in the server's [Store], so that what a test created
// is there for a later read; an operation without a handler is answered
// with an example built from the spec's schema and examples. Every answer
// is checked against the operation's response schema too, so a fake's
// answers (and the records a test seeds) are the app's shapes.
//
// Specs live outside the repository, in the folder [Dir] names
// (SWITCHBOARD_SPECS, by default ../shared/specs next to the repository).
// [Load] reads a spec once per test binary, applies the repairs the
// published file needs (listed in that folder's SOURCES.md and in
// [Fixups]), and skips the test when the file is absent, unless
// SWITCHBOARD_REQUIRE_IT=1 (as in CI), where it fails.
package spectest
