package csv

import (
	"bytes"
	"strings"
)

// candidates are the delimiters detection chooses from, in order of
// preference on a tie.
var candidates = []byte{',', ';', '\t', '|'}

// sepLine recognises the "sep=;" first line spreadsheets write to name the
// delimiter (also quoted, and in any case). It returns the delimiter and
// the line's length with its line end.
func sepLine(head []byte) (byte, int, bool) {
	end := bytes.IndexAny(head, "\r\n")
	if end < 0 {
		end = len(head)
	}
	line := strings.Trim(string(head[:end]), `"`)
	if len(line) != 5 || !strings.EqualFold(line[:4], "sep=") {
		return 0, 0, false
	}
	n := end
	if n < len(head) {
		n++
		if head[end] == '\r' && n < len(head) && head[n] == '\n' {
			n++
		}
	}
	return line[4], n, true
}

// dialect returns the delimiter and quote to use, detecting what opts
// leaves open from the start of the text.
func dialect(head []byte, opts Options) (delim, quote byte) {
	lines := firstLines(head, 5)
	delim = byte(opts.Delimiter)
	if opts.Delimiter == 0 {
		delim = detectDelimiter(lines)
	}
	switch {
	case opts.NoQuote:
		quote = 0
	case opts.Quote != 0:
		quote = byte(opts.Quote)
	default:
		quote = detectQuote(lines, delim)
	}
	return delim, quote
}

// firstLines returns up to n non-empty complete lines from the start of the
// text (a line cut off by the end of head is left out, unless it is the
// only one). Lines end with LF, CRLF or CR.
func firstLines(head []byte, n int) [][]byte {
	var out [][]byte
	rest := head
	for len(rest) > 0 && len(out) < n {
		i := bytes.IndexAny(rest, "\r\n")
		if i < 0 {
			break
		}
		if i > 0 {
			out = append(out, rest[:i])
		}
		rest = rest[i+1:]
	}
	if len(out) == 0 && len(rest) > 0 {
		out = append(out, rest)
	}
	return out
}

// detectDelimiter picks the candidate that appears most often outside
// double quotes in the first line, preferring one with the same count in
// every sampled line. On a tie with a comma whose every occurrence stands
// between two digits, the other one wins: those commas are decimal
// commas (A1;1,50 in a file without a header).
func detectDelimiter(lines [][]byte) byte {
	best, bestScore := byte(','), 0
	for _, c := range candidates {
		score := 0
		for i, l := range lines {
			n := countOutsideQuotes(l, c)
			if i == 0 {
				score = n * 2
			} else if n != score/2 {
				score = score / 2
				break
			}
		}
		if score > bestScore || score > 0 && score == bestScore && best == ',' && decimalCommas(lines) {
			best, bestScore = c, score
		}
	}
	return best
}

// decimalCommas reports whether every comma outside double quotes in the
// lines stands between two digits.
func decimalCommas(lines [][]byte) bool {
	for _, l := range lines {
		in := false
		for i, b := range l {
			switch {
			case b == '"':
				in = !in
			case b == ',' && !in && (i == 0 || i == len(l)-1 || !isDigit(l[i-1]) || !isDigit(l[i+1])):
				return false
			}
		}
	}
	return true
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func countOutsideQuotes(line []byte, c byte) int {
	n, in := 0, false
	for _, b := range line {
		switch {
		case b == '"':
			in = !in
		case b == c && !in:
			n++
		}
	}
	return n
}

// detectQuote chooses ' over " only when some fields start with ', none
// starts with ", and every sampled line reads cleanly with ' as the quote:
// a value that merely starts with an apostrophe ('s-Hertogenbosch) leaves
// its quote open and keeps the quote at ".
func detectQuote(lines [][]byte, delim byte) byte {
	single, double := 0, 0
	for _, l := range lines {
		for i, b := range l {
			if i > 0 && l[i-1] != delim {
				continue
			}
			switch b {
			case '"':
				double++
			case '\'':
				single++
			}
		}
	}
	if single == 0 || double > 0 {
		return '"'
	}
	for _, l := range lines {
		p := rowParser{delim: delim, quote: '\''}
		if !p.feed(string(l)) || p.err != nil {
			return '"'
		}
	}
	return '\''
}
