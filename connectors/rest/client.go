// Package rest is the REST kit's HTTP client, the one every app connector
// speaks through: a base URL, JSON in and out (numbers kept exact), a limit
// on the size of answers, errors classified for the engine with the app's
// own message, the idempotency key header, credentials from an
// [Authorizer], pacing from a [Pacer] shared by the connection, per-request
// timeouts, and a request log at debug level.
//
// The client never retries on its own: a failed call comes back as an error
// classified transient, rate-limited or permanent (see the connectors
// package), and the engine decides. The one exception is a 401 answer when
// the authorizer can renew its credentials (a login token, an OAuth2 access
// token): the call is sent once more with the new ones.
package rest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// DefaultMaxBody bounds an answer's size unless [Options.MaxBody] says
// otherwise: 32 MB.
const DefaultMaxBody = 32 << 20

// Authorizer adds a connection's credentials to its requests.
type Authorizer interface {
	// Authorize adds credentials to req, whose body is body (nil when the
	// request has none): a header, a query parameter, a signature.
	Authorize(ctx context.Context, req *http.Request, body []byte) error
}

// Renewer is implemented by authorizers whose credentials expire and can be
// obtained again, such as a login token or an OAuth2 access token.
type Renewer interface {
	// Renew is told that the app refused (401) the credentials of the
	// request refused. It obtains new ones, unless others have been
	// obtained since that request was sent, and reports whether the request
	// may be sent again; false when there is nothing to renew.
	Renew(ctx context.Context, refused *http.Request) (bool, error)
}

// RenewalRefuser is implemented by renewers that want to know when the
// app refused (401) the request sent again with the credentials they had
// just renewed: the app refuses how they are sent, or what they grant,
// and renewing them for every call would not help.
type RenewalRefuser interface {
	// RenewalRefused is told the request sent again, as sent.
	RenewalRefused(retried *http.Request)
}

// Pacer decides when a call may go out, for all the callers of one
// connection at once (see package pace).
type Pacer interface {
	// Wait blocks until a call may be sent, or ctx ends. The returned done
	// must be called once the answer is in, with its status and header
	// (0 and nil when no answer came).
	Wait(ctx context.Context) (done func(status int, header http.Header), err error)
}

// Options configure a [Client].
type Options struct {
	// BaseURL is the address paths are relative to, such as
	// https://shop.example.com/api/v2.
	BaseURL string
	// HTTPClient sends the requests; the engine's (connectors.Env) or one
	// built on it. http.DefaultClient when nil. A client without a redirect
	// policy of its own follows only redirects on the request's origin
	// (SameOriginRedirects).
	HTTPClient *http.Client
	// Logger receives a line per request at debug level; the connection's
	// logger, which redacts its secrets. Nothing is logged when nil.
	Logger *slog.Logger
	// Auth adds credentials; none when nil.
	Auth Authorizer
	// Pacer paces the calls; none when nil.
	Pacer Pacer
	// MaxBody bounds an answer's size in bytes (DefaultMaxBody when 0): a
	// larger answer is refused as a whole.
	MaxBody int64
	// IdempotencyHeader is the header that carries [Request.IdempotencyKey]
	// for apps that take one, such as "Idempotency-Key"; "" sends none.
	IdempotencyHeader string
	// Timeout bounds each request once it is its turn to go out (0: only
	// the caller's context bounds it).
	Timeout time.Duration
	// Header is sent with every request (a User-Agent, an API version).
	Header http.Header
}

// Client calls one app's REST API. It is safe for concurrent use.
type Client struct {
	base *url.URL
	opts Options
	http *http.Client
	log  *slog.Logger
}

// New returns a client for the API at opts.BaseURL.
func New(opts Options) (*Client, error) {
	base, err := url.Parse(strings.TrimRight(opts.BaseURL, "/"))
	if err != nil || base.Host == "" || (base.Scheme != "http" && base.Scheme != "https") {
		return nil, fmt.Errorf("base URL %q: want an http or https address", opts.BaseURL)
	}
	if base.Path == "" {
		base.Path = "/"
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	c := &Client{base: base, opts: opts, http: opts.HTTPClient, log: opts.Logger}
	if c.http == nil {
		c.http = http.DefaultClient
	}
	c.http = withSameOriginRedirects(c.http)
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// BaseURL returns the client's base URL.
func (c *Client) BaseURL() *url.URL { u := *c.base; return &u }

// Do sends a request and returns the app's answer. An answer that is not a
// success comes back with a classified error wrapping a *StatusError; a
// call that got no answer comes back with a transient error and a nil
// response.
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	u, err := c.resolve(r)
	if err != nil {
		return nil, connectors.Permanent(err)
	}
	body, ctype, err := r.encode()
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("%s %s: %w", r.method(), u.Path, err))
	}
	res, sent, err := c.send(ctx, r, u, body, ctype)
	if err == nil && res.Status == http.StatusUnauthorized && !r.NoAuth {
		if renewed, rerr := c.renew(ctx, sent); rerr != nil {
			return res, rerr
		} else if renewed {
			var again *http.Request
			res, again, err = c.send(ctx, r, u, body, ctype)
			if err == nil && res.Status == http.StatusUnauthorized {
				c.renewalRefused(again)
			}
		}
	}
	if err != nil {
		return res, err
	}
	if res.Status < 200 || res.Status > 299 {
		return res, statusError(r.method()+" "+u.Path, res)
	}
	return res, nil
}

// DoJSON sends a request and decodes its answer's JSON into out (skipped
// when out is nil).
func (c *Client) DoJSON(ctx context.Context, r Request, out any) (*Response, error) {
	res, err := c.Do(ctx, r)
	if err != nil || out == nil {
		return res, err
	}
	return res, res.Decode(out)
}

func (c *Client) renew(ctx context.Context, refused *http.Request) (bool, error) {
	rn, ok := c.opts.Auth.(Renewer)
	if !ok {
		return false, nil
	}
	return rn.Renew(ctx, refused)
}

func (c *Client) renewalRefused(retried *http.Request) {
	if rr, ok := c.opts.Auth.(RenewalRefuser); ok {
		rr.RenewalRefused(retried)
	}
}

// resolve turns the request's path into an address on the base URL's
// origin, a relative one with the base URL's query; an absolute address
// elsewhere is refused, so that credentials never go to another host.
func (c *Client) resolve(r Request) (*url.URL, error) {
	ref, err := url.Parse(r.Path)
	if err != nil {
		return nil, fmt.Errorf("path %q: %w", r.Path, err)
	}
	var u *url.URL
	if ref.IsAbs() {
		ref = overTLS(ref, c.base)
		if origin(ref) != origin(c.base) {
			return nil, fmt.Errorf("address %s is not on %s://%s: refused, so that the connection's credentials are not sent elsewhere",
				maskedURL(ref), c.base.Scheme, c.base.Host)
		}
		u = ref
	} else {
		if hasDotDot(ref.Path) {
			return nil, fmt.Errorf("path %q: a .. segment would leave the API's base address", r.Path)
		}
		u = c.base.JoinPath(ref.EscapedPath())
		u.RawQuery = joinQuery(c.base.RawQuery, ref.RawQuery)
	}
	if len(r.Query) > 0 {
		q := u.Query()
		for k, vs := range r.Query {
			q[k] = append(q[k], vs...)
		}
		u.RawQuery = q.Encode()
	}
	return u, nil
}

// joinQuery is the base URL's query (an API version, a tenant) followed
// by a relative path's own.
func joinQuery(base, own string) string {
	if base == "" || own == "" {
		return base + own
	}
	return base + "&" + own
}

// overTLS is an absolute address as it is sent: a plain http address on
// an https base's host and default port (a link an app behind a proxy that
// ends TLS writes so) goes to the base's origin, over https; any other
// address as it is.
func overTLS(ref, base *url.URL) *url.URL {
	if !strings.EqualFold(ref.Scheme, "http") || !strings.EqualFold(base.Scheme, "https") ||
		!strings.EqualFold(ref.Hostname(), base.Hostname()) || (ref.Port() != "" && ref.Port() != "80") {
		return ref
	}
	u := *ref
	u.Scheme, u.Host = base.Scheme, base.Host
	return &u
}

func hasDotDot(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return true
		}
	}
	return false
}

// send sends one request and returns the answer and the request as sent.
func (c *Client) send(ctx context.Context, r Request, u *url.URL, body []byte, ctype string) (*Response, *http.Request, error) {
	op := r.method() + " " + u.Path
	done := func(int, http.Header) {}
	if c.opts.Pacer != nil {
		var err error
		if done, err = c.opts.Pacer.Wait(ctx); err != nil {
			if _, limited := connectors.IsRateLimited(err); limited {
				return nil, nil, fmt.Errorf("%s: %w", op, err)
			}
			return nil, nil, connectors.Transient(fmt.Errorf("%s: waiting for a turn to call the app: %w", op, err))
		}
	}
	if c.opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.opts.Timeout)
		defer cancel()
	}
	req, err := c.newRequest(ctx, r, u, body, ctype)
	if err != nil {
		done(0, nil)
		return nil, nil, err
	}
	start := time.Now()
	res, err := c.http.Do(req)
	if err != nil {
		done(0, nil)
		err = transportError(op, err, ctx)
		c.logCall(ctx, req, start, 0, 0, err)
		return nil, req, err
	}
	defer res.Body.Close()
	data, err := readLimited(res.Body, c.opts.MaxBody)
	done(res.StatusCode, res.Header)
	c.logCall(ctx, req, start, res.StatusCode, len(data), err)
	if err != nil {
		return nil, req, bodyError(op, err, c.opts.MaxBody)
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: data, URL: u}, req, nil
}

func (c *Client) newRequest(ctx context.Context, r Request, u *url.URL, body []byte, ctype string) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method(), u.String(), rd)
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("%s %s: %w", r.method(), u.Path, err))
	}
	for k, vs := range c.opts.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	req.Header.Set("Accept", "application/json")
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.opts.IdempotencyHeader != "" && r.IdempotencyKey != "" {
		req.Header.Set(c.opts.IdempotencyHeader, r.IdempotencyKey)
	}
	for k, vs := range r.Header {
		req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	if c.opts.Auth != nil && !r.NoAuth {
		if err := c.opts.Auth.Authorize(ctx, req, body); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// readLimited reads a body of at most limit bytes; a longer one is an
// errTooLarge.
func readLimited(body io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, errTooLarge
	}
	return data, nil
}

var errTooLarge = errors.New("answer too large")

// AuthorizerFunc adapts a function to the [Authorizer] interface.
type AuthorizerFunc func(ctx context.Context, req *http.Request, body []byte) error

// Authorize calls f.
func (f AuthorizerFunc) Authorize(ctx context.Context, req *http.Request, body []byte) error {
	return f(ctx, req, body)
}
