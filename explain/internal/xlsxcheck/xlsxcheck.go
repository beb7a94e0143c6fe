// Package xlsxcheck holds the checks of a walk-through workbook that package
// explain's tests run, shared with the explainer page's browser test: every
// live formula evaluated by excelize's evaluator must give its cached value,
// and the Library sheet sets the spreadsheet's losses next to the library's.
package xlsxcheck

import (
	"fmt"
	"math"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// Close reports whether a and b agree to rel relative to max(1, |b|).
func Close(a, b, rel float64) bool {
	return math.Abs(a-b) <= rel*math.Max(1, math.Abs(b))
}

// Formulas evaluates every formula of the sheets and returns how many there
// are, and one line for each whose value differs from its cached value
// (numbers to 1e-12 relative, the cached values keeping Excel's 15 digits).
func Formulas(f *excelize.File, sheets ...string) (n int, bad []string, err error) {
	for _, sheet := range sheets {
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			return n, bad, err
		}
		for r, row := range rows {
			for c, cached := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				fm, err := f.GetCellFormula(sheet, cell)
				if err != nil {
					return n, bad, err
				}
				if fm == "" {
					continue
				}
				n++
				got, err := f.CalcCellValue(sheet, cell, excelize.Options{RawCellValue: true})
				if err != nil {
					bad = append(bad, fmt.Sprintf("%s!%s = %s: %v", sheet, cell, fm, err))
					continue
				}
				want, err1 := strconv.ParseFloat(cached, 64)
				g, err2 := strconv.ParseFloat(got, 64)
				switch {
				case err1 != nil || err2 != nil:
					if got != cached {
						bad = append(bad, fmt.Sprintf("%s!%s = %s: evaluates to %q, cached %q", sheet, cell, fm, got, cached))
					}
				case !Close(g, want, 1e-12):
					bad = append(bad, fmt.Sprintf("%s!%s = %s: evaluates to %v, cached %v", sheet, cell, fm, g, want))
				}
			}
		}
	}
	return n, bad, nil
}

// Library reads the Library sheet: each image's spreadsheet loss (its
// formula evaluated) and library loss, and the evaluated verdict of E3
// ("match" or "differ"). The rows follow the header row whose column C
// reads "spreadsheet loss".
func Library(f *excelize.File, sheet string) (sheetLoss, library []float64, verdict string, err error) {
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, nil, "", err
	}
	if verdict, err = f.CalcCellValue(sheet, "E3", excelize.Options{RawCellValue: true}); err != nil {
		return nil, nil, "", err
	}
	first := -1
	for r, row := range rows {
		if len(row) > 2 && row[2] == "spreadsheet loss" {
			first = r + 1
			break
		}
	}
	if first < 0 {
		return nil, nil, "", fmt.Errorf("%s: no header row with \"spreadsheet loss\" in column C", sheet)
	}
	for r := first; r < len(rows); r++ {
		s, err := f.CalcCellValue(sheet, "C"+strconv.Itoa(r+1), excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, nil, "", err
		}
		a, err1 := strconv.ParseFloat(s, 64)
		b, err2 := strconv.ParseFloat(rows[r][3], 64)
		if err1 != nil || err2 != nil {
			return nil, nil, "", fmt.Errorf("%s!C%d:D%d = %q, %q: not numbers", sheet, r+1, r+1, s, rows[r][3])
		}
		sheetLoss, library = append(sheetLoss, a), append(library, b)
	}
	return sheetLoss, library, verdict, nil
}
