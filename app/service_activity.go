package app

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
)

// ActivityFilter narrows the Activity listing; zero fields do not filter.
type ActivityFilter struct {
	Integration string
	Flow        string
	Status      string
	// Key finds transactions whose business key (order number, SKU,
	// e-mail, file name) is or starts with it.
	Key string
	// From and To bound the creation time: From <= created < To.
	From, To time.Time
}

// ActivityPage is one page of the Activity listing, newest first.
type ActivityPage struct {
	Rows []ActivityRow
	// Next is the cursor of the page after this one, "" on the last page.
	Next string
}

// ActivityRow is one transaction as the Activity listing shows it.
type ActivityRow struct {
	ID          string `db:"id" json:"id"`
	Created     string `db:"created" json:"created"`
	Flow        string `db:"flow" json:"flow"`
	FlowName    string `db:"flow_name" json:"flow_name"`
	Integration string `db:"integration" json:"integration"`
	Status      string `db:"status" json:"status"`
	Key         string `db:"key" json:"key"`
	Attempts    int    `db:"attempts" json:"attempts"`
	Error       string `db:"error" json:"error"`
	ErrorClass  string `db:"error_class" json:"error_class"`
	Note        string `db:"note" json:"note"`
	DurationMS  int64  `db:"duration_ms" json:"duration_ms"`
}

// ErrBadStatus is returned for a status filter that is not a transaction
// status.
var ErrBadStatus = errors.New("status must be one of " + strings.Join(TransactionStatuses, ", "))

// TransactionStatuses are the statuses a transaction can have, in the
// order the Activity page's filter lists them.
var TransactionStatuses = []string{StatusPending, StatusRunning, StatusSucceeded, StatusSkipped, StatusFailed,
	StatusRetrying, StatusResolved}

// ErrBadCursor is returned for a page cursor that this listing did not make.
var ErrBadCursor = errors.New("the page cursor is not valid")

// MaxActivityPage bounds the rows of one Activity page.
const MaxActivityPage = 200

// ListActivity lists transactions newest first, limit at a time, from the
// cursor of the page before ("" for the first page). Pages are keyset
// paginated on the id, which begins with the time the transaction was
// stored (ids.go), so a page costs the same however deep it is and rows
// added meanwhile do not shift them.
func (s *Switchboard) ListActivity(f ActivityFilter, cursor string, limit int) (ActivityPage, error) {
	limit = min(max(limit, 1), MaxActivityPage)
	where, params, err := activityWhere(f, cursor)
	if err != nil {
		return ActivityPage{}, err
	}
	params["limit"] = limit + 1
	var rows []ActivityRow
	err = s.app.DB().NewQuery(activitySQL(where)).Bind(params).All(&rows)
	if err != nil {
		return ActivityPage{}, fmt.Errorf("listing activity: %w", err)
	}
	page := ActivityPage{Rows: rows}
	if len(rows) > limit {
		page.Rows = rows[:limit]
		last := page.Rows[limit-1]
		page.Next = encodeCursor(last.ID)
	}
	return page, nil
}

// activitySQL is the query of an Activity page with the conditions of
// activityWhere.
func activitySQL(where string) string {
	return `SELECT t.id, t.created, t.flow, t.status, t.key, t.attempts, t.error, t.error_class,
		t.note, t.duration_ms, COALESCE(f.name, t.flow_name) AS flow_name, COALESCE(f.integration, '') AS integration
		FROM transactions t LEFT JOIN flows f ON f.id = t.flow
		WHERE ` + where + ` ORDER BY t.id DESC LIMIT {:limit}`
}

func activityWhere(f ActivityFilter, cursor string) (string, dbx.Params, error) {
	conds := []string{"1=1"}
	params := dbx.Params{}
	add := func(cond, name string, value any) {
		conds = append(conds, cond)
		params[name] = value
	}
	if f.Flow != "" && f.Status != StatusRunning { // a running one's flow is asked below
		add("t.flow = {:flow}", "flow", f.Flow)
	}
	if f.Integration != "" {
		add("t.flow IN (SELECT id FROM flows WHERE integration = {:integration})", "integration", f.Integration)
	}
	switch f.Status {
	case "":
	case StatusRunning: // left out of the status indexes (see indexedStatuses): a few, found in those of unfinished ones
		running := "SELECT id FROM transactions WHERE status = {:status} AND " + openStatuses
		if f.Flow != "" {
			running += " AND flow = {:flow}"
			params["flow"] = f.Flow
		}
		add("t.id IN ("+running+")", "status", f.Status)
	default:
		if !slices.Contains(TransactionStatuses, f.Status) {
			return "", nil, ErrBadStatus
		}
		add("t.status = {:status}", "status", f.Status)
	}
	if key := fitKey(strings.TrimSpace(f.Key), maxKey); key != "" {
		// A range on the key index: the key, and every key it begins.
		add("t.key >= {:key} AND t.key < {:keyEnd}", "key", key)
		params["keyEnd"] = key + "\U0010FFFF"
	}
	// The time bounds are bounds on the ids, which begin with the time:
	// every id made before From sorts before idTime(From), every one made
	// at From or later after it.
	if !f.From.IsZero() {
		add("t.id >= {:from}", "from", idTime(f.From))
	}
	if !f.To.IsZero() {
		add("t.id < {:to}", "to", idTime(f.To))
	}
	if cursor != "" {
		id, err := decodeCursor(cursor)
		if err != nil {
			return "", nil, err
		}
		add("t.id < {:cID}", "cID", id)
	}
	return strings.Join(conds, " AND "), params, nil
}

func encodeCursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(id))
}

// decodeCursor returns the id of the last row of the page before. A
// cursor made before the listing was ordered by id alone holds the row's
// time, "|", then its id.
func decodeCursor(cursor string) (id string, err error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return "", ErrBadCursor
	}
	id = string(raw)
	if _, after, found := strings.Cut(id, "|"); found {
		id = after
	}
	if !isRecordID(id) {
		return "", ErrBadCursor
	}
	return id, nil
}

// isRecordID tells whether id has the form of a record's id: 15
// characters of a-z and 0-9.
func isRecordID(id string) bool {
	if len(id) != 15 {
		return false
	}
	for _, c := range []byte(id) {
		if !strings.ContainsRune(idAlphabet, rune(c)) {
			return false
		}
	}
	return true
}
