package xerotest

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// serve answers a call that carries a valid access token: the
// organisations connected, or a call to one of them within its limits.
func (x *Xero) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/connections" {
		x.connections(w)
		return
	}
	tenant := r.Header.Get("xero-tenant-id")
	if !x.connected(tenant) {
		writeJSON(w, http.StatusForbidden, map[string]any{"Type": nil, "Title": "Forbidden", "Status": 403,
			"Detail": "AuthenticationUnsuccessful", "Instance": "7a0c2a44-3f51-4a2e-8d0a-0e1b2c3d4e5f"})
		return
	}
	release, problem, wait := x.admit(tenant, time.Now())
	if problem != "" {
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		w.Header().Set("X-Rate-Limit-Problem", problem)
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	defer release()
	x.limitHeaders(w.Header(), tenant)
	x.idempotent(w, r, tenant)
}

// connections lists the organisations connected, as GET /connections.
func (x *Xero) connections(w http.ResponseWriter) {
	x.mu.Lock()
	defer x.mu.Unlock()
	list := []any{}
	for i, t := range x.tenants {
		list = append(list, map[string]any{"id": uuid("connections", i+1), "authEventId": uuid("auth-events", 1), "tenantId": t.ID,
			"tenantType": "ORGANISATION", "tenantName": t.Name, "createdDateUtc": "2025-02-27T09:00:00.0000000", "updatedDateUtc": "2025-02-27T09:00:00.0000000"})
	}
	writeJSON(w, http.StatusOK, list)
}

func (x *Xero) connected(tenant string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, t := range x.tenants {
		if t.ID == tenant {
			return true
		}
	}
	return false
}

// admit counts a call against the organisation's limits, or says which
// limit it is over and how many seconds to wait.
func (x *Xero) admit(tenant string, now time.Time) (release func(), problem string, wait int) {
	x.mu.Lock()
	defer x.mu.Unlock()
	recent := x.calls[tenant][:0]
	for _, at := range x.calls[tenant] {
		if now.Sub(at) < time.Minute {
			recent = append(recent, at)
		}
	}
	x.calls[tenant] = recent
	switch {
	case x.today[tenant] >= x.limits.PerDay:
		midnight := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
		return nil, "day", int(math.Ceil(midnight.Sub(now).Seconds()))
	case len(recent) >= x.limits.PerMinute:
		return nil, "minute", max(1, int(math.Ceil(recent[0].Add(time.Minute).Sub(now).Seconds())))
	case x.inFlight[tenant] >= x.limits.AtOnce:
		return nil, "concurrent", 1
	}
	x.calls[tenant] = append(recent, now)
	x.today[tenant]++
	x.inFlight[tenant]++
	return func() {
		x.mu.Lock()
		defer x.mu.Unlock()
		x.inFlight[tenant]--
	}, "", 0
}

// limitHeaders says how many calls the organisation has left.
func (x *Xero) limitHeaders(h http.Header, tenant string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	h.Set("X-MinLimit-Remaining", strconv.Itoa(x.limits.PerMinute-len(x.calls[tenant])))
	h.Set("X-DayLimit-Remaining", strconv.Itoa(x.limits.PerDay-x.today[tenant]))
	h.Set("X-AppMinLimit-Remaining", strconv.Itoa(10000-len(x.calls[tenant])))
}

// reply is an answer kept for its idempotency key.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// idempotent answers a call with an Idempotency-Key the organisation saw
// before with the answer it got then; others go to the Accounting API.
func (x *Xero) idempotent(w http.ResponseWriter, r *http.Request, tenant string) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		x.Server.ServeHTTP(w, r)
		return
	}
	x.mu.Lock()
	kept, seen := x.replies[tenant+"/"+key]
	x.mu.Unlock()
	if !seen {
		rec := httptest.NewRecorder()
		x.Server.ServeHTTP(rec, r)
		kept = reply{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
		if kept.status < 500 {
			x.mu.Lock()
			x.replies[tenant+"/"+key] = kept
			x.mu.Unlock()
		}
	}
	for k, vs := range kept.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(kept.status)
	_, _ = io.Copy(w, bytes.NewReader(kept.body))
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
