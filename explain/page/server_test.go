package page

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/lsce/lsce/explain"
)

func TestServer(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	catdog := Examples()[0]
	reqBody, _ := json.Marshal(Request{Data: catdog.Data, Epsilon: "0.1", Variant: "uniform"})
	for _, c := range []struct {
		method, path, ctype, body string
		status                    int
		want                      string
	}{
		{"GET", "/", "", "", 200, "Label Smoothing Explained using Microsoft Excel"},
		{"HEAD", "/", "", "", 200, ""},
		{"GET", "/app.js", "", "", 200, "/api/walkthrough"},
		{"GET", "/style.css", "", "", 200, ":root"},
		{"GET", "/index.html", "", "", 404, ""},
		{"GET", "/assets/", "", "", 404, ""},
		{"GET", "/../server.go", "", "", 404, ""},
		{"GET", "/api/examples", "", "", 200, `"name":"catdog"`},
		{"GET", "/api/limits", "", "", 200, `{"rows":1000,"classes":100,"body":4194304}`},
		{"POST", "/", "application/json", "{}", 405, ""},
		{"PUT", "/api/walkthrough", "application/json", string(reqBody), 405, ""},
		{"GET", "/api/walkthrough", "", "", 405, ""},
		{"POST", "/api/walkthrough", "text/plain", string(reqBody), 415, "takes JSON"},
		{"POST", "/api/walkthrough", "application/json", string(reqBody), 200, `"library":[0.3313`},
		{"POST", "/api/walkthrough", "application/json", `{"data":"image,label,a,b\nx,0,1,y\n","epsilon":"0.1"}`, 400, `"y\" is not a finite number`},
		{"POST", "/api/walkthrough", "application/json", `{"data":"` + strings.Repeat("x", 5<<20) + `"}`, 413, "larger than 4 MiB"},
		{"POST", "/api/workbook", "application/json", `{"data":"image,label,a\n","epsilon":"0.1"}`, 400, "no rows"},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
		if c.ctype != "" {
			req.Header.Set("Content-Type", c.ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(b), c.want) {
			t.Errorf("%s %s: %d %.200s, want %d and %q", c.method, c.path, resp.StatusCode, b, c.status, c.want)
		}
		if resp.StatusCode == 200 && resp.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s %s: no Content-Security-Policy", c.method, c.path)
		}
	}

	// The workbook is package explain's, for the request's input.
	resp, err := http.Post(srv.URL+"/api/workbook", "application/json", bytes.NewReader(reqBody))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("workbook: %d %v", resp.StatusCode, resp.Header)
	}
	f, err := excelize.OpenReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	e, _ := explain.LookupExample("catdog")
	w, _ := explain.New(e.Input)
	var buf bytes.Buffer
	if err := w.WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	g, _ := excelize.OpenReader(&buf)
	defer g.Close()
	for _, sheet := range []string{explain.SheetWalkthrough, explain.SheetLibrary} {
		got, _ := f.GetRows(sheet)
		want, _ := g.GetRows(sheet)
		if len(got) == 0 || fmtRows(got) != fmtRows(want) {
			t.Errorf("sheet %s of the served workbook differs from package explain's", sheet)
		}
	}
}

func fmtRows(r [][]string) string {
	b, _ := json.Marshal(r)
	return string(b)
}

// TestCompute checks the parts of the response the browser test does not
// read: the others variant against the library directly, the PyTorch lines,
// and the cut of the N×K tables.
func TestCompute(t *testing.T) {
	var b strings.Builder
	b.WriteString("image,label,a,b,c\n")
	for i := range 60 {
		b.WriteString("r" + strconv.Itoa(i) + ",1,0.5,1,-2\n")
	}
	p, err := Decode(body(t, Request{Data: b.String(), Epsilon: "0.3", Variant: "others", Row: 59}))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Compute(p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Shown != MaxShownRows || len(res.Prob) != MaxShownRows*3 || len(res.Loss) != 60 || res.Row != 59 {
		t.Errorf("shown %d, %d probabilities, %d losses, row %d", res.Shown, len(res.Prob), len(res.Loss), res.Row)
	}
	if !res.Match || !closeTo(res.UniformEpsilon, 0.45) {
		t.Errorf("others at ε = 0.3: match %v (max diff %v), uniform ε %v", res.Match, res.MaxDiff, res.UniformEpsilon)
	}
	// The smoothed labels of the others variant: 1 − ε on the label, ε/(K−1) elsewhere.
	if q := res.Grad.Q; !closeTo(q[1], 0.7) || !closeTo(q[0], 0.15) || !closeTo(q[2], 0.15) {
		t.Errorf("q' of the others variant %v, want [0.15 0.7 0.15]", q)
	}
	for c := range 3 {
		if !closeTo(res.Grad.Grad[c], res.Grad.P[c]-res.Grad.Q[c]) {
			t.Errorf("gradient %v, want p − q' = %v − %v", res.Grad.Grad, res.Grad.P, res.Grad.Q)
		}
	}
	for _, want := range []string{
		"torch.tensor([[0.5, 1.0, -2.0],\n",
		"torch.tensor([1, 1, 1,",
		"label_smoothing=0.45, reduction='none'))",
		"is PyTorch's (uniform) label_smoothing = ε·K/(K−1) = 0.45.",
	} {
		if !strings.Contains(res.PyTorch, want) {
			t.Errorf("the PyTorch lines lack %q:\n%.600s", want, res.PyTorch)
		}
	}
}

func closeTo(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }
