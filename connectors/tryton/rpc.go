package tryton

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// rpc calls one Tryton database's JSON-RPC: POST /<database>/ with
// {"id", "method", "params"}; the answer holds "result" or "error".
type rpc struct {
	client   *rest.Client
	path     string // the database's path, such as "shop/"
	database string
	ids      atomic.Int64
}

// rpcError is an error Tryton answered: its type ("UserError",
// "AccessError", "ConcurrencyException"...) and message.
type rpcError struct {
	Method, Type, Message string
}

func (e *rpcError) Error() string {
	switch {
	case e.Type == "" && e.Message == "":
		return e.Method + ": Tryton failed without saying why (its log has the cause)"
	case e.Message == "":
		return fmt.Sprintf("%s: Tryton answered %s", e.Method, e.Type)
	}
	return fmt.Sprintf("%s: %s", e.Method, e.Message)
}

// call calls a method with its params (for a model's method, the context
// is the last) and returns its result with Tryton's classes made plain:
// decimals and dates as text, times in RFC 3339 (UTC).
func (r *rpc) call(ctx context.Context, method string, params ...any) (any, error) {
	return r.callWith(ctx, nil, method, params...)
}

// callWith calls a method with the given headers.
func (r *rpc) callWith(ctx context.Context, header http.Header, method string, params ...any) (any, error) {
	if params == nil {
		params = []any{}
	}
	body := map[string]any{"id": r.ids.Add(1), "method": method, "params": params}
	res, err := r.client.Do(ctx, rest.Request{Method: http.MethodPost, Path: r.path, JSON: body, Header: header})
	var se *rest.StatusError
	if errors.As(err, &se) && se.Status == http.StatusForbidden {
		return nil, connectors.Permanent(fmt.Errorf("%s: the Tryton user may not do this (403 Forbidden); give it the access rights (groups) it needs", method))
	}
	if err != nil {
		return nil, err
	}
	var answer struct {
		Result any   `json:"result"`
		Error  []any `json:"error"`
	}
	if err := res.Decode(&answer); err != nil {
		return nil, err
	}
	if answer.Error != nil {
		return nil, classify(r.rpcError(method, answer.Error))
	}
	return plain(answer.Result), nil
}

// rpcError reads Tryton's ["Type", [message, description, ...]] or
// ["Type", "text"].
func (r *rpc) rpcError(method string, e []any) *rpcError {
	out := &rpcError{Method: method}
	if len(e) > 0 {
		out.Type = text(e[0])
	}
	if len(e) > 1 {
		switch x := e[1].(type) {
		case string:
			out.Message = x
		case []any:
			var parts []string
			for _, p := range x[:min(2, len(x))] {
				if s, ok := p.(string); ok && strings.TrimSpace(s) != "" {
					parts = append(parts, strings.TrimSpace(s))
				}
			}
			out.Message = strings.Join(parts, " ")
		}
	}
	if strings.HasPrefix(out.Type, "Database ") && strings.HasSuffix(out.Type, "doesn't exist!") {
		out.Type, out.Message = "DatabaseNotFound", fmt.Sprintf("the database %q is not on this Tryton server", r.database)
	}
	return out
}

// classify says what the engine should do with a Tryton error: a
// concurrent change, a lock or an error the server does not name passes;
// anything else (a user error, a refused access, an unknown model) waits
// for a person.
func classify(e *rpcError) error {
	switch e.Type {
	case "ConcurrencyException", "TimeoutException", "DatabaseOperationalError", "":
		return connectors.Transient(e) // a conflict, a lock, or a failure of the server itself
	case "RateLimitException":
		return connectors.RateLimited(e, time.Minute)
	}
	return connectors.Permanent(e)
}

// isRPCError reports whether err is an error Tryton answered.
func isRPCError(err error) (*rpcError, bool) {
	var e *rpcError
	return e, errors.As(err, &e)
}

// plain turns Tryton's classes into plain JSON values: a Decimal into its
// text, a date into YYYY-MM-DD, a datetime into RFC 3339 in UTC (Tryton
// keeps times in UTC), bytes into base64, a timedelta into seconds.
func plain(v any) any {
	switch x := v.(type) {
	case []any:
		for i := range x {
			x[i] = plain(x[i])
		}
		return x
	case map[string]any:
		if class, ok := x["__class__"].(string); ok {
			return fromClass(class, x)
		}
		for k, e := range x {
			x[k] = plain(e)
		}
		return x
	}
	return v
}

func fromClass(class string, x map[string]any) any {
	n := func(k string) int {
		i, _ := strconv.Atoi(rest.LookupString(x, k))
		return i
	}
	switch class {
	case "Decimal":
		return json.Number(rest.LookupString(x, "decimal"))
	case "date":
		return fmt.Sprintf("%04d-%02d-%02d", n("year"), n("month"), n("day"))
	case "datetime":
		t := time.Date(n("year"), time.Month(n("month")), n("day"), n("hour"), n("minute"), n("second"), n("microsecond")*1000, time.UTC)
		return t.Format(time.RFC3339Nano)
	case "time":
		return fmt.Sprintf("%02d:%02d:%02d", n("hour"), n("minute"), n("second"))
	case "bytes":
		return rest.LookupString(x, "base64")
	case "timedelta":
		return json.Number(rest.LookupString(x, "seconds"))
	}
	return x
}

// decimal writes a number for Tryton: {"__class__": "Decimal", ...}.
func decimal(v any) (map[string]any, error) {
	s := strings.TrimSpace(fmt.Sprint(v))
	if _, err := strconv.ParseFloat(s, 64); err != nil || v == nil {
		return nil, fmt.Errorf("%v is not a number", v)
	}
	return map[string]any{"__class__": "Decimal", "decimal": s}, nil
}

// date writes a day (YYYY-MM-DD, or the day of an RFC 3339 time) for
// Tryton.
func date(s string) (map[string]any, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		var err2 error
		if t, err2 = time.Parse(time.RFC3339, s); err2 != nil {
			return nil, fmt.Errorf("%q is not a date such as 2024-05-01", s)
		}
	}
	return map[string]any{"__class__": "date", "year": t.Year(), "month": int(t.Month()), "day": t.Day()}, nil
}

// datetime writes a time for Tryton, in UTC.
func datetime(t time.Time) map[string]any {
	t = t.UTC()
	return map[string]any{"__class__": "datetime", "year": t.Year(), "month": int(t.Month()), "day": t.Day(),
		"hour": t.Hour(), "minute": t.Minute(), "second": t.Second(), "microsecond": t.Nanosecond() / 1000}
}

// sessionHeader is Tryton's Authorization header of a session.
func sessionHeader(login string, user int64, session string) string {
	return "Session " + base64.StdEncoding.EncodeToString([]byte(login+":"+strconv.FormatInt(user, 10)+":"+session))
}
