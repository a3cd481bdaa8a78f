// The table view: rows of a result with paging, sorting by any column and a filter over every cell's text.
import { el } from "./dom.js";
import { hrefOf, numberOf, shorten, textOf } from "./terms.js";

const XSD_STRING = "http://www.w3.org/2001/XMLSchema#string";
const RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";

function cell(term, ctx) {
  const td = el("td");
  if (!term) return td;
  if (term.type === "uri") {
    const text = textOf(term, ctx.labels, ctx.prefixes);
    const href = hrefOf(term.value, ctx.base);
    td.appendChild(href ? el("a", text, { href, title: term.value }) : el("span", text, { title: term.value }));
    const short = shorten(term.value, ctx.prefixes);
    if (ctx.labels.has(term.value) && short !== text && short !== term.value) td.appendChild(el("span", " " + short, { class: "iri-short" }));
  } else if (term.type === "bnode") {
    td.textContent = "_:" + term.value;
  } else {
    td.appendChild(document.createTextNode(term.value));
    if (term["xml:lang"]) td.appendChild(el("span", " @" + term["xml:lang"], { class: "lang" }));
    else if (term.datatype && term.datatype !== XSD_STRING && term.datatype !== RDF_LANGSTRING) {
      td.appendChild(el("span", " ^^" + shorten(term.datatype, ctx.prefixes), { class: "datatype", title: term.datatype }));
    }
    if (!Number.isNaN(numberOf(term))) td.className = "num";
  }
  return td;
}

function compare(a, b, ctx) {
  if (!a || !b) return a ? -1 : b ? 1 : 0;  // unbound last
  const na = numberOf(a), nb = numberOf(b);
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return textOf(a, ctx.labels, ctx.prefixes).localeCompare(textOf(b, ctx.labels, ctx.prefixes), undefined,
    { numeric: true, sensitivity: "base" });
}

export class ResultTable {
  constructor(container, vars, rows, ctx) {
    Object.assign(this, { container, vars, rows, ctx, page: 0, pageSize: 50, sortVar: null, sortDir: 1, filter: "" });
    this.render();
  }

  /** The rows as the table shows them: filtered, then sorted. */
  visibleRows() {
    const needle = this.filter.trim().toLowerCase();
    let rows = this.rows;
    if (needle) {
      rows = rows.filter((r) => this.vars.some((v) => {
        const t = r[v];
        return t && (textOf(t, this.ctx.labels, this.ctx.prefixes).toLowerCase().includes(needle) ||
          t.value.toLowerCase().includes(needle));
      }));
    }
    if (this.sortVar !== null) {
      rows = rows.map((r, i) => [r, i]).sort((x, y) =>
        this.sortDir * compare(x[0][this.sortVar], y[0][this.sortVar], this.ctx) || x[1] - y[1]).map((x) => x[0]);
    }
    return rows;
  }

  sortBy(v) {
    this.sortDir = this.sortVar === v ? -this.sortDir : 1;
    this.sortVar = v;
    this.page = 0;
    this.render();
  }

  render() {
    const rows = this.visibleRows();
    const pages = Math.max(1, Math.ceil(rows.length / this.pageSize));
    this.page = Math.min(this.page, pages - 1);
    const start = this.page * this.pageSize;
    const shown = rows.slice(start, start + this.pageSize);

    const controls = el("div", null, { class: "table-controls" });
    const filter = el("input", null, { type: "search", placeholder: "Filter rows", "aria-label": "Filter rows",
      class: "table-filter" });
    filter.value = this.filter;
    filter.addEventListener("input", () => {
      this.filter = filter.value; this.page = 0; this.render();
      const again = this.container.querySelector(".table-filter");
      again.focus(); again.setSelectionRange(again.value.length, again.value.length);
    });
    const size = el("select", null, { "aria-label": "Rows per page", class: "page-size" });
    for (const n of [25, 50, 100, 500]) {
      const o = el("option", n + " per page", { value: String(n) });
      if (n === this.pageSize) o.selected = true;
      size.appendChild(o);
    }
    size.addEventListener("change", () => { this.pageSize = Number(size.value); this.page = 0; this.render(); });
    const prev = el("button", "‹ Previous", { type: "button", class: "secondary page-prev" });
    const next = el("button", "Next ›", { type: "button", class: "secondary page-next" });
    prev.disabled = this.page === 0;
    next.disabled = this.page >= pages - 1;
    prev.addEventListener("click", () => { this.page -= 1; this.render(); });
    next.addEventListener("click", () => { this.page += 1; this.render(); });
    const info = rows.length === 0 ? "No rows" :
      `Rows ${start + 1}–${start + shown.length} of ${rows.length}` +
      (rows.length !== this.rows.length ? ` (filtered from ${this.rows.length})` : "");
    controls.append(filter, " ", el("span", info, { class: "page-info" }), " ", prev, " ", next, " ", size);

    const table = el("table", null, { class: "results" });
    const head = el("tr");
    for (const v of this.vars) {
      const button = el("button", v, { type: "button", class: "sort", title: "Sort by " + v });
      const th = el("th", null, { scope: "col" });
      if (this.sortVar === v) th.setAttribute("aria-sort", this.sortDir > 0 ? "ascending" : "descending");
      button.addEventListener("click", () => this.sortBy(v));
      th.appendChild(button);
      head.appendChild(th);
    }
    table.appendChild(el("thead")).appendChild(head);
    const body = el("tbody");
    for (const r of shown) {
      const tr = el("tr");
      for (const v of this.vars) tr.appendChild(cell(r[v], this.ctx));
      body.appendChild(tr);
    }
    table.appendChild(body);
    this.container.replaceChildren(controls, el("div", null, { class: "table-scroll" }));
    this.container.lastChild.appendChild(table);
  }
}
