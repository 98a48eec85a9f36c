package xero

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/pace"
)

// explain words an error answer as Xero means it: its validation errors
// (a ValidationException names each in Elements), its Detail or Message,
// and which of its limits a 429 hit. The class is the kit's.
func explain(res *rest.Response, err error) error {
	var se *rest.StatusError
	if res == nil || !errors.As(err, &se) {
		return err
	}
	msg := message(res.Body)
	if problem := res.Header.Get("X-Rate-Limit-Problem"); problem != "" {
		msg = limitProblem(problem) + " (X-Rate-Limit-Problem: " + problem + ")"
	}
	if msg == "" {
		return err
	}
	return connectors.ClassifyStatus(&rest.StatusError{Op: se.Op, Status: se.Status, Message: msg, Header: se.Header}, se.Status, se.Header)
}

// limitProblem says which of Xero's limits a call hit.
func limitProblem(problem string) string {
	switch strings.ToLower(problem) {
	case "minute":
		return "Xero's limit of calls a minute for this organisation is reached"
	case "day":
		return "Xero's limit of calls a day for this organisation is reached; calls go on after Xero's Retry-After"
	case "concurrent":
		return "Xero's limit of calls at once for this organisation is reached"
	case "appminute":
		return "Xero's limit of calls a minute for this app, over every organisation, is reached"
	}
	return "a Xero rate limit is reached"
}

// message finds Xero's words in an error body: the validation errors of
// its Elements, else its Detail, Message or Title.
func message(body []byte) string {
	var v map[string]any
	if rest.DecodeJSON(body, &v) != nil {
		return ""
	}
	var parts []string
	elements, _ := v["Elements"].([]any)
	for _, e := range elements {
		errs, _ := rest.Lookup(e, "ValidationErrors")
		list, _ := errs.([]any)
		for _, ve := range list {
			if m := rest.LookupString(ve, "Message"); m != "" {
				parts = append(parts, m)
			}
		}
	}
	if len(parts) > 0 {
		return strings.Join(parts, "; ")
	}
	for _, k := range []string{"Detail", "Message", "Title"} {
		if m := rest.LookupString(v, k); m != "" {
			return m
		}
	}
	return ""
}

// xeroPacer is the kit's pacer that also reads Xero's own rate-limit
// headers, to stop before a 429: with no call left this minute it waits a
// minute (Xero's window rolls), with none left today as long as the kit
// pauses; the 429 that may still come names the wait.
type xeroPacer struct{ *pace.Pacer }

// Wait waits for a turn, and reads the answer's headers when it is in.
func (p xeroPacer) Wait(ctx context.Context) (func(int, http.Header), error) {
	done, err := p.Pacer.Wait(ctx)
	if err != nil {
		return nil, err
	}
	return func(status int, h http.Header) {
		done(status, h)
		p.observe(h, time.Now())
	}, nil
}

func (p xeroPacer) observe(h http.Header, now time.Time) {
	if h == nil {
		return
	}
	if spent(h, "X-DayLimit-Remaining") {
		p.Pause(now.Add(24 * time.Hour)) // the kit bounds a pause; the 429 after it names the wait
		return
	}
	if spent(h, "X-MinLimit-Remaining") || spent(h, "X-AppMinLimit-Remaining") {
		p.Pause(now.Add(time.Minute))
	}
}

// spent reports whether the header says no call is left.
func spent(h http.Header, name string) bool {
	n, err := strconv.Atoi(strings.TrimSpace(h.Get(name)))
	return err == nil && n <= 0
}
