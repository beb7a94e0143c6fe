package tensorio

import (
	"errors"
	"fmt"
)

// Error is a problem with an input file and where it is.
type Error struct {
	// File is the file's name as given ("<stdin>" for standard input).
	File string
	// Where is the place in the file ("row 3, column 2", "index [0, 1, 2]",
	// "header"), or empty.
	Where string
	// Err is the reason.
	Err error
}

// Error formats as "FILE: WHERE: reason", or "FILE: reason".
func (e *Error) Error() string {
	if e.Where == "" {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s: %s: %v", e.File, e.Where, e.Err)
}

// Unwrap returns the reason.
func (e *Error) Unwrap() error { return e.Err }

// ErrFormat is the reason (testable with errors.Is) for every malformed or
// unsupported input; I/O failures keep their own errors.
var ErrFormat = errors.New("bad tensor file")

// formatError is a reason that is also ErrFormat.
type formatError struct{ msg string }

func (e formatError) Error() string        { return e.msg }
func (e formatError) Is(target error) bool { return target == ErrFormat }

func errorf(file, where, format string, a ...any) *Error {
	return &Error{File: file, Where: where, Err: formatError{fmt.Sprintf(format, a...)}}
}

// StdinName is the name standard input goes by in errors.
const StdinName = "<stdin>"

// DisplayName returns the name errors use for path: StdinName for "-".
func DisplayName(path string) string {
	if path == "-" {
		return StdinName
	}
	return path
}
