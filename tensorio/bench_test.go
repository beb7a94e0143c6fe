package tensorio

import (
	"bytes"
	"io"
	"testing"
)

// BenchmarkStream reads a 64 MiB .npy file from memory in 1 MiB chunks.
// The reference ("copy") is io.ReadFull of the same bytes into a byte
// buffer: the floor any decoder pays; the ratio of the two is the cost of
// decoding. Compare with benchstat or by eye (MB/s).
func BenchmarkStream(b *testing.B) {
	const n = 16 << 20 // float32 elements
	for _, c := range []struct {
		name  string
		dtype DType
		order byte
	}{{"f32le", Float32, '<'}, {"f32be", Float32, '>'}, {"f64le", Float64, '<'}} {
		var file bytes.Buffer
		elems := n * 4 / c.dtype.Size()
		hdr := formatHeader(c.dtype, []int{elems})
		if c.order == '>' {
			hdr = bytes.Replace(hdr, []byte("'<f"), []byte("'>f"), 1)
		}
		file.Write(hdr)
		file.Write(make([]byte, n*4))
		data := file.Bytes()
		b.Run("impl=copy/"+c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			buf := make([]byte, 1<<20)
			for b.Loop() {
				r := bytes.NewReader(data)
				for {
					if _, err := io.ReadFull(r, buf); err != nil {
						break
					}
				}
			}
		})
		b.Run("impl=tensorio/"+c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			f32 := make([]float32, 1<<20/4)
			f64 := make([]float64, 1<<20/8)
			for b.Loop() {
				r, err := NewNpyReader(bytes.NewReader(data), "b")
				if err != nil {
					b.Fatal(err)
				}
				for {
					var err error
					if c.dtype == Float32 {
						_, err = r.ReadFloat32(f32)
					} else {
						_, err = r.ReadFloat64(f64)
					}
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
