package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/lsce/lsce/explain/page"
)

// serveFlags are the settings of "lsce serve".
type serveFlags struct {
	addr string
	open bool
}

var serveOpts serveFlags

var cmdServe = &command{
	name:  "serve",
	short: "the walk-through as a live page in your browser",
	args:  "[--addr 127.0.0.1:8080] [--open]",
	summary: `The walk-through as a live page in your browser.

Serves the step-by-step walk-through of Aman Arora's "Label Smoothing
Explained using Microsoft Excel" (18 July 2020) as an interactive page: pick
the cat/dog or the 5-animal example or paste your own logits and labels, move
ε, edit a logit, and every table (one-hot, smoothed labels, logits, exp, Σexp,
probabilities, −q'·ln p, the loss and its decomposition), the gradient of a
row and the loss-against-gap chart follow. Every number comes from this
library; the page also gives the PyTorch lines that check them and the live
workbook of 'lsce explain --xlsx'.

The page is embedded in the binary and needs no network. It listens on
loopback (127.0.0.1) unless --addr says otherwise; Ctrl-C stops it.`,
	setFlags: func(fs *flag.FlagSet) {
		o := &serveOpts
		*o = serveFlags{}
		fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen on `host:port` (port 0: any free port)")
		fs.BoolVar(&o.open, "open", false, "open the page in the default browser")
	},
	run: func(env *env, args []string) error {
		if len(args) > 0 {
			return usageErrorf("unexpected argument %q (see 'lsce help serve')", args[0])
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return serve(ctx, env, &serveOpts, nil)
	},
}

// serve listens on f.addr, prints the page's URL, and serves until ctx is
// done, then shuts down cleanly. ready, when not nil, receives the URL.
func serve(ctx context.Context, env *env, f *serveFlags, ready chan<- string) error {
	host, _, err := net.SplitHostPort(f.addr)
	if err != nil {
		return usageErrorf("--addr %q: want host:port, as 127.0.0.1:8080", f.addr)
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", f.addr, err)
	}
	srv := page.NewServer()
	addr := ln.Addr().(*net.TCPAddr)
	shown := host
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		shown = "127.0.0.1"
	}
	url := fmt.Sprintf("http://%s/", net.JoinHostPort(shown, fmt.Sprint(addr.Port)))
	fmt.Fprintf(env.stdout, "lsce serve: the label-smoothing walk-through at %s (Ctrl-C stops)\n", url)
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fmt.Fprintf(env.stderr, "lsce serve: listening on %s, reachable from other machines\n", ln.Addr())
	}
	if f.open {
		if err := openBrowser(url); err != nil {
			fmt.Fprintf(env.stderr, "lsce serve: --open: %v; open %s yourself\n", err, url)
		}
	}
	if ready != nil {
		ready <- url
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdown)
	if e := <-done; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	if err != nil {
		return fmt.Errorf("stopping: %w", err)
	}
	fmt.Fprintln(env.stdout, "lsce serve: stopped")
	return nil
}

// openBrowser opens url in the desktop's browser.
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}
