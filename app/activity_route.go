package app

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// activityAnswer is a page of GET /api/switchboard/activity.
type activityAnswer struct {
	Items []ActivityRow `json:"items"`
	// Next is the cursor of the next page ("after"), "" on the last one.
	Next string `json:"next"`
}

// handleActivity lists transactions newest first, keyset-paginated, with
// the filters of the Activity page: flow, integration, status, key (exact
// or its beginning), from and to (RFC 3339 times), after (the previous
// page's next) and limit (50 by default, at most MaxActivityPage).
func (s *Switchboard) handleActivity(e *core.RequestEvent) error {
	q := e.Request.URL.Query()
	if name := unknownActivityParam(q); name != "" {
		return e.BadRequestError(fmt.Sprintf("%q is no parameter of the activity listing; it takes %s.",
			name, strings.Join(activityParams, ", ")), nil)
	}
	f := ActivityFilter{Flow: q.Get("flow"), Integration: q.Get("integration"), Status: q.Get("status"), Key: q.Get("key")}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return e.BadRequestError(name+" must be a time such as 2026-03-01T00:00:00Z.", nil)
			}
			*dst = t
		}
	}
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(v, "-") {
			return e.BadRequestError(fmt.Sprintf("limit must be at most %d.", MaxActivityPage), nil)
		}
		if err != nil || n < 1 {
			return e.BadRequestError("limit must be a positive whole number.", nil)
		}
		limit = n
	}
	page, err := s.ListActivity(f, q.Get("after"), limit)
	if errors.Is(err, ErrBadCursor) {
		return e.BadRequestError("after is not a cursor this listing made; start from the first page.", nil)
	}
	if errors.Is(err, ErrBadStatus) {
		return e.BadRequestError(ErrBadStatus.Error()+".", nil)
	}
	if err != nil {
		return err
	}
	if page.Rows == nil {
		page.Rows = []ActivityRow{}
	}
	return e.JSON(http.StatusOK, activityAnswer{Items: page.Rows, Next: page.Next})
}

// activityParams are the query parameters GET /api/switchboard/activity takes.
var activityParams = []string{"flow", "integration", "status", "key", "from", "to", "after", "limit"}

// unknownActivityParam names a query parameter the listing does not take,
// in order, or is "": a misspelt filter ("statu=failed") was ignored, and
// the caller got every transaction as if filtered.
func unknownActivityParam(q url.Values) string {
	names := slices.Sorted(maps.Keys(q))
	for _, name := range names {
		if !slices.Contains(activityParams, name) {
			return name
		}
	}
	return ""
}
