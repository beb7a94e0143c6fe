package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/lsce/lsce/internal/outfile"
)

// checkOutput refuses, before any work, an output file that is one of the
// inputs or not a regular file: every output is written by
// internal/outfile (a temporary file, synced, renamed over the target).
func checkOutput(flag, path string, inputs ...string) error {
	err := outfile.Check(path, inputs...)
	var se *outfile.SameError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return usageErrorf("%s %s: the same file as the input %s: an output never overwrites an input", flag, path, se.Input)
	case errors.Is(err, outfile.ErrNotRegular):
		return usageErrorf("%s %s: not a regular file: name a file to write (outputs replace a regular file atomically)", flag, path)
	}
	return usageErrorf("%s %s: %v", flag, path, reason(err))
}

// outputError reports a failed write of flag's output; the file at path is
// unchanged.
func outputError(flag, path string, err error) error {
	if _, serr := os.Stat(path); serr == nil {
		return fmt.Errorf("%s %s: %v (the previous file is unchanged)", flag, path, reason(err))
	}
	return fmt.Errorf("%s %s: %v", flag, path, reason(err))
}

// reason drops an *os.PathError's operation and path, which the message
// names already.
func reason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
