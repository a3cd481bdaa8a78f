"""An in-memory index of every name of every place, for search as you type (and for any search that must cost
the store nothing per request).

Built once per build from a few of the server's own queries (views/suggest.py loads it), then each lookup is a
scan of a list of a few tens of thousands of short normalised strings: no store work, no query text, the same
cost for every client. Names are matched without case or accents ("kyiv" finds Kyiv, "wolgograd" Wolgograd),
from the start of the name first, then from the start of a word, then anywhere; ties go to the place with more
twinnings, so that among namesakes the one a visitor most likely means comes first.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from dataclasses import dataclass

HOW = ("name", "alternative", "undetermined", "former")
"""The kinds of name, in the order a match on them is preferred (a place matched by its own name first)."""
QID = re.compile(r"^[Qq][1-9][0-9]{0,11}$")
MAX_QUERY = 100
"""Characters of a query looked at (the search form's maxlength)."""


@dataclass(frozen=True)
class PlaceFacts:
    """What a suggestion shows to tell namesakes apart."""

    iri: str
    label: str
    country: str = ""
    country_code: str = ""
    kind: str = ""
    links: int = 0
    qid: str = ""
    lang: str = ""
    """The display label's language tag (`und`: the 2016 crawl's name of undetermined language)."""


@dataclass(frozen=True)
class Name:
    """One name of a place: `how` is `name` (a label), `alternative` (skos:altLabel), `former` (a historical name,
    with its period when known) or `undetermined` (a label of undetermined language, `@und`)."""

    text: str
    how: str = "name"
    lang: str = ""
    period: str = ""


@dataclass(frozen=True)
class Suggestion:
    place: PlaceFacts
    matched: Name | None
    """The name that matched, when it is not the place's display label (None for a Q-id or the label itself)."""


def normalised(text: str) -> str:
    """Lower case, accents off, punctuation and runs of spaces as one space: how names and queries are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", bare).split())


class NameIndex:
    """Every name of every place, normalised, searchable by any part of it and by Q-id."""

    def __init__(self, places: list[PlaceFacts], names: list[tuple[int, Name]]) -> None:
        """`names`: (index into `places`, name) pairs; a place's display label need not be among them."""
        self.places = places
        order = [(-p.links, normalised(p.label), p.iri) for p in places]
        # the best-connected places' names first (among equal matches they come first), each place's own names
        # before its alternative and former ones: a scan can stop once it has enough matches at a name's start
        self._names = sorted(((normalised(n.text), i, n) for i, n in names if normalised(n.text)),
                             key=lambda t: (order[t[1]], HOW.index(t[2].how)))
        # one string of every name, each after a line break, so that str.find (in C) does the scanning
        self._text = "".join("\n" + text for text, _, _ in self._names) + "\n"
        self._starts = list(itertools.accumulate((len(text) + 1 for text, _, _ in self._names), initial=1))
        self._qids = {p.qid.upper(): i for i, p in enumerate(places) if p.qid}

    def __len__(self) -> int:
        return len(self._names)

    def suggest(self, query: str, limit: int = 10) -> list[Suggestion]:
        """The `limit` best places for what was typed: a Q-id's place, else places with a name containing it, those
        matched at the start of a name first, then at the start of a word, then anywhere."""
        q = " ".join(query.split())[:MAX_QUERY]
        if QID.match(q):
            found = self._qids.get(q.upper())
            return [Suggestion(self.places[found], None)] if found is not None else []
        key = normalised(q)
        if not key or limit < 1:
            return []
        by_rank: tuple[dict[int, Name], dict[int, Name], dict[int, Name]] = ({}, {}, {})
        at = self._text.find(key)
        while at >= 0:
            n = bisect.bisect_right(self._starts, at) - 1
            start = self._starts[n]
            rank = 0 if at == start else 1 if self._text[at - 1] == " " else 2
            _, place, name = self._names[n]
            by_rank[rank].setdefault(place, name)
            if len(by_rank[0]) >= limit:
                break
            # a later match in the same name can only be better when this one is inside a word
            at = self._text.find(key, at + 1 if rank == 2 else self._starts[n + 1])
        top: dict[int, Name] = {}
        for bucket in by_rank:
            for place, name in bucket.items():
                if len(top) < limit:
                    top.setdefault(place, name)
        out = []
        for place, name in top.items():
            facts = self.places[place]
            out.append(Suggestion(facts, None if normalised(name.text) == normalised(facts.label) else name))
        return out
