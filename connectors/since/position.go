package since

import (
	"strconv"
	"strings"
)

// Position is where a run is in a list sorted by change time and read by
// page numbers: the page of a query. Each page is asked from the latest
// change of the page before (less a second), so that a record changed
// during the read, which moves to the end of the list, does not shift a
// record the run has not read onto a page it has; only when that would
// ask from no later than the page's own query (a page changed all within
// a second) does the run go on to the next page of the same query.
type Position struct {
	// After is the time the query asks from, as the app writes it; ""
	// asks from the cursor's time (or for every record).
	After string
	// Page is the page of the query, from 1.
	Page int
}

// ParsePosition reads a cursor's position: "after|page", or a page
// number alone (a list read by id, or a cursor of an earlier version).
func ParsePosition(pos string) Position {
	after, page, found := strings.Cut(pos, "|")
	if !found {
		after, page = "", pos
	}
	n, err := strconv.Atoi(page)
	if err != nil || n < 1 {
		n = 1
	}
	return Position{After: after, Page: n}
}

// String is the position as the cursor keeps it.
func (p Position) String() string {
	if p.After == "" {
		return strconv.Itoa(p.Page)
	}
	return p.After + "|" + strconv.Itoa(p.Page)
}

// NextPage is the next page of the same query.
func (p Position) NextPage() Position { return Position{After: p.After, Page: p.Page + 1} }
