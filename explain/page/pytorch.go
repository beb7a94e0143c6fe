package page

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/explain"
)

// PyTorch returns Python lines that compute the losses of in (whose Epsilon
// is the uniform ε) with PyTorch's F.cross_entropy, ready to paste, ending
// with the library's losses as a comment to compare with. eps and v are the
// user's ε and variant: PyTorch has only the uniform variant, so Others is
// written as its label_smoothing = ε·K/(K−1).
func PyTorch(in explain.Input, eps float64, v lsce.Variant, losses []float64) string {
	var b strings.Builder
	b.WriteString("import torch\nimport torch.nn.functional as F\n\n")
	if v == lsce.Others {
		fmt.Fprintf(&b, "# Variant others (1 − ε on the label, ε/(K−1) on every other class) with ε = %s and K = %d\n", pyFloat(eps), in.K)
		fmt.Fprintf(&b, "# is PyTorch's (uniform) label_smoothing = ε·K/(K−1) = %s.\n", pyParam(in.Epsilon))
	}
	b.WriteString("print(F.cross_entropy(\n    torch.tensor([")
	for i := range in.N {
		if i > 0 {
			b.WriteString(",\n                  ")
		}
		b.WriteString("[")
		for c, z := range in.Logits[i*in.K : (i+1)*in.K] {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyFloat(z))
		}
		b.WriteString("]")
	}
	b.WriteString("], dtype=torch.float64),\n    torch.tensor([")
	for i, y := range in.Targets {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(y))
	}
	fmt.Fprintf(&b, "]),\n    label_smoothing=%s, reduction='none'))\n", pyParam(in.Epsilon))
	b.WriteString("# lsce: [")
	for i, l := range losses {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.FormatFloat(l, 'f', 4, 64))
	}
	b.WriteString("]\n")
	return b.String()
}

// pyFloat writes x as a Python float literal that reads back as x exactly.
func pyFloat(x float64) string {
	s := strconv.FormatFloat(x+0, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// pyParam writes a parameter such as ε·K/(K−1) to 15 significant digits,
// so that 0.3·3/2 reads 0.45 rather than 0.44999999999999996.
func pyParam(x float64) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 15, 64), 64)
	return pyFloat(r)
}
