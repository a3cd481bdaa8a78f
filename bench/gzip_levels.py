"""The gzip compressors on PyPI that write standard gzip, level by level, on a build's two line dumps.

    .venv/bin/python -m bench.gzip_levels dist [--repeat 3]

For the standard library's zlib, zlib-ng (package zlib-ng) and ISA-L (package
isal): CPU seconds to compress the N-Triples and N-Quads dumps (best of
`--repeat`, one core) and the bytes written, as one Markdown table row each.
The build's choice (twinkg.publish) is the fastest whose files are no larger
than the standard library's level 6, what the build wrote before.
"""

from __future__ import annotations

import argparse
import gzip
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from isal import isal_zlib
from zlib_ng import zlib_ng

COMPRESSORS: dict[str, tuple[Callable[[bytes, int], bytes], range]] = {
    "zlib (stdlib)": (lambda data, level: zlib.compress(data, level, wbits=31), range(1, 10)),
    "zlib-ng": (lambda data, level: zlib_ng.compress(data, level, wbits=31), range(1, 10)),
    "isal": (lambda data, level: isal_zlib.compress(data, level, wbits=31), range(0, 4)),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dist", type=Path, help="a build's output folder")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    dumps = [gzip.decompress((args.dist / name).read_bytes()) for name in ("twinkg.nt.gz", "twinkg.nq.gz")]
    print(f"input: {sum(map(len, dumps)):,} bytes (N-Triples and N-Quads)\n")
    print("| compressor | level | CPU s | bytes |\n|---|---|---|---|")
    for name, (compress, levels) in COMPRESSORS.items():
        for level in levels:
            best, size = float("inf"), 0
            for _ in range(args.repeat):
                start = time.process_time()
                size = sum(len(compress(data, level)) for data in dumps)
                best = min(best, time.process_time() - start)
            print(f"| {name} | {level} | {best:.3f} | {size:,} |", flush=True)


if __name__ == "__main__":
    main()
