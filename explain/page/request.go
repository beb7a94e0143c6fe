package page

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/explain"
)

// Limits of the page's input: a table of MaxRows rows of MaxClasses classes
// renders and recomputes as fast as one types. Larger inputs are for
// "lsce explain --xlsx".
const (
	MaxRows    = 1000
	MaxClasses = 100
	// MaxBody is the largest request body, in bytes: 1,000 × 100 logits of
	// 17 significant digits fit.
	MaxBody = 4 << 20
)

// Request is what the page sends: its data table as CSV text, ε and the
// variant as typed, and the row whose gradient and chart it shows.
//
// Data is CSV with a header line "image,label,<class>,…,<class>" and one line
// per image: its name, its label (a class name, or a class index 0…K−1) and
// its K logits. A leading '#' marks a comment line.
type Request struct {
	Data    string `json:"data"`
	Epsilon string `json:"epsilon"`
	Variant string `json:"variant"`
	Row     int    `json:"row"`
}

// inputError is bad input: the API answers it with a 4xx and its message.
type inputError struct {
	status int
	msg    string
}

func (e *inputError) Error() string { return e.msg }

func badf(format string, a ...any) error {
	return &inputError{400, fmt.Sprintf(format, a...)}
}

// Parsed is a checked request: the walk-through's input at the user's ε, and
// the variant.
type Parsed struct {
	// Input has Epsilon set to the user's ε; for the Others variant the
	// walk-through is built with [Parsed.UniformEpsilon].
	Input   explain.Input
	Variant lsce.Variant
	// Row is the row whose gradient and chart the page shows.
	Row int
}

// UniformEpsilon is the ε of the Uniform variant that gives the same
// smoothed labels: ε itself, or ε·K/(K−1) for Others (PyTorch's
// label_smoothing for that variant; 0 with one class).
func (p *Parsed) UniformEpsilon() float64 {
	return uniformEpsilon(p.Input.Epsilon, p.Input.K, p.Variant)
}

func uniformEpsilon(eps float64, k int, v lsce.Variant) float64 {
	if v != lsce.Others {
		return eps
	}
	if k == 1 {
		return 0
	}
	return eps * float64(k) / float64(k-1)
}

// Decode reads one request body (JSON, at most MaxBody bytes) and checks it.
// Errors are messages for the user, naming the line and column of the data.
func Decode(body io.Reader) (*Parsed, error) {
	raw, err := io.ReadAll(io.LimitReader(body, MaxBody+1))
	if err != nil {
		return nil, badf("reading the request: %v", err)
	}
	if len(raw) > MaxBody {
		return nil, &inputError{413, fmt.Sprintf("the request is larger than %d MiB: the page takes up to %d rows × %d classes", MaxBody>>20, MaxRows, MaxClasses)}
	}
	var req Request
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, badf("the request is not the page's JSON: %v", err)
	}
	if dec.More() {
		return nil, badf("the request is not the page's JSON: data after the object")
	}
	return req.Parse()
}

// Parse checks a request.
func (req *Request) Parse() (*Parsed, error) {
	p := &Parsed{}
	switch strings.TrimSpace(req.Variant) {
	case "", "uniform":
		p.Variant = lsce.Uniform
	case "others":
		p.Variant = lsce.Others
	default:
		return nil, badf("variant %q: want uniform or others", req.Variant)
	}
	eps, err := parseNumber(req.Epsilon)
	if err != nil || !(eps >= 0 && eps <= 1) {
		return nil, badf("ε %q: want a number from 0 to 1", req.Epsilon)
	}
	in, err := parseData(req.Data)
	if err != nil {
		return nil, err
	}
	in.Epsilon = eps
	p.Input = in
	if e := p.UniformEpsilon(); e > 1 {
		return nil, badf("ε = %s with variant others puts ε/(K−1) = %s on each other class, more than the label's 1 − ε = %s: PyTorch's label_smoothing = ε·K/(K−1) would be %s, above 1; take ε ≤ (K−1)/K = %s",
			short(eps), short(eps/float64(in.K-1)), short(1-eps), short(e), short(float64(in.K-1)/float64(in.K)))
	}
	if req.Row < 0 || req.Row >= in.N {
		p.Row = 0
	} else {
		p.Row = req.Row
	}
	return p, nil
}

// parseNumber reads a number as a person types it: spaces around it, a
// Unicode minus sign or a decimal comma are fine; NaN and infinities are not
// numbers here.
func parseNumber(s string) (float64, error) {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "−", "-")
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) || math.IsNaN(x) || math.IsInf(x, 0) || strings.ContainsAny(s, "xX_") {
		return 0, errors.New("not a finite number")
	}
	return x, nil
}

// parseData reads the page's CSV table into a walk-through input.
func parseData(data string) (explain.Input, error) {
	var in explain.Input
	r := csv.NewReader(strings.NewReader(data))
	r.FieldsPerRecord = -1
	r.Comment = '#'
	r.TrimLeadingSpace = true
	head, err := r.Read()
	if err == io.EOF {
		return in, badf("the data is empty: write a header line image,label,<class>,… and one line per image")
	}
	if err != nil {
		return in, csvError(err)
	}
	for i := range head {
		head[i] = strings.TrimSpace(head[i])
	}
	if len(head) < 3 {
		return in, badf("line 1: the header %q names %d columns: want image, label and at least one class", strings.Join(head, ","), len(head))
	}
	in.Classes = head[2:]
	in.K = len(in.Classes)
	if in.K > MaxClasses {
		return in, badf("line 1: %d classes: the page takes up to %d (lsce explain --xlsx takes more)", in.K, MaxClasses)
	}
	index := make(map[string]int, in.K)
	for c, name := range in.Classes {
		if name == "" {
			return in, badf("line 1, column %d: class %d has no name", c+3, c)
		}
		if j, ok := index[name]; ok {
			return in, badf("line 1, column %d: class %q is also class %d", c+3, name, j)
		}
		index[name] = c
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return in, csvError(err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if in.N == MaxRows {
			return in, badf("line %d: more than %d rows: the page takes up to %d rows (lsce explain --xlsx takes more)", line, MaxRows, MaxRows)
		}
		if len(rec) != in.K+2 {
			return in, badf("line %d: %d fields: want %d (image, label and %d logits, as the header)", line, len(rec), in.K+2, in.K)
		}
		image := strings.TrimSpace(rec[0])
		if image == "" {
			return in, badf("line %d: the image has no name (first column)", line)
		}
		label := strings.TrimSpace(rec[1])
		y, ok := index[label]
		if !ok {
			n, err := strconv.Atoi(label)
			switch {
			case err != nil:
				return in, badf("line %d: label %q is neither a class (%s) nor a class index", line, label, strings.Join(firstNames(in.Classes, 8), ", "))
			case n < 0 || n >= in.K:
				return in, badf("line %d: label %d is out of range: class indices go from 0 to %d", line, n, in.K-1)
			}
			y = n
		}
		for c, f := range rec[2:] {
			z, err := parseNumber(f)
			if err != nil {
				return in, badf("line %d, column %q: %q is not a finite number", line, in.Classes[c], strings.TrimSpace(f))
			}
			in.Logits = append(in.Logits, z)
		}
		in.Images = append(in.Images, image)
		in.Targets = append(in.Targets, y)
		in.N++
	}
	if in.N == 0 {
		return in, badf("no rows: write one line per image under the header (image, label, %d logits)", in.K)
	}
	// Names: the walk-through's own checks (distinct, printable, not
	// empty), worded for the page.
	if _, err := explain.New(explain.Input{Logits: make([]float64, in.N*in.K), N: in.N, K: in.K, Targets: in.Targets, Classes: in.Classes, Images: in.Images}); err != nil {
		var le *lsce.Error
		if errors.As(err, &le) {
			msg := le.Msg
			msg = strings.ReplaceAll(msg, "row ", "image ")
			return in, badf("%s", msg)
		}
		return in, badf("%v", err)
	}
	return in, nil
}

// csvError words a CSV syntax error for the page.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return badf("line %d, column %d: %v", pe.Line, pe.Column, pe.Err)
	}
	return badf("the data: %v", err)
}

func firstNames(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(append([]string(nil), s[:n]...), "…")
}

// short formats a parameter compactly (0.1, 0.05).
func short(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }

// ExampleData writes an input as the page's CSV table, each logit in its
// shortest exact form.
func ExampleData(in explain.Input) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(append([]string{"image", "label"}, in.Classes...))
	for i := range in.N {
		rec := []string{in.Images[i], in.Classes[in.Targets[i]]}
		for _, z := range in.Logits[i*in.K : (i+1)*in.K] {
			rec = append(rec, strconv.FormatFloat(z, 'g', -1, 64))
		}
		w.Write(rec)
	}
	w.Flush()
	return b.String()
}
