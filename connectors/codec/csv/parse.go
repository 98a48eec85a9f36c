package csv

import (
	"errors"
	"strings"
)

var (
	errUnclosedQuote = errors.New("unclosed quote")
	errAfterQuote    = errors.New("unexpected character after a closing quote")
)

// rowParser splits lines into fields, carrying a quoted field over a line
// end into the next line.
type rowParser struct {
	delim, quote byte // quote 0 means no quoting
	fields       []string
	field        strings.Builder
	inQuote      bool
	discard      bool // keep no text of quoted fields (a row over the limit)
	err          error
}

func (p *rowParser) reset() {
	p.fields = p.fields[:0]
	p.field.Reset()
	p.inQuote = false
	p.err = nil
}

// feed parses one physical line. When it returns true the row is complete;
// false means a quoted field goes on in the next line.
func (p *rowParser) feed(line string) bool {
	if !p.inQuote && (p.quote == 0 || strings.IndexByte(line, p.quote) < 0) {
		p.splitPlain(line)
		return true
	}
	return p.feedQuoted(line)
}

// splitPlain is the fast path: a line without quotes.
func (p *rowParser) splitPlain(line string) {
	for {
		i := strings.IndexByte(line, p.delim)
		if i < 0 {
			p.fields = append(p.fields, line)
			return
		}
		p.fields = append(p.fields, line[:i])
		line = line[i+1:]
	}
}

// feedQuoted parses a line with quotes, one field at a time.
func (p *rowParser) feedQuoted(line string) bool {
	i := 0
	if p.inQuote {
		p.keep("\n")
		var done bool
		if i, done = p.quoted(line, 0); !done {
			return false
		}
	}
	for {
		if i > len(line) {
			return true
		}
		if i == len(line) {
			p.endField()
			return true
		}
		if line[i] == p.quote && p.field.Len() == 0 {
			var done bool
			if i, done = p.quoted(line, i+1); !done {
				return false
			}
			continue
		}
		j := strings.IndexByte(line[i:], p.delim)
		if j < 0 {
			p.field.WriteString(line[i:])
			p.endField()
			return true
		}
		p.field.WriteString(line[i : i+j])
		p.endField()
		i += j + 1
		if i == len(line) {
			p.endField()
			return true
		}
	}
}

// quoted reads a quoted field's content from line[i:]. It returns the
// index after the field's closing quote and delimiter, or done=false when
// the line ends inside the quotes.
func (p *rowParser) quoted(line string, i int) (int, bool) {
	p.inQuote = true
	for {
		j := strings.IndexByte(line[i:], p.quote)
		if j < 0 {
			p.keep(line[i:])
			return len(line), false
		}
		p.keep(line[i : i+j])
		i += j + 1
		if i < len(line) && line[i] == p.quote {
			p.keep(line[i : i+1])
			i++
			continue
		}
		p.inQuote = false
		return p.afterQuote(line, i), true
	}
}

// keep adds text to a quoted field, unless the row is being discarded.
func (p *rowParser) keep(text string) {
	if !p.discard {
		p.field.WriteString(text)
	}
}

// afterQuote ends the field after a closing quote.
func (p *rowParser) afterQuote(line string, i int) int {
	if i >= len(line) {
		return i
	}
	if line[i] != p.delim {
		if p.err == nil {
			p.err = errAfterQuote
		}
		j := strings.IndexByte(line[i:], p.delim)
		if j < 0 {
			p.field.WriteString(line[i:])
			return len(line)
		}
		p.field.WriteString(line[i : i+j])
		i += j
	}
	p.endField()
	if i+1 == len(line) {
		p.fields = append(p.fields, "")
		return len(line) + 1
	}
	return i + 1
}

// endField moves the built field into the row.
func (p *rowParser) endField() {
	p.fields = append(p.fields, p.field.String())
	p.field.Reset()
}
