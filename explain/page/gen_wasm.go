//go:build ignore

// gen_wasm builds the self-contained page's WebAssembly: ./wasm for
// GOOS=js GOARCH=wasm, gzipped into static/lsce.wasm.gz, and copies the Go
// toolchain's wasm_exec.js next to it. Both are build outputs, not
// committed (static/.gitignore); go generate ./explain/page makes them, and
// "lsce explain --html" embeds them.
package main

import (
	"bytes"
	"compress/gzip"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	tmp, err := os.MkdirTemp("", "lsce-wasm")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	wasm := filepath.Join(tmp, "lsce.wasm")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", wasm, "./wasm")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		log.Fatalf("go build ./wasm: %v", err)
	}
	raw, err := os.ReadFile(wasm)
	if err != nil {
		log.Fatal(err)
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(raw)
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("static", "lsce.wasm.gz"), gz.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	root, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		log.Fatal(err)
	}
	js, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(root)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("static", "wasm_exec.js"), js, 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("static/lsce.wasm.gz: %d bytes (%d uncompressed)", gz.Len(), len(raw))
}
