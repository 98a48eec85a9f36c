package rest

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

var microsoftDate = regexp.MustCompile(`^/Date\((-?\d+)([+-]\d{4})?\)/$`)

// MicrosoftDate reads a date in Microsoft's JSON form, as OData v2
// services (Exact Online) and Xero write times: /Date(1539993600000)/ or
// /Date(1539993600000+0000)/, milliseconds since 1970 in UTC (the offset
// only says where the time was written). false when s is not one.
func MicrosoftDate(s string) (time.Time, bool) {
	m := microsoftDate.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return time.Time{}, false
	}
	ms, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(ms).UTC(), true
}
