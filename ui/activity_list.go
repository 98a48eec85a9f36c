package ui

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/app"
)

// activityPageSize is how many transactions one Activity page shows.
const activityPageSize = 50

// activityListData is the Activity page.
type activityListData struct {
	page
	Filter       activityQuery
	Rows         []app.ActivityRow
	NextURL      string
	FirstURL     string
	Integrations []*core.Record
	Flows        []*core.Record
	Statuses     []string
	Back         string
	// Seen is when the page read the transactions, for its retry forms.
	Seen string
}

// activityQuery is the Activity page's filter as the address carries it.
type activityQuery struct {
	Integration, Flow, Status, Key, From, To, After string
}

func readActivityQuery(q url.Values) activityQuery {
	return activityQuery{Integration: q.Get("integration"), Flow: q.Get("flow"), Status: q.Get("status"),
		Key: q.Get("key"), From: q.Get("from"), To: q.Get("to"), After: q.Get("after")}
}

// values is the query without the page cursor.
func (q activityQuery) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"integration": q.Integration, "flow": q.Flow, "status": q.Status,
		"key": q.Key, "from": q.From, "to": q.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// filter turns the query into the service's filter; days are read in the
// user's time zone, and "to" includes its day. ok is false for a from or
// to that is not a day (2026-03-01): left out of the filter, it would be
// ignored without a word.
func (q activityQuery) filter(zone *time.Location) (f app.ActivityFilter, ok bool) {
	f = app.ActivityFilter{Integration: q.Integration, Flow: q.Flow, Status: q.Status, Key: q.Key}
	from, okFrom := readDay(q.From, zone)
	to, okTo := readDay(q.To, zone)
	if !to.IsZero() {
		to = to.AddDate(0, 0, 1)
	}
	f.From, f.To = from, to
	return f, okFrom && okTo
}

// readDay reads a day such as 2026-03-01 in zone; "" is no day, and read.
func readDay(text string, zone *time.Location) (time.Time, bool) {
	if text == "" {
		return time.Time{}, true
	}
	t, err := time.ParseInLocation("2006-01-02", text, zone)
	return t, err == nil
}

func (u *UI) activityList(r *request) error {
	q := readActivityQuery(r.Request.URL.Query())
	zone, _ := time.LoadLocation(r.L.Zone())
	f, ok := q.filter(zone)
	if !ok {
		return r.fail(http.StatusBadRequest, "error.bad_date")
	}
	result, err := u.sb.ListActivity(f, q.After, activityPageSize)
	if errors.Is(err, app.ErrBadCursor) {
		return r.fail(http.StatusBadRequest, "error.bad_cursor")
	}
	if errors.Is(err, app.ErrBadStatus) {
		return r.fail(http.StatusBadRequest, "error.bad_status")
	}
	if err != nil {
		return err
	}
	base := q.values()
	back := q.values()
	if q.After != "" {
		back.Set("after", q.After)
	}
	d := activityListData{page: r.page("activity", r.L.T("nav.activity")), Filter: q, Rows: result.Rows,
		Statuses: app.TransactionStatuses, Back: "/activity?" + back.Encode(), Seen: seenNow()}
	if result.Next != "" {
		next := q.values()
		next.Set("after", result.Next)
		d.NextURL = "/activity?" + next.Encode()
	}
	if q.After != "" {
		d.FirstURL = "/activity?" + base.Encode()
	}
	if d.Integrations, err = u.app().FindRecordsByFilter("integrations", "", "name", 0, 0); err != nil {
		return err
	}
	if d.Flows, err = u.app().FindRecordsByFilter("flows", "", "name", 0, 0); err != nil {
		return err
	}
	return r.render(http.StatusOK, "activity_list", d)
}
