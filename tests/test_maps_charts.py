"""Pictures, offline: the base map, place and network maps, and the statistics charts.

Built over a copy of the curated data with the coordinates Wikidata's 2026 city extract gives
its places (tests/geo_support.py). In process, the HTML is checked against counts computed here
from the graph; in Chromium, the same pages are screenshotted into tests/artifacts/ and the drawn
markers and bars are counted in the rendered page, with every request kept on this server.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
from geo_support import data_with_coordinates
from playwright.sync_api import expect
from starlette.testclient import TestClient
from support.browser import ARTIFACTS, chromium
from support.builds import settings_for, solutions, store_of
from support.processes import Server, start_twinkg

from twinkg.build import Built, run
from twinkg.config import Settings
from twinkg.graphs import quads
from twinkg.server.app import create_app
from twinkg.server.config import ServerConfig
from twinkg.server.maps import basemap, network_svg, point
from twinkg.store.memory import MemoryStore
from twinkg.vocab import Iris

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PREFIX = "PREFIX tw: <https://w3id.org/twinkg/ontology#> PREFIX owl: <http://www.w3.org/2002/07/owl#> "
COVENTRY = "https://w3id.org/twinkg/id/place/coventry"


@pytest.fixture(scope="module")
def geo_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Built]:
    root = tmp_path_factory.mktemp("geo")
    assert len(data_with_coordinates(root / "data")) > 20
    settings = settings_for(root / "data", root / "dist")
    return settings, run(settings)


@pytest.fixture(scope="module")
def graph(geo_build: tuple[Settings, Built]) -> ox.Store:
    settings, built = geo_build
    return store_of(built, settings)


@pytest.fixture(scope="module")
def client(geo_build: tuple[Settings, Built]) -> Iterator[TestClient]:
    settings, built = geo_build
    config = ServerConfig(store=MemoryStore(quads(built.graphs, Iris())), settings=settings, out_dir=settings.out_dir)
    with TestClient(create_app(config)) as c:
        yield c


def coordinates(graph: ox.Store) -> dict[str, tuple[float, float]]:
    rows = graph.query(PREFIX + """SELECT ?p ?wkt WHERE { ?t a tw:Twinning ; tw:partner ?p .
        ?p owl:sameAs/<http://www.wikidata.org/prop/direct/P625> ?wkt }""", use_default_graph_as_union=True)
    return {r["p"].value: pt for r in rows if (pt := point(r["wkt"].value))}


def expected_place_markers(graph: ox.Store, place: str) -> int:
    coords = coordinates(graph)
    rows = graph.query(PREFIX + f"SELECT DISTINCT ?x WHERE {{ ?t tw:partner <{place}>, ?x FILTER(?x != <{place}>) }}",
                       use_default_graph_as_union=True)
    return 1 + sum(r["x"].value in coords for r in rows)


def expected_bars(graph: ox.Store) -> dict[str, int]:
    """The bars each chart must draw, counted here from the graph without the server's code."""
    rows = list(solutions(graph.query(PREFIX + "SELECT ?t ?se ?sl WHERE { ?t a tw:Twinning ; tw:startEarliest ?se ; tw:startLatest ?sl }",
                                      use_default_graph_as_union=True)))
    decades = {r["se"].value[:3] for r in rows if r["se"].value[:3] == r["sl"].value[:3]}
    endings = graph.query(PREFIX + """SELECT DISTINCT ?e ?k ?lo ?hi WHERE { VALUES ?k { tw:Suspension tw:Termination }
        ?e a ?k ; tw:earliest ?lo ; tw:latest ?hi }""", use_default_graph_as_union=True)
    per_year = {(r["k"].value, r["lo"].value[:4]) for r in endings if r["lo"].value[:4] == r["hi"].value[:4]}
    countries = graph.query(PREFIX + """SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?t a tw:Twinning ; tw:partner ?p .
        ?p tw:country/<http://www.w3.org/2004/02/skos/core#notation> ?c }""", use_default_graph_as_union=True)
    partners = graph.query(PREFIX + "SELECT DISTINCT ?a ?b WHERE { ?t tw:partner ?a, ?b FILTER(?a != ?b) }",
                           use_default_graph_as_union=True)
    degree = Counter(r["a"].value for r in partners)
    bins = {d if d < 5 else (5 if d < 10 else 10 if d < 20 else 20 if d < 50 else 50 if d < 100 else 100) for d in degree.values()}
    starts = graph.query(PREFIX + """SELECT ?t (BOUND(?se) AS ?lo) (BOUND(?sl) AS ?hi) WHERE { ?t a tw:Twinning .
        OPTIONAL { ?t tw:startEarliest ?se } OPTIONAL { ?t tw:startLatest ?sl } }""", use_default_graph_as_union=True)
    sides = Counter((r["lo"].value == "true") + (r["hi"].value == "true") for r in starts)
    return {"decades": len(decades), "endings": len(per_year), "countries": min(20, int(next(iter(solutions(countries)))["n"].value)),
            "degrees": len(bins), "dates": sum(1 for n in sides.values() if n)}


def test_the_base_map_is_vendored_with_its_licence() -> None:
    data = basemap()
    assert data["width"] == 3600 and data["land"].startswith("M") and data["borders"].startswith("M")
    assert "public domain" in data["licence"]
    licence = (Path(__file__).parents[1] / "src" / "twinkg" / "server" / "basemap.LICENSE").read_text()
    assert "Natural Earth" in licence and "public domain" in licence and "Permission to use" in licence
    assert (Path(__file__).parents[1] / "scripts" / "vendor_basemap.py").is_file()


def test_place_map_has_coastlines_and_a_marker_per_located_partner(client: TestClient, graph: ox.Store) -> None:
    html = client.get("/page/id/place/coventry").text
    svg = re.search(r'<svg class="map".*?</svg>', html, re.S).group(0)
    assert '<image class="basemap" href="/map/basemap.svg"' in svg and "<path" not in svg  # coastlines by reference
    base = client.get("/map/basemap.svg")
    assert base.status_code == 200 and base.headers["content-type"] == "image/svg+xml" and base.headers["etag"]
    ns = {"svg": "http://www.w3.org/2000/svg"}
    paths = ElementTree.fromstring(base.content).findall("svg:path", ns)
    assert [p.get("class") for p in paths] == ["land", "border"] and paths[0].get("d", "").startswith("M")
    assert svg.count('class="marker') == expected_place_markers(graph, COVENTRY) > 3


def test_network_map_shows_every_located_place(client: TestClient, graph: ox.Store) -> None:
    """The home page refers to the map; the map, a document of its own, has a dot per located place."""
    home = client.get("/")
    section = re.search(r'<section id="network-map">.*?</section>', home.text, re.S).group(0)
    assert '<img class="map" src="/network.svg"' in section and "<circle" not in home.text
    r = client.get("/network.svg")
    assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml"
    assert "max-age" in r.headers["cache-control"] and r.headers["etag"]
    assert client.get("/network.svg", headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    svg = ElementTree.fromstring(r.content)  # well-formed XML: an <img> shows nothing otherwise
    ns = {"svg": "http://www.w3.org/2000/svg"}
    dots = svg.findall("svg:g[@class='markers']/svg:a/svg:circle", ns)
    assert len(dots) == len(coordinates(graph)) > 20 and all(d.find("svg:title", ns) is not None for d in dots)
    links = [a.get("href", "") for a in svg.findall("svg:g[@class='markers']/svg:a", ns)]
    assert all(h.startswith("/page/id/place/") for h in links)  # each dot opens its place
    assert svg.find("svg:g/svg:path[@class='land']", ns) is not None
    assert svg.find("svg:path[@class='links']", ns).get("d", "").count("M") > 20


def test_the_network_map_stays_well_formed_whatever_the_labels() -> None:
    hostile = "<script>alert(1)</script> & \x01\x1f\ufffe]]>"
    svg = network_svg([(hostile, "/page/id/place/x", (10.0, 50.0)), ("Plain", "javascript:alert(1)", (-70.0, -30.0))],
                      [((10.0, 50.0), (-70.0, -30.0))])
    root = ElementTree.fromstring(svg)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    titles = [t.text for t in root.findall("svg:g//svg:circle/svg:title", ns)]
    assert titles == ["<script>alert(1)</script> & ]]>", "Plain"] and root.find(".//svg:script", ns) is None
    assert [a.get("href") for a in root.findall(".//svg:a", ns)] == ["/page/id/place/x"]  # never a javascript: link
    assert root.find("svg:path[@class='links']", ns).get("d") == "M506.7 106.7L293.3 320"


def test_statistics_page_draws_the_expected_bars(client: TestClient, graph: ox.Store) -> None:
    html = client.get("/statistics").text
    drawn = {m.group(1): m.group(2).count('class="bar') for m in re.finditer(r'<svg class="chart" id="svg-([a-z]+)".*?>(.*?)</svg>', html, re.S)}
    expected = expected_bars(graph)
    assert {k: drawn.get(k) for k in expected} == expected
    assert drawn["pairs"] > 0


def test_statistics_charts_say_what_they_count(client: TestClient, graph: ox.Store) -> None:
    """Axis titles, round ticks on the value axes, each bar's value beside it, countries by name, and the share of
    the links the per-decade chart rests on."""
    html = client.get("/statistics").text
    charts = {m.group(1): m.group(2) for m in re.finditer(r'<svg class="chart" id="svg-([a-z]+)".*?>(.*?)</svg>', html, re.S)}
    for name, body in charts.items():
        assert body.count('class="axis-title"') == 2, name
        assert body.count('class="value"') == body.count('class="bar') > 0, name
    for name in ("decades", "endings"):
        ticks = [int(t.replace(",", "")) for t in re.findall(r'text-anchor="end" class="tick">([\d,]+)</text>', charts[name])]
        values = [int(v.replace(",", "")) for v in re.findall(r'class="value">([\d,]+)</text>', charts[name])]
        assert ticks[0] == 0 and ticks == sorted(set(ticks)) and ticks[-1] >= max(values), name
        assert len(ticks) >= min(4, max(values) + 1), name  # every integer up to a small top, else 4 or more
    labels = re.findall(r'text-anchor="end">([^<]+)</text>', charts["countries"])
    assert "United Kingdom" in labels and not [c for c in labels if re.fullmatch(r"[A-Z]{2}", c)]
    assert all(re.fullmatch(r"[^A-Z]*[A-Z][a-z].*–.*", p) for p in re.findall(r'text-anchor="end">([^<]+)</text>', charts["pairs"]))
    links = graph.query(PREFIX + """SELECT ?t ?se ?sl WHERE { ?t a tw:Twinning OPTIONAL { ?t tw:startEarliest ?se }
        OPTIONAL { ?t tw:startLatest ?sl } }""", use_default_graph_as_union=True)
    starts = [(r["se"], r["sl"]) for r in links]
    in_a_decade = sum(1 for lo, hi in starts if lo and hi and lo.value[:3] == hi.value[:3])
    assert f"Based on {in_a_decade:,} of {len(starts):,} links: those whose start bounds fall within one decade" in html


def test_pages_say_as_of_when_a_status_holds(client: TestClient) -> None:
    html = client.get("/page/id/twinning/coventry--volgograd").text
    assert re.search(r"suspended</span>\s*<span class=\"as-of\"[^>]*>as of \d{4}", html)


@pytest.fixture(scope="module")
def geo_server(geo_build: tuple[Settings, Built], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    settings, _ = geo_build
    server = start_twinkg(settings.out_dir, settings.data_dir, tmp_path_factory.mktemp("geo-serve"))
    yield server
    server.stop()


def test_screenshots_count_markers_and_bars(geo_server: Server, graph: ox.Store) -> None:
    outside: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(geo_server.url) else None)
        drawn: list[tuple[str, int]] = []
        page.on("response", lambda r: drawn.append((r.url, r.status)) if r.url.endswith(".svg") else None)
        page.goto(geo_server.url + "/page/id/place/coventry")
        page.locator("svg.map").scroll_into_view_if_needed()
        page.locator("svg.map").screenshot(path=str(ARTIFACTS / "map-place-coventry.png"))
        assert page.locator("svg.map circle.marker").count() == expected_place_markers(graph, COVENTRY)
        assert page.locator("svg.map image.basemap").bounding_box()["width"] > 100
        assert (geo_server.url + "/map/basemap.svg", 200) in drawn

        page.goto(geo_server.url + "/")
        inline = page.locator("#network-map svg.map.network")  # the page's script draws /network.svg inline
        expect(inline.locator("circle.marker")).to_have_count(len(coordinates(graph)))
        inline.screenshot(path=str(ARTIFACTS / "map-network.png"))
        assert inline.bounding_box()["width"] == 960
        page.goto(geo_server.url + "/network.svg")
        assert page.locator("g.markers circle").count() == len(coordinates(graph))
        assert page.locator("path.land").bounding_box()["width"] > 500

        page.goto(geo_server.url + "/statistics")
        page.screenshot(path=str(ARTIFACTS / "statistics.png"), full_page=True)
        for chart, bars in expected_bars(graph).items():
            located = page.locator(f"#svg-{chart} rect.bar")
            assert located.count() == bars, chart
            assert all(located.nth(i).bounding_box()["height"] > 0 for i in range(bars))
    assert outside == []
    for name in ("map-place-coventry.png", "map-network.png", "statistics.png"):
        assert (ARTIFACTS / name).stat().st_size > 10_000
