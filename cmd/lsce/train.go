package main

// cmdTrain is a placeholder until its issue lands.
var cmdTrain = &command{
	name:    "train",
	summary: "(not implemented yet)",
	run: func(env *env, args []string) error {
		return usageErrorf("not implemented yet")
	},
}
