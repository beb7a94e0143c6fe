package tensorio

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxLine bounds a CSV line: a 256,000-class row of 20-character numbers
// (5 MB) fits easily, and a file without line ends fails after reading this
// much, not at the end of the file.
const maxLine = 64 << 20

// ReadCSV reads a CSV table of numbers from r: the dialect of RFC 4180 as
// encoding/csv reads it (commas, "\n" or "\r\n", fields in double quotes
// may hold commas, a quote doubled inside them), with a UTF-8 byte-order
// mark skipped, spaces around a value ignored, and an optional header line
// first: a first line none of whose fields is a number. A header whose
// names are numbers ("0,1,2") cannot be told from data and is read as data.
// The result is a Float64 tensor of shape (rows, columns). name is used in
// errors, which name the 1-based line and column (field).
//
// A value is a decimal number ("-1.5", "2e-3", ".5"), or inf, infinity or
// nan in any case with an optional sign; other spellings that
// strconv.ParseFloat takes (hexadecimal "0x1p-2", underscores "1_0") are
// not numbers here.
func ReadCSV(r io.Reader, name string) (*Tensor, error) {
	return readCSV(r, name, -1)
}

// errLineTooLong is the reason of a line over maxLine bytes.
var errLineTooLong = errors.New("line too long")

// lineLimit fails a read once a line grows past maxLine bytes, and counts
// the lines read, for the error.
type lineLimit struct {
	r     io.Reader
	run   int // bytes since the last '\n'
	lines int // '\n' seen
}

func (l *lineLimit) Read(p []byte) (int, error) {
	if l.run > maxLine {
		return 0, errLineTooLong
	}
	p = p[:min(len(p), maxLine+1-l.run)]
	n, err := l.r.Read(p)
	for _, b := range p[:n] {
		if b == '\n' {
			l.lines++
			l.run = 0
		} else {
			l.run++
		}
	}
	return n, err
}

// readCSV reads as ReadCSV does, refusing more than max values (max < 0:
// no limit) with a *LimitError as soon as they are read.
func readCSV(r io.Reader, name string, max int) (*Tensor, error) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 1<<16)
	}
	if b, _ := br.Peek(3); string(b) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	ll := &lineLimit{r: br}
	cr := csv.NewReader(ll)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	t := &Tensor{DType: Float64, Name: name, Format: CSV}
	cols := -1
	next := 1  // the line after the last record
	blank := 0 // line number of a blank line not yet known to be trailing
	var vals []float64
	for {
		fields, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(name, err, ll.lines+1)
		}
		line, _ := cr.FieldPos(0)
		if blank == 0 && line > next {
			blank = next
		}
		last, _ := cr.FieldPos(len(fields) - 1)
		next = last + 1
		if len(fields) == 1 && strings.TrimSpace(fields[0]) == "" {
			if blank == 0 {
				blank = line
			}
			continue
		}
		if blank != 0 {
			return nil, errorf(name, fmt.Sprintf("row %d", blank), "blank line")
		}
		if cols < 0 && t.Header == nil && isHeader(fields) {
			t.Header = make([]string, len(fields))
			for i, f := range fields {
				t.Header[i] = strings.TrimSpace(f)
			}
			cols = len(fields)
			continue
		}
		if cols < 0 {
			cols = len(fields)
		}
		if len(fields) != cols {
			what := "the first row"
			if t.Header != nil {
				what = "the header"
			}
			col := min(len(fields), cols) + 1
			return nil, errorf(name, fmt.Sprintf("row %d, column %d", line, col), "row has %d values, %s has %d", len(fields), what, cols)
		}
		if max >= 0 && len(vals)+cols > max {
			return nil, &LimitError{File: name, Max: max}
		}
		for i, f := range fields {
			v, err := parseValue(strings.TrimSpace(f))
			if err != nil {
				l, _ := cr.FieldPos(i)
				return nil, errorf(name, fmt.Sprintf("row %d, column %d", l, i+1), "%v", err)
			}
			vals = append(vals, v)
		}
		t.Lines = append(t.Lines, line)
	}
	if len(t.Lines) == 0 {
		return nil, errorf(name, "", "no data rows")
	}
	t.F64 = vals
	t.Shape = []int{len(t.Lines), cols}
	return t, nil
}

// csvError reports an error of encoding/csv or of the input; line is where
// the reader was.
func csvError(name string, err error, line int) error {
	var pe *csv.ParseError
	switch {
	case errors.Is(err, errLineTooLong):
		return errorf(name, fmt.Sprintf("row %d", line), "line longer than %d bytes", maxLine)
	case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrBareQuote):
		return errorf(name, fmt.Sprintf("row %d", pe.Line), `a " inside an unquoted value (byte %d): quote the whole value and double the quote`, pe.Column)
	case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrQuote):
		return errorf(name, fmt.Sprintf("row %d", pe.StartLine), "a quoted value is not closed (or has text after its closing quote)")
	case errors.As(err, &pe):
		return errorf(name, fmt.Sprintf("row %d", pe.Line), "%v", pe.Err)
	}
	return &Error{File: name, Err: err}
}

// parseValue reads one CSV value.
func parseValue(f string) (float64, error) {
	if f == "" {
		return 0, errors.New("empty value")
	}
	if !isDecimal(f) {
		return 0, fmt.Errorf("%s is not a number", quote(f))
	}
	v, err := strconv.ParseFloat(f, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("%s is out of the float64 range", quote(f))
		}
		return 0, fmt.Errorf("%s is not a number", quote(f))
	}
	return v, nil
}

// isDecimal reports whether s is spelled as a decimal number — [+-] digits
// [. digits] [e [+-] digits], with digits on at least one side of the point
// — or as inf, infinity or nan (any case, optional sign).
func isDecimal(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	switch strings.ToLower(s) {
	case "inf", "infinity", "nan":
		return true
	}
	digits := func() int {
		n := 0
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		s = s[n:]
		return n
	}
	n := digits()
	if s != "" && s[0] == '.' {
		s = s[1:]
		n += digits()
	}
	if n == 0 {
		return false
	}
	if s != "" && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s != "" && (s[0] == '+' || s[0] == '-') {
			s = s[1:]
		}
		if digits() == 0 {
			return false
		}
	}
	return s == ""
}

// isHeader reports whether every field of a line is a non-number.
func isHeader(fields []string) bool {
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" {
			return false
		}
		if _, err := parseValue(f); err == nil {
			return false
		}
		if isDecimal(f) { // out of range: a number still
			return false
		}
	}
	return true
}

// quote shows a field in an error, shortened if long.
func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strconv.Quote(s)
}
