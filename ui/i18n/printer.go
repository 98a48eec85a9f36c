package i18n

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Printer speaks one language in one time zone: the UI makes one per
// request and templates call its methods.
type Printer struct {
	lang string
	msgs map[string]string
	num  *message.Printer
	zone *time.Location
}

// Printer returns a printer for lang (one of Languages) in zone (UTC when
// nil).
func (c *Catalogue) Printer(lang string, zone *time.Location) *Printer {
	msgs, ok := c.messages[lang]
	if !ok {
		lang, msgs = Languages[0], c.messages[Languages[0]]
	}
	if zone == nil {
		zone = time.UTC
	}
	return &Printer{lang: lang, msgs: msgs, num: message.NewPrinter(language.MustParse(lang)), zone: zone}
}

// Lang is the printer's language code, for <html lang>.
func (p *Printer) Lang() string { return p.lang }

// Zone is the name of the printer's time zone.
func (p *Printer) Zone() string { return p.zone.String() }

// T returns the message key with {0}, {1}... replaced by args, numbers in
// the printer's locale. An unknown key is returned as it is, so it shows
// and a test finds it.
func (p *Printer) T(key string, args ...any) string {
	msg, ok := p.msgs[key]
	if !ok {
		return key
	}
	for i, a := range args {
		msg = strings.ReplaceAll(msg, "{"+strconv.Itoa(i)+"}", p.arg(a))
	}
	return msg
}

// N picks key.one for a count of 1 and key.other for any other count, and
// puts the count in {0}.
func (p *Printer) N(key string, n int64, args ...any) string {
	suffix := ".other"
	if n == 1 {
		suffix = ".one"
	}
	return p.T(key+suffix, append([]any{n}, args...)...)
}

func (p *Printer) arg(a any) string {
	switch v := a.(type) {
	case int:
		return p.Num(int64(v))
	case int64:
		return p.Num(v)
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

// Num formats an integer with the locale's digit grouping: 1,234 or 1.234.
func (p *Printer) Num(n int64) string { return p.num.Sprintf("%d", n) }

// Time formats a time in the printer's zone: day, month name, year and the
// 24-hour time. The zero time is "".
func (p *Printer) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(p.zone)
	return fmt.Sprintf("%d %s %d, %s", t.Day(), p.T("month."+strconv.Itoa(int(t.Month()))), t.Year(), t.Format("15:04:05"))
}

// Short formats a time without seconds and, within this year, without
// the year.
func (p *Printer) Short(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(p.zone)
	month := p.T("month." + strconv.Itoa(int(t.Month())))
	if t.Year() == time.Now().In(p.zone).Year() {
		return fmt.Sprintf("%d %s %s", t.Day(), month, t.Format("15:04"))
	}
	return fmt.Sprintf("%d %s %d %s", t.Day(), month, t.Year(), t.Format("15:04"))
}

// At formats a stored time (a time.Time, anything with a Time method such
// as PocketBase's DateTime, or its text form) as Short does; "" when it is
// empty or unreadable.
func (p *Printer) At(v any) string {
	switch t := v.(type) {
	case time.Time:
		return p.Short(t)
	case interface{ Time() time.Time }:
		return p.Short(t.Time())
	case string:
		parsed, err := time.Parse("2006-01-02 15:04:05.000Z07:00", t)
		if err != nil {
			return ""
		}
		return p.Short(parsed)
	default:
		return ""
	}
}
