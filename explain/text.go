package explain

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Limits of the text and markdown walk-throughs: beyond them the tables are
// too wide or too long to read, and WriteText and WriteMarkdown return an
// ErrTooLarge error (csv and the workbook take more).
const (
	MaxTextRows    = 1000
	MaxTextClasses = 50
)

func (w *Walkthrough) checkReadable(format string) error {
	if w.Input.N > MaxTextRows || w.Input.K > MaxTextClasses {
		return tooLarge("%d × %d logits (rows × classes) are too many to read as a %s walk-through (at most %d rows and %d classes): write a workbook (--xlsx) or csv instead",
			w.Input.N, w.Input.K, format, MaxTextRows, MaxTextClasses)
	}
	return nil
}

// WriteText writes the walk-through as aligned plain-text tables for a
// terminal.
func (w *Walkthrough) WriteText(out io.Writer) error {
	if err := w.checkReadable("text"); err != nil {
		return err
	}
	b := bufio.NewWriter(out)
	fmt.Fprintln(b, w.headline())
	for _, t := range w.steps() {
		fmt.Fprintln(b)
		writeAligned(b, t)
	}
	fmt.Fprintln(b)
	for _, line := range w.verdict() {
		fmt.Fprintln(b, line)
	}
	return b.Flush()
}

// writeAligned writes one table with its columns padded to a common width:
// names left-aligned, numbers right-aligned, two spaces between columns.
func writeAligned(b *bufio.Writer, t table) {
	fmt.Fprintln(b, t.title)
	for _, n := range t.notes {
		fmt.Fprintln(b, "  "+n)
	}
	width := make([]int, len(t.head))
	for _, row := range append([][]string{t.head}, t.rows...) {
		for c, s := range row {
			width[c] = max(width[c], utf8.RuneCountInString(s))
		}
	}
	line := func(row []string) {
		var s strings.Builder
		s.WriteString("  ")
		for c, cell := range row {
			pad := strings.Repeat(" ", width[c]-utf8.RuneCountInString(cell))
			if c > 0 {
				s.WriteString("  ")
			}
			if c < t.lead {
				s.WriteString(cell)
				if c < len(row)-1 {
					s.WriteString(pad)
				}
			} else {
				s.WriteString(pad + cell)
			}
		}
		fmt.Fprintln(b, s.String())
	}
	line(t.head)
	for _, row := range t.rows {
		line(row)
	}
}

// WriteMarkdown writes the walk-through as markdown: a heading and a table
// per step.
func (w *Walkthrough) WriteMarkdown(out io.Writer) error {
	if err := w.checkReadable("markdown"); err != nil {
		return err
	}
	b := bufio.NewWriter(out)
	fmt.Fprintf(b, "## %s\n", mdEscape(w.headline()))
	for _, t := range w.steps() {
		fmt.Fprintf(b, "\n### %s\n\n", mdEscape(t.title))
		for _, n := range t.notes {
			fmt.Fprintln(b, mdEscape(n))
		}
		if len(t.notes) > 0 {
			fmt.Fprintln(b)
		}
		row := func(cells []string) {
			b.WriteString("|")
			for _, c := range cells {
				b.WriteString(" " + mdEscape(c) + " |")
			}
			b.WriteString("\n")
		}
		row(t.head)
		b.WriteString("|")
		for c := range t.head {
			if c < t.lead {
				b.WriteString(" :--- |")
			} else {
				b.WriteString(" ---: |")
			}
		}
		b.WriteString("\n")
		for _, r := range t.rows {
			row(r)
		}
	}
	v := w.verdict()
	fmt.Fprintf(b, "\n### %s\n\n", mdEscape(v[0]))
	for _, line := range v[1:] {
		fmt.Fprintln(b, mdEscape(strings.TrimSpace(line))+"  ")
	}
	return b.Flush()
}

// mdEscape escapes the characters that markdown would read as markup.
var mdEscape = strings.NewReplacer(`\`, `\\`, "|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", "[", `\[`).Replace
