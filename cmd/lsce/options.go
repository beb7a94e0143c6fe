package main

import (
	"errors"
	"strings"

	"github.com/lsce/lsce"
)

// flagOfOption maps the settings lsce.Options.Validate names (Error.Option)
// to the commands' flags, where they differ.
var flagOfOption = map[string]string{"soft-cap": "softcap", "weight": "weights"}

// checkOptions validates opt with lsce.Options.Validate, the library's one
// check (classes 0 when the class count is not known yet: the weights are
// checked against it later), and words an error with the flag's name:
// "--epsilon 1.5: want a value in [0, 1]".
func checkOptions(opt lsce.Options, classes int) error {
	err := opt.Validate(classes)
	var le *lsce.Error
	if err == nil || !errors.As(err, &le) || le.Option == "" {
		return err
	}
	flag := le.Option
	if f, ok := flagOfOption[flag]; ok {
		flag = f
	}
	return usageErrorf("--%s%s", flag, strings.TrimPrefix(le.Msg, le.Option))
}
