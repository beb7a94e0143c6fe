//go:build !js

package page

import (
	"bytes"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

//go:generate go run gen_wasm.go

// static holds the build outputs of go generate: the page's server compiled
// to WebAssembly and the toolchain's wasm_exec.js (see static/README.md).
//
//go:embed static
var static embed.FS

// ErrNoWasm is returned by WriteStatic from a binary built without the
// page's WebAssembly.
var ErrNoWasm = errors.New("this lsce was built without the page's WebAssembly: run go generate ./explain/page, then build lsce again")

// WriteStatic writes the page as one self-contained HTML file that works
// opened from disk, with no server: the page's server (Handler) compiled
// to WebAssembly answers its API inside the browser, so the numbers still
// come from the Go library. initial, when not nil, is the input the page
// starts with (else the first example).
func WriteStatic(w io.Writer, initial *Request) error {
	wasm, err1 := fs.ReadFile(static, "static/lsce.wasm.gz")
	execJS, err2 := fs.ReadFile(static, "static/wasm_exec.js")
	if err1 != nil || err2 != nil {
		return ErrNoWasm
	}
	read := func(name string) string {
		b, err := fs.ReadFile(assets, "assets/"+name)
		if err != nil {
			panic(err) // the embedded assets always hold it
		}
		return string(b)
	}
	html := read("index.html")
	var tail bytes.Buffer
	script := func(attrs, body string) {
		if strings.Contains(strings.ToLower(body), "</script") {
			panic("a script holds </script")
		}
		fmt.Fprintf(&tail, "<script%s>\n%s\n</script>\n", attrs, body)
	}
	script("", string(execJS))
	script(` id="lsce-wasm" type="application/octet-stream"`, base64.StdEncoding.EncodeToString(wasm))
	if initial != nil {
		b, err := json.Marshal(initial) // escapes <, > and &
		if err != nil {
			return err
		}
		script(` id="lsce-initial" type="application/json"`, string(b))
	}
	script("", bootJS)
	script("", read("app.js"))
	for _, r := range []struct{ old, new string }{
		{`<link rel="stylesheet" href="style.css">`, "<style>\n" + read("style.css") + "</style>"},
		{`<script src="app.js" defer></script>`, ""},
		{"Served by <code>lsce serve</code>; works offline.", "Written by <code>lsce explain --html</code>: the library runs in this page as WebAssembly, offline."},
		{"</body>", tail.String() + "</body>"},
	} {
		if !strings.Contains(html, r.old) {
			panic("index.html lacks " + r.old)
		}
		html = strings.Replace(html, r.old, r.new, 1)
	}
	_, err := io.WriteString(w, html)
	return err
}

// bootJS starts the WebAssembly server; the page's script waits for
// lsceBoot before its first call.
const bootJS = `"use strict";
globalThis.lsceBoot = new Promise((ready, fail) => {
  globalThis.lsceReady = ready;
  (async () => {
    const holder = document.getElementById("lsce-wasm");
    const b64 = holder.textContent.trim();
    holder.remove(); // 5 MB of text the page needs no more
    const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const stream = new Blob([bin]).stream().pipeThrough(new DecompressionStream("gzip"));
    const buf = await new Response(stream).arrayBuffer();
    const go = new Go();
    const { instance } = await WebAssembly.instantiate(buf, go.importObject);
    go.run(instance);
  })().catch(fail);
});`
