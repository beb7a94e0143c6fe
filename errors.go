package lsce

import (
	"errors"
	"fmt"
)

// Sentinel kinds of bad input; test with errors.Is(err, lsce.ErrTarget).
var (
	// ErrShape: lengths or shapes that do not fit together.
	ErrShape = errors.New("shape mismatch")
	// ErrNonFinite: a NaN or ±Inf logit (−Inf is allowed only in masked classes).
	ErrNonFinite = errors.New("non-finite logit")
	// ErrTarget: a class index outside [0, C) that is not the ignore index, or
	// a target in a masked class.
	ErrTarget = errors.New("target out of range")
	// ErrProbability: a probability target that is negative or not finite.
	ErrProbability = errors.New("bad probability target")
	// ErrWeight: a class weight that is negative or not finite.
	ErrWeight = errors.New("bad class weight")
	// ErrOption: a setting outside its domain (ε outside [0, 1], …).
	ErrOption = errors.New("bad option")
	// ErrMasked: every class of an element is masked (a kind of ErrTarget:
	// errors.Is(err, ErrTarget) holds too).
	ErrMasked = fmt.Errorf("%w: every class is masked", ErrTarget)
)

// Error reports bad input and where it is. Row is the flat element index (the
// sample, or the sample and spatial position for K-dimensional input, in
// row-major order) and Class the class index; either is −1 when it does not
// apply. errors.Is(err, Kind) holds.
type Error struct {
	Kind  error
	Row   int
	Class int
	Msg   string
	// Option names the setting at fault in errors of Options.Validate
	// ("epsilon", "reduction", "variant", "workers", "z-loss", "soft-cap",
	// "weight"), the word Msg begins with, so that a program can name its
	// own flag instead; "" otherwise.
	Option string
}

// Error formats as "row R, class C: message".
func (e *Error) Error() string {
	switch {
	case e.Row >= 0 && e.Class >= 0:
		return fmt.Sprintf("row %d, class %d: %s", e.Row, e.Class, e.Msg)
	case e.Row >= 0:
		return fmt.Sprintf("row %d: %s", e.Row, e.Msg)
	case e.Class >= 0:
		return fmt.Sprintf("class %d: %s", e.Class, e.Msg)
	}
	return e.Msg
}

// Unwrap returns the kind, so that errors.Is works.
func (e *Error) Unwrap() error { return e.Kind }

// maskedError is the error of element row, whose classes are all masked.
func maskedError(row int) error {
	return &Error{Kind: ErrMasked, Row: row, Class: -1, Msg: "every class is masked"}
}

func shapeError(format string, args ...any) error {
	return &Error{Kind: ErrShape, Row: -1, Class: -1, Msg: fmt.Sprintf(format, args...)}
}
