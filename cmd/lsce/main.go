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

// run is main without the process: it returns the exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c := lookup(args[1]); c != nil {
				c.printUsage(stdout)
				return 0
			}
		}
		printHelp(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c := lookup(args[0])
	if c == nil {
		printHelp(stderr)
		return report(stderr, "lsce", usageErrorf("unknown command %q", args[0]))
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
