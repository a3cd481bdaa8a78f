// Query page: run the query with fetch against /sparql and show the answer as a table.
// Without JavaScript the form submits to /query, which renders the same table on the server.
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var textarea = document.getElementById("query");
  var status = document.getElementById("status");
  var results = document.getElementById("results");

  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }

  function cell(term) {
    var td = el("td");
    if (!term) return td;
    if (term.type === "uri") {
      var local = term.value.indexOf(BASE) === 0 ? term.value.slice(BASE.length) : null;
      var a = el("a", term.value, { href: local && /^(id|vocab)\//.test(local) ? "/page/" + local : term.value });
      td.appendChild(a);
    } else {
      td.textContent = term.value;
      if (term["xml:lang"]) td.appendChild(el("span", " @" + term["xml:lang"], { "class": "lang" }));
    }
    return td;
  }

  function show(data, response) {
    results.innerHTML = "";
    if (data.boolean !== undefined) {
      results.appendChild(el("p", "Answer: " + (data.boolean ? "yes" : "no"), { "class": "boolean" }));
      return;
    }
    var vars = data.head.vars || [];
    var rows = data.results.bindings;
    var truncated = response.headers.get("X-SPARQL-Truncated") === "true";
    results.appendChild(el("p", rows.length + (rows.length === 1 ? " row" : " rows") +
      (truncated ? " (cut at " + response.headers.get("X-SPARQL-Max-Rows") + ")" : "")));
    var table = el("table", null, { "class": "results" });
    var head = el("tr");
    vars.forEach(function (v) { head.appendChild(el("th", v)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = el("tbody");
    rows.forEach(function (b) {
      var tr = el("tr");
      vars.forEach(function (v) { tr.appendChild(cell(b[v])); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    results.appendChild(table);
  }

  var BASE = document.documentElement.getAttribute("data-base") || "";

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    status.textContent = "running…";
    var started = performance.now();
    fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json" },
      body: "query=" + encodeURIComponent(textarea.value)
    }).then(function (response) {
      if (!response.ok) {
        return response.text().then(function (text) { throw new Error(response.status + ": " + text); });
      }
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("json") < 0) {  // CONSTRUCT or DESCRIBE: show the RDF as text
        return response.text().then(function (text) {
          results.innerHTML = ""; results.appendChild(el("pre", text));
        });
      }
      return response.json().then(function (data) { show(data, response); });
    }).then(function () {
      status.textContent = "done in " + Math.round(performance.now() - started) + " ms";
    }).catch(function (error) {
      status.textContent = "";
      results.innerHTML = "";
      results.appendChild(el("p", error.message, { "class": "error" }));
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("a.example"), function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var template = document.getElementById("example-" + link.getAttribute("data-name"));
      textarea.value = template.innerHTML.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'");
      textarea.focus();
      window.scrollTo(0, 0);
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    });
  });
})();
