"""Which dated Wikidata sources list a link, and which complete ones no longer do.

A P190 listing in a dated source is the evidence a Wikidata-only link rests on:
it says the link was listed on that day, not when it began. A source that is
complete for both partners (`World.covered`) and does not list the link says it
was not listed then; after the link's last listing, that is "no longer listed
since" the source's date (docs/data-model.md, "Time, honestly"). Nothing here says a link
ended: Wikidata may have lost a statement by an edit, a merge or a change of the
extract's scope; the status concept `no-longer-listed` says just that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from twinkg.status import Listing
from twinkg.world.records import Claim, Origin, World


@dataclass(frozen=True)
class LinkEvidence:
    """The dated sources that list a link, and the complete ones that cover its partners and do not."""

    listed_in: tuple[Origin, ...]
    """By date, oldest first."""
    not_listed_in: tuple[Origin, ...] = ()
    """By date: sources complete for every partner of the link that list none of its pairs."""

    @property
    def first_seen(self) -> Origin | None:
        return self.listed_in[0] if self.listed_in else None

    @property
    def last_seen(self) -> Origin | None:
        return self.listed_in[-1] if self.listed_in else None

    @property
    def no_longer_listed_in(self) -> Origin | None:
        """The first complete source after the last listing that does not list the link."""
        last = self.last_seen
        later = [o for o in self.not_listed_in if last is not None and o.retrieved > last.retrieved]
        return later[0] if later else None

    def listings(self) -> list[Listing]:
        """What the status rule reads (`status.evidenced`)."""
        return sorted([Listing(o.retrieved) for o in self.listed_in] + [Listing(o.retrieved, False) for o in self.not_listed_in],
                      key=lambda listing: (listing.date, listing.listed))


def _by_date(origins: Iterable[Origin]) -> tuple[Origin, ...]:
    return tuple(sorted(set(origins), key=lambda o: (o.retrieved, o.id)))


def pair_evidence(world: World, qa: str, qb: str, claims: Iterable[Claim]) -> LinkEvidence:
    """The evidence of one pair from its non-deprecated claims."""
    listed = {world.origins[c.origin] for c in claims if not c.deprecated}
    silent = [o for o in world.origins.values()
              if o not in listed and {qa, qb} <= world.covered.get(o.id, set())]
    return LinkEvidence(_by_date(listed), _by_date(silent))


def combined(evidence: Iterable[LinkEvidence]) -> LinkEvidence:
    """One link's evidence from that of its pairs (a three-way link has three): listed where any pair
    is listed, not listed where a source covers every pair and lists none."""
    parts = list(evidence)
    listed = {o for part in parts for o in part.listed_in}
    silent = set.intersection(*(set(part.not_listed_in) for part in parts)) if parts else set()
    return LinkEvidence(_by_date(listed), _by_date(silent - listed))
