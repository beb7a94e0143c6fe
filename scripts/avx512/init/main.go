// Command init is PID 1 of the throwaway guest that scripts/avx512/run.sh boots
// inside bochs. It mounts /proc and /dev, runs /prog with the arguments listed
// (NUL-separated) in /args, prints "LSCE-EXIT=<code>" on the console and
// powers the machine off. Built static (CGO_ENABLED=0); it uses only the
// standard library.
//
//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	// /proc for tests that look at the CPU; /dev so the child has a console
	// of its own. Errors are ignored: the program may not need either.
	os.MkdirAll("/proc", 0o755)
	os.MkdirAll("/dev", 0o755)
	os.MkdirAll("/tmp", 0o1777)
	syscall.Mount("proc", "/proc", "proc", 0, "")
	syscall.Mount("devtmpfs", "/dev", "devtmpfs", 0, "")

	var args []string
	if b, err := os.ReadFile("/args"); err == nil && len(b) > 0 {
		for _, a := range bytes.Split(bytes.TrimSuffix(b, []byte{0}), []byte{0}) {
			args = append(args, string(a))
		}
	}

	code := run(args)
	fmt.Printf("\nLSCE-EXIT=%d\n", code)
	// The serial console sends asynchronously: wait until every byte has
	// left the UART (tcdrain), or powering off would cut the output short.
	const tcsbrk = 0x5409 // TCSBRK; with arg 1 it is tcdrain
	syscall.Syscall(syscall.SYS_IOCTL, 1, tcsbrk, 1)
	time.Sleep(100 * time.Millisecond)
	syscall.Sync()
	syscall.Reboot(syscall.LINUX_REBOOT_CMD_POWER_OFF)
	select {} // PID 1 must never return.
}

// run starts /prog in /work (the program's own files are copied there) and
// returns its exit code, or 255 when it could not be started.
func run(args []string) int {
	cmd := exec.Command("/prog", args...)
	cmd.Dir = "/work"
	cmd.Env = []string{"PATH=/", "HOME=/tmp", "TMPDIR=/tmp"}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, os.Stdout, os.Stderr
	fmt.Println("LSCE-START")
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				return 128 + int(ws.Signal())
			}
			return ee.ExitCode()
		}
		fmt.Println("init:", err)
		return 255
	}
	return 0
}
