package main

// cmdDemo is a placeholder until its issue lands.
var cmdDemo = &command{
	name:    "demo",
	summary: "(not implemented yet)",
	run: func(env *env, args []string) error {
		return usageErrorf("not implemented yet")
	},
}
