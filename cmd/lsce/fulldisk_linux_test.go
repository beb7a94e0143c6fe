package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// inMountNS marks the re-executed test binary running in a private mount
// namespace (unshare --mount).
const inMountNS = "LSCE_TEST_MOUNT_NS"

// TestScriptsFullDisk runs testdata/fulldisk/*.txtar with $FULL, a 2 MiB
// tmpfs, and $RO, a read-only tmpfs holding old.npy, mounted in a private
// mount namespace: the test binary re-executes itself under unshare(1),
// which needs root (and CAP_SYS_ADMIN). Elsewhere it is skipped, saying
// why; under CI=true (run as root) a missing unshare fails.
func TestScriptsFullDisk(t *testing.T) {
	if os.Getenv(inMountNS) == "" {
		if os.Geteuid() != 0 {
			t.Skip("needs root, to mount a small tmpfs in a private mount namespace")
		}
		unshare, err := exec.LookPath("unshare")
		if err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("unshare (util-linux) not found: the full-disk tests cannot run")
			}
			t.Skip("unshare (util-linux) not found")
		}
		if out, err := exec.Command(unshare, "--mount", "--propagation", "private", "true").CombinedOutput(); err != nil {
			t.Skipf("no private mount namespace here (a container without CAP_SYS_ADMIN?): unshare: %v: %s", err, out)
		}
		args := []string{"--mount", "--propagation", "private", os.Args[0], "-test.run=^TestScriptsFullDisk$"}
		if testing.Verbose() {
			args = append(args, "-test.v")
		}
		cmd := exec.Command(unshare, args...)
		cmd.Env = append(os.Environ(), inMountNS+"=1")
		out, err := cmd.CombinedOutput()
		t.Logf("in a private mount namespace:\n%s", out)
		if err != nil {
			t.Fatalf("the full-disk tests failed: %v", err)
		}
		return
	}
	testscript.Run(t, scriptParams(t, filepath.Join("testdata", "fulldisk"), func(e *testscript.Env) error {
		full := filepath.Join(e.WorkDir, "full")
		ro := filepath.Join(e.WorkDir, "ro")
		for _, d := range []string{full, ro} {
			if err := os.Mkdir(d, 0o755); err != nil {
				return err
			}
		}
		if err := syscall.Mount("tmpfs", full, "tmpfs", 0, "size=2m"); err != nil {
			return err
		}
		e.Defer(func() { syscall.Unmount(full, syscall.MNT_DETACH) })
		if err := syscall.Mount("tmpfs", ro, "tmpfs", 0, "size=1m"); err != nil {
			return err
		}
		e.Defer(func() { syscall.Unmount(ro, syscall.MNT_DETACH) })
		if err := os.WriteFile(filepath.Join(ro, "old.npy"), []byte("old\n"), 0o644); err != nil {
			return err
		}
		if err := syscall.Mount("", ro, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
			return err
		}
		e.Setenv("FULL", full)
		e.Setenv("RO", ro)
		return nil
	}))
}
