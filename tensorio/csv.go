package tensorio

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxLine bounds a CSV line (a 256,000-class row of 20-character numbers
// fits easily).
const maxLine = 1 << 30

// ReadCSV reads a CSV table of numbers from r: one row per line, values
// separated by commas, an optional header line of non-numeric names first.
// The result is a Float64 tensor of shape (rows, columns). name is used in
// errors, which name the 1-based line and column.
func ReadCSV(r io.Reader, name string) (*Tensor, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), maxLine)
	t := &Tensor{DType: Float64, Name: name, Format: CSV}
	cols := -1
	line := 0
	blank := 0 // line number of a blank line not yet known to be trailing
	var vals []float64
	for sc.Scan() {
		line++
		text := bytes.TrimSuffix(sc.Bytes(), []byte("\r"))
		if len(bytes.TrimSpace(text)) == 0 {
			if blank == 0 {
				blank = line
			}
			continue
		}
		if blank != 0 {
			return nil, errorf(name, fmt.Sprintf("row %d", blank), "blank line")
		}
		fields := strings.Split(string(text), ",")
		if cols < 0 && len(t.Lines) == 0 && t.Header == nil && isHeader(fields) {
			t.Header = make([]string, len(fields))
			for i, f := range fields {
				t.Header[i] = strings.Trim(strings.TrimSpace(f), `"'`)
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
		for i, f := range fields {
			f = strings.TrimSpace(f)
			if f == "" {
				return nil, errorf(name, fmt.Sprintf("row %d, column %d", line, i+1), "empty value")
			}
			v, err := strconv.ParseFloat(f, 64)
			if err != nil {
				if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
					return nil, errorf(name, fmt.Sprintf("row %d, column %d", line, i+1), "%s is out of the float64 range", quote(f))
				}
				return nil, errorf(name, fmt.Sprintf("row %d, column %d", line, i+1), "%s is not a number", quote(f))
			}
			vals = append(vals, v)
		}
		t.Lines = append(t.Lines, line)
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			return nil, errorf(name, fmt.Sprintf("row %d", line+1), "line longer than %d bytes", maxLine)
		}
		return nil, &Error{File: name, Err: err}
	}
	if len(t.Lines) == 0 {
		return nil, errorf(name, "", "no data rows")
	}
	t.F64 = vals
	t.Shape = []int{len(t.Lines), cols}
	return t, nil
}

// isHeader reports whether every field of a line is a non-number.
func isHeader(fields []string) bool {
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" {
			return false
		}
		if _, err := strconv.ParseFloat(f, 64); err == nil {
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
