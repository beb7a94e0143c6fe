package main

// cmdExplain is a placeholder until its issue lands.
var cmdExplain = &command{
	name:    "explain",
	summary: "(not implemented yet)",
	run: func(env *env, args []string) error {
		return usageErrorf("not implemented yet")
	},
}
