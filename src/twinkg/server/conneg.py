"""Content negotiation: which media type answers a request, from Accept or a `format` parameter.

Accept headers are parsed by python-mimeparse (lists, q-values, wildcards,
parameters). Offers are listed in increasing preference, so on a tie (`*/*`)
the last one wins: SPARQL JSON for results, Turtle for graphs.
"""

from __future__ import annotations

import mimeparse

RESULTS = "application/sparql-results+json"
RESULT_OFFERS = (  # (offered media range, what is served)
    ("application/xml", "application/sparql-results+xml"),
    ("text/xml", "application/sparql-results+xml"),
    ("application/json", RESULTS),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv", "text/csv"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    (RESULTS, RESULTS),
)
GRAPH_OFFERS = (
    ("application/xml", "application/rdf+xml"),
    ("application/json", "application/ld+json"),
    ("application/x-turtle", "text/turtle"),
    ("text/plain", "application/n-triples"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/ld+json", "application/ld+json"),
    ("application/n-triples", "application/n-triples"),
    ("text/turtle", "text/turtle"),
)
FORMAT_NAMES = {
    "json": RESULTS, "srj": RESULTS, "xml": "application/sparql-results+xml", "srx": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values",
    "ttl": "text/turtle", "turtle": "text/turtle", "nt": "application/n-triples", "ntriples": "application/n-triples",
    "n-triples": "application/n-triples", "jsonld": "application/ld+json", "json-ld": "application/ld+json",
    "rdf": "application/rdf+xml", "rdfxml": "application/rdf+xml", "rdf+xml": "application/rdf+xml",
    "html": "text/html",
}


def _best(offers: tuple[tuple[str, str], ...], accept: str, unreadable: str | None) -> str | None:
    try:
        match = mimeparse.best_match([offered for offered, _ in offers], accept)
    except (ValueError, IndexError):
        return unreadable
    return dict(offers).get(match) if match else None


def choose(offers: tuple[tuple[str, str], ...], accept: str | None, fmt: str | None = None) -> str | None:
    """The media type to serve, or None when nothing acceptable can be (406).

    `fmt` (a short name like `json`, `ttl`, or a media type) overrides Accept."""
    if fmt:
        wanted = FORMAT_NAMES.get(fmt.lower(), fmt.lower())
        served = {served for _, served in offers}
        if wanted in served:
            return wanted
        return _best(offers, wanted, None) if "/" in wanted else None  # unknown or unreadable: 406, not a default
    if not accept or not accept.strip():
        return offers[-1][1]
    return _best(offers, accept, offers[-1][1])  # an unreadable Accept header is treated as absent


def prefers_html(accept: str | None, than: tuple[tuple[str, str], ...]) -> bool:
    """True when the client names text/html explicitly and likes it at least as much as any data offer."""
    if not accept or "html" not in accept:
        return False
    try:
        html = mimeparse.quality("text/html", accept)
        best = max(mimeparse.quality(offered, accept) for offered, _ in than)
    except (ValueError, IndexError):
        return False
    return bool(html > 0 and html >= best)
