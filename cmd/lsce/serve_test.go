package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestServe starts "lsce serve" on a free loopback port, loads the page
// and the API, and stops it as Ctrl-C does (the context's cancel stands for
// the signal).
func TestServe(t *testing.T) {
	var out, errOut syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, &env{strings.NewReader(""), &out, &errOut}, &serveFlags{addr: "127.0.0.1:0"}, ready)
	}()
	var url string
	select {
	case url = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	if !strings.Contains(out.String(), "at "+url+" (Ctrl-C stops)") {
		t.Errorf("serve printed %q, want the URL %s", out.String(), url)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(page, []byte("Label Smoothing Explained using Microsoft Excel")) {
		t.Errorf("GET %s: %d %.100s", url, resp.StatusCode, page)
	}
	resp, err = http.Get(url + "api/examples")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET api/examples: %v %v", resp, err)
	}
	resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve stopped with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10 s")
	}
	if !strings.HasSuffix(out.String(), "lsce serve: stopped\n") || errOut.String() != "" {
		t.Errorf("stdout %q, stderr %q", out.String(), errOut.String())
	}
	if _, err := http.Get(url); err == nil {
		t.Error("the server still answers after stopping")
	}
}

func TestServeUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "extra"}, `unexpected argument "extra"`},
		{[]string{"serve", "--addr", "nonsense"}, `--addr "nonsense": want host:port`},
	} {
		var out, errOut bytes.Buffer
		if code := run(c.args, strings.NewReader(""), &out, &errOut); code != 2 || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, errOut.String(), c.want)
		}
	}
}

// TestServeSignals runs "lsce serve" as a process (the test binary
// re-executed as lsce, see TestMain) and stops it with SIGINT and with
// SIGTERM, as Ctrl-C and a service manager do: it exits 0 after a clean
// shutdown.
func TestServeSignals(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on Windows")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		cmd := exec.Command(exe)
		cmd.Args = []string{"lsce", "serve", "--addr", "127.0.0.1:0"}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		if !lines.Scan() {
			cmd.Process.Kill()
			t.Fatalf("lsce serve printed nothing: %v", cmd.Wait())
		}
		url := regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+/`).FindString(lines.Text())
		resp, err := http.Get(url)
		if err != nil {
			cmd.Process.Kill()
			t.Fatalf("%q: %v", lines.Text(), err)
		}
		resp.Body.Close()
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		rest, _ := io.ReadAll(out)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil || string(rest) != "lsce serve: stopped\n" {
				t.Errorf("%v: exit %v, then printed %q", sig, err, rest)
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("%v: lsce serve did not stop within 10 s", sig)
		}
	}
}
