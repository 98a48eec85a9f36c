package csv

import "strings"

// rowText writes a row's fields back as one line of the file's dialect:
// joined by its delimiter, a field quoted when it holds the delimiter, the
// quote or a line break. It is the text of a row that could not be taken,
// for a person to see; quoting the file left out of a field is not kept.
func (d *Decoder) rowText(fields []string) string {
	delim, quote := d.parser.delim, d.parser.quote
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(delim)
		}
		if quote == 0 || !strings.ContainsAny(f, string([]byte{delim, quote, '\r', '\n'})) {
			b.WriteString(f)
			continue
		}
		q := string(quote)
		b.WriteString(q + strings.ReplaceAll(f, q, q+q) + q)
	}
	return b.String()
}
