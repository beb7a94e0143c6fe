package lsce

// workspace is everything a Result keeps between calls so that a call in
// steady state allocates nothing: the per-block sums, and per element type
// the call's engine, the weights converted to T and the workers' scratch
// rows. It belongs to one Result (owner): a copy of the Result finds a
// workspace that is not its own and starts a new one, so that copies never
// share buffers. Only the call holding the Result's busy flag touches it.
type workspace struct {
	owner   *Result
	partial []sums // the sums of each block of elements, merged in order
	f32     space[float32]
	f64     space[float64]
}

// space is a workspace's part for one element type.
type space[T Float] struct {
	engine  engine[T]
	weights []T   // Options.Weight converted to T
	scratch [][]T // one scratch row per worker, sized by the path (scratchSize)
}

// workspace returns r's workspace, starting a new one for a fresh Result or
// a copy (whose slices, shared with the original, are dropped too).
func (r *Result) workspace() *workspace {
	if r.ws == nil || r.ws.owner != r {
		r.ws = &workspace{owner: r}
		r.Losses, r.NLLs, r.Smooths, r.LossShape = nil, nil, nil, nil
	}
	return r.ws
}

// spaceOf returns ws's part for T.
func spaceOf[T Float](ws *workspace) *space[T] {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(&ws.f32).(*space[T])
	}
	return any(&ws.f64).(*space[T])
}

// partialSums returns the workspace's block sums, n of them.
func (ws *workspace) partialSums(n int) []sums {
	if cap(ws.partial) < n {
		ws.partial = make([]sums, n)
	}
	return ws.partial[:n]
}

// scratchRows returns one scratch row of at least size values per worker.
func (sp *space[T]) scratchRows(workers, size int) [][]T {
	if len(sp.scratch) < workers {
		sp.scratch = append(sp.scratch, make([][]T, workers-len(sp.scratch))...)
	}
	rows := sp.scratch[:workers]
	for w := range rows {
		if cap(rows[w]) < size {
			rows[w] = make([]T, size)
		}
		rows[w] = rows[w][:cap(rows[w])]
	}
	return rows
}
