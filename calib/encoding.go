package calib

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// ErrEncoding is the kind of the error UnmarshalBinary returns for bytes
// that are not an Accumulator's encoding; errors.Is(err, ErrEncoding) holds.
var ErrEncoding = errors.New("calib: corrupt Accumulator encoding")

// encodingMagic opens every encoding; encodingVersion follows it.
const (
	encodingMagic   = "lsceAcc"
	encodingVersion = 1
)

// MarshalBinary encodes the Accumulator's settings and statistics, so that it
// can travel between processes (a Beam CombineFn's accumulator) and be
// merged there exactly as in memory. The encoding is versioned and compact:
// each exact sum is written as its sign and the range of its non-zero
// 32-bit limbs (a few of the 68), so an Accumulator of 15 bins takes under
// 1 KB (454 bytes for 20,000 rows of 10 classes). Equal statistics give
// equal bytes.
//
// Version 1, after the 7-byte magic "lsceAcc" and the version byte:
// classes, bins (uvarints); β = 1/T and ε (float64 bits, little-endian);
// rows, correct, top-5 and strictly-wrong counts (uvarints); the sums of
// NLL, Brier, confidence, logit gap, loss, dNLL/dβ, d²NLL/dβ² and dNLL/dβ at
// β = 0; then per bin its count, correct count (uvarints) and confidence sum.
// A sum is a sign byte, the index of its lowest non-zero limb, the number of
// limbs, and each limb's magnitude (uvarints).
func (a *Accumulator) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, 256+64*a.bins)
	b = append(b, encodingMagic...)
	b = append(b, encodingVersion)
	b = binary.AppendUvarint(b, uint64(a.classes))
	b = binary.AppendUvarint(b, uint64(a.bins))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(a.beta))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(a.eps))
	for _, n := range []int64{a.rows, a.correct, a.top5, a.strictlyWrong} {
		b = binary.AppendUvarint(b, uint64(n))
	}
	for _, s := range a.sums() {
		b = s.appendBinary(b)
	}
	for i := range a.binCount {
		b = binary.AppendUvarint(b, uint64(a.binCount[i]))
		b = binary.AppendUvarint(b, uint64(a.binCorrect[i]))
		b = a.binConf[i].appendBinary(b)
	}
	return b, nil
}

// sums lists the exact sums in their encoding order.
func (a *Accumulator) sums() []*exactSum {
	return []*exactSum{&a.nll, &a.brier, &a.conf, &a.gap, &a.loss, &a.grad, &a.curv, &a.grad0}
}

// UnmarshalBinary replaces a with the Accumulator that data encodes (see
// MarshalBinary). Bytes that are not a valid encoding (truncated, trailing
// bytes, an unknown version, settings out of range, counts or sums that no
// rows could give) are an error of kind ErrEncoding, and a is unchanged.
func (a *Accumulator) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	if len(data) < len(encodingMagic)+1 || string(data[:len(encodingMagic)]) != encodingMagic {
		return encodingError("no %q magic", encodingMagic)
	}
	if v := data[len(encodingMagic)]; v != encodingVersion {
		return encodingError("version %d: this build reads version %d", v, encodingVersion)
	}
	d.b = data[len(encodingMagic)+1:]
	classes, bins := d.uvarint("classes"), d.uvarint("bins")
	beta, eps := d.float64("1/T"), d.float64("epsilon")
	if d.err != nil {
		return d.err
	}
	if classes > math.MaxInt32 || bins < 1 || bins > MaxBins {
		return encodingError("%d classes, %d bins", classes, bins)
	}
	if !(beta > 0) || math.IsInf(beta, 0) {
		return encodingError("1/T = %v: want a finite positive value", beta)
	}
	n, err := NewAccumulator(int(classes), Options{Epsilon: eps, Bins: int(bins)})
	if err != nil {
		return encodingError("%v", err)
	}
	// β is set bit for bit (1/(1/β) need not be β); the loss is kept at
	// T = 1 only, as NewAccumulator decides.
	n.beta, n.withLoss = beta, beta == 1
	counts := make([]int64, 4)
	for i, name := range []string{"rows", "correct", "top-5", "strictly wrong"} {
		counts[i] = d.count(name)
	}
	n.rows, n.correct, n.top5, n.strictlyWrong = counts[0], counts[1], counts[2], counts[3]
	for i, s := range n.sums() {
		d.sum(s, fmt.Sprintf("sum %d", i))
	}
	for i := range n.binCount {
		n.binCount[i] = d.count(fmt.Sprintf("bin %d count", i))
		n.binCorrect[i] = d.count(fmt.Sprintf("bin %d correct", i))
		d.sum(&n.binConf[i], fmt.Sprintf("bin %d confidence", i))
	}
	if d.err != nil {
		return d.err
	}
	if len(d.b) > 0 {
		return encodingError("%d bytes after the last bin", len(d.b))
	}
	if err := n.checkConsistent(); err != nil {
		return err
	}
	*a = *n
	return nil
}

// checkConsistent checks what every set of rows satisfies: the counts nest,
// the bins hold every row, sums of non-negative terms are non-negative, and
// confidences are at most 1 each.
func (a *Accumulator) checkConsistent() error {
	if !(a.correct <= a.top5 && a.top5 <= a.rows && a.strictlyWrong <= a.rows-a.correct) {
		return encodingError("%d rows with %d correct, %d in the top 5, %d strictly wrong", a.rows, a.correct, a.top5, a.strictlyWrong)
	}
	var rows, correct int64
	for i, c := range a.binCount {
		if a.binCorrect[i] > c || c > a.rows-rows {
			return encodingError("bin %d: %d rows, %d correct, after %d of %d rows", i, c, a.binCorrect[i], rows, a.rows)
		}
		rows += c
		correct += a.binCorrect[i]
		if conf := a.binConf[i].float64(); !(conf >= 0 && conf <= float64(c)) {
			return encodingError("bin %d: confidence sum %v for %d rows", i, conf, c)
		}
	}
	if rows != a.rows || correct != a.correct {
		return encodingError("the bins hold %d rows, %d correct, of %d, %d correct", rows, correct, a.rows, a.correct)
	}
	for _, s := range []struct {
		name string
		sum  *exactSum
	}{{"nll", &a.nll}, {"brier", &a.brier}, {"confidence", &a.conf}, {"logit gap", &a.gap}, {"loss", &a.loss}, {"curvature", &a.curv}} {
		if s.sum.negative() {
			return encodingError("the %s sum is negative", s.name)
		}
	}
	for i, s := range a.sums() {
		if v := s.float64(); math.IsInf(v, 0) {
			return encodingError("sum %d is beyond the float64 range", i)
		}
	}
	if conf := a.conf.float64(); conf > float64(a.rows) {
		return encodingError("confidence sum %v for %d rows", conf, a.rows)
	}
	if !a.withLoss && !a.loss.isZero() {
		return encodingError("a loss sum at T = %v (the loss is kept at T = 1 only)", 1/a.beta)
	}
	if a.rows == 0 {
		for _, s := range a.sums() {
			if !s.isZero() {
				return encodingError("non-zero sums of zero rows")
			}
		}
	}
	return nil
}

func encodingError(format string, v ...any) error {
	return fmt.Errorf("%w: %s", ErrEncoding, fmt.Sprintf(format, v...))
}

// decoder reads the fields of an encoding; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, v ...any) {
	if d.err == nil {
		d.err = encodingError(format, v...)
	}
}

func (d *decoder) uvarint(what string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 || (n > 1 && d.b[n-1] == 0) { // a final 0 byte: not the shortest form
		d.fail("%s: truncated or overlong varint", what)
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a non-negative int64.
func (d *decoder) count(what string) int64 {
	v := d.uvarint(what)
	if v > math.MaxInt64 {
		d.fail("%s: %d is out of range", what, v)
		return 0
	}
	return int64(v)
}

func (d *decoder) float64(what string) float64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.fail("%s: truncated", what)
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return v
}

// appendBinary appends the sum's encoding: the sign, then the magnitude's
// non-zero limb range, normalised (every limb in [0, 2^32)).
func (s *exactSum) appendBinary(b []byte) []byte {
	m := *s
	m.normalize()
	sign := byte(0)
	if m.limb[exactLimbs-1] < 0 {
		sign = 1
		for i := range m.limb {
			m.limb[i] = -m.limb[i]
		}
		m.normalize()
	}
	lo, hi := 0, exactLimbs
	for lo < hi && m.limb[lo] == 0 {
		lo++
	}
	for hi > lo && m.limb[hi-1] == 0 {
		hi--
	}
	if lo == hi {
		return append(b, 0, 0, 0)
	}
	b = append(b, sign)
	b = binary.AppendUvarint(b, uint64(lo))
	b = binary.AppendUvarint(b, uint64(hi-lo))
	for _, v := range m.limb[lo:hi] {
		b = binary.AppendUvarint(b, uint64(v))
	}
	return b
}

// sum reads a sum written by appendBinary into s, accepting only the
// canonical form (so that decoding and encoding again gives the same bytes).
func (d *decoder) sum(s *exactSum, what string) {
	if d.err != nil {
		return
	}
	if len(d.b) == 0 {
		d.fail("%s: truncated", what)
		return
	}
	sign := d.b[0]
	d.b = d.b[1:]
	lo, n := d.uvarint(what), d.uvarint(what)
	if d.err != nil {
		return
	}
	switch {
	case sign > 1:
		d.fail("%s: sign byte %d", what, sign)
		return
	case lo > exactLimbs || n > exactLimbs-lo:
		d.fail("%s: limbs %d … %d+%d of %d", what, lo, lo, n, exactLimbs)
		return
	case n == 0 && (lo != 0 || sign != 0):
		d.fail("%s: a zero written with sign %d at limb %d", what, sign, lo)
		return
	}
	*s = exactSum{}
	for i := range int(n) {
		v := d.uvarint(what)
		if d.err != nil {
			return
		}
		// Every limb is a 32-bit digit but the top one, which holds the
		// carries (below 2^16 for 2^62 additions of the largest float64).
		limit := uint64(1 << 32)
		if int(lo)+i == exactLimbs-1 {
			limit = 1 << 40
		}
		if v >= limit || (v == 0 && (i == 0 || i == int(n)-1)) {
			d.fail("%s: limb %d = %d: want a non-zero end limb, below %d", what, int(lo)+i, v, limit)
			return
		}
		s.limb[int(lo)+i] = int64(v)
	}
	if sign == 1 {
		for i := range s.limb {
			s.limb[i] = -s.limb[i]
		}
	}
}

// negative reports whether the sum is below zero.
func (s *exactSum) negative() bool {
	c := *s
	c.normalize()
	return c.limb[exactLimbs-1] < 0
}

// isZero reports whether the sum is exactly zero.
func (s *exactSum) isZero() bool {
	c := *s
	c.normalize()
	for _, v := range c.limb {
		if v != 0 {
			return false
		}
	}
	return true
}
