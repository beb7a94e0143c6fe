// The explainer page. It only renders: every number comes from the Go
// library through the server's JSON API (POST /api/walkthrough).
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  examples: [],
  limits: null,    // the server's input limits (GET /api/limits)
  last: null,      // the last good response
  seq: 0,          // request sequence number: late answers are dropped
  abort: null,
  timer: 0,
  prevCells: new Map(), // table id → previous cell texts, to mark changes
};

// num formats a value as package explain does: 4 decimals, or 4 decimals
// in exponent form from 1e7 on.
function num(x) {
  x = x + 0;
  if (Math.abs(x) >= 1e7) return x.toExponential(4);
  return x.toFixed(4);
}
// short formats a parameter such as ε or ε/K compactly (0.1, 0.05).
function short(x) { return String(Number(x.toPrecision(6))); }
const plural = (n, w) => n === 1 ? "1 " + w : n + " " + (w.endsWith("s") ? w + "es" : w + "s");

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
}

// ---- requests ----

function request() {
  return {
    data: $("data").value,
    epsilon: $("eps").value,
    variant: $("variant").value,
    row: Number($("row").value || 0),
  };
}

// schedule debounces updates; body[data-pending] and body[data-busy] say
// that one is waiting or in flight.
function schedule(delay = 150) {
  clearTimeout(state.timer);
  document.body.dataset.pending = "1";
  state.timer = setTimeout(() => { delete document.body.dataset.pending; update(); }, delay);
}

// call asks the API: the server of "lsce serve" through fetch, or, in the
// self-contained page of "lsce explain --html", the same server compiled
// to WebAssembly (lsceAPI).
async function call(method, path, body, signal) {
  if (globalThis.lsceAPI) {
    const r = await globalThis.lsceAPI(method, path, body === undefined ? "" : JSON.stringify(body));
    if (signal && signal.aborted) throw new DOMException("aborted", "AbortError");
    return new Response(r.body, { status: r.status, headers: { "Content-Type": r.type } });
  }
  if (method === "GET") return fetch(path);
  return fetch(path, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), signal });
}

async function post(path, body, signal) {
  const r = await call("POST", path, body, signal);
  if (!r.ok) {
    let msg = r.status + " " + r.statusText;
    try { msg = (await r.json()).error || msg; } catch (e) { /* not JSON */ }
    const err = new Error(msg);
    err.status = r.status;
    throw err;
  }
  return r;
}

async function update() {
  const seq = ++state.seq;
  if (state.abort) state.abort.abort();
  state.abort = new AbortController();
  const body = request();
  document.body.dataset.busy = "1";
  try {
    // The server refuses larger bodies too; saying so here spares sending them.
    const size = new Blob([body.data]).size;
    if (state.limits && size > state.limits.body) {
      throw new Error(`the data is ${(size / 1048576).toFixed(1)} MiB, larger than the ${state.limits.body / 1048576} MiB the page takes ` +
        `(up to ${state.limits.rows.toLocaleString("en")} rows × ${state.limits.classes} classes; lsce explain --xlsx takes more)`);
    }
    const r = await post("/api/walkthrough", body, state.abort.signal);
    const res = await r.json();
    if (seq !== state.seq) return;
    showError("");
    state.last = res;
    const t0 = performance.now();
    render(res);
    document.body.dataset.renderMs = String(Math.round(performance.now() - t0));
  } catch (e) {
    if (e.name === "AbortError" || seq !== state.seq) return;
    showError(e.message);
  } finally {
    if (seq === state.seq) {
      delete document.body.dataset.busy;
      document.body.dataset.seq = String(seq);
    }
  }
}

function showError(msg) {
  const box = $("error");
  box.hidden = !msg;
  box.textContent = msg ? "Cannot compute: " + msg : "";
  document.body.dataset.error = msg ? "1" : "";
  for (const id of ["steps", "summary", "row-card", "pytorch-card"]) $(id).classList.toggle("stale", !!msg);
  const epsBad = /^ε|variant others/.test(msg);
  $("eps").setAttribute("aria-invalid", epsBad ? "true" : "false");
  $("data").setAttribute("aria-invalid", msg && !epsBad ? "true" : "false");
  // Show the data with its error, unless it is too large to be worth drawing.
  if (msg && !epsBad && !msg.startsWith("the data is")) $("data-details").open = true;
  // A logit being typed into carries the mark too.
  for (const inp of document.querySelectorAll("input.logit[aria-invalid]")) inp.removeAttribute("aria-invalid");
  const active = document.activeElement;
  if (msg && active && active.classList.contains("logit")) active.setAttribute("aria-invalid", "true");
}

// ---- the tables ----

// steps returns the walk-through's tables in package explain's order:
// id, title, notes, header, and per row its name cells and number cells.
function steps(res) {
  const k = res.k, eps = res.uniformEpsilon, n = res.shown;
  const log10 = $("log10").checked;
  const rows = (f) => Array.from({ length: n }, (_, i) => f(i));
  const perClass = (v, fmt = num) => (i) => ({ names: [res.images[i]], nums: v.slice(i * k, (i + 1) * k).map(fmt) });
  const perRow = (...cols) => (i) => ({ names: [res.images[i]], nums: cols.map((c) => num(c[i])) });
  const head = (...extra) => ["image", ...extra];
  let smoothNote = `ε = ${short(res.epsilon)}, K = ${plural(k, "class")}: the label gets ${num(1 - eps + eps / k)}, every other class ${num(eps / k)}.`;
  let smoothTitle = `2. Smoothed labels q′ = (1 − ε)·one-hot + ε/K = ${short(1 - eps)}·one-hot + ${short(eps / k)}`;
  if (res.variant === "others") {
    smoothTitle = `2. Smoothed labels q′: 1 − ε on the label, ε/(K−1) on the others (variant others)`;
    smoothNote += ` The same as uniform smoothing with ε′ = ε·K/(K−1) = ${short(eps)}.`;
  }
  const ts = [
    { id: "onehot", title: "1. One-hot labels: 1 for the image's class, 0 elsewhere", head: head("label", ...res.classes),
      rows: rows((i) => ({ names: [res.images[i], res.classes[res.targets[i]]], nums: res.onehot.slice(i * k, (i + 1) * k).map(String) })) },
    { id: "smoothed", title: smoothTitle, notes: [smoothNote], head: head(...res.classes), rows: rows(perClass(res.smoothed)) },
    { id: "logits", title: "3. Logits: the model's outputs (edit them)", head: head(...res.classes), rows: rows(perClass(res.logits, (x) => x)), editable: true },
  ];
  if (res.shifted) {
    ts.push({ id: "exp", title: "4. exp(logit − m)", notes: ["m is 0, except in rows whose largest logit lies outside [−80, 80], where it is that logit: plain exp would overflow or underflow there; e^m cancels in the probabilities."],
      head: head(...res.classes, "m"), rows: rows((i) => ({ names: [res.images[i]], nums: [...res.exp.slice(i * k, (i + 1) * k), res.shift[i]].map(num) })) });
  } else {
    ts.push({ id: "exp", title: "4. exp(logit)", head: head(...res.classes), rows: rows(perClass(res.exp)) });
  }
  ts.push({ id: "sumexp", title: "5. Σexp: the sum of each row's exps", head: head("Σexp"), rows: rows(perRow(res.sumexp)) });
  ts.push({ id: "prob", title: "6. Probabilities p = exp / Σexp (the softmax; each row sums to 1)", head: head(...res.classes), rows: rows(perClass(res.prob)) });
  const terms = log10 ? res.log10.terms : res.terms;
  const loss = log10 ? res.log10.loss : res.loss;
  ts.push({ id: "terms", title: log10 ? "7. −q′·LOG p for each class — with base-10 LOG: wrong" : "7. −q′·ln p for each class",
    notes: [log10 ? "Excel's LOG is base 10: every term comes out ln 10 = 2.3026 times too small. Untick “LOG instead of LN” for the right numbers."
      : "ln is the natural log (LN in a spreadsheet; Excel's LOG is base 10, the write-up's own pitfall: try the toggle)."],
    head: head(...res.classes), rows: rows(perClass(terms)), pitfall: log10 });
  ts.push({ id: "loss", title: "8. Loss per row: the sum of step 7 over the classes", head: head("loss"), rows: rows(perRow(loss)), pitfall: log10 });
  ts.push({ id: "decomposition", title: `9. The same loss as (1 − ε)·H(q,p) + ε·H(u,p) = ${short(1 - eps)}·H(q,p) + ${short(eps)}·H(u,p)`,
    notes: ["H(q,p) = −ln p[label] is the plain cross-entropy; H(u,p) = −(1/K)·Σ ln p is the cross-entropy against uniform labels" +
      (res.variant === "others" ? "; with variant others, ε here is ε′ = ε·K/(K−1)." : ".")],
    head: head("H(q,p)", "H(u,p)", "loss"), rows: rows(perRow(res.nll, res.uniform, res.decomposed)) });
  ts.push({ id: "library", title: "10. The library: lsce.CrossEntropy, reduction none (the fastai/PyTorch semantics)",
    head: head("walk-through", "library", "verdict"), rows: rows((i) => {
      const ok = Math.abs(loss[i] - res.library[i]) <= 1e-9 * Math.max(1, Math.abs(res.library[i]));
      return { names: [res.images[i]], nums: [num(loss[i]), num(res.library[i]), ok ? "match" : "differ"] };
    }), pitfall: log10 });
  return ts;
}

function renderTable(t, res) {
  let sec = $("step-" + t.id);
  if (!sec) {
    sec = el("section", { class: "step", id: "step-" + t.id, "data-step": t.id });
    $("steps").append(sec);
  }
  // A card as wide as its table is about, so that the cards fill lines.
  const lead = t.rows.length ? t.rows[0].names.length : 1;
  sec.style.flexBasis = Math.max(19, 2.5 + 6.5 * lead + (t.editable ? 7 : 5) * (t.head.length - lead)) + "rem";
  const key = JSON.stringify([t.title, t.notes, t.head, t.rows.length, !!t.pitfall]);
  let table = sec.querySelector("table");
  if (sec.dataset.key !== key) {
    sec.dataset.key = key;
    sec.replaceChildren(el("h2", { text: t.title }));
    for (const n of t.notes || []) sec.append(el("p", { class: "note", text: n }));
    table = el("table", { "data-table": t.id });
    const tr = el("tr");
    t.head.forEach((h, c) => tr.append(el("th", { class: c < lead ? "name" : "", scope: "col", text: h })));
    table.append(el("thead", {}, tr));
    const body = el("tbody");
    t.rows.forEach((r, i) => {
      const row = el("tr", { "data-row": i });
      r.names.forEach((s, c) => row.append(el("td", { class: "name" + (t.id === "onehot" && c === 1 ? " label-cell" : ""), text: s })));
      r.nums.forEach((s, c) => {
        const td = el("td", { class: "num" + (t.pitfall && (t.id !== "library" || c === 0) ? " pitfall" : "") });
        if (t.editable) {
          td.append(el("input", { class: "logit", type: "text", inputmode: "decimal", value: s,
            "data-row": i, "data-col": c, "aria-label": `logit of ${res.images[i]}, ${res.classes[c]}` }));
        } else td.textContent = s;
        row.append(td);
      });
      body.append(row);
    });
    table.append(body);
    sec.append(el("div", { class: "scroll" }, table), el("p", { class: "more" }));
  } else {
    // Same shape: update the cells in place, so that a focused logit keeps
    // its caret.
    const trs = table.tBodies[0].rows;
    t.rows.forEach((r, i) => {
      const cells = trs[i].cells;
      [...r.names, ...r.nums].forEach((s, c) => {
        const td = cells[c];
        const inp = td.querySelector("input");
        if (inp) {
          if (document.activeElement !== inp) inp.value = s;
        } else if (td.textContent !== s) td.textContent = s;
      });
    });
  }
  sec.querySelector(".more").textContent = res.n > res.shown ? `The first ${res.shown} of ${res.n} rows; the mean and the workbook take all.` : "";
  // Mark the cells whose text changed since the last answer.
  const prev = state.prevCells.get(t.id);
  const now = [];
  const trs = table.tBodies[0].rows;
  t.rows.forEach((r, i) => {
    [...r.names, ...r.nums].forEach((s, c) => {
      now.push(s);
      const j = now.length - 1;
      if (prev && prev[j] !== undefined && prev[j] !== s) {
        const td = trs[i].cells[c];
        td.classList.remove("changed");
        void td.offsetWidth; // restart the animation
        td.classList.add("changed");
      }
    });
  });
  state.prevCells.set(t.id, now);
  for (const tr of trs) tr.classList.toggle("selected", Number(tr.dataset.row) === res.row);
}

function render(res) {
  const ts = steps(res);
  const keep = new Set(ts.map((t) => "step-" + t.id));
  for (const sec of [...$("steps").children]) if (!keep.has(sec.id)) sec.remove();
  ts.forEach((t) => renderTable(t, res));
  // keep the order of the steps
  ts.forEach((t) => $("steps").append($("step-" + t.id)));
  renderSummary(res);
  renderRows(res);
  renderGradient(res);
  renderCurve(res);
  $("pytorch").textContent = res.pytorch;
}

function renderSummary(res) {
  const log10 = $("log10").checked;
  const s = $("summary");
  s.replaceChildren(
    el("div", {}, el("div", { class: "hint", text: "mean loss" }), el("div", { class: "big", id: "mean", text: num(res.mean) })),
    el("div", {}, el("div", { class: "hint", text: "input" }), el("div", { text: `${plural(res.n, "image")} × ${plural(res.k, "class")}, ε = ${short(res.epsilon)} (${res.variant})` })),
    el("div", {}, el("div", { class: "hint", text: "walk-through against the library" }),
      log10 ? el("div", { class: "verdict bad", id: "verdict", text: "with LOG the losses DIFFER from lsce.CrossEntropy's" })
        : el("div", { class: "verdict " + (res.match ? "ok" : "bad"), id: "verdict",
          text: res.match ? "every loss matches lsce.CrossEntropy within 1e-9" : `DIFFERENCE of ${res.maxDiff.toExponential(3)}` })),
  );
  if (log10) {
    const i = res.row;
    const meanLog = res.log10.loss.reduce((a, b) => a + b, 0) / res.n;
    s.append(el("div", { class: "pitfall-banner", id: "pitfall", text:
      `With LOG (base 10) instead of LN, ${res.images[i]}'s loss reads ${num(res.log10.loss[i])} instead of ${num(res.loss[i])}, ` +
      `and the mean ${num(meanLog)} instead of ${num(res.mean)}: every number of steps 7 and 8 is ln 10 = 2.3026 times too small, ` +
      `and nothing matches PyTorch — the mistake the write-up's author spent a day finding.` }));
  }
}

function renderRows(res) {
  const sel = $("row");
  const names = res.images.slice(0, res.shown);
  if (sel.dataset.key !== JSON.stringify(names)) {
    sel.dataset.key = JSON.stringify(names);
    sel.replaceChildren(...names.map((n, i) => el("option", { value: i, text: n })));
  }
  sel.value = String(res.row);
}

function renderGradient(res) {
  const g = res.grad, k = res.k;
  const t = $("grad");
  // The gradient's bars are drawn to the scale of the row's largest |p − q′|.
  const gmax = Math.max(...g.grad.map(Math.abs)) || 1;
  const head = el("tr", {}, ...["class", "q′ (target)", "", "p (softmax)", "", "p − q′ (gradient)", `bars: ±${num(gmax)}`].map((h, c) =>
    el("th", { class: c === 0 ? "name" : "", scope: "col", text: h })));
  const body = el("tbody");
  for (let c = 0; c < k; c++) {
    const bar = (cls, frac, center) => {
      const track = el("div", { class: "bar-track" + (center ? " center" : "") });
      const fill = el("div", { class: "bar-fill " + cls });
      fill.style.width = (Math.min(1, Math.abs(frac)) * (center ? 50 : 100)) + "%";
      track.append(fill);
      return el("td", { class: "bar", "aria-hidden": "true" }, track);
    };
    const gv = g.grad[c];
    const tr = el("tr", { "data-class": c },
      el("td", { class: "name" + (c === res.targets[res.row] ? " label-cell" : ""), text: res.classes[c] }),
      el("td", { class: "num", text: num(g.q[c]) }), bar("q", g.q[c]),
      el("td", { class: "num", text: num(g.p[c]) }), bar("p", g.p[c]),
      el("td", { class: "num", text: num(gv) }), bar(gv >= 0 ? "g-pos" : "g-neg", gv / gmax, true));
    body.append(tr);
  }
  t.replaceChildren(el("thead", {}, head), body);
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function renderCurve(res) {
  const c = res.curve, box = $("curve");
  box.replaceChildren();
  const note = $("curve-note"), cap = $("curve-caption");
  if (!c) {
    note.textContent = "With one class there is no other logit to compare with: the loss is 0 for any logit.";
    cap.textContent = "";
    return;
  }
  const eps = c.epsilon, k = c.k;
  note.textContent = `The loss of a row of ${k} classes whose other logits are equal, against the gap between the label's logit and the others. ` +
    "Without smoothing the loss keeps falling as the gap grows, so training pushes the logits apart for ever; " +
    "with smoothing it rises again past a finite gap, where the softmax gives the label exactly its smoothed target.";
  const W = 640, H = 300, L = 48, R = 16, T = 14, B = 40;
  const x0 = c.gaps[0], x1 = c.gaps[c.gaps.length - 1];
  const ymax = Math.max(...c.plain.slice(0, 1), ...c.smoothed.slice(0, 1)) * 1.08;
  const X = (x) => L + (x - x0) / (x1 - x0) * (W - L - R);
  const Y = (y) => T + (1 - Math.min(y, ymax) / ymax) * (H - T - B);
  const step = (span) => { const s = span / 6, p = 10 ** Math.floor(Math.log10(s)); return [1, 2, 5, 10].map((m) => m * p).find((m) => m >= s); };
  const xs = step(x1 - x0), ys = step(ymax);
  for (let v = Math.ceil(x0 / xs) * xs; v <= x1 + 1e-9; v += xs) {
    box.append(svg("line", { class: "grid", x1: X(v), x2: X(v), y1: T, y2: H - B }));
    box.append(svg("text", { x: X(v), y: H - B + 16, "text-anchor": "middle" }, short(v)));
  }
  for (let v = 0; v <= ymax + 1e-9; v += ys) {
    box.append(svg("line", { class: "grid", x1: L, x2: W - R, y1: Y(v), y2: Y(v) }));
    box.append(svg("text", { x: L - 6, y: Y(v) + 4, "text-anchor": "end" }, short(v)));
  }
  box.append(svg("line", { class: "axis", x1: L, x2: W - R, y1: H - B, y2: H - B }));
  box.append(svg("line", { class: "axis", x1: L, x2: L, y1: T, y2: H - B }));
  box.append(svg("text", { x: (L + W - R) / 2, y: H - 6, "text-anchor": "middle" }, "gap: label's logit − each other logit"));
  box.append(svg("text", { x: 12, y: T + (H - T - B) / 2, transform: `rotate(-90 12 ${T + (H - T - B) / 2})`, "text-anchor": "middle" }, "loss"));
  const line = (ys, cls) => svg("polyline", { class: cls, points: c.gaps.map((g, i) => `${X(g).toFixed(1)},${Y(ys[i]).toFixed(1)}`).join(" ") });
  box.append(line(c.plain, "plain"));
  box.append(line(c.smoothed, "smooth"));
  box.append(svg("text", { x: W - R - 4, y: T + 14, "text-anchor": "end" }, "dashed: ε = 0"));
  box.append(svg("text", { class: "legend-smooth", x: W - R - 4, y: T + 30, "text-anchor": "end" }, `solid: ε = ${short(res.epsilon)}` + (res.variant === "others" ? ` (ε′ = ${short(eps)})` : "")));
  if (c.minGap !== null) {
    const gx = X(c.minGap), gy = Y(c.minLoss);
    box.append(svg("line", { class: "min-line", x1: gx, x2: gx, y1: T, y2: H - B }));
    box.append(svg("circle", { class: "min-dot", cx: gx, cy: gy, r: 4.5 }));
    const right = gx < W * 0.6;
    box.append(svg("text", { class: "min-label", id: "min-label", x: gx + (right ? 8 : -8), y: gy - 12, "text-anchor": right ? "start" : "end" },
      `minimum at gap ${num(c.minGap)}`));
    const formula = res.variant === "others" ? "ln((1−ε)/(ε/(K−1)))" : "ln((1−ε+ε/K)/(ε/K))";
    cap.textContent = `With ε = ${short(res.epsilon)} and K = ${k}, the loss is smallest at the gap ${formula} = ${num(c.minGap)} ` +
      `(loss ${num(c.minLoss)}), where p(label) = ${num(1 - eps + eps / k)}, its smoothed target. With ε = 0 it only decreases.`;
  } else {
    cap.textContent = "With ε = 0 the loss only decreases as the gap grows: there is no minimum, and the model is pushed to ever larger logits. Move ε above 0.";
  }
}

// ---- editing ----

// csvField quotes a field when it needs it.
function csvField(s) { return /[",\n\r]/.test(s) || /^\s|\s$/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; }

// editLogit rewrites the data table with one logit replaced as typed.
function editLogit(inp) {
  const res = state.last;
  if (!res) return;
  const i = Number(inp.dataset.row), c = Number(inp.dataset.col);
  const lines = $("data").value.split("\n");
  // Find line i of the data: the i-th non-empty, non-comment line after the header.
  let seen = -1;
  for (let j = 0; j < lines.length; j++) {
    const l = lines[j].trim();
    if (l === "" || l.startsWith("#")) continue;
    if (seen === i) {
      const f = splitCSV(lines[j]);
      if (f.length === res.k + 2) {
        f[c + 2] = inp.value.trim();
        lines[j] = f.map(csvField).join(",");
        $("data").value = lines.join("\n");
        setExampleCustom();
        schedule(250);
      }
      return;
    }
    seen++;
  }
}

// splitCSV splits one CSV line (quotes allowed, no newlines inside).
function splitCSV(line) {
  const out = [];
  let cur = "", q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ",") { out.push(cur); cur = ""; }
    else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

function setExampleCustom() {
  const sel = $("example");
  const ex = state.examples.find((e) => e.data === $("data").value);
  sel.value = ex ? ex.name : "custom";
}

function loadExample(name) {
  const ex = state.examples.find((e) => e.name === name);
  if (!ex) return;
  $("data").value = ex.data;
  $("row").replaceChildren(el("option", { value: 0, text: "" }));
  state.prevCells.clear();
  schedule(0);
}

function setEps(v, from) {
  if (from !== "range") $("eps-range").value = v;
  if (from !== "text") $("eps").value = v;
}

async function download() {
  const status = $("download-status");
  status.textContent = "computing…";
  try {
    const r = await post("/api/workbook", request());
    const blob = await r.blob();
    const name = ($("example").value && $("example").value !== "custom" ? $("example").value : "label-smoothing") + ".xlsx";
    const a = el("a", { href: URL.createObjectURL(blob), download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    status.textContent = `${name}: ${(blob.size / 1024).toFixed(0)} KiB`;
  } catch (e) {
    status.textContent = "";
    showError(e.message);
  }
}

async function init() {
  $("controls").addEventListener("submit", (e) => e.preventDefault());
  $("eps-range").addEventListener("input", () => { setEps($("eps-range").value, "range"); schedule(60); });
  $("eps").addEventListener("input", () => {
    const v = Number($("eps").value.replace(",", "."));
    if ($("eps").value.trim() !== "" && v >= 0 && v <= 1) setEps(String(v), "text");
    schedule();
  });
  $("variant").addEventListener("change", () => schedule(0));
  $("log10").addEventListener("change", () => { if (state.last) render(state.last); });
  $("row").addEventListener("change", () => schedule(0));
  $("example").addEventListener("change", () => loadExample($("example").value));
  $("data").addEventListener("input", () => { setExampleCustom(); schedule(300); });
  $("steps").addEventListener("input", (e) => { if (e.target.classList.contains("logit")) editLogit(e.target); });
  $("steps").addEventListener("click", (e) => {
    const tr = e.target.closest("tbody tr");
    if (!tr || e.target.tagName === "INPUT" || !state.last) return;
    $("row").value = tr.dataset.row;
    schedule(0);
  });
  $("copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText($("pytorch").textContent);
      $("copied").textContent = "copied";
    } catch (e) {
      const r = document.createRange();
      r.selectNodeContents($("pytorch"));
      getSelection().removeAllRanges();
      getSelection().addRange(r);
      $("copied").textContent = "selected: press Ctrl-C";
    }
    setTimeout(() => { $("copied").textContent = ""; }, 2500);
  });
  $("download").addEventListener("click", download);
  try {
    if (globalThis.lsceBoot) await globalThis.lsceBoot;
    const [ex, lim] = await Promise.all([call("GET", "/api/examples"), call("GET", "/api/limits")]);
    state.examples = await ex.json();
    state.limits = await lim.json();
    $("max-rows").textContent = state.limits.rows.toLocaleString("en");
    $("max-classes").textContent = String(state.limits.classes);
  } catch (e) {
    showError((globalThis.lsceBoot ? "the page's WebAssembly did not start: " : "the server does not answer: ") + e.message);
    return;
  }
  const sel = $("example");
  sel.replaceChildren(...state.examples.map((e) => el("option", { value: e.name, text: `${e.name}: ${e.title}` })),
    el("option", { value: "custom", text: "your own (edit the data below)" }));
  // The self-contained page may start with the input it was written for.
  const initial = document.getElementById("lsce-initial");
  if (initial) {
    const req = JSON.parse(initial.textContent);
    $("data").value = req.data;
    setEps(req.epsilon);
    $("variant").value = req.variant || "uniform";
    setExampleCustom();
    schedule(0);
    return;
  }
  sel.value = state.examples[0].name;
  setEps(String(state.examples[0].epsilon));
  loadExample(sel.value);
}

init();
