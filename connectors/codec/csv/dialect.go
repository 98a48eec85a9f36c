package csv

import "bytes"

// candidates are the delimiters detection chooses from, in order of
// preference on a tie.
var candidates = []byte{',', ';', '\t', '|'}

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

func firstLines(head []byte, n int) [][]byte {
	sep := detectSep(head)
	var out [][]byte
	for len(head) > 0 && len(out) < n {
		i := bytes.IndexByte(head, sep)
		if i < 0 {
			// the last line may be cut off by the sniff window
			break
		}
		if line := bytes.TrimRight(head[:i], "\r"); len(line) > 0 {
			out = append(out, line)
		}
		head = head[i+1:]
	}
	if len(out) == 0 && len(head) > 0 {
		out = append(out, head)
	}
	return out
}

// detectDelimiter picks the candidate that appears most often outside
// double quotes in the first line, preferring one with the same count in
// every sampled line.
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
		if score > bestScore {
			best, bestScore = c, score
		}
	}
	return best
}

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

// detectQuote chooses ' over " only when fields start with ' and none
// starts with ".
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
	if single > 0 && double == 0 {
		return '\''
	}
	return '"'
}
