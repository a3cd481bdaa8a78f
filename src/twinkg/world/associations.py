"""Associations: a large clique of P190 links is one multilateral link, not a clique of pairs.

An association of towns (Douzelage unites one small town of each EU member state) is stated in
Wikidata as P190 between every two of its members: 27 members make 351 pairwise links, which a
network analysis would take for 351 independent twinnings. A clique of at least MINIMUM places,
every pair of which is a link only Wikidata knows and no claim of which is dated, is read as one
multilateral link with all of them as partners (as the curated three-way Dull–Bland–Boring is one
link). The sources do not name the association, so twinkg does not either. In the default build
the only such clique has 27 places; the next largest has 7 (capitals of neighbouring countries),
far below MINIMUM.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

MINIMUM = 10


def cliques(pairs: Iterable[tuple[str, str]], minimum: int = MINIMUM) -> list[tuple[str, ...]]:
    """Disjoint cliques of at least `minimum` places among the pairs, largest first, each sorted."""
    graph = nx.Graph(pairs)
    core = nx.k_core(graph, minimum - 1)  # a member of such a clique has at least minimum - 1 partners in it
    found = sorted((tuple(sorted(c)) for c in nx.find_cliques(core) if len(c) >= minimum), key=lambda c: (-len(c), c))
    taken: set[str] = set()
    kept = []
    for clique in found:
        if not taken.intersection(clique):
            kept.append(clique)
            taken.update(clique)
    return kept
