package page

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/switchboard-app/switchboard/connectors/rest"
)

// request is the request of the next page.
func (p *Pager) request() rest.Request {
	o, st := p.opts, p.st
	if (o.Style == LinkHeader || o.Style == NextURL) && st.Pos != "" {
		return rest.Request{Path: st.Pos} // the app's own address holds every parameter
	}
	q := url.Values{}
	for k, vs := range o.Query {
		q[k] = append([]string(nil), vs...)
	}
	if o.Search != nil {
		return rest.Request{Method: http.MethodPost, Path: o.Path, Query: q, JSON: o.Search(p.query())}
	}
	if from, ok := st.From(); ok && o.SinceParam != "" {
		q.Set(o.SinceParam, formatSince(from, o.SinceFormat))
	}
	if o.PageSize > 0 && o.Style != Single {
		q.Set(o.SizeParam, strconv.Itoa(o.PageSize))
	}
	switch o.Style {
	case PageNumber:
		q.Set(o.PageParam, strconv.Itoa(p.pageNumber()))
	case Offset:
		q.Set(o.OffsetParam, strconv.Itoa(atoi(st.Pos)))
	case Cursor:
		if st.Pos != "" {
			q.Set(o.CursorParam, st.Pos)
		}
	}
	return rest.Request{Path: o.Path, Query: q}
}

// query is the page a Search body asks for.
func (p *Pager) query() Query {
	o, st := p.opts, p.st
	q := Query{Size: o.PageSize}
	if from, ok := st.From(); ok && o.incremental() {
		q.Since = from
	}
	switch o.Style {
	case PageNumber:
		q.Page = p.pageNumber()
	case Offset:
		q.Offset = atoi(st.Pos)
	case Cursor:
		q.Cursor = st.Pos
	}
	return q
}

func (p *Pager) pageNumber() int {
	if p.st.Pos == "" {
		return p.opts.FirstPage
	}
	return atoi(p.st.Pos)
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// next is the position of the page after this one, and whether this one
// was the last. An empty page is the last in every style, also when it
// names a next page: some apps build that from the page number past the
// end of their list.
func (p *Pager) next(res *rest.Response, body any, n int) (string, bool) {
	o, pos := p.opts, p.st.Pos
	short := n == 0 || (o.PageSize > 0 && n < o.PageSize)
	ends := short && (n == 0 || !o.CheckShortPages) // the last page, for page numbers and offsets
	total, counted := p.total(body)
	switch o.Style {
	case PageNumber:
		p.fullest = max(p.fullest, n)
		read := (p.pageNumber() - o.FirstPage + 1) * min(o.PageSize, p.fullest)
		return strconv.Itoa(p.pageNumber() + 1), ends || (counted && o.PageSize > 0 && read >= total)
	case Offset:
		return strconv.Itoa(atoi(pos) + n), ends || (counted && atoi(pos)+n >= total)
	case Cursor:
		token := rest.LookupString(body, o.NextCursorPath)
		return token, token == "" || n == 0 || token == pos || (o.ShortPageEnds && short)
	case LinkHeader:
		next := resolve(res, nextLink(res.Header))
		return next, next == "" || n == 0 || next == pos || (o.ShortPageEnds && short)
	case NextURL:
		next := resolve(res, rest.LookupString(body, o.NextURLPath))
		return next, next == "" || n == 0 || next == pos || (o.ShortPageEnds && short)
	}
	return "", true
}

// total is the number of records the answer says the list has, when the
// list has a TotalPath and the answer holds a number there.
func (p *Pager) total(body any) (int, bool) {
	if p.opts.TotalPath == "" {
		return 0, false
	}
	n, err := strconv.Atoi(rest.LookupString(body, p.opts.TotalPath))
	return n, err == nil
}

// resolve makes an address relative to the answer's absolute.
func resolve(res *rest.Response, ref string) string {
	if ref == "" || res.URL == nil {
		return ref
	}
	u, err := res.URL.Parse(ref)
	if err != nil {
		return ref // the client refuses it with a clear error
	}
	return u.String()
}

// nextLink finds rel="next" in Link headers (RFC 8288):
// <https://api.example.com/orders?page=2>; rel="next", <…>; rel="last".
// An address may hold commas (?fields=id,sku): links are split at the
// commas after their address, outside quoted parameters.
func nextLink(h http.Header) string {
	for _, header := range h.Values("Link") {
		for rest := header; ; {
			target, params, tail, ok := linkValue(rest)
			if !ok {
				break
			}
			for _, param := range strings.Split(params, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(param), "=")
				if strings.EqualFold(k, "rel") && hasRel(strings.Trim(v, `"`), "next") {
					return target
				}
			}
			rest = tail
		}
	}
	return ""
}

// linkValue splits the first link of a Link header off: its address
// (between < and >), its parameters up to the comma that ends it (outside
// quotes), and the links after it; false when there is none.
func linkValue(s string) (target, params, rest string, ok bool) {
	open := strings.IndexByte(s, '<')
	if open < 0 {
		return "", "", "", false
	}
	end := strings.IndexByte(s[open:], '>')
	if end < 0 {
		return "", "", "", false
	}
	target, s = strings.TrimSpace(s[open+1:open+end]), s[open+end+1:]
	quoted := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			quoted = !quoted
		case s[i] == '\\' && quoted:
			i++
		case s[i] == ',' && !quoted:
			return target, s[:i], s[i+1:], true
		}
	}
	return target, s, "", true
}

func hasRel(rels, want string) bool {
	for _, r := range strings.Fields(rels) {
		if strings.EqualFold(r, want) {
			return true
		}
	}
	return false
}
