package page

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/lsce/lsce/explain"
)

//go:embed assets
var assets embed.FS

// Limits of the server: how long a request may take to arrive and to be
// answered, and how many walk-throughs are computed at once.
const (
	ReadTimeout    = 10 * time.Second
	ComputeTimeout = 20 * time.Second
	WriteTimeout   = 30 * time.Second
	maxConcurrent  = 4
)

// Handler serves the page and its API. It reads nothing but the assets
// embedded in the binary.
func Handler() http.Handler {
	static, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err) // the embedded tree always has assets/
	}
	files := http.FileServerFS(static)
	mux := http.NewServeMux()
	for _, name := range []string{"/{$}", "/app.js", "/style.css"} {
		mux.Handle("GET "+name, files)
	}
	mux.HandleFunc("GET /api/examples", serveExamples)
	mux.HandleFunc("GET /api/limits", serveLimits)
	sem := make(chan struct{}, maxConcurrent)
	api := func(h func(http.ResponseWriter, *Parsed) error) http.Handler {
		return http.TimeoutHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				writeError(w, &inputError{415, "the API takes JSON (Content-Type: application/json)"})
				return
			}
			p, err := Decode(http.MaxBytesReader(w, r.Body, MaxBody+1))
			if err != nil {
				writeError(w, err)
				return
			}
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-r.Context().Done():
				return
			}
			if err := h(w, p); err != nil {
				writeError(w, err)
			}
		}), ComputeTimeout, `{"error":"the computation took too long"}`)
	}
	mux.Handle("POST /api/walkthrough", api(serveWalkthrough))
	mux.Handle("POST /api/workbook", api(serveWorkbook))
	return secure(mux)
}

// secure adds the headers that keep the page to itself: no scripts or
// connections but its own, no framing, no sniffing.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// NewServer returns a server of Handler with the package's time and size
// limits; the caller listens and shuts it down.
func NewServer() *http.Server {
	return &http.Server{
		Handler:           Handler(),
		ReadHeaderTimeout: ReadTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(discard{}, "", 0),
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// Example is one of the write-up's worked examples as page input.
type Example struct {
	Name    string  `json:"name"`
	Title   string  `json:"title"`
	Data    string  `json:"data"`
	Epsilon float64 `json:"epsilon"`
}

// Examples returns package explain's examples as page input.
func Examples() []Example {
	var out []Example
	for _, e := range explain.Examples() {
		out = append(out, Example{Name: e.Name, Title: e.Title, Data: ExampleData(e.Input), Epsilon: e.Input.Epsilon})
	}
	return out
}

// Limits are the page's input limits, as GET /api/limits gives them.
type Limits struct {
	Rows    int `json:"rows"`
	Classes int `json:"classes"`
	Body    int `json:"body"`
}

func serveLimits(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, Limits{MaxRows, MaxClasses, MaxBody})
}

func serveExamples(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, Examples())
}

func serveWalkthrough(w http.ResponseWriter, p *Parsed) error {
	res, err := Compute(p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func serveWorkbook(w http.ResponseWriter, p *Parsed) error {
	wt, err := p.Walkthrough()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := wt.WriteXLSX(&buf); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", `attachment; filename="label-smoothing.xlsx"`)
	w.WriteHeader(http.StatusOK)
	_, err = buf.WriteTo(w)
	return err
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

// writeError answers bad input with its 4xx status and message, and
// anything else with 500.
func writeError(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	var ie *inputError
	var me *http.MaxBytesError
	switch {
	case errors.As(err, &ie):
		status = ie.status
	case errors.As(err, &me):
		status = http.StatusRequestEntityTooLarge
	case errors.Is(err, explain.ErrTooLarge):
		status = http.StatusRequestEntityTooLarge
	}
	msg := err.Error()
	if status == http.StatusInternalServerError {
		msg = "internal error: " + msg
	}
	b, _ := json.Marshal(map[string]string{"error": msg})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}
