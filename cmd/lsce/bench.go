package main

// cmdBench is a placeholder until its issue lands.
var cmdBench = &command{
	name:    "bench",
	summary: "(not implemented yet)",
	run: func(env *env, args []string) error {
		return usageErrorf("not implemented yet")
	},
}
