package linear

import "sync"

// sgemm is the float32 matrix product behind gemmNT, gemmNN and gemmTN when
// the AVX2 micro-kernel is available:
//
//	C (m×n, ldc) += op(A)·op(B)
//	op(A) = A (m×k, lda), or Aᵀ with A stored k×m when transA
//	op(B) = B (k×n, ldb), or Bᵀ with B stored n×k when transB
//
// It packs k-chunks of A into 6-row panels and of B into 16-column panels
// (zero-padded at the edges), and multiplies panel by panel with the 6×16
// micro-kernel; edge tiles go through a scratch tile. This is the classic
// Goto/BLIS scheme without the outer cache blocking over m and n, which the
// fused loss's blocks make unnecessary.
func sgemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	const mr, nr, kc = 6, 16, 256
	ps := packPool.Get().(*packBufs)
	defer packPool.Put(ps)
	mPanels := (m + mr - 1) / mr
	ap := grow32(&ps.a, mPanels*mr*kc)
	bp := grow32(&ps.b, nr*kc)
	var tile [mr * nr]float32
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
				for p := range kk {
					src := a[(p0+p)*lda+i0 : (p0+p)*lda+i0+mw]
					copy(dst[p*mr:p*mr+mw], src)
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
					microKernel(kk, apan, bq, c[i0*ldc+j0:], ldc)
					continue
				}
				tile = [mr * nr]float32{}
				microKernel(kk, apan, bq, tile[:], nr)
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

type packBufs struct{ a, b []float32 }

var packPool = sync.Pool{New: func() any { return new(packBufs) }}

func grow32(s *[]float32, n int) []float32 {
	if cap(*s) < n {
		*s = make([]float32, n)
	}
	return (*s)[:n]
}

// kern6x16Go is the reference loop of the micro-kernel:
//
//	for p < k, r < 6, j < 16: c[r·ldc + j] += a[p·6 + r]·b[p·16 + j]
func kern6x16Go(k int, a, b, c []float32, ldc int) {
	var acc [6][16]float32
	for p := range k {
		ap, bp := a[p*6:p*6+6], b[p*16:p*16+16]
		for r, x := range ap {
			for j, y := range bp {
				acc[r][j] += x * y
			}
		}
	}
	for r := range 6 {
		row := c[r*ldc : r*ldc+16]
		for j := range row {
			row[j] += acc[r][j]
		}
	}
}
