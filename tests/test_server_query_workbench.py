"""The query workbench in headless Chromium (Debian's): editor with located errors and completion, examples,
sorting, downloads, shared addresses, map and chart views, the row cap and timeout in words, the page without
JavaScript. Every page must come with the server's strict Content-Security-Policy (no inline script, no <style>, no eval),
and every request the browser makes is recorded: none may leave the server."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from support.browser import ARTIFACTS
from support.builds import PROJECT_ROOT
from support.processes import Server, mini_server, start_twinkg

from twinkg.config import Settings

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
MAX_ROWS = 40
DONE = re.compile(r"( in \d+ ms|, answered with the page)$")

mini = mini_server("workbench-mini")


@pytest.fixture(scope="module")
def curated(curated_dist: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`twinkg serve` over the real curated data, with a small row cap to run into."""
    srv = start_twinkg(curated_dist.out_dir, PROJECT_ROOT / "data", tmp_path_factory.mktemp("workbench"),
                       "--max-rows", str(MAX_ROWS), "--quiet")
    yield srv
    srv.stop()


class Session:
    """A browser context whose every request is recorded; every page must come with the server's strict CSP."""

    def __init__(self, browser: Any, server: Server, javascript: bool = True) -> None:
        self.server = server
        self.javascript = javascript
        self.requests: list[str] = []
        self.problems: list[str] = []
        self.context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True,
                                           java_script_enabled=javascript)
        self.posted: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.context.on("request", lambda r: self.posted.append(r.post_data or "") if r.method == "POST" else None)
        self.context.route("**/*", self._with_csp)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.problems.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))

    def _with_csp(self, route: Any) -> None:
        if not route.request.url.startswith(self.server.url):
            route.abort()  # recorded by the request listener, and never sent
            return
        response = route.fetch()
        if response.headers.get("content-type", "").startswith("text/html"):
            sent = response.headers.get("content-security-policy", "")
            if not set(CSP.split("; ")) <= set(sent.split("; ")):
                self.problems.append(f"{route.request.url} is served without the strict CSP: {sent!r}")
        route.fulfill(response=response)

    def open(self, path: str) -> Any:
        self.page.goto(self.server.url + path)
        if self.javascript and path.startswith("/query"):
            self.page.wait_for_selector("#workbench .cm-editor")
        return self.page

    def close(self) -> None:
        # A request still in flight when the test ends (a download, a history fetch) would otherwise be fulfilled
        # after its response was disposed, and fail the test at teardown.
        self.context.unroute_all(behavior="wait")
        self.context.close()
        outside = [u for u in self.requests if not u.startswith(self.server.url + "/")]
        assert outside == [], f"requests left the server: {outside}"
        blocked = [p for p in self.problems if "Content Security Policy" in p or "Refused" in p]
        assert blocked == [], f"the page breaks its Content-Security-Policy: {blocked}"
        # The browser logs the endpoint's own refusals (400, 503) that the tests ask for; nothing else may go wrong.
        assert [p for p in self.problems if not p.startswith("Failed to load resource")] == [], self.problems


@pytest.fixture
def on_curated(browser: Any, curated: Server) -> Iterator[Session]:
    s = Session(browser, curated)
    yield s
    s.close()


@pytest.fixture
def on_mini(browser: Any, mini: Server) -> Iterator[Session]:
    s = Session(browser, mini)
    yield s
    s.close()


def type_query(page: Any, text: str) -> None:
    """Replace the editor's text as a person would: select all, delete, then type (inserted, so that the editor's
    bracket closing does not double what the text already closes)."""
    page.locator("#workbench .cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Backspace")
    page.keyboard.insert_text(text)


def run_and_wait(page: Any) -> None:
    page.locator("#run").click()
    wait_done(page)


def wait_done(page: Any) -> None:
    """Until the answer is shown and the labels and places of its IRIs are looked up."""
    expect(page.locator("#status")).to_contain_text(DONE, timeout=15_000)
    expect(page.locator("#workbench")).to_have_attribute("aria-busy", "false", timeout=15_000)


def table_rows(page: Any) -> list[list[str]]:
    page.wait_for_selector("#results table.results")
    rows: list[list[str]] = page.eval_on_selector_all("#results table.results tbody tr",
                                                      "trs => trs.map(tr => [...tr.cells].map(td => td.innerText.trim()))")
    return rows


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def test_a_typo_is_located_in_the_editor(on_curated: Session) -> None:
    page = on_curated.open("/query")
    type_query(page, "SELECT ?place ?label WHERE {\n  ?place a tw:Place ;\n    rdfs:label ?label .\n"
                     "  FILTR (lang(?label) = \"en\")\n}")
    page.locator("#run").click()
    error = page.locator("#results .error")
    assert "Syntax error at line 4" in error.inner_text(timeout=10_000)
    marked = page.locator("#workbench .cm-lintRange-error")
    assert marked.count() == 1
    line = marked.evaluate("m => m.closest('.cm-line').textContent")
    assert "FILTR" in line
    page.screenshot(path=str(ARTIFACTS / "workbench-1-error.png"))


def test_completion_offers_the_ontology_terms(on_curated: Session) -> None:
    page = on_curated.open("/query")
    type_query(page, "SELECT * WHERE { ?p a ")
    page.keyboard.type("tw:Pla")
    selected = page.locator(".cm-tooltip-autocomplete li[aria-selected=true]")
    selected.wait_for(timeout=5000)
    assert selected.inner_text().startswith("tw:Place")
    assert page.locator(".cm-tooltip-autocomplete li", has_text="tw:placeType").count() == 1
    page.wait_for_timeout(300)  # CodeMirror ignores Enter for 75 ms after the list opens (against typing through it)
    page.keyboard.press("Enter")
    assert "?p a tw:Place" in page.locator("#query").input_value()
    type_query(page, "SELECT * WHERE { ?s ")
    page.keyboard.type("sko")
    page.locator(".cm-tooltip-autocomplete li", has_text="skos:").first.wait_for(timeout=5000)
    type_query(page, "SELECT ?t WHERE { ?t tw:status ")
    page.keyboard.type("<suspe")
    selected.wait_for(timeout=5000)
    assert selected.inner_text().startswith("<https://w3id.org/twinkg/vocab/status/suspended>")
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    assert page.locator("#query").input_value().endswith("tw:status <https://w3id.org/twinkg/vocab/status/suspended>")


def test_example_sort_and_download(on_curated: Session) -> None:
    page = on_curated.open("/query")
    example = page.locator("#examples-menu option", has_text="Coventry")
    page.locator("#examples-menu").select_option(example.get_attribute("value"))
    wait_done(page)
    rows = table_rows(page)
    assert len(rows) >= 5
    query = page.locator("#query").input_value()
    assert query.startswith("# title: Coventry")
    headers = page.locator("#results th button.sort").all_inner_texts()
    column = headers.index("partnerName")

    page.locator("#results th button.sort").nth(column).click()
    ascending = [r[column] for r in table_rows(page)]
    assert ascending == sorted(ascending, key=str.casefold) and ascending != [r[column] for r in rows]
    page.locator("#results th button.sort").nth(column).click()
    assert [r[column] for r in table_rows(page)] == ascending[::-1]
    page.screenshot(path=str(ARTIFACTS / "workbench-2-example-sorted.png"), full_page=True)

    with page.expect_download() as download:
        page.locator("#downloads a[data-format=csv]").click()
    downloaded = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == "twinkg-result.csv"
    direct = httpx.get(on_curated.server.url + "/sparql", params={"query": query, "format": "csv"})
    assert direct.status_code == 200 and downloaded == direct.content
    assert len(list(csv.reader(io.StringIO(downloaded.decode())))) == len(rows) + 1


def test_a_shared_address_reruns_the_query_in_its_view(on_curated: Session, browser: Any) -> None:
    page = on_curated.open("/query")
    type_query(page, "SELECT ?country (COUNT(?place) AS ?places) WHERE {\n  ?place a tw:Place ; tw:country ?country\n}"
                     " GROUP BY ?country ORDER BY ?country")
    run_and_wait(page)
    rows = table_rows(page)
    assert rows
    page.locator("#view-chart").click()
    bars = page.locator("svg.chart rect.bar")
    assert bars.count() == len(rows)
    assert page.locator("svg.chart text.axis-title").all_text_contents() == ["country", "places"]
    ticks = [int(t.replace(",", "")) for t in page.locator("svg.chart text.tick").all_text_contents()]
    assert len(ticks) >= 3 and ticks == sorted(ticks) and ticks[0] == 0
    shared = page.url
    params = parse_qs(urlsplit(shared).query)
    assert params["view"] == ["chart"] and "COUNT(?place)" in params["query"][0]

    other = Session(browser, on_curated.server)
    try:
        again = other.open(urlsplit(shared).path + "?" + urlsplit(shared).query)
        wait_done(again)
        assert again.locator("svg.chart rect.bar").count() == len(rows)
        assert again.locator("#view-chart").get_attribute("aria-pressed") == "true"
        # the server ran the query to render the page, and the page's script showed that answer: not run twice
        assert "answered with the page" in again.locator("#status").inner_text()
        assert urlencode({"query": params["query"][0]}) not in other.posted
        again.locator("#view-table").click()
        assert table_rows(again) == rows
        assert again.locator("#query").input_value() == params["query"][0]
        again.screenshot(path=str(ARTIFACTS / "workbench-3-shared.png"), full_page=True)
    finally:
        other.close()


def test_labels_links_and_literals(on_mini: Session) -> None:
    page = on_mini.open("/query")
    type_query(page, "SELECT ?place ?name ?founded WHERE { ?place a tw:Place ; rdfs:label ?name .\n"
                     "  FILTER(?place = <https://w3id.org/twinkg/id/place/alpha-town>)\n"
                     "  BIND(\"1900\"^^xsd:gYear AS ?founded) BIND(IRI(\"javascript:alert(1)\") AS ?bad) }")
    run_and_wait(page)
    link = page.locator("#results tbody tr").first.locator("td").first.locator("a")
    expect(link).to_have_text("Alpha Town")
    assert link.get_attribute("href") == "/page/id/place/alpha-town"
    cells = page.locator("#results tbody td").all_inner_texts()
    assert any(c.endswith("@de") for c in cells) and any("^^xsd:gYear" in c for c in cells)
    type_query(page, "SELECT ?bad WHERE { BIND(IRI(\"javascript:alert(1)\") AS ?bad) }")
    run_and_wait(page)
    assert page.locator("#results tbody td").first.inner_text() == "javascript:alert(1)"
    assert page.locator("#results tbody a").count() == 0


def test_map_view_of_coordinates_and_of_places(on_mini: Session) -> None:
    page = on_mini.open("/query")
    type_query(page, "SELECT ?name ?lat ?lon WHERE { VALUES (?name ?lat ?lon) {\n"
                     "  (\"Coventry\" 52.41 -1.51) (\"Volgograd\" 48.71 44.51) (\"Dresden\" 51.05 13.74) } }")
    run_and_wait(page)
    page.locator("#view-map").click()
    assert page.locator("svg.result-map circle").count() == 3
    assert page.locator("svg.result-map text", has_text="Volgograd").count() == 1

    type_query(page, "SELECT ?from ?to WHERE { VALUES (?from ?to) {\n  (\"POINT(-1.51 52.41)\"^^geo:wktLiteral "
                     "\"POINT(44.51 48.71)\"^^geo:wktLiteral) } }")
    run_and_wait(page)
    page.locator("#view-map").click()
    assert page.locator("svg.result-map circle").count() == 2
    assert page.locator("svg.result-map line.link").count() == 1

    type_query(page, "SELECT ?place ?partner WHERE { ?t tw:partner ?place, ?partner FILTER(?place != ?partner) }")
    run_and_wait(page)
    expect(page.locator("#view-map")).to_be_enabled(timeout=10_000)
    page.locator("#view-map").click()
    marks = page.locator("svg.result-map a[href='/page/id/place/alpha-town'] circle")
    assert marks.count() == 1  # the one place of the fixture with coordinates, looked up and linked
    page.screenshot(path=str(ARTIFACTS / "workbench-4-map.png"), full_page=True)

    type_query(page, "SELECT ?label WHERE { ?place rdfs:label ?label } LIMIT 3")
    run_and_wait(page)
    assert page.locator("#view-map").is_disabled() and page.locator("#view-chart").is_disabled()


def test_row_cap_and_timeout_are_said_in_words(on_curated: Session) -> None:
    page = on_curated.open("/query")
    type_query(page, "SELECT * WHERE { ?s ?p ?o }")
    run_and_wait(page)
    assert f"Only the first {MAX_ROWS} rows are shown" in page.locator("#notice").inner_text()
    # Over the small ontology graph: runs for hours in little memory, so it meets the time limit, not the
    # memory ceiling (over every graph, a cross product's join tables passed 1 GiB first).
    type_query(page, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/twinkg/graph/ontology> "
                     "{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } }")
    page.locator("#run").click()
    error = page.locator("#results .error")
    limit = page.locator("#workbench").get_attribute("data-timeout")
    assert f"ran past the server's time limit of {limit} s" in error.inner_text(timeout=30_000)


def test_construct_downloads_and_history_and_curl(on_mini: Session) -> None:
    page = on_mini.open("/query")
    type_query(page, "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p a tw:Place ; rdfs:label ?l }")
    run_and_wait(page)
    rows = table_rows(page)
    assert rows and all("rdfs:label" in r[1] for r in rows)
    formats = page.locator("#downloads a").evaluate_all("as => as.map(a => a.dataset.format)")
    assert formats == ["ttl", "jsonld", "nt"]
    with page.expect_download() as download:
        page.locator("#downloads a[data-format=jsonld]").click()
    assert Path(download.value.path()).read_bytes().lstrip().startswith((b"[", b"{"))

    type_query(page, "ASK { ?p a tw:Place }")
    run_and_wait(page)
    assert page.locator("#results .boolean").inner_text() == "Answer: yes"
    page.locator("#view-response").click()
    assert '"boolean"' in page.locator("#results pre.response").inner_text()
    page.locator("#history summary").click()
    assert page.locator("#history-list li").count() == 2

    page.locator("#copy-curl").click()
    command = page.locator("#copied pre").inner_text()
    assert command.startswith("curl -s '" + on_mini.server.url + "/sparql' --data-urlencode 'query=ASK")
    curl = shutil.which("curl")
    if curl:
        out = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30, check=False)
        assert out.stdout.strip() == "true"


def test_without_javascript_the_form_renders_on_the_server(browser: Any, mini: Server) -> None:
    s = Session(browser, mini, javascript=False)
    try:
        page = s.open("/query")
        assert page.locator(".cm-editor").count() == 0 and page.locator("#examples-menu").is_hidden()
        page.locator("#query").fill("SELECT ?label WHERE { ?p a tw:Place ; rdfs:label ?label FILTER(lang(?label) = 'en') }")
        page.locator("#run").click()
        page.wait_for_url("**/query?query=*")
        assert "Alpha Town" in page.locator("#results table.results").inner_text()
        page.locator("a.example", has_text="historical names").click()
        assert "Old Alpha" in page.locator("#results table.results").inner_text()
    finally:
        s.close()


def test_vocabulary_lists_prefixes_and_ontology_terms(curated: Server) -> None:
    data = httpx.get(curated.url + "/query/vocabulary.json").json()
    assert data["prefixes"]["tw"] == "https://w3id.org/twinkg/ontology#"
    names = {t["name"]: t for t in data["terms"]}
    assert names["tw:Place"]["kind"] == "class" and names["tw:partner"]["kind"] == "property"
    assert names["tw:Twinning"]["label"] and all(n.startswith("tw:") for n in names)
    concepts = {c["iri"]: c for c in data["concepts"]}
    assert concepts["https://w3id.org/twinkg/vocab/status/suspended"]["scheme"] == "status"
    base = httpx.get(curated.url + "/query/basemap.json").json()
    assert base["units_per_degree"] > 0 and base["land"].startswith("M") and base["borders"]


def test_vendored_editor_is_listed_and_self_contained() -> None:
    vendor = PROJECT_ROOT / "src" / "twinkg" / "server" / "static" / "vendor"
    bundle = (vendor / "editor.js").read_text(encoding="utf-8")
    listed = (vendor / "VENDORED.md").read_text(encoding="utf-8")
    lock = json.loads((PROJECT_ROOT / "web" / "package-lock.json").read_text())["packages"]
    for name in ("@codemirror/view", "@codemirror/state", "codemirror-lang-sparql"):
        assert f"| {name} | {lock['node_modules/' + name]['version']} | MIT |" in listed
    assert f"`editor.js` ({len(bundle.encode())} bytes)" in listed
    assert "eval(" not in bundle and "new Function" not in bundle and "fetch(" not in bundle
    assert (vendor / "LICENSES.txt").read_text().count("MIT") >= listed.count("| MIT |")



def test_server_rendered_table_links_only_http_iris(mini: Server) -> None:
    """Without JavaScript the server renders the table: an IRI of another scheme from a query is text, not a link."""
    for query in ('SELECT ?x WHERE { BIND(IRI("javascript:alert(1)") AS ?x) }',
                  'CONSTRUCT { ?x <http://example.org/p> "o" } WHERE { BIND(IRI("javascript:alert(1)") AS ?x) }'):
        page = httpx.get(mini.url + "/query", params={"query": query}).text
        table = page[page.index('<table class="results"'):]
        assert "javascript:alert(1)" in table and 'href="javascript:' not in table

    hostile = "</script><!--<script>x"
    page = httpx.get(mini.url + "/query", params={"query": f'SELECT ?x WHERE {{ BIND("{hostile}" AS ?x) }}'}).text
    embedded = page[page.index('id="server-answer">') + 19:]
    embedded = embedded[:embedded.index("</script>")]
    assert "<" not in embedded and json.loads(json.loads(embedded)["text"])["results"]["bindings"][0]["x"]["value"] == hostile


COVENTRY = "https://w3id.org/twinkg/id/place/coventry"
PARTNERS_WITH_COORDINATES = (f"SELECT ?partner ?wkt WHERE {{ ?t a tw:Twinning ; tw:partner <{COVENTRY}>, ?partner\n"
                             f"  FILTER(?partner != <{COVENTRY}>) ?partner geo:hasGeometry/geo:asWKT ?wkt }}")


def located_partners(server: Server) -> set[str]:
    """Coventry's partners with coordinates, asked of the endpoint (at least three in the curated data)."""
    found = httpx.post(server.url + "/sparql", data={"query": PARTNERS_WITH_COORDINATES},
                       headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    assert len({b["partner"]["value"] for b in found}) >= 3
    return {b["partner"]["value"] for b in found}


def test_map_of_a_place_and_its_partners(on_curated: Session) -> None:
    """On the real data: Coventry and its partners, placed from their coordinates and joined pair by pair."""
    query = (f"SELECT ?place ?partner WHERE {{ BIND(<{COVENTRY}> AS ?place)\n"
             f"  ?t a tw:Twinning ; tw:partner ?place, ?partner FILTER(?partner != ?place) }}")
    located = located_partners(on_curated.server)
    page = on_curated.open("/query")
    type_query(page, query)
    run_and_wait(page)
    page.locator("#view-map").click()
    assert page.locator("svg.result-map circle").count() == len(located) + 1
    assert page.locator("svg.result-map line.link").count() == len(located)
    assert page.locator("svg.result-map a[href='/page/id/place/coventry']").count() == 1
    expect(page.locator("svg.result-map g.base path.land")).to_have_count(1)  # the offline Natural Earth base map
    partners = httpx.post(on_curated.server.url + "/sparql", data={"query": query.replace("SELECT", "SELECT DISTINCT")},
                          headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    unlocated = len({b["partner"]["value"] for b in partners} - located)
    assert unlocated > 0
    expect(page.locator("#results p.legend")).to_contain_text(
        f"{unlocated} IRI{'' if unlocated == 1 else 's'} of the result without known coordinates not drawn")
    page.screenshot(path=str(ARTIFACTS / "workbench-5-map-coventry.png"), full_page=True)


def test_the_map_of_coventrys_partners_with_coordinates_shows_each_partner_once(on_curated: Session) -> None:
    """A row that carries a partner's IRI and its coordinates names one place: one dot per partner (not one for the
    IRI and one for the point), and no line of no length between the two."""
    query = PARTNERS_WITH_COORDINATES
    located = located_partners(on_curated.server)
    page = on_curated.open("/query")
    type_query(page, query)
    run_and_wait(page)
    page.locator("#view-map").click()
    dots = page.locator("svg.result-map circle")
    expect(dots).to_have_count(len(located))
    expect(page.locator("svg.result-map g.base path.land")).to_have_count(1)  # no request left when the test ends
    for partner in located:
        href = "/page/" + partner.split("/twinkg/", 1)[1]
        assert page.locator(f"svg.result-map a[href='{href}'] circle").count() == 1, href
    flat = page.eval_on_selector_all("svg.result-map line.link", """ls => ls.filter(l =>
        l.getAttribute('x1') === l.getAttribute('x2') && l.getAttribute('y1') === l.getAttribute('y2')).length""")
    assert flat == 0
    page.screenshot(path=str(ARTIFACTS / "workbench-6-map-once.png"), full_page=True)
    whole = page.locator("svg.result-map").get_attribute("viewBox") or ""
    page.get_by_role("button", name="Zoom in").click()  # the result's map zooms as the server's maps do
    expect(page.locator("svg.result-map")).not_to_have_attribute("viewBox", whole)


def test_a_view_the_result_cannot_show_says_why(on_mini: Session) -> None:
    query = "SELECT ?label WHERE { ?place rdfs:label ?label } LIMIT 3"
    page = on_mini.open("/query?" + urlencode({"query": query, "view": "map"}))
    wait_done(page)
    why = page.locator("#view-why")
    expect(why).to_contain_text("The map view cannot show this result: no column holds coordinates")
    expect(why).to_contain_text("is a place with known coordinates")  # said after the look-up, not before it
    assert table_rows(page)
    page = on_mini.open("/query?" + urlencode({"query": query, "view": "graph"}))
    wait_done(page)
    expect(page.locator("#view-why")).to_contain_text("a graph needs two columns whose values are all IRIs")
    type_query(page, "SELECT ?a ?b WHERE { ?t tw:partner ?a, ?b FILTER(?a != ?b) }")
    run_and_wait(page)
    expect(page.locator("#view-why")).to_have_text("")
    expect(page.locator("svg.graph-chart")).to_be_visible()


def test_the_example_menu_shows_the_loaded_example(on_curated: Session) -> None:
    page = on_curated.open("/query")
    menu = page.locator("#examples-menu")
    name = menu.locator("option", has_text="Coventry").get_attribute("value")
    menu.select_option(name)
    wait_done(page)
    expect(menu).to_have_value(name)
    query = page.locator("#query").input_value()
    type_query(page, "SELECT ?s WHERE { ?s a tw:Place } LIMIT 1")
    run_and_wait(page)
    expect(menu).to_have_value("")
    again = on_curated.open("/query?" + urlencode({"query": query}))
    wait_done(again)
    expect(again.locator("#examples-menu")).to_have_value(name)


def test_timeline_and_graph_views(on_curated: Session) -> None:
    page = on_curated.open("/query")
    page.locator("#examples-menu").select_option(
        page.locator("#examples-menu option", has_text="Coventry").get_attribute("value"))
    wait_done(page)
    rows = table_rows(page)
    headers = page.locator("#results th button.sort").all_inner_texts()
    dated = [r for r in rows if r[headers.index("earliest")] or r[headers.index("latest")]]
    assert dated
    page.locator("#view-timeline").click()
    timeline = page.locator("svg.timeline-chart")
    expect(timeline).to_be_visible()
    drawn = sum(bool(r[headers.index("earliest")]) + bool(r[headers.index("latest")]) for r in dated)
    expect(timeline.locator("circle.dot")).to_have_count(drawn + 2)  # and the two of the legend
    assert timeline.locator("text.axis-title").text_content() == "year"
    assert timeline.locator("text.tick").count() >= 4
    expect(page.locator("#results p.legend")).to_contain_text(f"{len(dated)} rows with a date")

    type_query(page, "SELECT ?place ?partner WHERE { BIND(<https://w3id.org/twinkg/id/place/coventry> AS ?place)\n"
                     "  ?t a tw:Twinning ; tw:partner ?place, ?partner FILTER(?partner != ?place) }")
    run_and_wait(page)
    partners = {r[1] for r in table_rows(page)}
    page.locator("#view-graph").click()
    graph = page.locator("svg.graph-chart")
    expect(graph.locator("g.node")).to_have_count(len(partners) + 1)
    expect(graph.locator("line.edge")).to_have_count(len(partners))
    assert graph.locator("a[href='/page/id/place/coventry'] circle").count() == 1
    page.screenshot(path=str(ARTIFACTS / "workbench-7-graph.png"), full_page=True)


def test_code_snippets_run_the_query(on_mini: Session) -> None:
    """The Python and curl snippets, copied from the page, give the query's answer, whatever quotes, backslashes
    or non-ASCII letters the query holds."""
    tricky = "it's \"quoted\" \\ back ñ 東京"
    page = on_mini.open("/query")
    type_query(page, f"SELECT ?x WHERE {{ BIND({json.dumps(tricky, ensure_ascii=False)} AS ?x) }}")
    run_and_wait(page)
    page.locator("#code-snippets summary").click()
    expect(page.locator("#code-list section.snippet")).to_have_count(3)
    code = {s.get_attribute("data-language"): s.locator("pre").inner_text()
            for s in page.locator("#code-list section.snippet").all()}
    assert set(code) == {"python", "r", "curl"}
    import sys

    out = subprocess.run([sys.executable, "-c", code["python"]], capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == repr({"x": tricky})
    out = subprocess.run(["bash", "-c", code["curl"]], capture_output=True, text=True, timeout=60, check=False)
    assert out.stdout.splitlines()[1] == '"it\'s ""quoted"" \\ back ñ 東京"'
    assert f"query <- {json.dumps(page.locator('#query').input_value(), ensure_ascii=False)}" in code["r"]
