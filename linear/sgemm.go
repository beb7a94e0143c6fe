package linear

import "sync"

// packedGemm is the matrix product behind gemmNT, gemmNN and gemmTN when
// the AVX2 micro-kernels are available:
//
//	C (m×n, ldc) += op(A)·op(B)
//	op(A) = A (m×k, lda), or Aᵀ with A stored k×m when transA
//	op(B) = B (k×n, ldb), or Bᵀ with B stored n×k when transB
//
// It packs k-chunks of A into 6-row panels and of B into nr-column panels
// (zero-padded at the edges; nr is two vector registers: 16 float32 or 8
// float64 with AVX2, 32 or 16 with AVX-512: wide), and multiplies panel by
// panel with the 6×nr
// micro-kernel; edge
// tiles go through a scratch tile. This is the classic
// Goto/BLIS scheme without the outer cache blocking over m and n, which the
// fused loss's blocks make unnecessary.
func packedGemm[T Float](wide, transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	const mr, kc = 6, 256
	nr := 16
	if _, ok := any(a).([]float64); ok {
		nr = 8
	}
	if wide {
		nr *= 2
	}
	ps := packPool.Get().(*packBufs)
	defer packPool.Put(ps)
	mPanels := (m + mr - 1) / mr
	ap := growPack[T](&ps.a, mPanels*mr*kc)
	bp := growPack[T](&ps.b, nr*kc)
	var tileBuf [mr * maxNR]T
	tile := tileBuf[:mr*nr]
	for p0 := 0; p0 < k; p0 += kc {
		kk := min(kc, k-p0)
		// Pack A: panel ip holds rows ip·6 … ip·6+5, p-major; reads go
		// along A's rows (contiguous) whichever way A is stored.
		for ip := range mPanels {
			i0 := ip * mr
			mw := min(mr, m-i0)
			dst := ap[ip*mr*kk : (ip+1)*mr*kk]
			if mw < mr {
				clear(dst)
			}
			if transA {
				// Six elements per p: a loop, not copy, whose call costs
				// more than the move (measured: memmove was 18% of the
				// GEMMs' time).
				for p := range kk {
					src := a[(p0+p)*lda+i0:][:mw]
					d := dst[p*mr:][:mw]
					for r, v := range src {
						d[r] = v
					}
				}
				continue
			}
			for r := range mw {
				row := a[(i0+r)*lda+p0 : (i0+r)*lda+p0+kk]
				for p, v := range row {
					dst[p*mr+r] = v
				}
			}
		}
		for j0 := 0; j0 < n; j0 += nr {
			nw := min(nr, n-j0)
			// Pack B: columns j0 … j0+15, p-major, reading along B's rows.
			bq := bp[:kk*nr]
			if nw < nr {
				clear(bq)
			}
			if transB {
				for cc := range nw {
					j := j0 + cc
					col := b[j*ldb+p0 : j*ldb+p0+kk]
					for p, v := range col {
						bq[p*nr+cc] = v
					}
				}
			} else {
				for p := range kk {
					copy(bq[p*nr:p*nr+nw], b[(p0+p)*ldb+j0:(p0+p)*ldb+j0+nw])
				}
			}
			for ip := range mPanels {
				i0 := ip * mr
				mw := min(mr, m-i0)
				apan := ap[ip*mr*kk : (ip+1)*mr*kk]
				if mw == mr && nw == nr {
					microKernel(wide, kk, apan, bq, c[i0*ldc+j0:], ldc)
					continue
				}
				clear(tile)
				microKernel(wide, kk, apan, bq, tile, nr)
				for r := range mw {
					crow := c[(i0+r)*ldc+j0 : (i0+r)*ldc+j0+nw]
					for cc := range crow {
						crow[cc] += tile[r*nr+cc]
					}
				}
			}
		}
	}
}

// packBufs are one goroutine's packing buffers ([]float32 or []float64).
type packBufs struct{ a, b any }

var packPool = sync.Pool{New: func() any { return new(packBufs) }}

func growPack[T Float](s *any, n int) []T {
	if buf, ok := (*s).([]T); ok && cap(buf) >= n {
		return buf[:n]
	}
	buf := make([]T, n)
	*s = buf
	return buf
}

// maxNR is the widest panel of B: 32 float32 columns (AVX-512).
const maxNR = 32

// microKernel dispatches to the 6×nr micro-kernel of T: with wide, the
// AVX-512 one (6×32 float32, 6×16 float64), else the AVX2+FMA one (6×16,
// 6×8).
func microKernel[T Float](wide bool, k int, a, b, c []T, ldc int) {
	switch a := any(a).(type) {
	case []float32:
		microKernel32(wide, k, a, any(b).([]float32), any(c).([]float32), ldc)
	case []float64:
		microKernel64(wide, k, a, any(b).([]float64), any(c).([]float64), ldc)
	}
}

// kern6x16Generic is the reference loop of the float32 micro-kernel:
//
//	for p < k, r < 6, j < 16: c[r·ldc + j] += a[p·6 + r]·b[p·16 + j]
func kern6x16Generic(k int, a, b, c []float32, ldc int) { kernGeneric(16, k, a, b, c, ldc) }

// kern6x8dGeneric is the reference loop of the float64 micro-kernel:
//
//	for p < k, r < 6, j < 8: c[r·ldc + j] += a[p·6 + r]·b[p·8 + j]
func kern6x8dGeneric(k int, a, b, c []float64, ldc int) { kernGeneric(8, k, a, b, c, ldc) }

// kernGeneric is the micro-kernel's loop for a 6×nr block (nr ≤ maxNR): the
// products are summed over p in order, then added to c. kernGeneric(32, …) and
// kernGeneric(16, …) are the reference loops of the AVX-512 kernels.
func kernGeneric[T float32 | float64](nr, k int, a, b, c []T, ldc int) {
	var acc [6][maxNR]T
	for p := range k {
		ap, bp := a[p*6:p*6+6], b[p*nr:p*nr+nr]
		for r, x := range ap {
			for j, y := range bp {
				acc[r][j] += x * y
			}
		}
	}
	for r := range 6 {
		row := c[r*ldc : r*ldc+nr]
		for j := range row {
			row[j] += acc[r][j]
		}
	}
}
