package main

// cmdEval is a placeholder until its issue lands.
var cmdEval = &command{
	name:    "eval",
	summary: "(not implemented yet)",
	run: func(env *env, args []string) error {
		return usageErrorf("not implemented yet")
	},
}
