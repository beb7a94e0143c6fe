package explain

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestLibreOfficeRecomputes has LibreOffice recompute the workbooks after
// every cached formula value has been removed, so that nothing but the
// formulas can produce the numbers, and compares what it computed with the
// library (losses) and the walk-through (every table) to 1e-9.
//
// It skips only when soffice is absent outside CI; under CI=true a missing
// soffice is a failure.
func TestLibreOfficeRecomputes(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("soffice not found and CI=true: install libreoffice-calc-nogui (LibreOffice must recompute the workbook)")
		}
		t.Skip("skipping the LibreOffice recomputation: soffice not found (install libreoffice-calc-nogui; under CI=true this fails)")
	}
	dir := t.TempDir()
	ins := testInputs()
	names := make([]string, 0, len(ins))
	walks := map[string]*Walkthrough{}
	for name, in := range ins {
		w, err := New(in)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := w.WriteXLSX(&buf); err != nil {
			t.Fatal(err)
		}
		stripped, n, err := stripCachedValues(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatalf("%s: no cached formula value found to strip", name)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".xlsx"), stripped, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
		walks[name] = w
	}
	out := filepath.Join(dir, "out")
	start := time.Now()
	recompute(t, soffice, dir, out, names)
	t.Logf("LibreOffice recomputed %d workbooks in %v", len(names), time.Since(start).Round(time.Millisecond))

	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			w := walks[name]
			f, err := excelize.OpenFile(filepath.Join(out, name+".xlsx"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			l, _ := newLayout(w.Input.N, w.Input.K)
			get := func(sheet string, col, row int) float64 {
				t.Helper()
				cell := l.ref(col, row)
				s, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
				if err != nil {
					t.Fatal(err)
				}
				x, err := strconv.ParseFloat(s, 64)
				if err != nil {
					t.Fatalf("%s!%s = %q after LibreOffice: not a number", sheet, cell, s)
				}
				return x
			}
			check := func(what string, col, row int, want float64) {
				t.Helper()
				if got := get(SheetWalkthrough, col, row); !close(got, want, 1e-9) {
					t.Errorf("%s, %s: LibreOffice %v, want %v", what, l.ref(col, row), got, want)
				}
			}
			in := w.Input
			for i := range in.N {
				r := firstData + i
				if got := get(SheetWalkthrough, l.loss, r); !close(got, w.Library[i], 1e-9) {
					t.Errorf("row %d: LibreOffice's loss %v, library %v", i, got, w.Library[i])
				}
				check("decomposition", l.decomp, r, w.Library[i])
				check("H(q,p)", l.nll, r, w.NLL[i])
				check("H(u,p)", l.uniform, r, w.Uniform[i])
				check("shift", l.shift, r, w.Shift[i])
				check("Σexp", l.sumExp, r, w.SumExp[i])
				for c := range in.K {
					j := i*in.K + c
					check("one-hot", l.oneHot+c, r, w.OneHot[j])
					check("smoothed", l.smooth+c, r, w.Smoothed[j])
					check("exp", l.exp+c, r, w.Exp[j])
					check("probability", l.prob+c, r, w.Prob[j])
					check("−q'·ln p", l.term+c, r, w.Terms[j])
				}
				if s, _ := f.GetCellValue(SheetWalkthrough, l.ref(3, r)); s != in.Classes[in.Targets[i]] {
					t.Errorf("row %d: LibreOffice's label %q, want %q", i, s, in.Classes[in.Targets[i]])
				}
			}
			if s, _ := f.GetCellValue(SheetLibrary, "E3"); s != "match" {
				t.Errorf("Library!E3 = %q after LibreOffice, want match", s)
			}
		})
	}
}

// cachedValue matches a formula and the cached value after it.
var cachedValue = regexp.MustCompile(`(<f>[^<]*</f>)<v>[^<]*</v>`)

// stripCachedValues rewrites an xlsx without the cached values of its
// formula cells (values of plain cells stay) and returns how many it removed.
func stripCachedValues(xlsx []byte) ([]byte, int, error) {
	zr, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		return nil, 0, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	removed := 0
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			return nil, 0, err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, 0, err
		}
		if strings.HasPrefix(zf.Name, "xl/worksheets/") {
			removed += len(cachedValue.FindAllIndex(data, -1))
			data = cachedValue.ReplaceAll(data, []byte("$1"))
			data = bytes.ReplaceAll(data, []byte(` t="str"><f>`), []byte(`><f>`))
		}
		w, err := zw.Create(zf.Name)
		if err != nil {
			return nil, 0, err
		}
		if _, err := w.Write(data); err != nil {
			return nil, 0, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), removed, nil
}

// recompute has soffice convert the named workbooks in dir to xlsx in out,
// with a private profile that recalculates every formula on load.
func recompute(t *testing.T, soffice, dir, out string, names []string) {
	t.Helper()
	profile := filepath.Join(dir, "profile")
	user := filepath.Join(profile, "user")
	if err := os.MkdirAll(user, 0o755); err != nil {
		t.Fatal(err)
	}
	// OOXMLRecalcMode 0: always recalculate Excel 2007+ files on load.
	xcu := `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
`
	if err := os.WriteFile(filepath.Join(user, "registrymodifications.xcu"), []byte(xcu), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-env:UserInstallation=file://" + profile, "--headless", "--norestore", "--convert-to", "xlsx", "--outdir", out}
	for _, n := range names {
		args = append(args, filepath.Join(dir, n+".xlsx"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, args...)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	outb, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, outb)
	}
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(out, n+".xlsx")); err != nil {
			t.Fatalf("soffice wrote no %s.xlsx: %v\n%s", n, err, outb)
		}
	}
}
