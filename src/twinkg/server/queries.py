"""The server's own queries (pages, data documents, existence checks), run through the same policy as /sparql."""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
from starlette.requests import Request

from twinkg.lifecycle import EventTypes, read
from twinkg.server import conneg
from twinkg.server.cache import PerBuild
from twinkg.server.config import ServerConfig
from twinkg.server.protocol import prepare
from twinkg.store import Answer, Row

PAGE_ROWS = 100_000
"""The row cap of the app's own queries (pages, data documents); they bound themselves with LIMIT."""


async def run_query(config: ServerConfig, query: str, media_type: str | None = None,
                    params: list[tuple[str, str]] | None = None, accept: str | None = None,
                    max_rows: int | None = PAGE_ROWS) -> Answer:
    """Prepare and run a query (raises ProtocolError on refusal, StoreError when the store fails).

    The app's own queries are scheduled as /sparql's are: by what their client's queries have cost
    (server.fairness), so a client whose page views are slow (a search flood) is kept off the fast lane too."""
    request = await prepare(config, query, params or [], media_type, accept, max_rows=max_rows)
    return await config.store.run(request)


async def select(config: ServerConfig, query: str) -> list[Row]:
    """Run a SELECT of the app's own and give its solutions as typed rows (`Store.select`)."""
    request = await prepare(config, query, [], conneg.RESULTS, None, max_rows=PAGE_ROWS)
    return await config.store.select(request)


async def exists(config: ServerConfig, iri: str) -> bool:
    """The IRI is the subject or object of some statement."""
    answer = await run_query(config, f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}", conneg.RESULTS)
    found: Any = json.loads(answer.body).get("boolean")
    return found is True


def resource_construct(iri: str, incoming: bool = True) -> str:
    """The resource's own statements, its blank nodes and sub-resources (geometry, names, roles), the labels
    of what it links to, and, with `incoming`, the statements that point at it with their subjects' labels
    (a place's twinnings, an actor's events): follow your nose from any data document."""
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    pointing = (f"UNION {{ ?s ?pin <{iri}> FILTER(!isBlank(?s)) }} "
                f"UNION {{ ?s ?pin2 <{iri}> FILTER(!isBlank(?s)) ?s {label} ?sl }}") if incoming else ""
    return (f"CONSTRUCT {{ <{iri}> ?p ?o . ?o ?p2 ?o2 . ?o {label} ?ol . ?s ?pin <{iri}> . ?s {label} ?sl }} WHERE {{ "
            f"{{ <{iri}> ?p ?o }} "
            f"UNION {{ <{iri}> ?p0 ?o . ?o ?p2 ?o2 FILTER(isBlank(?o) || STRSTARTS(STR(?o), \"{iri}/\")) }} "
            f"UNION {{ <{iri}> ?p1 ?o . ?o {label} ?ol }} {pointing}}}")


async def event_types(config: ServerConfig) -> EventTypes:
    """The event types of the build being served, read from its ontology graph in the store (never from the
    package's ontology, which may be newer or older than the build): what each type does to a link."""
    scheme = config.iris.scheme("event-type")
    rows = await select(config, f"""SELECT ?c ?p ?o WHERE {{ ?c skos:inScheme {ox.NamedNode(scheme)} ; ?p ?o
        FILTER(?p != skos:prefLabel || LANGMATCHES(LANG(?o), "en")) }}""")
    return EventTypes(read(((r.text("c"), r.text("p"), r.text("o")) for r in rows), scheme))


class EventTypesHolder(PerBuild[EventTypes]):
    """The served build's event types, read once per build rather than by every resource page and /statistics."""

    async def build(self, config: ServerConfig) -> EventTypes:
        return await event_types(config)


async def served_event_types(request: Request) -> EventTypes:
    state = request.app.state
    return await EventTypesHolder.of(state, "event_types").get(state.config, state.cache)
