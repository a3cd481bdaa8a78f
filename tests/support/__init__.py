"""What the tests share, loaded by tests/conftest.py with `pytest_plugins`.

* `builds`: the fixture datasets, settings for a build, a store of a build, `required` (a clear failure, never a skip).
* `processes`: one way to start a real process on loopback: `twinkg serve`, `oxigraph serve`, Virtuoso; /proc helpers.
* `proxies`: loopback HTTP proxies (round robin with refusals; Wikidata faults).
* `wikidata`: the Wikidata-shaped fixture built from the 2016 crawl, served by a real oxigraph.
* `browser`: Debian's headless Chromium under Playwright.
* `inprocess`: the app over a real embedded store in the test's own process (no socket).
* `fixtures`: the pytest fixtures and hooks (the plugin itself).
"""
