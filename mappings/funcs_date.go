package mappings

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // zones must resolve on hosts without a zoneinfo database
)

func init() {
	register(
		&Function{Name: "parse_time", Group: "date", Signature: "parse_time(s, layout, [zone])", MinArgs: 2, MaxArgs: 3,
			Doc: "Parses text by a layout: a Go reference layout (\"02-01-2006 15:04\") or one of rfc3339, date (2006-01-02), datetime (2006-01-02 15:04:05), dmy (02-01-2006), dmy_slash (02/01/2006), mdy_slash (01/02/2006). Text without a zone is read in zone (an IANA name, default UTC).",
			fn:  fnParseTime,
			Examples: []Example{
				{Expr: `parse_time("31-01-2025 14:30", "02-01-2006 15:04", "Europe/Amsterdam")`, Want: `2025-01-31T14:30:00+01:00`},
				{Expr: `parse_time("2019-03-07 00:00:00", "datetime")`, Want: `2019-03-07T00:00:00Z`},
			}},
		&Function{Name: "to_zone", Group: "date", Signature: "to_zone(t, zone)", MinArgs: 2, MaxArgs: 2,
			Doc: "The same instant in another zone (an IANA name such as Europe/Amsterdam).", fn: fnToZone,
			Examples: []Example{{Expr: `to_zone("2024-12-25T09:15:00Z", "America/New_York")`, Want: `2024-12-25T04:15:00-05:00`}}},
		&Function{Name: "to_business_zone", Group: "date", Signature: "to_business_zone(t)", MinArgs: 1, MaxArgs: 1,
			Doc: "The same instant in the business time zone set on the Settings page, so that format_time(to_business_zone(ordered_at), \"date\") is the day the books keep; without one set, t as it was read (in its own zone). A date (YYYY-MM-DD) and nil stay as they are.",
			withEnv: func(c *compiler) func(args ...any) (any, error) {
				zone := c.zone
				return func(args ...any) (any, error) { return toBusinessZone(args[0], zone) }
			},
			Examples: []Example{
				{Expr: `to_business_zone("2026-12-31T23:30:00Z")`, Want: `2026-12-31T23:30:00Z`},
				{Expr: `format_time(to_business_zone(ordered_at), "date")`, Input: map[string]any{"ordered_at": "2026-12-31T23:30:00+01:00"}, Want: `"2026-12-31"`},
			}},
		&Function{Name: "format_time", Group: "date", Signature: "format_time(t, layout)", MinArgs: 2, MaxArgs: 2,
			Doc: "Formats a time by a layout (as parse_time); nil gives nil.", fn: fnFormatTime,
			Examples: []Example{{Expr: `format_time("2024-12-25T09:15:00+01:00", "dmy")`, Want: `"25-12-2024"`}}},
		&Function{Name: "ms_date", Group: "date", Signature: "ms_date(s)", MinArgs: 1, MaxArgs: 1,
			Doc: "Parses a Microsoft JSON date such as Xero's \"/Date(1539993600000+0000)/\" (milliseconds since 1970, optional offset).", fn: fnMSDate,
			Examples: []Example{{Expr: `ms_date("/Date(1551916800000+0000)/")`, Want: `2019-03-07T00:00:00Z`}, {Expr: `ms_date("/Date(1551916800000+0100)/")`, Want: `2019-03-07T01:00:00+01:00`}}},
		&Function{Name: "unix_time", Group: "date", Signature: "unix_time(seconds, [zone])", MinArgs: 1, MaxArgs: 2,
			Doc: "A time from seconds since 1970 (UTC unless zone is given).", fn: fnUnixTime,
			Examples: []Example{{Expr: `unix_time(1735118100)`, Want: `2024-12-25T09:15:00Z`}}},
		&Function{Name: "add_days", Group: "date", Signature: "add_days(t, n)", MinArgs: 2, MaxArgs: 2,
			Doc: "Adds n calendar days (may be negative), keeping the zone.", fn: fnAddDays,
			Examples: []Example{{Expr: `add_days("2024-12-25T09:15:00Z", 30)`, Want: `2025-01-24T09:15:00Z`}}},
	)
}

var namedLayouts = map[string]string{
	"rfc3339": time.RFC3339Nano, "date": time.DateOnly, "datetime": time.DateTime,
	"dmy": "02-01-2006", "dmy_slash": "02/01/2006", "mdy_slash": "01/02/2006",
}

func layout(name string) string {
	if l, ok := namedLayouts[strings.ToLower(name)]; ok {
		return l
	}
	return name
}

var zones sync.Map // name -> *time.Location

func loadZone(name string) (*time.Location, error) {
	if z, ok := zones.Load(name); ok {
		return z.(*time.Location), nil
	}
	z, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	zones.Store(name, z)
	return z, nil
}

func fnParseTime(args ...any) (any, error) {
	s := strings.TrimSpace(text(args[0]))
	if s == "" {
		return nil, nil
	}
	zone := "UTC"
	if len(args) == 3 {
		zone = text(args[2])
	}
	loc, err := loadZone(zone)
	if err != nil {
		return nil, err
	}
	t, err := time.ParseInLocation(layout(text(args[1])), s, loc)
	if err != nil {
		return nil, fmt.Errorf("cannot parse %q by layout %q", s, text(args[1]))
	}
	return writable(t)
}

// writable returns t when its year, in its own zone, is one of 0 to 9999,
// the years an RFC 3339 time (and JSON's, Go's encoding of it) holds;
// otherwise an error: a time past them fails the record here, naming the
// field, instead of failing its encoding later without a word of which.
func writable(t time.Time) (any, error) {
	if y := t.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("the time would be %s, outside the years 0 to 9999 that a time can be written with",
			t.Format("2006-01-02T15:04:05Z07:00"))
	}
	return t, nil
}

// maxDays is more days than lie between the years 0 and 9999: add_days of
// more could only make a time that cannot be written, and would overflow.
const maxDays = 3_700_000

func fnToZone(args ...any) (any, error) {
	if args[0] == nil {
		return nil, nil
	}
	t, err := argTime(args[0])
	if err != nil {
		return nil, err
	}
	loc, err := loadZone(text(args[1]))
	if err != nil {
		return nil, err
	}
	return writable(t.In(loc))
}

// toBusinessZone is v in the named zone, or as it is when zone is empty.
// A date (YYYY-MM-DD) already is a day of the calendar and stays as it is:
// as midnight UTC it would be the day before west of Greenwich.
func toBusinessZone(v any, zone string) (any, error) {
	if s, ok := v.(string); v == nil || (ok && isDate(s)) {
		return v, nil
	}
	t, err := argTime(v)
	if err != nil || zone == "" {
		return t, err
	}
	loc, err := loadZone(zone)
	if err != nil {
		return nil, fmt.Errorf("the business time zone: %w", err)
	}
	return t.In(loc), nil
}

// isDate reports whether s is a date as the model's date fields hold it.
func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func fnFormatTime(args ...any) (any, error) {
	if args[0] == nil {
		return nil, nil
	}
	t, err := argTime(args[0])
	if err != nil {
		return nil, err
	}
	return t.Format(layout(text(args[1]))), nil
}

var msDate = regexp.MustCompile(`^/Date\((-?\d+)([+-]\d{4})?\)/$`)

func fnMSDate(args ...any) (any, error) {
	s := strings.TrimSpace(text(args[0]))
	if s == "" {
		return nil, nil
	}
	m := msDate.FindStringSubmatch(s)
	if m == nil {
		return nil, fmt.Errorf("cannot parse %q as /Date(ms±hhmm)/", s)
	}
	ms, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("cannot parse %q: %w", s, err)
	}
	t := time.UnixMilli(ms).UTC()
	if m[2] == "" || m[2] == "+0000" || m[2] == "-0000" {
		return writable(t)
	}
	h, _ := strconv.Atoi(m[2][1:3])
	mi, _ := strconv.Atoi(m[2][3:])
	off := h*3600 + mi*60
	if m[2][0] == '-' {
		off = -off
	}
	return writable(t.In(time.FixedZone(m[2], off)))
}

func fnUnixTime(args ...any) (any, error) {
	if args[0] == nil {
		return nil, nil
	}
	sec, err := argInt(args[0], "seconds")
	if err != nil {
		return nil, err
	}
	loc := time.UTC
	if len(args) == 2 {
		if loc, err = loadZone(text(args[1])); err != nil {
			return nil, err
		}
	}
	return writable(time.Unix(int64(sec), 0).In(loc))
}

func fnAddDays(args ...any) (any, error) {
	t, err := argTime(args[0])
	if err != nil {
		return nil, err
	}
	n, err := argInt(args[1], "days")
	if err != nil {
		return nil, err
	}
	if n > maxDays || n < -maxDays {
		return nil, fmt.Errorf("%d days would make a time outside the years 0 to 9999", n)
	}
	return writable(t.AddDate(0, 0, n))
}
