package trainplot

import (
	"io"

	"github.com/lsce/lsce/internal/outfile"
	"gonum.org/v1/plot/vg/vgimg"
)

// savePNG writes img to path atomically (see internal/outfile).
func savePNG(path string, img *vgimg.Canvas) error {
	return outfile.Write(path, func(w io.Writer) error {
		_, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(w)
		return err
	})
}
