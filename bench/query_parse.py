"""How long the query check (twinkg.query_text.analyse) takes as a query grows: is it linear and bounded?

Run: .venv/bin/python -m bench.query_parse [--sizes 1000,10000,100000,1048576]
Prints one row per size and shape: bytes, seconds, microseconds per byte, and the parse's peak memory
(tracemalloc, in a second run, up to 100 KB).
Compared in the same run against the hand-written tokenizer it replaced would be meaningless (that one was
quadratic: 48 KB took 12 s); the figure to read is µs/byte staying flat as the size grows 1000x.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

from twinkg.query_text import analyse, parser

SHAPES = {
    "triple patterns": lambda n: "SELECT * WHERE { " + "?s ?p ?o . " * (n // 11) + "}",
    "VALUES of IRIs": lambda n: "SELECT ?x WHERE { VALUES ?x { " + "<http://example.org/item/1234567> " * (n // 34)
                                + "} }",
    "a.a.a path": lambda n: "SELECT * WHERE { ?s " + "<p>/" * (n // 4) + "<p> ?o }",
    "nested groups": lambda n: "SELECT * WHERE " + "{ " * (n // 4) + "?s ?p ?o" + " }" * (n // 4),
}


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--sizes", default="1000,10000,100000,1048576")
    sizes = [int(s) for s in args.parse_args().sizes.split(",")]
    start = time.perf_counter()
    parser()
    print(f"parser load: {time.perf_counter() - start:.2f} s")
    print("| shape | bytes | seconds | µs/byte | peak MB |")
    print("|---|---|---|---|---|")
    for name, make in SHAPES.items():
        for size in sizes:
            text = make(size)
            start = time.perf_counter()
            analyse(text)
            elapsed = time.perf_counter() - start
            peak = "–"
            if size <= 100_000:  # a second run, traced: tracing slows the parse several times over
                tracemalloc.start()
                analyse(text)
                peak = f"{tracemalloc.get_traced_memory()[1] / 1e6:.0f}"
                tracemalloc.stop()
            print(f"| {name} | {len(text):,} | {elapsed:.3f} | {elapsed / len(text) * 1e6:.2f} | {peak} |", flush=True)


if __name__ == "__main__":
    main()
