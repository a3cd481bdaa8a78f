// The chart view: a horizontal bar per row for a result with a label column and a number column, as SVG.
import { el, svg } from "./dom.js";
import { numberOf, textOf } from "./terms.js";

const MOST_BARS = 100;

/** The label and number columns to chart, or null when the result has no such pair. */
export function chartColumns(vars, rows) {
  const numeric = (v) => rows.some((r) => r[v]) && rows.every((r) => !r[v] || !Number.isNaN(numberOf(r[v])));
  const value = vars.find(numeric);
  const label = vars.find((v) => v !== value && !numeric(v));
  return value && label ? { label, value } : null;
}

export function renderChart(container, vars, rows, ctx) {
  const cols = chartColumns(vars, rows);
  const bars = rows.filter((r) => r[cols.value]).slice(0, MOST_BARS)
    .map((r) => ({ label: textOf(r[cols.label], ctx.labels, ctx.prefixes) || "(none)", value: numberOf(r[cols.value]) }));
  const max = Math.max(0, ...bars.map((b) => b.value));
  const min = Math.min(0, ...bars.map((b) => b.value));
  const labelWidth = 260, plot = 560, rowHeight = 22, top = 24;
  const width = labelWidth + plot + 80, height = top + bars.length * rowHeight + 26;
  const scale = (v) => ((v - min) / ((max - min) || 1)) * plot;
  const chart = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-label": `Bar chart of ${cols.value} by ${cols.label}` });
  chart.appendChild(svg("text", { x: labelWidth - 8, y: 14, class: "axis-title bar-label" }, cols.label));
  chart.appendChild(svg("text", { x: labelWidth, y: 14, class: "axis-title" }, cols.value));
  // the value axis: round ticks (1, 2, 5 × 10^k apart) with grid lines, under the bars
  const span = (max - min) || 1;
  const round = [1, 2, 5].map((m) => m * 10 ** Math.floor(Math.log10(span / 5))).find((s) => span / s <= 7) ||
    10 ** Math.ceil(Math.log10(span / 5));
  const step = bars.every((b) => Number.isInteger(b.value)) ? Math.max(1, round) : round;  // counts: whole ticks
  const axisY = top + bars.length * rowHeight + 2;
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    const at = (labelWidth + scale(v)).toFixed(1);
    chart.appendChild(svg("line", { class: "grid", x1: at, y1: top, x2: at, y2: axisY }));
    chart.appendChild(svg("text", { class: "tick", x: at, y: axisY + 14, "text-anchor": "middle" },
      Number(v.toPrecision(12)).toLocaleString("en")));
  }
  const zero = labelWidth + scale(0);
  bars.forEach((b, i) => {
    const yTop = top + i * rowHeight;
    const label = b.label.length > 40 ? b.label.slice(0, 39) + "…" : b.label;
    chart.appendChild(svg("text", { x: labelWidth - 8, y: yTop + 15, class: "bar-label" }, label));
    const x0 = Math.min(zero, labelWidth + scale(b.value));
    const rect = svg("rect", { class: "bar", x: x0.toFixed(1), y: yTop + 3,
      width: Math.max(1, Math.abs(labelWidth + scale(b.value) - zero)).toFixed(1), height: rowHeight - 6 });
    rect.appendChild(svg("title", {}, `${b.label}: ${b.value}`));
    chart.appendChild(rect);
    chart.appendChild(svg("text", { x: (Math.max(zero, labelWidth + scale(b.value)) + 6).toFixed(1), y: yTop + 15,
      class: "bar-value" }, String(b.value)));
  });
  const note = rows.length > MOST_BARS ? `The first ${MOST_BARS} of ${rows.length} rows.` : `${bars.length} bars.`;
  container.replaceChildren(chart, el("p", note, { class: "legend" }));
}
