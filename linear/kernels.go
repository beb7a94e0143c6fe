package linear

// Blocked pure-Go matrix products, the alternative to gonum's BLAS (see
// gemm.go). Each keeps a 4×4 (goNT) or 4-row (goNN, goTN) tile of c in
// registers or L1 so that every loaded value is used four times.

// goNT is gemmNT: c[i][j] = Σ_p a[i][p]·b[j][p].
func goNT[T Float](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	i := 0
	for ; i+4 <= m; i += 4 {
		a0, a1, a2, a3 := a[i*lda:i*lda+k], a[(i+1)*lda:(i+1)*lda+k], a[(i+2)*lda:(i+2)*lda+k], a[(i+3)*lda:(i+3)*lda+k]
		j := 0
		for ; j+4 <= n; j += 4 {
			b0, b1, b2, b3 := b[j*ldb:j*ldb+k], b[(j+1)*ldb:(j+1)*ldb+k], b[(j+2)*ldb:(j+2)*ldb+k], b[(j+3)*ldb:(j+3)*ldb+k]
			var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 T
			for p := range k {
				x0, x1, x2, x3 := a0[p], a1[p], a2[p], a3[p]
				y0, y1, y2, y3 := b0[p], b1[p], b2[p], b3[p]
				c00 += x0 * y0
				c01 += x0 * y1
				c02 += x0 * y2
				c03 += x0 * y3
				c10 += x1 * y0
				c11 += x1 * y1
				c12 += x1 * y2
				c13 += x1 * y3
				c20 += x2 * y0
				c21 += x2 * y1
				c22 += x2 * y2
				c23 += x2 * y3
				c30 += x3 * y0
				c31 += x3 * y1
				c32 += x3 * y2
				c33 += x3 * y3
			}
			r := c[i*ldc+j:]
			r[0], r[1], r[2], r[3] = c00, c01, c02, c03
			r = c[(i+1)*ldc+j:]
			r[0], r[1], r[2], r[3] = c10, c11, c12, c13
			r = c[(i+2)*ldc+j:]
			r[0], r[1], r[2], r[3] = c20, c21, c22, c23
			r = c[(i+3)*ldc+j:]
			r[0], r[1], r[2], r[3] = c30, c31, c32, c33
		}
		for ; j < n; j++ {
			bj := b[j*ldb : j*ldb+k]
			for q, ar := range [][]T{a0, a1, a2, a3} {
				c[(i+q)*ldc+j] = dot(ar, bj)
			}
		}
	}
	for ; i < m; i++ {
		ai := a[i*lda : i*lda+k]
		for j := range n {
			c[i*ldc+j] = dot(ai, b[j*ldb:j*ldb+k])
		}
	}
}

func dot[T Float](x, y []T) T {
	y = y[:len(x)]
	var s T
	for p, v := range x {
		s += v * y[p]
	}
	return s
}

// goNN is gemmNN: c[i][j] += Σ_p a[i][p]·b[p][j].
func goNN[T Float](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	i := 0
	for ; i+4 <= m; i += 4 {
		c0, c1, c2, c3 := c[i*ldc:i*ldc+n], c[(i+1)*ldc:(i+1)*ldc+n], c[(i+2)*ldc:(i+2)*ldc+n], c[(i+3)*ldc:(i+3)*ldc+n]
		for p := range k {
			x0, x1, x2, x3 := a[i*lda+p], a[(i+1)*lda+p], a[(i+2)*lda+p], a[(i+3)*lda+p]
			if x0 == 0 && x1 == 0 && x2 == 0 && x3 == 0 {
				continue
			}
			axpy4(c0, c1, c2, c3, x0, x1, x2, x3, b[p*ldb:p*ldb+n])
		}
	}
	for ; i < m; i++ {
		ci := c[i*ldc : i*ldc+n]
		for p := range k {
			axpy(ci, a[i*lda+p], b[p*ldb:p*ldb+n])
		}
	}
}

// goTN is gemmTN: c[i][j] += Σ_p a[p][i]·b[p][j], a being k×m.
func goTN[T Float](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	i := 0
	for ; i+4 <= m; i += 4 {
		c0, c1, c2, c3 := c[i*ldc:i*ldc+n], c[(i+1)*ldc:(i+1)*ldc+n], c[(i+2)*ldc:(i+2)*ldc+n], c[(i+3)*ldc:(i+3)*ldc+n]
		for p := range k {
			ap := a[p*lda+i : p*lda+i+4]
			if ap[0] == 0 && ap[1] == 0 && ap[2] == 0 && ap[3] == 0 {
				continue
			}
			axpy4(c0, c1, c2, c3, ap[0], ap[1], ap[2], ap[3], b[p*ldb:p*ldb+n])
		}
	}
	for ; i < m; i++ {
		ci := c[i*ldc : i*ldc+n]
		for p := range k {
			axpy(ci, a[p*lda+i], b[p*ldb:p*ldb+n])
		}
	}
}

// axpy4 adds x_q·b to the rows c_q.
func axpy4[T Float](c0, c1, c2, c3 []T, x0, x1, x2, x3 T, b []T) {
	c0, c1, c2, c3 = c0[:len(b)], c1[:len(b)], c2[:len(b)], c3[:len(b)]
	for j, v := range b {
		c0[j] += x0 * v
		c1[j] += x1 * v
		c2[j] += x2 * v
		c3[j] += x3 * v
	}
}

func axpy[T Float](c []T, x T, b []T) {
	c = c[:len(b)]
	for j, v := range b {
		c[j] += x * v
	}
}
