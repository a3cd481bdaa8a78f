// The query workbench: editor, run, result views, downloads, sharing and the session's history.
// It only ever talks to this server (/sparql and /query/vocabulary.json). Without JavaScript the form still
// submits to /query, which renders the table on the server.
import { createEditor } from "/static/vendor/editor.js";
import { el } from "./dom.js";
import { describeIris, parseNTriples } from "./terms.js";
import { ResultTable } from "./table.js";
import { mapData, renderMap } from "./map.js";
import { chartColumns, renderChart } from "./chart.js";
import { renderTimeline, timelineColumns } from "./timeline.js";
import { graphColumns, renderGraph } from "./graph.js";
import { LANGUAGES, curl } from "./snippets.js";

const RESULTS_JSON = "application/sparql-results+json";
const HISTORY_KEY = "twinkg.query.history";
const HISTORY_SIZE = 30;
const DOWNLOADS = {
  rows: [["CSV", "csv", "csv"], ["TSV", "tsv", "tsv"], ["JSON", "json", "srj"]],
  graph: [["Turtle", "ttl", "ttl"], ["JSON-LD", "jsonld", "jsonld"], ["N-Triples", "nt", "nt"]],
};

const $ = (id) => document.getElementById(id);
const workbench = $("workbench");
const form = $("query-form");
const status = $("status");
const notice = $("notice");
const results = $("results");
const ctx = { base: document.documentElement.getAttribute("data-base") || "", prefixes: {}, labels: new Map(),
  points: new Map() };
const views = { table: $("view-table"), map: $("view-map"), chart: $("view-chart"), timeline: $("view-timeline"),
  graph: $("view-graph"), response: $("view-response") };
/** Why a view cannot show the current result, in words for the page (null: it can). */
const CANNOT = {
  map: () => "no column holds coordinates (a WKT point, or latitude and longitude columns) and none of its IRIs " +
    (current.lookedUp ? "is a place with known coordinates." : "has been looked up yet (looking up…)."),
  chart: () => "a chart needs a column of labels and a column of numbers (every value a number).",
  timeline: () => "a timeline needs a column of dates (xsd:date, xsd:dateTime, xsd:gYear or xsd:gYearMonth values).",
  graph: () => "a graph needs two columns whose values are all IRIs (a node at each end of an edge).",
};
let editor = null;
let current = null;  // {query, form: "rows"|"graph"|"boolean", vars, rows, text, table}
let view = "table";
let running = null;

function words(n, one, many) { return `${n.toLocaleString("en")} ${n === 1 ? one : many}`; }

function say(text, kind) {
  notice.replaceChildren();
  if (text) notice.appendChild(el("p", text, { class: kind || "notice" }));
}

/** The endpoint's refusal in words, with the error placed in the editor when the message locates it. */
function explain(statusCode, message) {
  if (statusCode === 400) {
    const m = /error at (\d+):(\d+):\s*([\s\S]*)/.exec(message);
    if (m) {
      editor.showError(Number(m[1]), Number(m[2]), m[3]);
      return `Syntax error at line ${m[1]}, column ${m[2]}: ${m[3]}`;
    }
    return message;
  }
  if (statusCode === 503 && /longer than|time ?out|time limit/i.test(message)) {
    return `The query was stopped: it ran past the server's time limit of ${workbench.dataset.timeout} s. ` +
      "Narrow it (more specific patterns, a LIMIT) and run it again.";
  }
  if (statusCode === 503) return "The server cannot answer right now; try again in a moment. " + message;
  if (statusCode === 413 || statusCode === 414) return "The query is larger than the server accepts. " + message;
  if (statusCode === 403) return "This endpoint is read-only: " + message;
  return `The server answered ${statusCode}: ${message}`;
}

async function post(query, accept, signal) {
  return fetch("/sparql", {
    method: "POST", signal,
    headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": accept },
    body: new URLSearchParams({ query }).toString(),
  });
}

async function select(query) {
  const response = await post(query, RESULTS_JSON);
  if (!response.ok) throw new Error(await response.text());
  return response.json();
}

function shareUrl(query, v) {
  const params = new URLSearchParams({ query });
  if (v && v !== "table") params.set("view", v);
  return "/query?" + params.toString();
}

/** Show a view; one this result cannot give (a map without places) shows the table but stays asked for, so a
 * shared address keeps its view while the places' coordinates are still being looked up. */
function showView(wanted) {
  view = wanted in views ? wanted : "table";
  const v = current && !views[view].disabled ? view : "table";
  for (const [name, button] of Object.entries(views)) button.setAttribute("aria-pressed", String(name === v));
  if (current && current.query && location.search) history.replaceState(null, "", shareUrl(current.query, view));
  const why = $("view-why");
  why.replaceChildren();
  if (!current) return;
  if (v !== view && current.form !== "boolean") {
    why.textContent = `The ${views[view].textContent.toLowerCase()} view cannot show this result: ${CANNOT[view]()} ` +
      "It is shown as a table.";
  }
  if (v === "response") {
    results.replaceChildren(el("pre", current.text, { class: "response" }));
  } else if (current.form === "boolean") {
    results.replaceChildren(el("p", "Answer: " + (current.boolean ? "yes" : "no"), { class: "boolean" }));
  } else if (v === "map") {
    renderMap(results, mapData(current.vars, current.rows, ctx), current.lookedUp);
  } else if (v === "chart") {
    renderChart(results, current.vars, current.rows, ctx);
  } else if (v === "timeline") {
    renderTimeline(results, current.vars, current.rows, ctx);
  } else if (v === "graph") {
    renderGraph(results, current.vars, current.rows, ctx);
  } else {
    current.table = current.table || new ResultTable(el("div", null, { class: "result-table" }), current.vars,
      current.rows, ctx);
    current.table.render();
    results.replaceChildren(current.table.container);
  }
}

function enableViews() {
  const rows = current && current.form !== "boolean";
  views.table.disabled = !rows;
  views.response.disabled = !current;
  views.map.disabled = !rows || mapData(current.vars, current.rows, ctx).marks.length === 0;
  views.chart.disabled = !rows || chartColumns(current.vars, current.rows) === null;
  views.timeline.disabled = !rows || timelineColumns(current.vars, current.rows) === null;
  views.graph.disabled = !rows || graphColumns(current.vars, current.rows) === null;
  for (const name of ["map", "chart", "timeline", "graph"]) {
    views[name].title = views[name].disabled ? (current ? "Cannot show this result: " + CANNOT[name]() : "Run a query first") :
      `Show the result as a ${name}`;
  }
}

function setDownloads(query, kind) {
  const box = $("downloads");
  box.replaceChildren(document.createTextNode("Download: "));
  for (const [label, format, ext] of DOWNLOADS[kind === "graph" ? "graph" : "rows"]) {
    const params = new URLSearchParams({ query, format });
    box.append(el("a", label, { href: "/sparql?" + params.toString(), download: "twinkg-result." + ext,
      class: "download", "data-format": format }), " ");
  }
  box.hidden = false;
}

function remember(query) {
  let items = [];
  try { items = JSON.parse(sessionStorage.getItem(HISTORY_KEY) || "[]"); } catch (e) { items = []; }
  items = [{ query, at: new Date().toISOString() }, ...items.filter((i) => i.query !== query)].slice(0, HISTORY_SIZE);
  try { sessionStorage.setItem(HISTORY_KEY, JSON.stringify(items)); } catch (e) { /* storage full or off */ }
  showHistory(items);
}

function showHistory(items) {
  if (!items) {
    try { items = JSON.parse(sessionStorage.getItem(HISTORY_KEY) || "[]"); } catch (e) { items = []; }
  }
  const list = $("history-list");
  list.replaceChildren();
  $("history-count").textContent = String(items.length);
  for (const item of items) {
    const first = item.query.split("\n").find((l) => l.trim() && !/^\s*(#|PREFIX)/i.test(l)) || item.query;
    const button = el("button", first.trim().slice(0, 90), { type: "button", class: "link", title: item.query });
    button.addEventListener("click", () => { editor.setValue(item.query); editor.focus(); });
    const li = el("li");
    li.append(el("time", item.at.slice(11, 16), { datetime: item.at }), " ", button);
    list.appendChild(li);
  }
}

/** Run a query on the endpoint, or show the answer the server already embedded in the page (`given`: a shared
 * address opened in the browser is run once, by the server, not a second time by this script). */
async function run(query, { push = true, given = null } = {}) {
  if (running) running.abort();
  const controller = new AbortController();
  running = controller;
  editor.clearError();
  workbench.setAttribute("aria-busy", "true");
  remember(query);
  markExample(query);
  showCode();
  say("");
  status.textContent = "running…";
  const started = performance.now();
  try {
    let answer = given;
    if (!answer) {
      const response = await post(query, RESULTS_JSON + ", application/n-triples;q=0.9", controller.signal);
      answer = { status: response.status, text: await response.text(), type: response.headers.get("Content-Type") || "",
        truncated: response.headers.get("X-SPARQL-Truncated") === "true",
        maxRows: Number(response.headers.get("X-SPARQL-Max-Rows")) };
    }
    if (controller !== running) return;
    if (answer.status !== 200) {
      current = null;
      enableViews();
      $("downloads").hidden = true;
      status.textContent = "";
      results.replaceChildren(el("p", explain(answer.status, answer.text), { class: "error" }));
      return;
    }
    const text = answer.text;
    if (answer.type.includes("json")) {
      const data = JSON.parse(text);
      current = "boolean" in data ? { query, form: "boolean", boolean: data.boolean, text } :
        { query, form: "rows", vars: data.head.vars || [], rows: data.results.bindings, text };
    } else {
      current = { query, form: "graph", vars: ["subject", "predicate", "object"], rows: parseNTriples(text), text };
    }
    const ms = Math.round(performance.now() - started);
    const count = current.rows ? current.rows.length : 0;
    const unit = current.form === "graph" ? ["triple", "triples"] : ["row", "rows"];
    status.textContent = (current.rows ? words(count, ...unit) : "done") +
      (given ? ", answered with the page" : ` in ${ms} ms`);
    if (answer.truncated) {
      say(`Only the first ${words(answer.maxRows, ...unit)} are shown: the server cuts every answer at ` +
        `${answer.maxRows.toLocaleString("en")}. Add a LIMIT and OFFSET, or narrow the query, to see the rest.`,
      "notice cap");
    }
    setDownloads(query, current.form);
    if (push) {
      const url = shareUrl(query, view);
      if (location.pathname + location.search !== url) history.pushState(null, "", url);
    }
    enableViews();
    showView(view);
    if (current.rows) {
      const iris = new Set();
      for (const r of current.rows) for (const v of current.vars) if (r[v] && r[v].type === "uri") iris.add(r[v].value);
      const mine = current;
      let found = null;
      try {
        found = await describeIris(iris, select, Number(workbench.dataset.maxRows));
      } catch (error) {  // the answer stands without labels; say so rather than hide it
        if (mine === current) status.textContent += " (labels and places could not be looked up)";
      }
      mine.lookedUp = true;
      if (!found || mine !== current) return;
      for (const [k, v] of found.labels) ctx.labels.set(k, v);
      for (const [k, v] of found.points) ctx.points.set(k, v);
      enableViews();
      showView(view);
    }
  } catch (error) {
    if (error.name === "AbortError") return;
    status.textContent = "";
    results.replaceChildren(el("p", "The query could not be run: " + error.message, { class: "error" }));
  } finally {
    if (running === controller) {
      running = null;
      workbench.setAttribute("aria-busy", "false");
    }
  }
}

/** The code panel: the editor's query as a Python, R and curl program, each with its copy button. */
function showCode() {
  const box = $("code-snippets");
  if (!box.open) return;
  const query = editor.getValue();
  const list = $("code-list");
  list.replaceChildren();
  for (const [title, name, make] of LANGUAGES) {
    const text = make(location.origin + "/sparql", query);
    const button = el("button", "Copy", { type: "button", class: "secondary", "aria-label": "Copy the " + title + " code" });
    button.addEventListener("click", () => copy(text, title + " code", false));
    const section = el("section", null, { class: "snippet", "data-language": name });
    section.append(el("h3", title), button, el("pre", text, { class: "code", tabindex: "0" }));
    list.append(section);
  }
}

/** The example menu names the example in the editor, or none once the query is another. */
function markExample(query) {
  const menu = $("examples-menu");
  const match = [...menu.options].find((o) => o.value && exampleText(o.value) === query);
  menu.value = match ? match.value : "";
}

async function copy(text, what, show = true) {
  const out = $("copied");
  if (show) {
    out.replaceChildren(el("pre", text));
    out.hidden = false;
  }
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = what + " copied to the clipboard";
  } catch (e) {
    status.textContent = what + (show ? " shown below" : " shown in its box") + ": select it and copy";
  }
}

function loadFromAddress(push, given) {
  const params = new URLSearchParams(location.search);
  view = params.get("view") || "table";
  const query = params.get("query");
  if (query) {
    editor.setValue(query);
    run(query, { push, given });
  }
}

/** The answer the server rendered into the page for the address's query, if it did. */
function embeddedAnswer() {
  const script = document.getElementById("server-answer");
  if (!script) return null;
  try {
    return { status: 200, ...JSON.parse(script.textContent) };
  } catch (e) {
    return null;
  }
}

function exampleText(name) {
  const template = document.getElementById("example-" + name);
  return template ? template.content.textContent : null;
}

async function start() {
  let vocabulary = {};
  try {
    const response = await fetch(workbench.dataset.vocabulary);
    if (response.ok) vocabulary = await response.json();
  } catch (e) { /* completion of the vocabulary is a help, not a need */ }
  ctx.prefixes = vocabulary.prefixes || {};
  const textarea = $("query");
  editor = createEditor(textarea, { vocabulary, onRun: () => form.requestSubmit() });
  for (const hidden of document.querySelectorAll(".needs-script")) hidden.hidden = false;

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(editor.getValue());
  });
  for (const [name, button] of Object.entries(views)) button.addEventListener("click", () => showView(name));
  $("examples-menu").addEventListener("change", (event) => {
    const text = exampleText(event.target.value);
    if (text === null) return;
    editor.setValue(text);
    run(text);
  });
  for (const link of document.querySelectorAll("a.example")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const text = exampleText(link.dataset.name);
      editor.setValue(text);
      window.scrollTo(0, 0);
      run(text);
    });
  }
  $("copy-curl").addEventListener("click", () => copy(curl(location.origin + "/sparql", editor.getValue()), "curl command"));
  $("code-snippets").addEventListener("toggle", showCode);
  $("copy-link").addEventListener("click", () => copy(location.origin + shareUrl(editor.getValue(), view), "Link"));
  window.addEventListener("popstate", () => loadFromAddress(false));
  showHistory();
  enableViews();
  loadFromAddress(false, embeddedAnswer());
}

start();
