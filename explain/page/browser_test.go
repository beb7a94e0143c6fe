package page

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/xuri/excelize/v2"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/explain"
	"github.com/lsce/lsce/explain/internal/xlsxcheck"
)

// screenshot, when set, is where TestBrowser writes the README's picture of
// the page: go test ./explain/page -run Browser -screenshot ../../docs/serve.png
var screenshot = flag.String("screenshot", "", "write the README screenshot of the page to this `PNG` file")

// shots, when set, keeps the test's full-page screenshots in that directory
// instead of the test's temporary one, to look at them.
var shots = flag.String("shots", "", "keep the full-page screenshots in this `dir`")

// chromium finds the browser. The test skips without one, saying so, except
// under CI=true, where a missing browser is a failure (.ci/run installs it).
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium on PATH: CI runs the browser test (.ci/run installs chromium)")
	}
	t.Skip("skipping the browser test: no chromium on PATH (apt-get install chromium)")
	return ""
}

// browserSession is a page of the explainer in a headless chromium.
type browserSession struct {
	t   *testing.T
	ctx context.Context
	dir string // where the screenshots go
}

func ptr[T any](v T) *T { return &v }

// TestBrowser drives the page in a real browser and checks what it shows
// against the library: every table's cells to their displayed decimals,
// after moving ε, editing a logit, switching examples and the variant,
// the pitfall toggle, bad input, and the downloaded workbook.
func TestBrowser(t *testing.T) {
	b := startBrowser(t)
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	start := time.Now()

	b.do(chromedp.Navigate(srv.URL))
	b.settle(0)

	// 1. The default page: catdog at ε = 0.1, checked against PyTorch's
	// printed numbers too.
	catdog, _ := explain.LookupExample("catdog")
	b.check("catdog, ε = 0.1", catdog.Input, lsce.Uniform)
	lib := b.column("library", 2)
	for i, p := range catdog.Printed {
		if lib[i] != strconv.FormatFloat(p, 'f', 4, 64) {
			t.Errorf("library loss of row %d shows %s; the write-up printed %v from PyTorch", i, lib[i], p)
		}
	}
	if *screenshot != "" {
		b.readmeShot(*screenshot)
	}
	b.fullShot("page-catdog.png")

	// 2. Move ε with the keyboard: the slider's arrow keys step by 0.01.
	in := catdog.Input
	seq := b.seq()
	b.do(chromedp.Focus("#eps-range"), chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowRight))
	b.settle(seq)
	in.Epsilon = 0.12
	b.check("catdog, ε moved to 0.12 with the slider", in, lsce.Uniform)
	if n := b.eval(`document.querySelectorAll("td.changed").length`); n == "0" {
		t.Error("no cell marked as changed after moving ε")
	}

	// 3. Type ε in the number field.
	seq = b.seq()
	b.typeInto("#eps", "0.25")
	b.settle(seq)
	in.Epsilon = 0.25
	b.check("catdog, ε typed as 0.25", in, lsce.Uniform)
	if v := b.eval(`document.getElementById("eps-range").value`); v != "0.25" {
		t.Errorf("the slider shows %s after typing 0.25", v)
	}

	// 4. Edit a logit in table 3.
	cell := `#step-logits input[data-row="1"][data-col="0"]`
	seq = b.seq()
	b.typeInto(cell, "abc")
	b.settle(seq)
	if msg := b.eval(`document.getElementById("error").textContent`); !strings.Contains(msg, `line 3, column "cat": "abc" is not a finite number`) {
		t.Errorf("a logit typed as abc: the page says %q", msg)
	}
	if v := b.eval(`document.querySelector('` + cell + `').getAttribute("aria-invalid")`); v != "true" {
		t.Errorf("a logit typed as abc is not marked invalid (%s)", v)
	}
	seq = b.seq()
	b.typeInto(cell, "-3.5")
	b.settle(seq)
	in.Logits = append([]float64(nil), in.Logits...)
	in.Logits[1*2+0] = -3.5
	b.check("catdog with logit (1, cat) = −3.5", in, lsce.Uniform)
	if data := b.eval(`document.getElementById("data").value`); !strings.Contains(data, "img-2.jpg,dog,-3.5,-0.6") {
		t.Errorf("the data table does not hold the edited logit:\n%s", data)
	}

	// 5. The gradient of another row, picked in the row selector.
	seq = b.seq()
	b.do(chromedp.SetValue("#row", "2"), chromedp.Evaluate[chromedp.Void](`document.getElementById("row").dispatchEvent(new Event("change"))`))
	b.settle(seq)
	b.checkGradient(in, 2, lsce.Uniform)

	// 6. Switch to the 5-animal example, then the others variant.
	animals, _ := explain.LookupExample("animals")
	seq = b.seq()
	b.do(chromedp.SetValue("#example", "animals"), chromedp.Evaluate[chromedp.Void](`document.getElementById("example").dispatchEvent(new Event("change"))`))
	b.settle(seq)
	in = animals.Input
	in.Epsilon = 0.25
	b.check("animals, ε = 0.25", in, lsce.Uniform)
	seq = b.seq()
	b.do(chromedp.SetValue("#variant", "others"), chromedp.Evaluate[chromedp.Void](`document.getElementById("variant").dispatchEvent(new Event("change"))`))
	b.settle(seq)
	b.check("animals, ε = 0.25, variant others", in, lsce.Others)
	if py := b.eval(`document.getElementById("pytorch").textContent`); !strings.Contains(py, "label_smoothing=0.3125, reduction='none'") || !strings.Contains(py, "ε·K/(K−1) = 0.3125") {
		t.Errorf("the PyTorch lines for variant others, ε = 0.25, K = 5 do not use label_smoothing = 0.3125:\n%s", py)
	}

	// 7. The pitfall: LOG instead of LN.
	b.do(chromedp.Click("#log10"))
	b.checkLog10(in, lsce.Others)
	b.fullShot("page-log10.png")
	b.do(chromedp.Click("#log10"))
	b.check("animals after the pitfall toggle is off again", in, lsce.Others)

	// 8. Download the workbook and check it as package explain's tests do.
	b.checkWorkbook(in, lsce.Others, "animals.xlsx")

	// 9. Bad input: a clear message and no hang; then good input again.
	for _, c := range []struct{ data, eps, want string }{
		{"image,label,cat,dog\na,cat,1,x\n", "0.1", `line 2, column "dog": "x" is not a finite number`},
		{"image,label,cat,dog\na,cat,1,NaN\n", "0.1", `"NaN" is not a finite number`},
		{"image,label,cat,dog\na,cat,1\n", "0.1", "line 2: 3 fields: want 4"},
		{"image,label,cat,dog\na,2,1,0\n", "0.1", "label 2 is out of range"},
		{"image,label," + strings.Repeat("c,", 100) + "last\n", "0.1", "101 classes: the page takes up to 100"},
		{"image,label,cat,dog\na,cat,1,0\n", "abc", `ε "abc": want a number from 0 to 1`},
	} {
		seq = b.seq()
		b.setData(c.data)
		b.do(chromedp.SetValue("#eps", c.eps), chromedp.Evaluate[chromedp.Void](`document.getElementById("eps").dispatchEvent(new Event("input"))`))
		b.settle(seq)
		msg := b.eval(`document.getElementById("error").hidden ? "" : document.getElementById("error").textContent`)
		if !strings.Contains(msg, c.want) {
			t.Errorf("data %q, ε %q: the page says %q, want %q", c.data, c.eps, msg, c.want)
		}
		if c.eps == "abc" {
			b.fullShot("page-error.png")
		}
	}
	// More than the server takes: the page says so without sending it.
	seq = b.seq()
	tc := time.Now()
	b.do(chromedp.Evaluate[chromedp.Void](`document.getElementById("data-details").open = false;
		document.getElementById("data").value = "image,label,cat,dog\n" + "a,cat,1.000000,0.000000\n".repeat(200000);
		document.getElementById("data").dispatchEvent(new Event("input"))`))
	b.settle(seq)
	if msg := b.eval(`document.getElementById("error").textContent`); !strings.Contains(msg, "the data is 4.6 MiB, larger than the 4 MiB the page takes") {
		t.Errorf("4.6 MiB of data: the page says %q", msg)
	}
	t.Logf("4.6 MiB of data refused in %v", time.Since(tc))

	seq = b.seq()
	b.setData("image,label,yes,no\nfirst,no,0.5,2\n")
	b.do(chromedp.SetValue("#eps", "0.1"), chromedp.SetValue("#variant", "uniform"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("eps").dispatchEvent(new Event("input"))`))
	b.settle(seq)
	b.check("pasted data after errors", explain.Input{Logits: []float64{0.5, 2}, N: 1, K: 2, Targets: []int{1},
		Classes: []string{"yes", "no"}, Images: []string{"first"}, Epsilon: 0.1}, lsce.Uniform)

	// 10. The largest input the page takes: 1,000 rows × 100 classes.
	var big strings.Builder
	big.WriteString("image,label")
	for c := range MaxClasses {
		fmt.Fprintf(&big, ",c%d", c)
	}
	bigIn := explain.Input{N: MaxRows, K: MaxClasses, Epsilon: 0.1}
	for i := range MaxRows {
		y := (i * 7) % MaxClasses
		fmt.Fprintf(&big, "\nr%d,%d", i, y)
		bigIn.Targets = append(bigIn.Targets, y)
		for c := range MaxClasses {
			z := float64((i*31+c*17)%200)/20 - 5
			fmt.Fprintf(&big, ",%g", z)
			bigIn.Logits = append(bigIn.Logits, z)
		}
	}
	seq = b.seq()
	t0 := time.Now()
	b.setData(big.String())
	b.settle(seq)
	t.Logf("1,000 × 100 input: answered and drawn in %v (drawing %s ms)", time.Since(t0).Round(time.Millisecond), b.eval(`document.body.dataset.renderMs`))
	res, err := lsce.CrossEntropy(lsce.Input[float64]{Logits: bigIn.Logits, Shape: []int{MaxRows, MaxClasses}, Targets: bigIn.Targets},
		lsce.Options{Epsilon: 0.1, Reduction: lsce.None})
	if err != nil {
		t.Fatal(err)
	}
	if err := shows(b.eval(`document.getElementById("mean").textContent`), mean(res.Losses)); err != nil {
		t.Errorf("1,000 × 100 input, mean loss: %v", err)
	}
	if n := b.eval(`document.querySelectorAll("#step-prob tbody tr").length`); n != strconv.Itoa(MaxShownRows) {
		t.Errorf("1,000 × 100 input: %s rows of probabilities shown, want %d", n, MaxShownRows)
	}
	if note := b.eval(`document.querySelector("#step-loss .more").textContent`); !strings.Contains(note, "first 50 of 1000 rows") {
		t.Errorf("1,000 × 100 input: the note says %q", note)
	}

	// 11. A narrow window: the page must not scroll sideways.
	b.do(chromedp.EmulateViewport(380, 800))
	b.do(chromedp.Sleep(200 * time.Millisecond))
	if w := b.eval(`String(document.documentElement.scrollWidth)`); w != "380" {
		t.Errorf("in a 380 px window the page is %s px wide; too wide: %s", w, b.eval(`[...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > 381 && !e.closest(".scroll") && !e.closest("pre")).slice(0, 8).map((e) => e.tagName + "#" + e.id + "." + e.className + ":" + Math.round(e.getBoundingClientRect().right)).join(", ")`))
	}
	path := b.fullShot("page-narrow.png")
	t.Logf("screenshots in %s; the browser steps took %v", filepath.Dir(path), time.Since(start).Round(time.Millisecond))
}

// fullShot saves a screenshot of the whole page in the test's temporary
// directory (or -shots) and returns its path.
func (b *browserSession) fullShot(name string) string {
	b.t.Helper()
	if b.dir == "" {
		b.dir = *shots
		if b.dir == "" {
			b.dir = b.t.TempDir()
		}
	}
	shot, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatal(err)
	}
	path := filepath.Join(b.dir, name)
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return path
}

// startBrowser starts a headless chromium for the test, stopped at its end.
func startBrowser(t *testing.T) *browserSession {
	exe := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.WindowSize(1280, 1000))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancelTime)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	go func() {
		for ev, err := range chromedp.Events(ctx, runtime.ExceptionThrown) {
			if err != nil {
				return
			}
			t.Errorf("JavaScript exception: %s", exceptionText(ev.ExceptionDetails))
		}
	}()
	return &browserSession{t: t, ctx: ctx}
}

// TestStaticPage opens the self-contained page of "lsce explain --html"
// from disk, with no server: the library runs in it as WebAssembly. It
// checks every table, an update and the workbook, as TestBrowser does.
func TestStaticPage(t *testing.T) {
	var html bytes.Buffer
	animals, _ := explain.LookupExample("animals")
	in := animals.Input
	in.Epsilon = 0.2
	err := WriteStatic(&html, &Request{Data: ExampleData(in), Epsilon: "0.2", Variant: "uniform"})
	if errors.Is(err, ErrNoWasm) {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI tests the static page: .ci/run runs go generate ./explain/page first")
		}
		t.Skip("skipping the static page: its WebAssembly is not built (go generate ./explain/page)")
	}
	if err != nil {
		t.Fatal(err)
	}
	b := startBrowser(t)
	path := filepath.Join(t.TempDir(), "animals.html")
	if err := os.WriteFile(path, html.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	b.do(chromedp.Navigate("file://" + path))
	b.settle(0)
	t.Logf("the %.1f MB page started its WebAssembly and answered in %v", float64(html.Len())/1e6, time.Since(start).Round(time.Millisecond))
	if got := b.eval(`document.getElementById("example").value`); got != "animals" {
		t.Errorf("the page starts with example %q, want animals (its data are that example's)", got)
	}
	b.check("static page, animals at ε = 0.2", in, lsce.Uniform)
	seq := b.seq()
	b.typeInto("#eps", "0.3")
	b.settle(seq)
	in.Epsilon = 0.3
	b.check("static page, ε typed as 0.3", in, lsce.Uniform)
	seq = b.seq()
	b.do(chromedp.SetValue("#variant", "others"), chromedp.Evaluate[chromedp.Void](`document.getElementById("variant").dispatchEvent(new Event("change"))`))
	b.settle(seq)
	b.check("static page, variant others", in, lsce.Others)
	b.checkWorkbook(in, lsce.Others, "animals.xlsx")
	seq = b.seq()
	b.typeInto("#eps", "2")
	b.settle(seq)
	if msg := b.eval(`document.getElementById("error").textContent`); !strings.Contains(msg, `ε "2": want a number from 0 to 1`) {
		t.Errorf("ε = 2 on the static page: %q", msg)
	}
	b.fullShot("static.png")
}

func (b *browserSession) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatal(err)
	}
}

func (b *browserSession) eval(js string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](js))
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	return fmt.Sprint(v)
}

// seq is the number of the page's last answered request.
func (b *browserSession) seq() int {
	n, _ := strconv.Atoi(b.eval(`document.body.dataset.seq || "0"`))
	return n
}

// settle waits until the page has answered a request after number after
// and has none waiting (debounced) or in flight.
func (b *browserSession) settle(after int) {
	b.t.Helper()
	js := fmt.Sprintf(`Number(document.body.dataset.seq || 0) > %d && !document.body.dataset.busy && !document.body.dataset.pending`, after)
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		b.t.Fatalf("the page did not update: %v", err)
	}
}

// typeInto selects the text of an input field and types over it, as a
// person does.
func (b *browserSession) typeInto(sel, text string) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.focus(); e.select(); })()`, sel)
	b.do(chromedp.Evaluate[chromedp.Void](js), chromedp.KeyEvent(text))
}

func (b *browserSession) setData(s string) {
	b.t.Helper()
	b.do(chromedp.SetValue("#data", s), chromedp.Evaluate[chromedp.Void](`document.getElementById("data").dispatchEvent(new Event("input"))`))
}

// tables reads every table of the walk-through as shown: id → rows → cells
// (an input cell's value).
func (b *browserSession) tables() map[string][][]string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[map[string][][]string](`(() => {
		const out = {};
		for (const t of document.querySelectorAll("#steps table")) {
			out[t.dataset.table] = [...t.tBodies[0].rows].map((r) => [...r.cells].map((c) => {
				const i = c.querySelector("input");
				return i ? i.value : c.textContent;
			}));
		}
		return out;
	})()`))
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}

func (b *browserSession) column(table string, col int) []string {
	var out []string
	for _, r := range b.tables()[table] {
		out = append(out, r[col])
	}
	return out
}

// shows checks that a displayed number is v to its displayed decimals, with
// 4 fixed decimals (or 4 in exponent form).
func shows(s string, v float64) error {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("%q is not a number", s)
	}
	mant, exp, isExp := strings.Cut(s, "e")
	dot := strings.IndexByte(mant, '.')
	if dot < 0 || len(mant)-dot-1 != 4 {
		return fmt.Errorf("%q does not have 4 decimals", s)
	}
	ulp := 0.5e-4
	if isExp {
		e, _ := strconv.Atoi(exp)
		ulp *= math.Pow(10, float64(e))
	}
	if math.Abs(x-v) > ulp*(1+1e-9) {
		return fmt.Errorf("shows %s, the library computes %v", s, v)
	}
	return nil
}

// check compares every table with the walk-through of in under the
// variant, computed here from package explain and package lsce.
func (b *browserSession) check(what string, in explain.Input, v lsce.Variant) {
	b.t.Helper()
	t := b.t
	if msg := b.eval(`document.getElementById("error").hidden ? "" : document.getElementById("error").textContent`); msg != "" {
		t.Fatalf("%s: the page shows an error: %s", what, msg)
	}
	user := in.Epsilon
	in.Epsilon = uniformEpsilon(user, in.K, v)
	w, err := explain.New(in)
	if err != nil {
		t.Fatal(err)
	}
	res, err := lsce.CrossEntropy(lsce.Input[float64]{Logits: w.Input.Logits, Shape: []int{in.N, in.K}, Targets: in.Targets},
		lsce.Options{Epsilon: user, Variant: v, Reduction: lsce.None})
	if err != nil {
		t.Fatal(err)
	}
	k := in.K
	perClass := func(vals []float64) func(i, c int) float64 { return func(i, c int) float64 { return vals[i*k+c] } }
	perRow := func(cols ...[]float64) func(i, c int) float64 { return func(i, c int) float64 { return cols[c][i] } }
	want := []struct {
		id    string
		lead  int
		cols  int
		value func(i, c int) float64
	}{
		{"onehot", 2, k, perClass(w.OneHot)},
		{"smoothed", 1, k, perClass(w.Smoothed)},
		{"logits", 1, k, perClass(w.Input.Logits)},
		{"exp", 1, k, perClass(w.Exp)},
		{"sumexp", 1, 1, perRow(w.SumExp)},
		{"prob", 1, k, perClass(w.Prob)},
		{"terms", 1, k, perClass(w.Terms)},
		{"loss", 1, 1, perRow(w.Loss)},
		{"decomposition", 1, 3, perRow(w.NLL, w.Uniform, w.Decomposed)},
		{"library", 1, 2, perRow(w.Loss, res.Losses)},
	}
	tables := b.tables()
	if len(tables) != len(want) {
		t.Errorf("%s: %d tables shown, want %d", what, len(tables), len(want))
	}
	for _, tw := range want {
		rows := tables[tw.id]
		if len(rows) != in.N {
			t.Errorf("%s: table %s has %d rows, want %d", what, tw.id, len(rows), in.N)
			continue
		}
		for i, r := range rows {
			if r[0] != w.Input.Images[i] {
				t.Errorf("%s: table %s, row %d is named %q, want %q", what, tw.id, i, r[0], w.Input.Images[i])
			}
			if len(r) < tw.lead+tw.cols {
				t.Errorf("%s: table %s, row %d has %d cells, want %d", what, tw.id, i, len(r), tw.lead+tw.cols)
				continue
			}
			for c := range tw.cols {
				s, v := r[tw.lead+c], tw.value(i, c)
				var err error
				switch tw.id {
				case "onehot":
					if s != strconv.Itoa(int(v)) {
						err = fmt.Errorf("shows %q, want %v", s, v)
					}
				case "logits":
					if x, e := strconv.ParseFloat(s, 64); e != nil || x != v {
						err = fmt.Errorf("shows %q, want %v", s, v)
					}
				default:
					err = shows(s, v)
				}
				if err != nil {
					t.Errorf("%s: table %s, %s, column %d: %v", what, tw.id, r[0], c, err)
				}
			}
		}
	}
	for i, r := range tables["library"] {
		if r[3] != "match" {
			t.Errorf("%s: the library table says %q for row %d", what, r[3], i)
		}
	}
	if err := shows(b.eval(`document.getElementById("mean").textContent`), mean(res.Losses)); err != nil {
		t.Errorf("%s: mean loss: %v", what, err)
	}
	if b.eval(`document.getElementById("verdict").className`) != "verdict ok" {
		t.Errorf("%s: the verdict says %q", what, b.eval(`document.getElementById("verdict").textContent`))
	}
	// The chart's minimum, against the closed form written out here.
	if k >= 2 && in.Epsilon > 0 {
		g := math.Log((1 - in.Epsilon + in.Epsilon/float64(k)) / (in.Epsilon / float64(k)))
		label := b.eval(`document.getElementById("min-label").textContent`)
		if want := "minimum at gap " + strconv.FormatFloat(g, 'f', 4, 64); label != want {
			t.Errorf("%s: the chart says %q, want %q", what, label, want)
		}
	}
	row, _ := strconv.Atoi(b.eval(`document.getElementById("row").value`))
	b.checkGradient(in, row, v)
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// checkGradient compares the gradient table with p − q' of the row, from
// the walk-through's own p and q' (in.Epsilon is the uniform ε).
func (b *browserSession) checkGradient(in explain.Input, row int, v lsce.Variant) {
	b.t.Helper()
	w, err := explain.New(in)
	if err != nil {
		b.t.Fatal(err)
	}
	v2, err := chromedp.Run(b.ctx, chromedp.Evaluate[[][]string](`[...document.querySelectorAll("#grad tbody tr")].map((r) => [...r.cells].map((c) => c.textContent))`))
	if err != nil {
		b.t.Fatal(err)
	}
	if len(v2) != in.K {
		b.t.Fatalf("gradient table: %d rows, want %d", len(v2), in.K)
	}
	for c, r := range v2 {
		j := row*in.K + c
		p, q := w.Prob[j], w.Smoothed[j]
		for _, x := range []struct {
			s    string
			v    float64
			name string
		}{{r[1], q, "q'"}, {r[3], p, "p"}, {r[5], p - q, "p − q'"}} {
			if err := shows(x.s, x.v); err != nil {
				b.t.Errorf("gradient of row %d, class %s, %s: %v", row, r[0], x.name, err)
			}
		}
	}
}

// checkLog10 checks the pitfall toggle: steps 7 and 8 with base-10 logs.
func (b *browserSession) checkLog10(in explain.Input, v lsce.Variant) {
	b.t.Helper()
	in.Epsilon = uniformEpsilon(in.Epsilon, in.K, v)
	w, err := explain.New(in)
	if err != nil {
		b.t.Fatal(err)
	}
	tables := b.tables()
	for i, r := range tables["terms"] {
		for c := range in.K {
			// −q'·log10 p computed from the walk-through's p.
			want := -w.Smoothed[i*in.K+c] * math.Log10(w.Prob[i*in.K+c])
			if err := shows(r[1+c], want); err != nil {
				b.t.Errorf("LOG pitfall, term of %s, class %d: %v", r[0], c, err)
			}
		}
	}
	for i, r := range tables["loss"] {
		if err := shows(r[1], w.Loss[i]/math.Ln10); err != nil {
			b.t.Errorf("LOG pitfall, loss of %s: %v", r[0], err)
		}
		if tables["library"][i][3] != "differ" {
			b.t.Errorf("LOG pitfall: the library table says %q for %s", tables["library"][i][3], r[0])
		}
	}
	if msg := b.eval(`document.getElementById("pitfall").textContent`); !strings.Contains(msg, "instead of "+strconv.FormatFloat(w.Loss[0], 'f', 4, 64)) &&
		!strings.Contains(msg, "2.3026 times too small") {
		b.t.Errorf("the pitfall banner says %q", msg)
	}
}

// checkWorkbook clicks "Download the workbook" and checks the file with the
// checks of package explain's tests.
func (b *browserSession) checkWorkbook(in explain.Input, v lsce.Variant, name string) {
	b.t.Helper()
	dir := b.t.TempDir()
	progress := chromedp.BrowserEvents(b.ctx, browser.DownloadProgress)
	b.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: ptr(true)})
		return err
	}), chromedp.Evaluate[chromedp.Void](`document.getElementById("download").click()`))
	var file string
	for ev, err := range progress {
		if err != nil {
			b.t.Fatalf("downloading the workbook: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			b.t.Fatal("the workbook download was canceled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			file = filepath.Join(dir, ev.GUID)
			break
		}
	}
	f, err := excelize.OpenFile(file)
	if err != nil {
		b.t.Fatalf("the downloaded workbook: %v", err)
	}
	defer f.Close()
	n, bad, err := xlsxcheck.Formulas(f, explain.SheetWalkthrough, explain.SheetLibrary)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, s := range bad {
		b.t.Error("downloaded workbook: " + s)
	}
	if want := in.N*(5*in.K+7) + 3*in.N + 3; n != want {
		b.t.Errorf("downloaded workbook: %d formulas, want %d", n, want)
	}
	sheet, library, verdict, err := xlsxcheck.Library(f, explain.SheetLibrary)
	if err != nil {
		b.t.Fatal(err)
	}
	res, err := lsce.CrossEntropy(lsce.Input[float64]{Logits: in.Logits, Shape: []int{in.N, in.K}, Targets: in.Targets},
		lsce.Options{Epsilon: in.Epsilon, Variant: v, Reduction: lsce.None})
	if err != nil {
		b.t.Fatal(err)
	}
	if verdict != "match" || len(sheet) != in.N {
		b.t.Errorf("downloaded workbook: verdict %q over %d rows", verdict, len(sheet))
	}
	for i := range sheet {
		if !xlsxcheck.Close(sheet[i], res.Losses[i], 1e-12) || !xlsxcheck.Close(library[i], res.Losses[i], 1e-12) {
			b.t.Errorf("downloaded workbook, row %d: spreadsheet %v, library column %v; lsce %v (%s)", i, sheet[i], library[i], res.Losses[i], v)
		}
	}
	if got := b.eval(`document.getElementById("download-status").textContent`); !strings.HasPrefix(got, name) {
		b.t.Errorf("download status %q", got)
	}
}

// readmeShot writes the README's screenshot: the top of the page at a
// desktop size.
func (b *browserSession) readmeShot(path string) {
	b.t.Helper()
	b.do(chromedp.EmulateViewport(1200, 1500), chromedp.Sleep(300*time.Millisecond))
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("wrote %s (%d bytes)", path, len(png))
	b.do(chromedp.EmulateViewport(1280, 1000))
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d.Exception != nil && d.Exception.Description != "" {
		return d.Exception.Description
	}
	return fmt.Sprintf("%s (line %d)", d.Text, d.LineNumber)
}
