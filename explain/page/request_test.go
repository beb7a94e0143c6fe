package page

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/explain"
)

func body(t testing.TB, req Request) *strings.Reader {
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return strings.NewReader(string(b))
}

// TestExamplesRoundTrip: the examples written as page data read back as
// package explain's inputs, exactly.
func TestExamplesRoundTrip(t *testing.T) {
	for _, e := range explain.Examples() {
		p, err := Decode(body(t, Request{Data: ExampleData(e.Input), Epsilon: "0.1"}))
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		got, want := p.Input, e.Input
		if got.N != want.N || got.K != want.K || strings.Join(got.Classes, ",") != strings.Join(want.Classes, ",") ||
			strings.Join(got.Images, ",") != strings.Join(want.Images, ",") || got.Epsilon != want.Epsilon {
			t.Errorf("%s: read back as %+v, want %+v", e.Name, got, want)
		}
		for i := range want.Logits {
			if got.Logits[i] != want.Logits[i] {
				t.Errorf("%s: logit %d reads back as %v, want %v", e.Name, i, got.Logits[i], want.Logits[i])
			}
		}
		for i := range want.Targets {
			if got.Targets[i] != want.Targets[i] {
				t.Errorf("%s: target %d reads back as %v, want %v", e.Name, i, got.Targets[i], want.Targets[i])
			}
		}
	}
}

// TestBadRequests: each bad input gets a 4xx and a message naming the place.
func TestBadRequests(t *testing.T) {
	good := "image,label,cat,dog\na,cat,1,2\n"
	wide := "image,label," + strings.Repeat("c,", MaxClasses) + "x\n"
	long := "image,label,cat,dog\n" + strings.Repeat("a,cat,1,2\n", MaxRows+1)
	for _, c := range []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"not JSON", "{data", 400, "not the page's JSON"},
		{"unknown field", `{"data":"x","epsilon":"0.1","extra":1}`, 400, "unknown field"},
		{"two objects", `{"data":"x","epsilon":"0.1"}{}`, 400, "data after the object"},
		{"oversized", `{"data":"` + strings.Repeat("1", MaxBody) + `"}`, 413, "larger than 4 MiB"},
		{"empty data", `{"data":"","epsilon":"0.1"}`, 400, "the data is empty"},
		{"short header", `{"data":"image,label\n","epsilon":"0.1"}`, 400, "want image, label and at least one class"},
		{"no rows", `{"data":"image,label,cat\n","epsilon":"0.1"}`, 400, "no rows"},
		{"epsilon word", `{"data":"` + jsonText(good) + `","epsilon":"abc"}`, 400, `ε "abc": want a number from 0 to 1`},
		{"epsilon NaN", `{"data":"` + jsonText(good) + `","epsilon":"NaN"}`, 400, `ε "NaN"`},
		{"epsilon 2", `{"data":"` + jsonText(good) + `","epsilon":"2"}`, 400, `ε "2"`},
		{"epsilon hex", `{"data":"` + jsonText(good) + `","epsilon":"0x1p-2"}`, 400, `ε "0x1p-2"`},
		{"variant", `{"data":"` + jsonText(good) + `","epsilon":"0.1","variant":"fancy"}`, 400, `variant "fancy"`},
		{"others too much", `{"data":"` + jsonText(good) + `","epsilon":"0.9","variant":"others"}`, 400, "take ε ≤ (K−1)/K = 0.5"},
		{"non-number", `{"data":"image,label,cat,dog\na,cat,1,x\n","epsilon":"0.1"}`, 400, `line 2, column "dog": "x" is not a finite number`},
		{"NaN logit", `{"data":"image,label,cat,dog\na,cat,NaN,1\n","epsilon":"0.1"}`, 400, `"NaN" is not a finite number`},
		{"Inf logit", `{"data":"image,label,cat,dog\na,cat,1,-Inf\n","epsilon":"0.1"}`, 400, `"-Inf" is not a finite number`},
		{"huge logit", `{"data":"image,label,cat,dog\na,cat,1,1e999\n","epsilon":"0.1"}`, 400, `"1e999" is not a finite number`},
		{"ragged", `{"data":"image,label,cat,dog\na,cat,1,2\nb,dog,1\n","epsilon":"0.1"}`, 400, "line 3: 3 fields: want 4"},
		{"label range", `{"data":"image,label,cat,dog\na,2,1,2\n","epsilon":"0.1"}`, 400, "line 2: label 2 is out of range: class indices go from 0 to 1"},
		{"label negative", `{"data":"image,label,cat,dog\na,-1,1,2\n","epsilon":"0.1"}`, 400, "label -1 is out of range"},
		{"label name", `{"data":"image,label,cat,dog\na,cow,1,2\n","epsilon":"0.1"}`, 400, `label "cow" is neither a class (cat, dog) nor a class index`},
		{"duplicate class", `{"data":"image,label,cat,cat\na,cat,1,2\n","epsilon":"0.1"}`, 400, `class "cat" is also class 0`},
		{"duplicate image", `{"data":"image,label,cat,dog\na,cat,1,2\na,dog,1,2\n","epsilon":"0.1"}`, 400, `image name 1: "a" is also the name of image 0`},
		{"nameless image", `{"data":"image,label,cat,dog\n,cat,1,2\n","epsilon":"0.1"}`, 400, "line 2: the image has no name"},
		{"quote", `{"data":"image,label,cat,dog\na\"b,cat,1,2\n","epsilon":"0.1"}`, 400, "line 2, column 2"},
		{"too many classes", `{"data":"` + jsonText(wide) + `","epsilon":"0.1"}`, 400, "101 classes: the page takes up to 100"},
		{"too many rows", `{"data":"` + jsonText(long) + `","epsilon":"0.1"}`, 400, "line 1002: more than 1000 rows"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(c.body))
			var ie *inputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v, want an input error", err)
			}
			if ie.status != c.status || !strings.Contains(ie.msg, c.want) {
				t.Errorf("%d %q, want %d and %q", ie.status, ie.msg, c.status, c.want)
			}
		})
	}
}

func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// TestFriendlyNumbers: what a person types reads as meant.
func TestFriendlyNumbers(t *testing.T) {
	for s, want := range map[string]float64{"0.1": 0.1, " 0,25 ": 0.25, "−1.5": -1.5, "1e-3": 0.001, "4": 4} {
		if got, err := parseNumber(s); err != nil || got != want {
			t.Errorf("parseNumber(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	p, err := Decode(body(t, Request{Data: "# a comment\nimage,label,cat,dog\n\na, 1 , 4.2 ,−2.4\n\"b,c\",cat,0,0\n", Epsilon: "0.1", Variant: "others", Row: 7}))
	if err != nil {
		t.Fatal(err)
	}
	if p.Input.N != 2 || p.Input.Targets[0] != 1 || p.Input.Logits[1] != -2.4 || p.Input.Images[1] != "b,c" || p.Variant != lsce.Others || p.Row != 0 {
		t.Errorf("read as %+v", p)
	}
}

// FuzzDecode: no request body makes the decoder panic; whatever it accepts
// computes without error and within the limits.
func FuzzDecode(f *testing.F) {
	for _, e := range Examples() {
		b, _ := json.Marshal(Request{Data: e.Data, Epsilon: "0.1", Variant: "uniform"})
		f.Add(b)
	}
	f.Add([]byte(`{"data":"image,label,a,b\nx,1,1e308,-1e308\n","epsilon":"1","variant":"others","row":-3}`))
	f.Add([]byte(`{"data":"image,label,a\nx,0,800\n","epsilon":"0"}`))
	f.Add([]byte(`{"data":"image,label,\"a\nb\",c\nx,0,1,2\n","epsilon":"0.5"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Decode(strings.NewReader(string(b)))
		if err != nil {
			var ie *inputError
			if !errors.As(err, &ie) || ie.status < 400 || ie.status > 499 || ie.msg == "" {
				t.Fatalf("error %v: want an input error with a 4xx", err)
			}
			return
		}
		in := p.Input
		if in.N < 1 || in.N > MaxRows || in.K < 1 || in.K > MaxClasses || p.Row < 0 || p.Row >= in.N {
			t.Fatalf("accepted %d rows × %d classes, row %d", in.N, in.K, p.Row)
		}
		res, err := Compute(p)
		if err != nil {
			t.Fatalf("accepted input fails to compute: %v", err)
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatalf("the response does not encode: %v", err)
		}
	})
}
