package tensorio

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// npyMagic opens every .npy file.
const npyMagic = "\x93NUMPY"

// maxHeaderLen bounds the header dictionary a reader accepts (NumPy's own
// np.load refuses more than 10000 bytes by default).
const maxHeaderLen = 1 << 20

// maxDims bounds the rank (NumPy's limit is 64).
const maxDims = 64

// maxBytes bounds the data size a header may declare, so that sizes never
// overflow an int.
const maxBytes = math.MaxInt >> 1

// header is a parsed .npy header.
type header struct {
	dtype     DType
	bigEndian bool
	shape     []int
	count     int   // number of elements
	size      int64 // bytes of the header, magic included: where the data starts
}

// readHeader reads and checks a .npy header from r.
func readHeader(r io.Reader, name string) (*header, error) {
	var pre [10]byte
	if n, err := io.ReadFull(r, pre[:8]); err != nil {
		if n == 0 && err == io.EOF {
			return nil, errorf(name, "", "empty file: want a .npy file")
		}
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			if !strings.HasPrefix(npyMagic, string(pre[:min(n, len(npyMagic))])) {
				return nil, errorf(name, "header", "not a .npy file (no \\x93NUMPY magic)")
			}
			return nil, errorf(name, "header", "file ends inside the .npy magic (%d bytes)", n)
		}
		return nil, &Error{File: name, Err: err}
	}
	if string(pre[:6]) != npyMagic {
		return nil, errorf(name, "header", "not a .npy file (no \\x93NUMPY magic)")
	}
	major, minor := pre[6], pre[7]
	var hlen int
	var size int64
	switch major {
	case 1:
		if _, err := io.ReadFull(r, pre[8:10]); err != nil {
			return nil, truncated(name, "header", err)
		}
		hlen = int(binary.LittleEndian.Uint16(pre[8:10]))
		size = 10
	case 2, 3:
		var l [4]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return nil, truncated(name, "header", err)
		}
		n := binary.LittleEndian.Uint32(l[:])
		if n > maxHeaderLen {
			return nil, errorf(name, "header", "header length %d exceeds the %d-byte limit", n, maxHeaderLen)
		}
		hlen = int(n)
		size = 12
	default:
		return nil, errorf(name, "header", "unsupported .npy format version %d.%d (want 1.0, 2.0 or 3.0)", major, minor)
	}
	if minor != 0 {
		return nil, errorf(name, "header", "unsupported .npy format version %d.%d (want 1.0, 2.0 or 3.0)", major, minor)
	}
	buf := make([]byte, hlen)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, truncated(name, "header", err)
	}
	size += int64(hlen)
	h, err := parseHeader(string(buf))
	if err != nil {
		return nil, errorf(name, "header", "%v", err)
	}
	h.size = size
	return h, nil
}

// truncated turns an early end of input into a clear error.
func truncated(name, where string, err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errorf(name, where, "file is truncated")
	}
	return &Error{File: name, Where: where, Err: err}
}

// parseHeader reads the header dictionary, a Python literal such as
// {'descr': '<f4', 'fortran_order': False, 'shape': (5, 2), }.
func parseHeader(s string) (*header, error) {
	p := &pyParser{s: strings.TrimRight(s, " \n\x00")}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q after the header dictionary", p.rest())
	}
	d, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("header is not a dictionary")
	}
	h := new(header)
	descr, ok := d["descr"]
	if !ok {
		return nil, fmt.Errorf("header has no 'descr'")
	}
	ds, ok := descr.(string)
	if !ok {
		return nil, fmt.Errorf("structured dtype %s is not supported: want float32, float64, int32, int64, bool or uint8", show(descr))
	}
	if h.dtype, h.bigEndian, err = parseDescr(ds); err != nil {
		return nil, err
	}
	fo, ok := d["fortran_order"]
	if !ok {
		return nil, fmt.Errorf("header has no 'fortran_order'")
	}
	switch fo {
	case false:
	case true:
		return nil, fmt.Errorf("Fortran-order arrays are not supported: save a C-order array (np.ascontiguousarray)")
	default:
		return nil, fmt.Errorf("'fortran_order' is %s, want True or False", show(fo))
	}
	sh, ok := d["shape"]
	if !ok {
		return nil, fmt.Errorf("header has no 'shape'")
	}
	tup, ok := sh.([]any)
	if !ok {
		return nil, fmt.Errorf("'shape' is %s, want a tuple of integers", show(sh))
	}
	if len(tup) > maxDims {
		return nil, fmt.Errorf("shape has %d dimensions, more than %d", len(tup), maxDims)
	}
	h.shape = make([]int, len(tup))
	h.count = 1
	limit := maxBytes / h.dtype.Size()
	for i, x := range tup {
		n, ok := x.(int)
		if !ok || n < 0 {
			return nil, fmt.Errorf("shape %s: dimension %d is not a non-negative integer", show(sh), i)
		}
		h.shape[i] = n
		if n != 0 && h.count > limit/n {
			return nil, fmt.Errorf("shape %s is too large", show(sh))
		}
		h.count *= n
	}
	return h, nil
}

// parseDescr reads a dtype string such as "<f4".
func parseDescr(s string) (DType, bool, error) {
	if len(s) < 2 {
		return Invalid, false, fmt.Errorf("dtype %q is not supported", s)
	}
	order, code := s[0], s[1:]
	switch order {
	case '<', '>', '|', '=':
	default:
		order, code = '=', s
	}
	var d DType
	switch code {
	case "f4":
		d = Float32
	case "f8":
		d = Float64
	case "i4":
		d = Int32
	case "i8":
		d = Int64
	case "b1", "?":
		d = Bool
	case "u1", "B":
		d = Uint8
	default:
		what := "dtype"
		if strings.HasPrefix(code, "O") {
			what = "object dtype"
		}
		return Invalid, false, fmt.Errorf("%s %q is not supported: want float32, float64, int32, int64, bool or uint8", what, s)
	}
	// '=' is the writer's native order; every platform NumPy writes '='
	// from is read here as little-endian, as NumPy itself writes '<' there.
	return d, order == '>' && d.Size() > 1, nil
}

// show prints a parsed Python value for an error message.
func show(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case bool:
		if v {
			return "True"
		}
		return "False"
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = show(x)
		}
		return "(" + strings.Join(parts, ", ") + ")"
	case map[string]any:
		return "a dictionary"
	case nil:
		return "None"
	}
	return fmt.Sprint(v)
}

// pyParser parses the small subset of Python literals .npy headers use:
// dictionaries with string keys, strings, True, False, None, integers, and
// tuples or lists.
type pyParser struct {
	s string
	i int
}

const maxNesting = 16

func (p *pyParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *pyParser) rest() string {
	r := p.s[p.i:]
	if len(r) > 20 {
		r = r[:20] + "…"
	}
	return r
}

func (p *pyParser) value(depth int) (any, error) {
	if depth > maxNesting {
		return nil, fmt.Errorf("header nests deeper than %d levels", maxNesting)
	}
	p.space()
	if p.i >= len(p.s) {
		return nil, fmt.Errorf("header ends early")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		p.i++
		m := map[string]any{}
		for {
			p.space()
			if p.i < len(p.s) && p.s[p.i] == '}' {
				p.i++
				return m, nil
			}
			k, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("header dictionary key %s is not a string", show(k))
			}
			p.space()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return nil, fmt.Errorf("want ':' after key %q in the header", ks)
			}
			p.i++
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			if _, dup := m[ks]; dup {
				return nil, fmt.Errorf("header repeats key %q", ks)
			}
			m[ks] = v
			p.space()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == '}' {
				p.i++
				return m, nil
			}
			return nil, fmt.Errorf("want ',' or '}' in the header dictionary, found %q", p.rest())
		}
	case c == '(' || c == '[':
		end := byte(')')
		if c == '[' {
			end = ']'
		}
		p.i++
		var t []any
		for {
			p.space()
			if p.i < len(p.s) && p.s[p.i] == end {
				p.i++
				if t == nil {
					t = []any{}
				}
				return t, nil
			}
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			t = append(t, v)
			p.space()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == end {
				p.i++
				return t, nil
			}
			return nil, fmt.Errorf("want ',' or '%c' in the header, found %q", end, p.rest())
		}
	case c == '\'' || c == '"':
		j := strings.IndexByte(p.s[p.i+1:], c)
		if j < 0 {
			return nil, fmt.Errorf("unterminated string in the header")
		}
		v := p.s[p.i+1 : p.i+1+j]
		p.i += j + 2
		return v, nil
	case c >= '0' && c <= '9' || c == '-' || c == '+':
		j := p.i + 1
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		n, err := strconv.Atoi(p.s[p.i:j])
		if err != nil {
			return nil, fmt.Errorf("integer %q in the header is out of range", p.s[p.i:j])
		}
		if j < len(p.s) && (p.s[j] == 'L' || p.s[j] == 'l') { // Python 2 long
			j++
		}
		p.i = j
		return n, nil
	default:
		for _, w := range []struct {
			word string
			v    any
		}{{"True", true}, {"False", false}, {"None", nil}} {
			if strings.HasPrefix(p.s[p.i:], w.word) {
				p.i += len(w.word)
				return w.v, nil
			}
		}
		return nil, fmt.Errorf("unexpected %q in the header", p.rest())
	}
}

// formatHeader returns the complete header (magic, version, length,
// dictionary, padding) for little-endian C-order data, padded so that the
// data starts at a multiple of 64 bytes as NumPy does.
func formatHeader(d DType, shape []int) []byte {
	var sb strings.Builder
	fmt.Fprintf(&sb, "{'descr': '%c%c%d', 'fortran_order': False, 'shape': (", endianChar(d), d.kind(), d.Size())
	for i, n := range shape {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(strconv.Itoa(n))
	}
	if len(shape) == 1 {
		sb.WriteString(",")
	}
	sb.WriteString("), }")
	dict := sb.String()
	pre := 10
	version := byte(1)
	if len(dict)+1+pre > 65535 {
		pre, version = 12, 2
	}
	total := (pre + len(dict) + 1 + 63) / 64 * 64
	out := make([]byte, 0, total)
	out = append(out, npyMagic...)
	out = append(out, version, 0)
	hl := total - pre
	if version == 1 {
		out = binary.LittleEndian.AppendUint16(out, uint16(hl))
	} else {
		out = binary.LittleEndian.AppendUint32(out, uint32(hl))
	}
	out = append(out, dict...)
	for len(out) < total-1 {
		out = append(out, ' ')
	}
	return append(out, '\n')
}

func endianChar(d DType) byte {
	if d.Size() == 1 {
		return '|'
	}
	return '<'
}
