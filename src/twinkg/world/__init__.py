"""The world's P190 network: Wikidata's twinning statements from dated sources, merged with the curated data.

`records` holds the plain records (items, claims, the dated origins they come
from), `snapshots` reads the two offline extracts in `data/snapshots/`, and
`mapping` turns them, merged with the curated records, into the triples of the
Wikidata named graph.
"""
