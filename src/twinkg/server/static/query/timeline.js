// The timeline view: a result with dates (xsd:date, dateTime, gYear, gYearMonth) as one line per row on a time
// axis, a dot for each of the row's dates (one colour per date column) and a bar from its first to its last.
import { el, linked, svg } from "./dom.js";
import { hrefOf, textOf } from "./terms.js";

const XSD = "http://www.w3.org/2001/XMLSchema#";
const DATE_TYPES = new Set(["date", "dateTime", "dateTimeStamp", "gYear", "gYearMonth"].map((t) => XSD + t));
const MOST_ROWS = 200;
const COLOURS = ["date-0", "date-1", "date-2", "date-3"];

/** A date literal as a fractional year (1944-07-01 → 1944.5), or NaN. */
export function yearOf(term) {
  if (!term || term.type === "uri" || !DATE_TYPES.has(term.datatype)) return NaN;
  const m = /^(-?\d{4,})(?:-(\d\d)(?:-(\d\d))?)?/.exec(term.value);
  if (!m) return NaN;
  const month = m[2] ? Number(m[2]) - 1 : 0, day = m[3] ? Number(m[3]) - 1 : 0;
  return Number(m[1]) + (month * 30.44 + day) / 365.25;
}

/** The date columns of a result and the column that names each row, or null when no column holds a date. */
export function timelineColumns(vars, rows) {
  const dates = vars.filter((v) => rows.some((r) => !Number.isNaN(yearOf(r[v]))));
  if (!dates.length) return null;
  const label = vars.find((v) => !dates.includes(v) && rows.some((r) => r[v]));
  return { dates, label };
}

/** A step between ticks that gives 4 to 10 of them over `span` years (1, 2, 5 × 10^k, at least one year). */
export function tickStep(span) {
  for (let step = 1; ; step *= 10) {
    for (const m of [1, 2, 5]) if (span / (m * step) <= 10) return m * step;
  }
}

export function renderTimeline(container, vars, rows, ctx) {
  const cols = timelineColumns(vars, rows);
  const dated = rows.filter((r) => cols.dates.some((v) => !Number.isNaN(yearOf(r[v]))));
  const shown = dated.slice(0, MOST_ROWS);
  const years = shown.flatMap((r) => cols.dates.map((v) => yearOf(r[v]))).filter((y) => !Number.isNaN(y));
  const step = tickStep(Math.max(1, Math.max(...years) - Math.min(...years)));
  const first = Math.floor(Math.min(...years) / step) * step;
  const last = Math.max(first + step, Math.ceil((Math.max(...years) + 0.001) / step) * step);
  const labelWidth = 230, plot = 600, rowHeight = 20, top = 36;
  const width = labelWidth + plot + 20, height = top + shown.length * rowHeight + 34;
  const x = (year) => labelWidth + (year - first) / (last - first) * plot;
  const chart = svg("svg", { class: "chart timeline-chart", viewBox: `0 0 ${width} ${height}`, width, height,
    role: "img", "aria-label": `Timeline of ${shown.length} rows by ${cols.dates.join(", ")}` });
  const axisY = height - 28;
  for (let year = first; year <= last + 1e-9; year += step) {
    chart.append(svg("line", { class: "grid", x1: x(year).toFixed(1), y1: top - 6, x2: x(year).toFixed(1), y2: axisY }),
      svg("text", { class: "tick", x: x(year).toFixed(1), y: axisY + 14, "text-anchor": "middle" }, String(year)));
  }
  chart.append(svg("line", { class: "axis", x1: labelWidth, y1: axisY, x2: labelWidth + plot, y2: axisY }),
    svg("text", { class: "axis-title", x: labelWidth + plot / 2, y: height - 2, "text-anchor": "middle" }, "year"));
  cols.dates.forEach((v, i) => {
    chart.append(svg("circle", { class: "dot " + COLOURS[i % COLOURS.length], cx: labelWidth + i * 130 + 6, cy: 12, r: 5 }),
      svg("text", { class: "legend-text", x: labelWidth + i * 130 + 15, y: 16 }, v));
  });
  shown.forEach((r, i) => {
    const y = top + i * rowHeight + rowHeight / 2;
    const name = cols.label ? textOf(r[cols.label], ctx.labels, ctx.prefixes) : `row ${i + 1}`;
    const text = svg("text", { class: "bar-label", x: labelWidth - 8, y: y + 4 }, name.length > 34 ? name.slice(0, 33) + "…" : name);
    const target = cols.label && r[cols.label] && r[cols.label].type === "uri" ? hrefOf(r[cols.label].value, ctx.base) : null;
    chart.append(linked(text, target));
    const points = cols.dates.map((v, j) => [yearOf(r[v]), j, v]).filter(([year]) => !Number.isNaN(year));
    const ys = points.map(([year]) => year);
    if (Math.max(...ys) > Math.min(...ys)) {
      chart.append(svg("line", { class: "span", x1: x(Math.min(...ys)).toFixed(1), y1: y, x2: x(Math.max(...ys)).toFixed(1), y2: y }));
    }
    for (const [year, j, v] of points) {
      const dot = svg("circle", { class: "dot " + COLOURS[j % COLOURS.length], cx: x(year).toFixed(1), cy: y, r: 4 });
      dot.append(svg("title", {}, `${name}: ${v} ${r[v].value}`));
      chart.append(dot);
    }
  });
  const note = `${shown.length} row${shown.length === 1 ? "" : "s"} with a date` +
    (dated.length > shown.length ? ` (the first ${MOST_ROWS} of ${dated.length})` : "") +
    (rows.length > dated.length ? `; ${rows.length - dated.length} row${rows.length - dated.length === 1 ? "" : "s"} without one not drawn` : "") +
    ". A dot per date column, a bar from a row's first date to its last.";
  const box = el("div", null, { class: "chart-scroll" });
  box.append(chart);
  container.replaceChildren(box, el("p", note, { class: "legend" }));
}
