// Code that runs the editor's query against this server from Python (httpx), R (base R, no package) and the shell
// (curl). The query goes into each as a string literal of that language: JSON's string syntax is a valid string
// literal in both Python and R (\", \\, \n, \uXXXX), and the shell quotes it in single quotes.

export function shellQuote(s) { return "'" + s.replace(/'/g, "'\\''") + "'"; }

/** A Python or R string literal holding `s` exactly. */
export function stringLiteral(s) { return JSON.stringify(s); }

/** The query's form as the endpoint answers it: "graph" (CONSTRUCT, DESCRIBE), "boolean" (ASK) or "rows". */
export function queryForm(query) {
  const body = query.replace(/<[^<>\s]*>/g, " ").replace(/#[^\n]*/g, " ");  // IRIs first: one may hold a '#'

  const m = /\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b/i.exec(body);
  const word = m ? m[1].toUpperCase() : "SELECT";
  return word === "ASK" ? "boolean" : word === "SELECT" ? "rows" : "graph";
}

export function curl(endpoint, query) {
  const accept = queryForm(query) === "graph" ? "text/turtle" : "text/csv";
  return `curl -s ${shellQuote(endpoint)} --data-urlencode ${shellQuote("query=" + query)} -H ${shellQuote("Accept: " + accept)}`;
}

export function python(endpoint, query) {
  const form = queryForm(query);
  const accept = form === "graph" ? "text/turtle" : "application/sparql-results+json";
  const read = {
    rows: ["for row in response.json()[\"results\"][\"bindings\"]:",
      "    print({name: term[\"value\"] for name, term in row.items()})"],
    boolean: ["print(response.json()[\"boolean\"])"],
    graph: ["print(response.text)"],
  }[form];
  return ["import httpx", "", `query = ${stringLiteral(query)}`, "",
    `response = httpx.post(${stringLiteral(endpoint)}, data={"query": query},`,
    `                      headers={"Accept": ${stringLiteral(accept)}}, timeout=120)`,
    "response.raise_for_status()", ...read].join("\n");
}

export function r(endpoint, query) {
  const form = queryForm(query);
  const format = form === "graph" ? "ttl" : "csv";
  const read = form === "rows" ? ["results <- read.csv(url, encoding = \"UTF-8\")", "print(results)"] :
    ["writeLines(readLines(url, encoding = \"UTF-8\", warn = FALSE))"];
  return [`query <- ${stringLiteral(query)}`,
    `url <- paste0(${stringLiteral(endpoint + "?format=" + format + "&query=")}, URLencode(enc2utf8(query), reserved = TRUE))`,
    ...read].join("\n");
}

export const LANGUAGES = [["Python (httpx)", "python", python], ["R", "r", r], ["curl", "curl", curl]];
