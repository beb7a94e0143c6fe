package kernel

import (
	"fmt"
	"math"
	"testing"
)

// TestBlockKernels checks MaxSum, Exp and ExpRowsF32 against the float64
// oracle (refStats and math.Exp), for every implementation: MaxSum at every
// length of lengths(), Exp over whole blocks of rows against one shift, and
// ExpRowsF32 over 1 to 64 rows of 1 to 130 classes and around 512 and 1024,
// with a non-finite row.
func TestBlockKernels(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		for _, n := range lengths() {
			for name, x := range rows(n, 11) {
				x32 := make([]float32, n)
				for i, v := range x {
					x32[i] = float32(v)
				}
				checkMaxSum(t, fmt.Sprintf("float64 %s n=%d", name, n), x, func() (float64, float64) { return MaxSumF64(x) })
				checkMaxSum(t, fmt.Sprintf("float32 %s n=%d", name, n), x32, func() (float64, float64) { return MaxSumF32(x32) })
				if n == 0 || n > 4096 {
					continue
				}
				m, _, _ := refStats(x)
				e := make([]float64, n)
				checkExp(t, fmt.Sprintf("float64 %s n=%d", name, n), e, x, m+1.5, ExpF64(e, x, m+1.5), 4e-16)
				m32, _, _ := refStats(x32)
				e32 := make([]float32, n)
				checkExp(t, fmt.Sprintf("float32 %s n=%d", name, n), e32, x32, m32+1.5, ExpF32(e32, x32, m32+1.5), 2.4e-7)
			}
		}
		var ks []int
		for k := 1; k <= 130; k++ {
			ks = append(ks, k)
		}
		// Around 512 (the longest short row of package lsce) and 1024 (the
		// longest row the batched kernel takes).
		ks = append(ks, 511, 512, 1023, 1024, 1025, 1500)
		for _, k := range ks {
			for _, n := range []int{1, 7, 64} {
				raw := rows(n*k, uint64(k))["normal"]
				x := make([]float32, n*k)
				for i, v := range raw {
					x[i] = float32(v)
				}
				bad := n / 2
				x[bad*k+k/2] = float32(math.NaN())
				e := make([]float32, n*k)
				m, s, sx := make([]float64, n), make([]float64, n), make([]float64, n)
				ExpRowsF32(e, x, k, m, s, sx)
				for r := range n {
					xr, er := x[r*k:(r+1)*k], e[r*k:(r+1)*k]
					if r == bad {
						if s[r] != 0 || finite(sx[r]) {
							t.Fatalf("k=%d n=%d: NaN row: s %v, sx %v", k, n, s[r], sx[r])
						}
						for j, v := range er {
							if v != 0 {
								t.Fatalf("k=%d n=%d: NaN row: e[%d] = %v, want 0", k, n, j, v)
							}
						}
						continue
					}
					wm, ws, wsx := refStats(xr)
					name := fmt.Sprintf("ExpRowsF32 k=%d n=%d row %d", k, n, r)
					var sa float64
					for _, v := range xr {
						sa += math.Abs(float64(v))
					}
					if m[r] != wm || math.Abs(sx[r]-wsx) > 1e-6*sa {
						t.Fatalf("%s: m %v sx %v, want %v %v", name, m[r], sx[r], wm, wsx)
					}
					checkExp(t, name, er, xr, wm, s[r], 2.4e-7)
					if math.Abs(s[r]-ws) > 1e-6*ws {
						t.Fatalf("%s: s %v, want %v", name, s[r], ws)
					}
				}
			}
		}
	})
}

func checkMaxSum[T float32 | float64](t *testing.T, name string, x []T, f func() (float64, float64)) {
	t.Helper()
	m, sx := f()
	wm, _, wsx := refStats(x)
	var sa float64
	for _, v := range x {
		sa += math.Abs(float64(v))
	}
	if m != wm || math.Abs(sx-wsx) > 1e-6*sa+1e-300 {
		t.Fatalf("MaxSum %s: (%v, %v), want (%v, %v)", name, m, sx, wm, wsx)
	}
}

// checkExp checks e[j] = exp(x[j] − m) to rel relative, plus the rounding
// of x[j] − m to T (0 below the smallest normal float is allowed), and their
// sum to 1e-6 relative.
func checkExp[T float32 | float64](t *testing.T, name string, e, x []T, m, got, rel float64) {
	t.Helper()
	var want float64
	tiny, u := 0x1p-126, 0x1p-24 // m and x − m may be rounded to T
	if _, ok := any(x).([]float64); ok {
		tiny, u = 0x1p-1022, 0x1p-53
	}
	for j, v := range x {
		arg := float64(v) - m
		w := math.Exp(arg)
		want += w
		if d := math.Abs(float64(e[j]) - w); d > (rel+2*u*(math.Abs(arg)+math.Abs(m)))*w && !(w < tiny && d <= tiny) {
			t.Fatalf("Exp %s: e[%d] = %v, want %v", name, j, e[j], w)
		}
	}
	if math.Abs(got-want) > 1e-6*want+1e-300 {
		t.Fatalf("Exp %s: sum %v, want %v", name, got, want)
	}
}
