// Package page serves the interactive explainer: the step-by-step
// walk-through of label-smoothing cross-entropy that Aman Arora's write-up
// "Label Smoothing Explained using Microsoft Excel" (18 July 2020) builds in
// a spreadsheet, live in a browser. "lsce serve" runs it.
//
// The page (assets embedded in the binary, no network) only renders and
// sends inputs; every number on it comes from this module through a small
// JSON API: package explain's tables, package lsce's losses and gradient,
// the loss-against-gap chart of [Curve] and the PyTorch lines of [PyTorch].
//
//	GET  /                   the page (index.html, app.js, style.css)
//	GET  /api/examples       the write-up's two worked examples as page input
//	GET  /api/limits         MaxRows, MaxClasses and MaxBody
//	POST /api/walkthrough    a [Request] → every table, as JSON
//	POST /api/workbook       a [Request] → the live-formula .xlsx of package explain
//
// Requests are JSON of at most [MaxBody] bytes, inputs at most [MaxRows] rows
// of [MaxClasses] classes; bad input gets a 4xx and a message naming the
// line and column. Label smoothing is Szegedy et al. 2016, §7.
package page
