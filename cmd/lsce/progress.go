package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// progress draws a bar on stderr, only when it is a terminal (or with
// --progress always), at most ten times a second.
type progress struct {
	w        io.Writer
	on       bool
	rows     int
	rowBytes float64
	pass     int
	mu       sync.Mutex
	count    int
	start    time.Time
	last     time.Time
	drawn    bool
	closed   bool
}

func newProgress(w io.Writer, mode string, rows int, rowBytes float64) *progress {
	p := &progress{w: w, rows: rows, rowBytes: rowBytes}
	switch mode {
	case "always":
		p.on = true
	case "auto":
		f, ok := w.(*os.File)
		p.on = ok && term.IsTerminal(int(f.Fd()))
	}
	return p
}

func (p *progress) startPass() {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pass++
	p.count = 0
	p.start = time.Now()
}

func (p *progress) add(rows int) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.count += rows
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond || p.count == p.rows {
		p.last = now
		frac := float64(p.count) / float64(p.rows)
		const width = 30
		full := int(frac * width)
		bar := strings.Repeat("█", full) + strings.Repeat("·", width-full)
		rate := float64(p.count) / max(now.Sub(p.start).Seconds(), 1e-9)
		fmt.Fprintf(p.w, "\rpass %d %s %5.1f%% %7.0f MB/s", p.pass, bar, 100*frac, rate*p.rowBytes/1e6)
		p.drawn = true
	}
}

// done clears the bar.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn && !p.closed {
		fmt.Fprint(p.w, "\r\033[K")
	}
	p.closed = true
}
