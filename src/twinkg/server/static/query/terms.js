// RDF terms as the SPARQL JSON results format gives them ({type, value, datatype, "xml:lang"}): how they read,
// where they link, and the look-ups of labels and coordinates that the result views share.

const XSD = "http://www.w3.org/2001/XMLSchema#";
const NUMERIC = new Set(["integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
  "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
  "unsignedByte"].map((t) => XSD + t));
const WKT = "http://www.opengis.net/ont/geosparql#wktLiteral";

export function shorten(iri, prefixes) {
  let best = null;
  for (const [p, ns] of Object.entries(prefixes)) {
    if (iri.startsWith(ns) && iri.length > ns.length && (!best || ns.length > best[1].length)) best = [p, ns];
  }
  return best ? best[0] + ":" + iri.slice(best[1].length) : iri;
}

/** Where a link to an IRI goes: this server's page for the graph's own IRIs, the IRI itself for other
 * http(s) IRIs, nowhere for any other scheme (a `javascript:` IRI in the data must never become a link). */
export function hrefOf(iri, base) {
  if (base && iri.startsWith(base)) {
    const local = iri.slice(base.length);
    if (/^(id|vocab)\//.test(local)) return "/page/" + local;
    if (local.startsWith("ontology")) return "/ontology" + (local.includes("#") ? "#" + local.split("#")[1] : "");
    if (local === "dataset" || local.startsWith("graph/")) return "/dataset";
  }
  return /^https?:\/\//i.test(iri) ? iri : null;
}

export function isNumeric(term) {
  return !!term && term.type !== "uri" && NUMERIC.has(term.datatype) && isFinite(Number(term.value));
}

export function numberOf(term) {
  return isNumeric(term) ? Number(term.value) : NaN;
}

/** A WKT point as [lon, lat], or null. */
export function wktPoint(text) {
  const m = /^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*(-?[\d.]+(?:[eE][-+]?\d+)?)\s+(-?[\d.]+(?:[eE][-+]?\d+)?)\s*\)/i.exec(text);
  if (!m) return null;
  const lon = Number(m[1]), lat = Number(m[2]);
  return Math.abs(lon) <= 180 && Math.abs(lat) <= 90 ? [lon, lat] : null;
}

export function isWkt(term) {
  return !!term && term.type !== "uri" && (term.datatype === WKT || wktPoint(term.value) !== null);
}

/** The text a cell shows and filters and sorts by. */
export function textOf(term, labels, prefixes) {
  if (!term) return "";
  if (term.type === "uri") return labels.get(term.value) || shorten(term.value, prefixes);
  if (term.type === "bnode") return "_:" + term.value;
  return term.value;
}

/** N-Triples (a CONSTRUCT or DESCRIBE answer) as result rows of subject, predicate, object. */
export function parseNTriples(text) {
  const TERM = /\s*(?:<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?)/y;
  const unescape = (s) => s.replace(/\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})|\\(.)/g, (all, u4, u8, c) =>
    u4 || u8 ? String.fromCodePoint(parseInt(u4 || u8, 16)) : ({ t: "\t", b: "\b", n: "\n", r: "\r", f: "\f" })[c] ?? c);
  const rows = [];
  for (const line of text.split("\n")) {
    if (!line.trim() || line.trim().startsWith("#")) continue;
    const terms = [];
    TERM.lastIndex = 0;
    for (let i = 0; i < 3; i++) {
      const m = TERM.exec(line);
      if (!m) throw new Error("cannot read the answer's line: " + line.slice(0, 120));
      if (m[1] !== undefined) terms.push({ type: "uri", value: unescape(m[1]) });
      else if (m[2] !== undefined) terms.push({ type: "bnode", value: m[2] });
      else {
        const t = { type: "literal", value: unescape(m[3]) };
        if (m[4]) t["xml:lang"] = m[4];
        if (m[5]) t.datatype = m[5];
        terms.push(t);
      }
    }
    rows.push({ subject: terms[0], predicate: terms[1], object: terms[2] });
  }
  return rows;
}

/** Labels and point geometries of the IRIs in a result, looked up on this server's endpoint: one row per IRI, in
 * batches no larger than the server's row cap, an English label first, then one without language, then any. */
export async function describeIris(iris, runSelect, maxRows) {
  const labels = new Map();
  const points = new Map();
  const list = [...iris].filter((i) => /^https?:\/\/[^\s<>"{}|\\^`]*$/i.test(i)).slice(0, 3000);
  const batch = Math.max(1, Math.min(150, maxRows || 150));
  const LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel>|" +
    "<http://purl.org/dc/terms/title>";
  for (let i = 0; i < list.length; i += batch) {
    const values = list.slice(i, i + batch).map((iri) => "<" + iri + ">").join(" ");
    const data = await runSelect(`SELECT ?x (SAMPLE(?en) AS ?l1) (SAMPLE(?plain) AS ?l2) (SAMPLE(?any) AS ?l3)
      (SAMPLE(?w) AS ?wkt) WHERE { VALUES ?x { ${values} }
      OPTIONAL { ?x ${LABEL} ?en FILTER(LANGMATCHES(LANG(?en), "en")) }
      OPTIONAL { ?x ${LABEL} ?plain FILTER(LANG(?plain) = "") }
      OPTIONAL { ?x ${LABEL} ?any }
      OPTIONAL { ?x <http://www.opengis.net/ont/geosparql#hasGeometry>/<http://www.opengis.net/ont/geosparql#asWKT> ?w }
    } GROUP BY ?x`);
    for (const b of data.results.bindings) {
      const label = b.l1 || b.l2 || b.l3;
      if (label) labels.set(b.x.value, label.value);
      const p = b.wkt ? wktPoint(b.wkt.value) : null;
      if (p) points.set(b.x.value, p);
    }
  }
  return { labels, points };
}
