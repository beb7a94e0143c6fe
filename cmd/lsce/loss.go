package main

// cmdLoss is a placeholder until its issue lands.
var cmdLoss = &command{
	name:    "loss",
	summary: "(not implemented yet)",
	run: func(env *env, args []string) error {
		return usageErrorf("not implemented yet")
	},
}
