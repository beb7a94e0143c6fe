package calib

import (
	"encoding/json"
	"io"
)

// reportJSON is the JSON form of a Report: what `lsce eval --format json`
// and `lsce-beam eval` print. Keys are snake_case; top5_accuracy is null
// when C < 5. With NoFit the temperature and every *_calibrated key are
// left out: there was no fit, and T = 1 with calibrated = as given would
// read as one.
type reportJSON struct {
	Rows               int       `json:"rows"`
	Classes            int       `json:"classes"`
	Epsilon            float64   `json:"epsilon"`
	Accuracy           float64   `json:"accuracy"`
	Top5Accuracy       *float64  `json:"top5_accuracy"` // null when C < 5
	NLL                float64   `json:"nll"`
	Loss               float64   `json:"loss"`
	ECE                float64   `json:"ece"`
	MCE                float64   `json:"mce"`
	Brier              float64   `json:"brier"`
	Confidence         float64   `json:"confidence"`
	LogitGap           float64   `json:"logit_gap"`
	Temperature        *float64  `json:"temperature,omitempty"`
	TemperatureAtBound *bool     `json:"temperature_at_bound,omitempty"`
	ECECalibrated      *float64  `json:"ece_calibrated,omitempty"`
	NLLCalibrated      *float64  `json:"nll_calibrated,omitempty"`
	BrierCalibrated    *float64  `json:"brier_calibrated,omitempty"`
	Bins               []binJSON `json:"bins"`
	BinsCalibrated     []binJSON `json:"bins_calibrated,omitempty"`
}

// binJSON is one Bin in the JSON form.
type binJSON struct {
	Lo         float64 `json:"lo"`
	Hi         float64 `json:"hi"`
	Count      int     `json:"count"`
	Accuracy   float64 `json:"accuracy"`
	Confidence float64 `json:"confidence"`
}

func binsJSON(bins []Bin) []binJSON {
	out := make([]binJSON, len(bins))
	for i, b := range bins {
		out[i] = binJSON{b.Lo, b.Hi, b.Count, b.Accuracy, b.Confidence}
	}
	return out
}

// MarshalJSON returns the report as one JSON object with the keys rows,
// classes, epsilon, accuracy, top5_accuracy (null when C < 5), nll, loss,
// ece, mce, brier, confidence, logit_gap, bins (lo, hi, count, accuracy,
// confidence each) and, unless r.NoFit, temperature, temperature_at_bound,
// ece_calibrated, nll_calibrated, brier_calibrated and bins_calibrated.
func (r Report) MarshalJSON() ([]byte, error) {
	m, c := &r.Metrics, &r.Calibrated
	j := reportJSON{
		Rows: m.Rows, Classes: m.Classes, Epsilon: r.Epsilon,
		Accuracy: m.Accuracy, NLL: m.NLL, Loss: r.Loss, ECE: m.ECE, MCE: m.MCE, Brier: m.Brier,
		Confidence: m.Confidence, LogitGap: m.LogitGap,
		Bins: binsJSON(m.Bins),
	}
	if m.HasTop5 {
		j.Top5Accuracy = &m.Top5Accuracy
	}
	if !r.NoFit {
		j.Temperature, j.TemperatureAtBound = &r.Temperature, &r.TemperatureAtBound
		j.ECECalibrated, j.NLLCalibrated, j.BrierCalibrated = &c.ECE, &c.NLL, &c.Brier
		j.BinsCalibrated = binsJSON(c.Bins)
	}
	return json.Marshal(j)
}

// WriteJSON writes r's JSON form (see MarshalJSON), indented by two spaces,
// and a newline.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
