package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExplainHTML writes the self-contained page for an example and checks
// that it holds the example's input; the page itself is tested in a
// browser by explain/page's TestStaticPage.
func TestExplainHTML(t *testing.T) {
	path := filepath.Join(t.TempDir(), "animals.html")
	var out, errOut bytes.Buffer
	code := run([]string{"explain", "--example", "animals", "--epsilon", "0.2", "--html", path}, strings.NewReader(""), &out, &errOut)
	if strings.Contains(errOut.String(), "built without the page's WebAssembly") {
		if os.Getenv("CI") == "true" {
			t.Fatal(errOut.String())
		}
		t.Skip("skipping: the page's WebAssembly is not built (go generate ./explain/page)")
	}
	if code != 0 || out.String() != "wrote "+path+": 5 images × 5 classes, ε = 0.2, a page that works opened from disk\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<script id="lsce-initial" type="application/json">`, `img-2.jpg,cat,-1.2,2.4,2.6,-0.6,2.34`, `"epsilon":"0.2"`, `id="lsce-wasm"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("the page lacks %q", want)
		}
	}
	errOut.Reset()
	if code := run([]string{"explain", "--html", "-"}, strings.NewReader(""), &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "--html -: standard output carries the walk-through") {
		t.Errorf("--html -: exit %d, %q", code, errOut.String())
	}
}
