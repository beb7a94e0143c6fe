package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/lsce/lsce"
)

// command is one subcommand: its flags are declared in setFlags, and run does
// the work with the flags parsed and the remaining arguments.
type command struct {
	name    string
	args    string // the usage line after the name
	short   string // one line for the listing of "lsce help"
	summary string
	// setFlags declares the flags on fs; it may be nil.
	setFlags func(fs *flag.FlagSet)
	// run does the work. Bad usage returns a usageError, bad input data an
	// error wrapping an *lsce.Error or an inputError; both exit 2.
	run func(env *env, args []string) error
}

// env is a command's view of the process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

func (c *command) printUsage(w io.Writer) {
	fmt.Fprintf(w, "usage: lsce %s %s\n\n%s\n", c.name, c.args, c.summary)
	fs := c.flags(w)
	if hasFlags(fs) {
		fmt.Fprintln(w, "\nflags:")
		fs.PrintDefaults()
	}
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

func (c *command) flags(out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("lsce "+c.name, flag.ContinueOnError)
	fs.SetOutput(out)
	if c.setFlags != nil {
		c.setFlags(fs)
	}
	return fs
}

// exec parses the flags and runs the command; it turns errors into messages
// on stderr and exit codes, and never lets a panic through.
func (c *command) exec(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "lsce %s: internal error: %v\n", c.name, p)
			if debugTrace {
				stderr.Write(debug.Stack())
			}
			code = 1
		}
	}()
	fs := c.flags(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.printUsage(stdout)
			return 0
		}
		return report(stderr, "lsce "+c.name, usageErrorf("%v (see 'lsce help %s')", err, c.name))
	}
	return report(stderr, "lsce "+c.name, c.run(&env{stdin, stdout, stderr}, fs.Args()))
}

// debugTrace prints stack traces of internal errors (LSCE_DEBUG=1).
var debugTrace = false

// report prints err as one line and returns the exit code: 0 for nil, 2 for
// usage and input errors, 1 for anything else.
func report(stderr io.Writer, prefix string, err error) int {
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
	var ue usageError
	var ie inputError
	var le *lsce.Error
	if errors.As(err, &ue) || errors.As(err, &ie) || errors.As(err, &le) {
		return 2
	}
	return 1
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usageErrorf(format string, a ...any) error {
	return usageError{fmt.Sprintf(format, a...)}
}

// inputError is bad input data; its message names the file and place.
type inputError struct{ err error }

func (e inputError) Error() string { return e.err.Error() }
func (e inputError) Unwrap() error { return e.err }

// inputErrorf makes an inputError.
func inputErrorf(format string, a ...any) error {
	return inputError{fmt.Errorf(format, a...)}
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "lsce: label-smoothing cross-entropy\n\nusage: lsce <command> [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.short)
	}
	fmt.Fprintln(w, "\nRun 'lsce help <command>' for a command's flags, 'lsce --version' for the\nversion and the kernels chosen on this CPU.")
}
