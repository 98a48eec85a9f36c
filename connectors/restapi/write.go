package restapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// Write creates the record, or updates req.TargetID, with the body the
// write mapping made.
func (c *Conn) Write(ctx context.Context, req connectors.WriteRequest) (connectors.WriteResult, error) {
	spec, err := c.entity(req.Entity)
	if err != nil {
		return connectors.WriteResult{}, err
	}
	call, method := spec.Create, http.MethodPost
	if req.TargetID != "" && spec.Update != nil {
		call, method = spec.Update, http.MethodPut
	}
	if call == nil {
		return connectors.WriteResult{}, connectors.Permanent(fmt.Errorf("the connection has no create request for %s records", req.Entity))
	}
	if call.Method != "" {
		method = call.Method
	}
	var body any = req.Data
	if call.Wrap != "" {
		body = map[string]any{call.Wrap: req.Data}
	}
	if err := dotSegment(call.Path, req.TargetID, req.Key); err != nil {
		return connectors.WriteResult{}, fmt.Errorf("writing %s %s: %w", req.Entity, req.Key, err)
	}
	res, err := c.client.Do(ctx, rest.Request{Method: method, Path: fill(call.Path, req.TargetID, req.Key), JSON: body,
		IdempotencyKey: req.IdempotencyKey})
	if err == nil {
		err = webPage(res)
	}
	if err != nil {
		return connectors.WriteResult{}, fmt.Errorf("writing %s %s: %w", req.Entity, req.Key, err)
	}
	return written(res, call, spec, req.TargetID), nil
}

// webPage refuses an answer that is a web page: a base URL that leads to
// the web site instead of its API (which answers every address), or a
// sign-in page in front of the API. Such an answer is not the app's, and
// taking it for a write's would pass the record for written. An empty
// answer or JSON labelled text/html (a PHP app's default type) is the
// app's own and passes.
func webPage(res *rest.Response) error {
	media, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if media != "text/html" && media != "application/xhtml+xml" {
		return nil
	}
	if body := bytes.TrimSpace(bytes.TrimPrefix(res.Body, []byte("\xef\xbb\xbf"))); len(body) == 0 || body[0] != '<' {
		return nil
	}
	return connectors.Permanent(fmt.Errorf("the answer of %s is a web page (%s), not JSON: check that the base URL is the API's%s",
		res.URL.Path, media, connectors.ShortBody(res.Body)))
}

// fill puts the record's id and key into a path template, escaped for
// where they stand: as a path segment before the "?", as a query value
// after it (where "&", "=" and "+" mean something a path leaves alone). A
// path without either is used as it is, without building a replacer for
// each call.
func fill(path, id, key string) string {
	if !strings.Contains(path, "{") {
		return path
	}
	p, query, hasQuery := strings.Cut(path, "?")
	p = strings.NewReplacer("{id}", url.PathEscape(id), "{key}", url.PathEscape(key)).Replace(p)
	if !hasQuery {
		return p
	}
	return p + "?" + strings.NewReplacer("{id}", url.QueryEscape(id), "{key}", url.QueryEscape(key)).Replace(query)
}

// dotSegment refuses an id or key that would stand alone as a segment of
// the path template's path ("products/{id}" with the id "." or ".."): a
// dot segment names the collection, or the one above, not a record, and
// the write would go there.
func dotSegment(path, id, key string) error {
	p, _, _ := strings.Cut(path, "?")
	for _, seg := range strings.Split(p, "/") {
		for placeholder, value := range map[string]string{"{id}": id, "{key}": key} {
			if seg == placeholder && (value == "." || value == "..") {
				return connectors.Permanent(fmt.Errorf("the %s %q cannot stand as a segment of the path %s: it would name the collection, not the record",
					strings.Trim(placeholder, "{}"), value, path))
			}
		}
	}
	return nil
}

// written reads the app's answer to a write: the record and its id. An
// answer that is not JSON is kept as text; the id is then the one sent.
// A created record whose answer holds no id is known by the last segment
// of its address in Location (201 Created, "/orders/77"), so that its next
// change updates it rather than creating it again.
func written(res *rest.Response, call *Call, spec Entity, targetID string) connectors.WriteResult {
	out := answered(res, call, spec, targetID)
	if out.TargetID == "" && res.Status == http.StatusCreated { // a 202's Location is a job's
		out.TargetID = idOfLocation(res.Header.Get("Location"))
	}
	return out
}

// answered reads the record and its id from a write's answer body.
func answered(res *rest.Response, call *Call, spec Entity, targetID string) connectors.WriteResult {
	out := connectors.WriteResult{TargetID: targetID}
	if len(bytes.TrimSpace(res.Body)) == 0 {
		return out
	}
	var answer any
	if err := rest.DecodeJSON(res.Body, &answer); err != nil {
		out.Response = map[string]any{"body": string(res.Body)}
		return out
	}
	record, _ := rest.Lookup(answer, call.Record)
	if m, ok := record.(map[string]any); ok {
		out.Response = m
	} else {
		out.Response = map[string]any{"body": answer}
	}
	if id := rest.LookupString(record, spec.idPath()); id != "" {
		out.TargetID = id
	}
	return out
}

// idOfLocation is the last path segment of a Location header, unescaped
// ("/v2/orders/77/" gives "77"); "" when there is none.
func idOfLocation(location string) string {
	if location == "" {
		return ""
	}
	u, err := url.Parse(location)
	if err != nil {
		return ""
	}
	p := strings.TrimRight(u.EscapedPath(), "/")
	id, err := url.PathUnescape(p[strings.LastIndex(p, "/")+1:])
	if err != nil {
		return ""
	}
	return id
}

// Get implements [connectors.Getter]: one record by id, with the
// entity's get request.
func (c *Conn) Get(ctx context.Context, entity connectors.Entity, id string) (connectors.Record, error) {
	spec, err := c.entity(entity)
	if err != nil {
		return connectors.Record{}, err
	}
	if spec.Get == nil {
		return connectors.Record{}, connectors.Permanent(fmt.Errorf("the connection has no get request for %s records", entity))
	}
	method := spec.Get.Method
	if method == "" {
		method = http.MethodGet
	}
	if err := dotSegment(spec.Get.Path, id, ""); err != nil {
		return connectors.Record{}, fmt.Errorf("getting %s %s: %w", entity, id, err)
	}
	var answer any
	res, err := c.client.DoJSON(ctx, rest.Request{Method: method, Path: fill(spec.Get.Path, id, "")}, &answer)
	if err != nil {
		var se *rest.StatusError
		if errors.As(err, &se) && se.Status == http.StatusNotFound {
			return connectors.Record{}, fmt.Errorf("getting %s %s: %w: %w", entity, id, connectors.ErrRecordNotFound, err)
		}
		return connectors.Record{}, fmt.Errorf("getting %s %s: %w", entity, id, err)
	}
	record, _ := rest.Lookup(answer, spec.Get.Record)
	if _, ok := record.(map[string]any); !ok {
		where := fmt.Sprintf("holds no record (an object) at %q", spec.Get.Record)
		if spec.Get.Record == "" {
			where = "is not a record (an object)"
		}
		return connectors.Record{}, connectors.Permanent(fmt.Errorf("getting %s %s: the answer of %s %s", entity, id, res.URL.Path, where))
	}
	return spec.record(record, 0), nil
}
