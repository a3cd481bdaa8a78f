"""Where things are on this server: graph IRIs to local paths and back."""

from __future__ import annotations

from urllib.parse import quote

UNSAFE_IN_IRI = '<>"{}|^`\\ \n\r\t'
"""Characters that may not appear in an IRI written into a query: a path holding one is not in the graph."""


def iri_for_path(base: str, path: str) -> str:
    return base + path.lstrip("/")


def safe_local(path: str) -> bool:
    """The path can name a graph IRI: no character an IRI may not hold, no control character, no U+FFFD
    (what an undecodable byte of the URL became)."""
    return bool(path) and not any(c in UNSAFE_IN_IRI or c < " " or "\x7f" <= c <= "\x9f" or c == "\ufffd"
                                  for c in path)


def page_href(base: str, iri: str) -> str | None:
    """Where a graph IRI is served on this server (None for IRIs outside the base)."""
    if iri.startswith(base):
        local = iri[len(base):]
        if local.startswith(("id/", "vocab/")):
            return "/page/" + quote(local, safe="/:@-._~!$&'()*+,;=")
        if local.startswith("ontology"):
            return "/ontology" + ("#" + local.split("#", 1)[1] if "#" in local else "")
        if local == "dataset" or local.startswith("graph/"):
            return "/dataset"
        if local.startswith("dumps/"):
            return "/" + local
    if iri.startswith("https://w3id.org/twinkg/ontology"):
        return "/ontology" + ("#" + iri.split("#", 1)[1] if "#" in iri else "")
    return None
