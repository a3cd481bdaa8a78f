"""/network.svg draws the links across the antimeridian (split at ±180°) and says how many it could not draw;
/statistics counts links by their evidenced status."""

from __future__ import annotations

import re

from twinkg.server.maps import NETWORK_WIDTH, network_svg, split_at_antimeridian

TOKYO, SAN_FRANCISCO = (139.69, 35.69), (-122.42, 37.77)


def test_a_trans_pacific_link_is_split_at_the_antimeridian() -> None:
    (a, edge), (other_edge, b) = split_at_antimeridian(TOKYO, SAN_FRANCISCO)
    assert (a, b) == (TOKYO, SAN_FRANCISCO)
    assert edge[0] == 180.0 and other_edge[0] == -180.0 and edge[1] == other_edge[1]
    assert TOKYO[1] < edge[1] < SAN_FRANCISCO[1]
    assert split_at_antimeridian((2.35, 48.86), (13.4, 52.52)) == [((2.35, 48.86), (13.4, 52.52))]


def test_network_map_draws_trans_pacific_links_and_counts_the_undrawn() -> None:
    svg = network_svg([("Tokyo", "/t", TOKYO), ("San Francisco", "/s", SAN_FRANCISCO)], [(TOKYO, SAN_FRANCISCO)],
                      undrawn=3)
    path = re.search(r'<path class="links" d="([^"]*)"', svg).group(1)  # type: ignore[union-attr]
    moves = re.findall(r"M([\d.]+) [\d.]+L([\d.]+) [\d.]+", path)
    assert len(moves) == 2
    assert {float(moves[0][1]), float(moves[1][0])} == {float(NETWORK_WIDTH), 0.0}  # each half meets an edge
    assert "3 link(s) not drawn" in svg


def test_statistics_count_links_by_their_evidenced_status() -> None:
    from twinkg.lifecycle import EventTypes
    from twinkg.server.statistics import figures

    def link(tid: str, status: str) -> dict[str, str]:
        return {"twinning_id": tid, "status": status, "place_a_country": "", "place_b_country": "",
                "start_earliest": "", "start_latest": ""}

    rows = [link("a", "active"), link("b", "no-longer-listed"), link("c", "unknown"), link("c", "unknown")]
    assert dict(figures(rows, [], [], EventTypes(()))["statuses"]) == {"active": 1, "no-longer-listed": 1, "unknown": 1}
