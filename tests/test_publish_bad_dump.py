"""A damaged dump given to `twinkg publish` is refused with its name, before anything is uploaded."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from twinkg.errors import TwinkgError
from twinkg.remote import split_graphs

GOOD = b'<http://x/s> <http://x/p> "o" <http://x/g> .\n'


@pytest.mark.parametrize("content, raw", [
    (GOOD + b"<http://x/s> <http://x/p> \"unterminated <http://x/g> .\n", False),  # broken N-Quads
    (b"not gzip at all", True),                                                 # not a gzip file
    (gzip.compress(GOOD * 1000, mtime=0)[:-10], True),                          # cut short
], ids=["broken-n-quads", "not-gzip", "cut-short"])  # the same ids in every xdist worker (gzip stamps the time)
def test_a_damaged_dump_is_a_clear_error(tmp_path: Path, content: bytes, raw: bool) -> None:
    dump = tmp_path / "twinkg.nq.gz"
    dump.write_bytes(content if raw else gzip.compress(content))
    out = tmp_path / "split"
    out.mkdir()
    with pytest.raises(TwinkgError) as err:
        split_graphs(dump, out)
    assert str(dump) in str(err.value) and "twinkg build" in str(err.value)


def test_a_good_dump_splits_by_graph(tmp_path: Path) -> None:
    dump = tmp_path / "twinkg.nq.gz"
    dump.write_bytes(gzip.compress(GOOD))
    out = tmp_path / "split"
    out.mkdir()
    files = split_graphs(dump, out)
    assert list(files) == ["http://x/g"]
    assert files["http://x/g"].read_text(encoding="utf-8") == '<http://x/s> <http://x/p> "o" .\n'
