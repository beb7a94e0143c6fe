// Command lsce computes, explains, evaluates and benchmarks label-smoothing
// cross-entropy. Run "lsce help" for the list of subcommands.
package main

import (
	"io"
	"os"
)

func main() {
	debugTrace = os.Getenv("LSCE_DEBUG") != ""
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// commands is the table of subcommands, in the order "lsce help" lists them.
// Each lives in a file of its own name.
var commands = []*command{
	cmdDemo,
	cmdLoss,
	cmdExplain,
	cmdServe,
	cmdEval,
	cmdTrain,
	cmdBench,
}

// run is main without the process: it returns the exit code. "lsce help"
// and "lsce help CMD" print to stdout and exit 0; no command, an unknown one
// or "lsce help" of an unknown one print to stderr and exit 2.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printHelp(stderr)
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		switch {
		case len(args) == 1:
			printHelp(stdout)
			return 0
		case len(args) > 2:
			return report(stderr, "lsce help", usageErrorf("unexpected arguments %q (usage: lsce help [command])", args[2:]))
		}
		c := lookup(args[1])
		if c == nil {
			return report(stderr, "lsce help", usageErrorf("unknown command %q (see 'lsce help')", args[1]))
		}
		c.printUsage(stdout)
		return 0
	case "version", "-version", "--version":
		if len(args) > 1 {
			return report(stderr, "lsce version", usageErrorf("unexpected arguments %q", args[1:]))
		}
		printVersion(stdout)
		return 0
	}
	c := lookup(args[0])
	if c == nil {
		return report(stderr, "lsce", usageErrorf("unknown command %q (see 'lsce help')", args[0]))
	}
	return c.exec(args[1:], stdin, stdout, stderr)
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}
