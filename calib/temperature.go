package calib

import (
	"errors"
	"math"
)

// The fitted temperature is kept within [MinTemperature, MaxTemperature].
// When the NLL still decreases at a bound (every row correct with a margin:
// T → 0; predictions no better than uniform: T → ∞), the bound is reported
// and Report.TemperatureAtBound is set.
const (
	MinTemperature = 1e-6
	MaxTemperature = 1e6
)

// maxPasses bounds the passes over the data of one fit.
const maxPasses = 40

// fitTolerance is the relative change of T at which the fit stops.
const fitTolerance = 1e-13

// Pass computes the statistics of all the data at opt.Temperature: it makes
// Accumulators with NewAccumulator(classes, opt), adds every row to one of
// them, and merges them. Run calls it once per pass over the data.
type Pass func(opt Options) (*Accumulator, error)

// Report is the outcome of an evaluation with temperature scaling.
type Report struct {
	// Metrics are the measures of the logits as given (T = 1).
	Metrics Metrics
	// Epsilon and Loss are ε and the mean label-smoothed loss at T = 1.
	Epsilon, Loss float64
	// Temperature is the fitted T: the minimiser of the NLL of softmax(z/T)
	// on the same rows (1 with Options.NoFit).
	Temperature float64
	// NoFit says temperature scaling was skipped (Options.NoFit):
	// Temperature is 1 and Calibrated equals Metrics by definition, not by
	// a fit, and the JSON form leaves them out.
	NoFit bool
	// TemperatureAtBound says the NLL was still decreasing at the bound
	// MinTemperature or MaxTemperature.
	TemperatureAtBound bool
	// Calibrated are the measures of the logits divided by Temperature.
	Calibrated Metrics
	// Passes counts the passes over the data (1 + the fit's).
	Passes int
}

// Run evaluates the data that pass reads, fitting the temperature unless
// opt.NoFit (opt.Temperature is ignored).
//
// # Temperature scaling
//
// With β = 1/T the mean NLL
//
//	f(β) = mean_n [log Σ_k exp(β·u_nk) − β·u_ny],   u = z − max z,
//	f′(β) = mean_n (E_p[u] − u_y),   f″(β) = mean_n Var_p[u] ≥ 0,
//
// is convex in β, so it has one minimum, which is the minimum over log T as
// well. f, f′ and f″ are sums over rows, so each pass over the data gives one
// safeguarded Newton step. The minimiser stays in a bracket [lo, hi] (f′ < 0
// at lo, > 0 at hi); a Newton step that leaves the bracket is replaced by a
// Newton step on log β, and if that leaves it too, by a geometric bisection
// (a factor 4 while one side is open). Climbing towards T → 0 with no upper
// bracket, Newton steps that stop cutting |f′| by 4 (the exponential tail of
// nearly separable data, where Newton adds only ~1/margin to β) give way to
// factors of 4 as well.
//
// The first pass tells whether there is an interior minimum at all: f′(0) =
// mean(mean_k z_k − z_y) ≥ 0 means T → ∞ (predictions no better than
// uniform), and no row with its target logit below the row's maximum means
// T → 0; the bound is then reported. The fit stops when the Newton step
// would change β by less than 1e-13 relatively, or at the rounding noise of
// f′: typically 5 to 9 passes in all. The last pass is at the reported T, so
// the calibrated metrics come with it. No logits are kept between passes:
// memory stays bounded, and a file is read once per pass.
func Run(opt Options, pass Pass) (*Report, error) {
	o := opt
	o.Temperature = 1
	a, err := pass(o)
	if err != nil {
		return nil, err
	}
	if a.rows == 0 {
		return nil, shapeError("no rows to evaluate")
	}
	loss, _ := a.Loss()
	r := &Report{Metrics: a.Metrics(), Epsilon: opt.Epsilon, Loss: loss, Temperature: 1, Passes: 1}
	r.Calibrated = r.Metrics
	if opt.NoFit {
		r.NoFit = true
		return r, nil
	}
	at := func(beta float64) (f, g, h float64, err error) {
		o.Temperature = 1 / beta
		a, err = pass(o)
		if err != nil {
			return 0, 0, 0, err
		}
		if a.rows != int64(r.Metrics.Rows) {
			return 0, 0, 0, errors.New("calib: a pass saw a different number of rows")
		}
		r.Passes++
		f, g, h, _ = a.derivatives()
		return f, g, h, nil
	}
	betaMin, betaMax := 1/MaxTemperature, 1/MinTemperature
	_, g, h, g0 := a.derivatives()
	beta := 1.0
	switch {
	case !(g0 < 0):
		// f is non-decreasing from β = 0: the best T is infinite.
		beta = betaMin
		if _, _, _, err := at(beta); err != nil {
			return nil, err
		}
		r.TemperatureAtBound = true
	case a.strictlyWrong == 0:
		// Every target holds the maximal logit: f decreases for ever (f'(∞)
		// = mean(max z − z_y) = 0), the best T is 0.
		beta = betaMax
		if _, _, _, err := at(beta); err != nil {
			return nil, err
		}
		r.TemperatureAtBound = true
	default:
		// f'(0) < 0 < f'(∞): one interior minimum.
		lo, hi := 0.0, math.Inf(1)
		slow := false
		for g != 0 && r.Passes < maxPasses {
			if g < 0 {
				lo = beta
			} else {
				hi = beta
			}
			if (g < 0 && beta >= betaMax) || (g > 0 && beta <= betaMin) {
				r.TemperatureAtBound = true
				break
			}
			next := beta - g/h
			if h > 0 && math.Abs(g/h) <= fitTolerance*beta {
				break // converged (the step may be below one ulp of β)
			}
			newton := true
			if !slow && !(next > lo && next < hi) {
				// Newton on s = log β, f_s = βf', f_ss = βf' + β²f'':
				// better where f'' is small (over-confident logits).
				if d := beta*g + beta*beta*h; d > 0 {
					next = beta * math.Exp(-beta*g/d)
				}
			}
			if slow || !(h > 0) || !(next > lo && next < hi) {
				switch {
				case math.IsInf(hi, 1):
					next = 4 * lo
				case lo == 0:
					next = hi / 4
				default:
					next = math.Sqrt(lo * hi)
				}
				newton = false
			}
			next = min(max(next, betaMin), betaMax)
			step := math.Abs(next-beta) / beta
			if step <= fitTolerance || (lo > 0 && hi/lo-1 <= fitTolerance) {
				break
			}
			gPrev := g
			if _, g, h, err = at(next); err != nil {
				return nil, err
			}
			beta = next
			if step < 1e-7 && math.Abs(g) >= math.Abs(gPrev) {
				break // at the rounding noise of f'
			}
			// Climbing towards T → 0 with no upper bracket, a step that did
			// not cut |f'| by 4 is in the exponential tail of nearly
			// separable data, where Newton only adds ~1/margin to β: expand
			// by 4 instead.
			slow = newton && math.IsInf(hi, 1) && g < 0 && step > 1e-7 && math.Abs(g) > math.Abs(gPrev)/4
		}
	}
	r.Temperature = 1 / beta
	r.Calibrated = a.Metrics()
	return r, nil
}
