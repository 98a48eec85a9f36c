package rest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
)

// Request is one call to the app.
type Request struct {
	// Method is GET when empty.
	Method string
	// Path is relative to the base URL ("orders/12", "orders?status=open"),
	// or an absolute address on the base URL's scheme and host, such as a
	// next page's link.
	Path string
	// Query is added to the address's query.
	Query url.Values
	// Header is added to the request's headers.
	Header http.Header
	// JSON, when set, is encoded as the body (application/json).
	JSON any
	// Body, when set and JSON is not, is sent as it is, with ContentType.
	Body        []byte
	ContentType string
	// IdempotencyKey is sent in the client's idempotency header, when it
	// has one: the same for every attempt at one write.
	IdempotencyKey string
	// NoAuth sends the request without the client's credentials (a login
	// request carries its own).
	NoAuth bool
}

func (r Request) method() string {
	if r.Method == "" {
		return http.MethodGet
	}
	return r.Method
}

// encode returns the request's body and content type.
func (r Request) encode() ([]byte, string, error) {
	if r.JSON != nil {
		data, err := json.Marshal(r.JSON)
		if err != nil {
			return nil, "", fmt.Errorf("encoding the body as JSON: %w", err)
		}
		return data, "application/json", nil
	}
	if r.Body != nil {
		return r.Body, r.ContentType, nil
	}
	return nil, "", nil
}

// Response is the app's answer, read in full.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// URL is the address that answered, for resolving relative links.
	URL *url.URL
}

// Decode reads the answer's JSON into v, keeping numbers exact
// (json.Number in maps). An answer whose content type is set and is not
// JSON, or whose body is not one JSON value, is refused with a permanent
// error quoting its beginning; except a JSON object or list labelled
// text/html or text/plain (a PHP app's default type), which is the app's.
func (res *Response) Decode(v any) error {
	op := res.op()
	if ct := res.Header.Get("Content-Type"); ct != "" && !isJSON(ct) && !mislabelledJSON(ct, res.Body) {
		return connectors.Permanent(fmt.Errorf("%s: the answer is %s, not JSON%s", op, ct, connectors.ShortBody(res.Body)))
	}
	if err := DecodeJSON(res.Body, v); err != nil {
		return connectors.Permanent(fmt.Errorf("%s: %w%s", op, err, connectors.ShortBody(res.Body)))
	}
	return nil
}

func (res *Response) op() string {
	if res.URL == nil {
		return "the answer"
	}
	return "the answer of " + res.URL.Path
}

// DecodeJSON decodes exactly one JSON value from data into v, with
// UseNumber. A UTF-8 byte order mark before it is skipped (RFC 8259 lets a
// reader ignore one, and .NET and some PHP apps write it). Nothing is
// decoded from data that is not one JSON value.
func DecodeJSON(data []byte, v any) error {
	data = bytes.TrimPrefix(data, utf8BOM)
	if len(bytes.TrimSpace(data)) == 0 {
		return fmt.Errorf("the answer is empty, not JSON")
	}
	if !json.Valid(data) {
		var raw json.RawMessage
		dec := json.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("the answer is not JSON as expected: %w", err)
		}
		return fmt.Errorf("the answer holds more than one JSON value")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("the answer is not JSON as expected: %w", err)
	}
	return nil
}

// mislabelledJSON reports whether an answer labelled as text or a web
// page (text/plain, text/html) is a JSON object or list: apps whose
// framework labels every answer text/html send their JSON so. Markup, or
// text in a charset other than UTF-8, is not.
func mislabelledJSON(ct string, body []byte) bool {
	media, params, err := mime.ParseMediaType(ct)
	if err != nil || (media != "text/html" && media != "text/plain") || !utf8Charset(params["charset"]) {
		return false
	}
	body = bytes.TrimSpace(bytes.TrimPrefix(body, utf8BOM))
	return len(body) > 0 && (body[0] == '{' || body[0] == '[')
}

// utf8Charset reports whether a content type's charset is UTF-8 (also
// written "utf8", or US-ASCII, which UTF-8 includes), or not named.
func utf8Charset(cs string) bool {
	cs = strings.ToLower(cs)
	return cs == "" || cs == "utf-8" || cs == "utf8" || cs == "us-ascii"
}

// utf8BOM is the byte order mark some apps write before their JSON.
var utf8BOM = []byte("\xef\xbb\xbf")

// isJSON reports whether a content type is JSON: application/json, a type
// ending in +json, or text/json, in UTF-8 when a charset is named (also
// written "utf8", or US-ASCII, which UTF-8 includes).
func isJSON(ct string) bool {
	media, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	if !utf8Charset(params["charset"]) {
		return false
	}
	return media == "application/json" || media == "text/json" || strings.HasSuffix(media, "+json")
}
