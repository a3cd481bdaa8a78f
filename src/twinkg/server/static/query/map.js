// The map view: the places of a result on the server's Natural Earth base map (land and borders, fetched once
// from /query/basemap.json) and an equirectangular graticule, drawn as SVG, with no tiles and no outside request. A row's coordinates come from a WKT point, from latitude/longitude columns, or from the
// geometry of the places it names; two places in one row (a twinning's partners) are joined by a line.
import { el, linked, svg } from "./dom.js";
import { hrefOf, isWkt, numberOf, textOf, wktPoint } from "./terms.js";
import { explore } from "/static/mapzoom.js";

const LAT = /^(lat|latitude)$/i;
const LON = /^(lon|long|lng|longitude)$/i;

const SAME = 1e-6;  // degrees: two points closer than this are one place

function samePoint(a, b) { return Math.abs(a.lon - b.lon) < SAME && Math.abs(a.lat - b.lat) < SAME; }

/** The places one row names: each located IRI, then each coordinate (a WKT point, a latitude/longitude pair)
 * that is not the position of a place already found in the row. A row that carries a place's IRI and its
 * coordinates (`?partner ?wkt`) names one place, not two joined by a line of no length; coordinates in a row
 * with exactly one IRI, not yet located, are that IRI's, so the mark links to its page before the look-up. */
function rowPlaces(row, vars, latVar, lonVar, ctx) {
  const found = [];
  const caption = vars.map((v) => row[v]).find((t) => t && !isWkt(t) && Number.isNaN(numberOf(t)));
  const captionText = caption ? textOf(caption, ctx.labels, ctx.prefixes) : "";
  const points = [];
  const iris = vars.map((v) => row[v]).filter((t) => t && t.type === "uri");
  for (const t of iris) {
    if (ctx.points.has(t.value)) {
      const [lon, lat] = ctx.points.get(t.value);
      found.push({ key: t.value, lon, lat, label: textOf(t, ctx.labels, ctx.prefixes), href: hrefOf(t.value, ctx.base) });
    }
  }
  for (const v of vars) {
    if (isWkt(row[v])) {
      const p = wktPoint(row[v].value);
      if (p) points.push({ key: "wkt " + p, lon: p[0], lat: p[1] });
    }
  }
  if (latVar && lonVar) {
    const lat = numberOf(row[latVar]), lon = numberOf(row[lonVar]);
    if (Math.abs(lat) <= 90 && Math.abs(lon) <= 180) points.push({ key: `latlon ${lon} ${lat}`, lon, lat });
  }
  const owner = iris.length === 1 && found.length === 0 ? iris[0] : null;
  for (const p of points) {
    if (found.some((f) => samePoint(f, p))) continue;
    found.push(owner && points.length === 1 ?
      { key: owner.value, lon: p.lon, lat: p.lat, label: textOf(owner, ctx.labels, ctx.prefixes),
        href: hrefOf(owner.value, ctx.base) } :
      { ...p, label: captionText, href: null });
  }
  return found;
}

/** The marks and lines a result puts on a map (none if it has no coordinates and names no located place): each
 * place once, however many rows name it, and a line only between two places apart; `unlocated`: the IRIs of the
 * result with no known coordinates (not drawn). */
export function mapData(vars, rows, ctx) {
  const latVar = vars.find((v) => LAT.test(v));
  const lonVar = vars.find((v) => LON.test(v));
  const marks = new Map();
  const lines = new Map();
  for (const row of rows) {
    const found = rowPlaces(row, vars, latVar, lonVar, ctx);
    for (const f of found) if (!marks.has(f.key)) marks.set(f.key, f);
    if (found.length >= 2 && found[0].key !== found[1].key && !samePoint(found[0], found[1])) {
      const pair = [found[0].key, found[1].key].sort();
      lines.set(pair.join("\n"), pair);  // a pair linked twice (a re-established link) is drawn once
    }
  }
  const iris = new Set(rows.flatMap((row) => vars.map((v) => row[v]).filter((t) => t && t.type === "uri").map((t) => t.value)));
  const unlocated = [...iris].filter((i) => !marks.has(i) && !ctx.points.has(i)).length;
  return { marks: [...marks.values()], lines: [...lines.values()], unlocated };
}

let basemap = null;
let basemapLoading = null;

/** The base map's land and borders placed into a view of the given extent (equirectangular, like the server's). */
function baseLayer(base, west, east, south, north, width, height) {
  const units = base.units_per_degree;
  const sx = width / ((east - west) * units), sy = height / ((north - south) * units);
  const g = svg("g", { class: "base", transform: `translate(${(-(180 + west) * units * sx).toFixed(2)} ` +
    `${((north - 90) * units * sy).toFixed(2)}) scale(${sx.toFixed(5)} ${sy.toFixed(5)})` });
  g.append(svg("path", { class: "land", d: base.land }), svg("path", { class: "border", d: base.borders }));
  return g;
}

/** Draw `data` into `container`; `lookedUp`: the result's IRIs have been looked up, so those left without
 * coordinates can be counted as not drawn. */
export function renderMap(container, data, lookedUp) {
  const width = 900;
  const lons = data.marks.map((m) => m.lon), lats = data.marks.map((m) => m.lat);
  let west = Math.min(...lons) - 5, east = Math.max(...lons) + 5;
  let south = Math.min(...lats) - 5, north = Math.max(...lats) + 5;
  if (east - west < 30) { const mid = (east + west) / 2; west = mid - 15; east = mid + 15; }
  if (north - south < 16) { const mid = (north + south) / 2; south = mid - 8; north = mid + 8; }
  west = Math.max(-180, west); east = Math.min(180, east); south = Math.max(-90, south); north = Math.min(90, north);
  const squash = Math.max(0.3, Math.cos(((north + south) / 2) * Math.PI / 180));
  const height = Math.round(Math.min(560, Math.max(260, width * (north - south) / (east - west) / squash)));
  const x = (lon) => ((lon - west) / (east - west) * width).toFixed(1);
  const y = (lat) => ((north - lat) / (north - south) * height).toFixed(1);

  const map = svg("svg", { class: "map result-map", "data-zoom": "", viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-label": `Map of ${data.marks.length} places` });
  map.appendChild(svg("rect", { class: "sea", x: 0, y: 0, width, height }));
  const sea = map.lastChild;
  const withBase = () => sea.after(baseLayer(basemap, west, east, south, north, width, height));
  if (basemap) {
    withBase();
  } else {
    basemapLoading = basemapLoading || fetch("/query/basemap.json").then((r) => (r.ok ? r.json() : null))
      .then((b) => { basemap = b; }).catch(() => null);  // without it the map keeps its graticule
    basemapLoading.then(() => { if (basemap && map.isConnected) withBase(); });
  }
  const step = east - west > 120 ? 30 : east - west > 40 ? 10 : 5;
  const degrees = (v, plus, minus) => `${Math.abs(v)}°${v > 0 ? plus : v < 0 ? minus : ""}`;
  for (let lon = Math.ceil(west / step) * step; lon <= east; lon += step) {
    map.appendChild(svg("line", { class: "grid", x1: x(lon), y1: 0, x2: x(lon), y2: height }));
    map.appendChild(svg("text", { class: "graticule", x: Number(x(lon)) + 3, y: height - 4 }, degrees(lon, "E", "W")));
  }
  for (let lat = Math.ceil(south / step) * step; lat <= north; lat += step) {
    map.appendChild(svg("line", { class: "grid", x1: 0, y1: y(lat), x2: width, y2: y(lat) }));
    map.appendChild(svg("text", { class: "graticule", x: 3, y: Number(y(lat)) - 3 }, degrees(lat, "N", "S")));
  }
  const byKey = new Map(data.marks.map((m) => [m.key, m]));
  for (const [a, b] of data.lines) {
    const p = byKey.get(a), q = byKey.get(b);
    map.appendChild(svg("line", { class: "link", x1: x(p.lon), y1: y(p.lat), x2: x(q.lon), y2: y(q.lat) }));
  }
  for (const m of data.marks) {
    const g = svg("g", { class: "mark" });
    g.appendChild(svg("circle", { class: "partner", cx: x(m.lon), cy: y(m.lat), r: 4.5 }));
    g.appendChild(svg("title", {}, `${m.label} (${m.lat.toFixed(3)}, ${m.lon.toFixed(3)})`));
    if (data.marks.length <= 60 && m.label) {
      const left = Number(x(m.lon)) > width - 120;  // near the east edge the label goes west of its mark
      g.appendChild(svg("text", { class: "label", x: (Number(x(m.lon)) + (left ? -6 : 6)).toFixed(1),
        y: (Number(y(m.lat)) + 4).toFixed(1), "data-dx": left ? -6 : 6, "data-dy": 4, "text-anchor": left ? "end" : "start" },
      m.label));
    }
    map.appendChild(linked(g, m.href));
  }
  container.replaceChildren(map, el("p", `${data.marks.length} place${data.marks.length === 1 ? "" : "s"}` +
    (data.lines.length ? `, ${data.lines.length} link${data.lines.length === 1 ? "" : "s"}` : "") +
    (lookedUp && data.unlocated ? `; ${data.unlocated} IRI${data.unlocated === 1 ? "" : "s"} of the result without known ` +
      "coordinates not drawn" : "") +
    `; ${west.toFixed(0)}°…${east.toFixed(0)}° E, ${south.toFixed(0)}°…${north.toFixed(0)}° N (equirectangular; ` +
    "base map: Natural Earth, public domain).",
  { class: "legend" }));
  explore(map);  // zoom and pan as the server's maps do; labels that would overlap are hidden until there is room
}
