//go:build js && wasm

// Command wasm is the explainer page's server compiled to WebAssembly, for
// the self-contained page of "lsce explain --html": it answers the page's
// API calls in the browser with the same handler as "lsce serve"
// (page.Handler), so the numbers still come from the Go library. Build it
// with go generate ./explain/page (see gen_wasm.go).
package main

import (
	"net/http/httptest"
	"strings"
	"syscall/js"

	"github.com/lsce/lsce/explain/page"
)

func main() {
	h := page.Handler()
	// lsceAPI(method, path, body) returns a promise of {status, type, body}
	// (body a Uint8Array): one request to the handler, in a goroutine of its
	// own, since a blocking callback would block the page's event loop.
	js.Global().Set("lsceAPI", js.FuncOf(func(this js.Value, args []js.Value) any {
		method, path, body := args[0].String(), args[1].String(), args[2].String()
		return js.Global().Get("Promise").New(js.FuncOf(func(this js.Value, p []js.Value) any {
			resolve := p[0]
			go func() {
				req := httptest.NewRequest(method, path, strings.NewReader(body))
				if method == "POST" {
					req.Header.Set("Content-Type", "application/json")
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				out := js.Global().Get("Uint8Array").New(rec.Body.Len())
				js.CopyBytesToJS(out, rec.Body.Bytes())
				res := js.Global().Get("Object").New()
				res.Set("status", rec.Code)
				res.Set("type", rec.Header().Get("Content-Type"))
				res.Set("body", out)
				resolve.Invoke(res)
			}()
			return nil
		}))
	}))
	js.Global().Call("lsceReady")
	select {}
}
