// The graph view: a result with two columns of IRIs (a place and its partner, a link and its event) as nodes and
// edges, laid out by a small force simulation run to its end before drawing (no library, nothing animated).
import { el, linked, svg } from "./dom.js";
import { hrefOf, textOf } from "./terms.js";

const MOST_NODES = 300;
const LABELLED = 60;

/** The first two columns whose every value is an IRI, or null when the result has fewer than two. */
export function graphColumns(vars, rows) {
  const iris = vars.filter((v) => rows.some((r) => r[v]) && rows.every((r) => !r[v] || r[v].type === "uri"));
  return iris.length >= 2 ? { from: iris[0], to: iris[1] } : null;
}

/** Positions in [0, 1]² for nodes joined by edges (indices): repulsion between every pair, springs along the
 * edges, a pull to the centre, all inside the unit square, cooling over a fixed number of steps; deterministic
 * (nodes start on a circle). */
export function layout(count, edges, steps = 250) {
  const pos = Array.from({ length: count }, (_, i) => {
    const a = 2 * Math.PI * i / Math.max(1, count);
    return [0.5 + 0.4 * Math.cos(a), 0.5 + 0.4 * Math.sin(a)];
  });
  const ideal = 0.6 / Math.sqrt(Math.max(1, count));
  for (let step = 0; step < steps; step++) {
    const heat = 0.08 * (1 - step / steps) + 0.002;
    const move = pos.map(() => [0, 0]);
    for (let i = 0; i < count; i++) {
      for (let j = i + 1; j < count; j++) {
        let dx = pos[i][0] - pos[j][0], dy = pos[i][1] - pos[j][1];
        let d2 = dx * dx + dy * dy;
        if (d2 < 1e-9) { dx = 1e-3 * (i - j); dy = 1e-3; d2 = dx * dx + dy * dy; }
        const f = ideal * ideal / d2;
        move[i][0] += dx * f; move[i][1] += dy * f; move[j][0] -= dx * f; move[j][1] -= dy * f;
      }
    }
    for (const [a, b] of edges) {
      const dx = pos[a][0] - pos[b][0], dy = pos[a][1] - pos[b][1];
      const d = Math.sqrt(dx * dx + dy * dy) || 1e-6;
      const f = d / ideal;
      move[a][0] -= dx * f; move[a][1] -= dy * f; move[b][0] += dx * f; move[b][1] += dy * f;
    }
    for (let i = 0; i < count; i++) {
      move[i][0] += (0.5 - pos[i][0]) * 1.5; move[i][1] += (0.5 - pos[i][1]) * 1.5;
      const len = Math.hypot(move[i][0], move[i][1]) || 1;
      const k = Math.min(len, heat) / len;
      pos[i][0] = Math.min(1, Math.max(0, pos[i][0] + move[i][0] * k));  // inside the frame: nothing drifts away
      pos[i][1] = Math.min(1, Math.max(0, pos[i][1] + move[i][1] * k));
    }
  }
  const xs = pos.map((p) => p[0]), ys = pos.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  return pos.map(([x, y]) => [(x - x0) / ((x1 - x0) || 1), (y - y0) / ((y1 - y0) || 1)]);
}

export function renderGraph(container, vars, rows, ctx) {
  const cols = graphColumns(vars, rows);
  const index = new Map();
  const nodes = [];
  const edges = new Map();
  let left = 0;
  const node = (t) => {
    if (!index.has(t.value)) {
      if (nodes.length >= MOST_NODES) return -1;
      index.set(t.value, nodes.length);
      nodes.push({ term: t, degree: 0 });
    }
    return index.get(t.value);
  };
  for (const r of rows) {
    const a = r[cols.from], b = r[cols.to];
    if (!a || !b) continue;
    const i = node(a), j = node(b);
    if (i < 0 || j < 0) { left += 1; continue; }
    if (i === j) continue;
    const key = i < j ? `${i} ${j}` : `${j} ${i}`;
    if (!edges.has(key)) {
      edges.set(key, [i, j]);
      nodes[i].degree += 1;
      nodes[j].degree += 1;
    }
  }
  const width = 900, height = Math.max(320, Math.min(700, 160 + nodes.length * 6)), pad = 40;
  const pos = layout(nodes.length, [...edges.values()]).map(([x, y]) =>
    [pad + 80 + x * (width - 2 * pad - 160), pad + y * (height - 2 * pad)]);
  const chart = svg("svg", { class: "chart graph-chart", viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-label": `Graph of ${nodes.length} nodes (${cols.from}, ${cols.to}) and ${edges.size} edges` });
  for (const [i, j] of edges.values()) {
    chart.append(svg("line", { class: "edge", x1: pos[i][0].toFixed(1), y1: pos[i][1].toFixed(1),
      x2: pos[j][0].toFixed(1), y2: pos[j][1].toFixed(1) }));
  }
  nodes.forEach((n, i) => {
    const name = textOf(n.term, ctx.labels, ctx.prefixes);
    const g = svg("g", { class: "node" });
    const dot = svg("circle", { cx: pos[i][0].toFixed(1), cy: pos[i][1].toFixed(1), r: Math.min(12, 4 + Math.sqrt(n.degree) * 1.5) });
    dot.append(svg("title", {}, `${name} (${n.degree} edge${n.degree === 1 ? "" : "s"})`));
    g.append(dot);
    if (nodes.length <= LABELLED) {
      g.append(svg("text", { x: (pos[i][0] + 8).toFixed(1), y: (pos[i][1] + 4).toFixed(1) },
        name.length > 28 ? name.slice(0, 27) + "…" : name));
    }
    chart.append(linked(g, hrefOf(n.term.value, ctx.base)));
  });
  const note = `${nodes.length} node${nodes.length === 1 ? "" : "s"} and ${edges.size} edge${edges.size === 1 ? "" : "s"}` +
    ` from the columns ${cols.from} and ${cols.to}` + (left ? `; ${left} row${left === 1 ? "" : "s"} left out past ${MOST_NODES} nodes` : "") +
    (nodes.length > LABELLED ? "; names on hover" : "") + ". A node opens its page.";
  const box = el("div", null, { class: "chart-scroll" });
  box.append(chart);
  container.replaceChildren(box, el("p", note, { class: "legend" }));
}
