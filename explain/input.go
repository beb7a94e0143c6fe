package explain

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode"

	"github.com/lsce/lsce"
)

// Input is what a walk-through is built from.
type Input struct {
	// Logits holds N rows of K logits, row-major.
	Logits []float64
	// N is the number of rows (images), K the number of classes.
	N, K int
	// Targets holds one class index in [0, K) per row; the walk-through has
	// no ignored rows.
	Targets []int
	// Classes names the K classes; nil means "class 0", "class 1", ….
	Classes []string
	// Images names the N rows; nil means "row 0", "row 1", ….
	Images []string
	// Epsilon is the label smoothing ε in [0, 1].
	Epsilon float64
}

// ErrTooLarge is the kind of error returned for an input too large for a
// sheet or for a readable walk-through; errors.Is(err, ErrTooLarge) holds.
var ErrTooLarge = errors.New("too large")

// tooLarge returns an error of kind ErrTooLarge.
func tooLarge(format string, a ...any) error {
	return &lsce.Error{Kind: ErrTooLarge, Row: -1, Class: -1, Msg: fmt.Sprintf(format, a...)}
}

// MaxNameLength is the longest class or image name accepted, in characters.
const MaxNameLength = 255

// check validates in and fills in the default names. It returns a copy.
func (in Input) check() (Input, error) {
	bad := func(kind error, row, class int, format string, a ...any) error {
		return &lsce.Error{Kind: kind, Row: row, Class: class, Msg: fmt.Sprintf(format, a...)}
	}
	if in.N < 1 || in.K < 1 {
		return in, bad(lsce.ErrShape, -1, -1, "%d rows of %d classes: the walk-through needs at least one row and one class", in.N, in.K)
	}
	if in.N > math.MaxInt/in.K || len(in.Logits) != in.N*in.K {
		return in, bad(lsce.ErrShape, -1, -1, "%d logits for %d rows of %d classes: want %d", len(in.Logits), in.N, in.K, in.N*in.K)
	}
	if len(in.Targets) != in.N {
		return in, bad(lsce.ErrShape, -1, -1, "%d targets for %d rows of logits", len(in.Targets), in.N)
	}
	if !(in.Epsilon >= 0 && in.Epsilon <= 1) {
		return in, bad(lsce.ErrOption, -1, -1, "epsilon %v is outside [0, 1]", in.Epsilon)
	}
	var err error
	if in.Classes, err = names(in.Classes, in.K, "class", "classes"); err != nil {
		return in, err
	}
	if in.Images, err = names(in.Images, in.N, "row", "rows"); err != nil {
		return in, err
	}
	for i, y := range in.Targets {
		if y < 0 || y >= in.K {
			return in, bad(lsce.ErrTarget, i, -1, "target %d is outside [0, %d) (the walk-through has no ignored rows)", y, in.K)
		}
	}
	for i, z := range in.Logits {
		if math.IsNaN(z) || math.IsInf(z, 0) {
			return in, bad(lsce.ErrNonFinite, i/in.K, i%in.K, "logit is %v", z)
		}
	}
	return in, nil
}

// names returns given, or n default names "word 0", … when given is nil,
// after checking that the names are n distinct, non-empty, printable lines.
func names(given []string, n int, word, plural string) ([]string, error) {
	if given == nil {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%s %d", word, i)
		}
		return out, nil
	}
	bad := func(i int, format string, a ...any) error {
		return &lsce.Error{Kind: lsce.ErrShape, Row: -1, Class: -1, Msg: fmt.Sprintf("%s name %d: %s", word, i, fmt.Sprintf(format, a...))}
	}
	if len(given) != n {
		return nil, &lsce.Error{Kind: lsce.ErrShape, Row: -1, Class: -1, Msg: fmt.Sprintf("%d %s names for %d %s", len(given), word, n, plural)}
	}
	seen := make(map[string]int, n)
	for i, s := range given {
		switch {
		case strings.TrimSpace(s) == "":
			return nil, bad(i, "empty")
		case len([]rune(s)) > MaxNameLength:
			return nil, bad(i, "longer than %d characters", MaxNameLength)
		case strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) >= 0:
			return nil, bad(i, "%q holds a control or unprintable character", s)
		}
		if j, ok := seen[s]; ok {
			return nil, bad(i, "%q is also the name of %s %d", s, word, j)
		}
		seen[s] = i
	}
	return append([]string(nil), given...), nil
}
