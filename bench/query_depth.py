"""How deep a query may nest before the engine (pyoxigraph) fails: the figures behind query_text.MAX_DEPTH.

    .venv/bin/python bench/query_depth.py [SHAPE ...]

For each shape, bisects the nesting (or chain length) at which a fresh process evaluating the query on an
empty store dies (a stack overflow kills it) or takes over --seconds; prints the last depth that passed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

SHAPES = {
    "groups": lambda n: "SELECT * WHERE " + "{" * n + "}" * n,
    "subselects": lambda n: "SELECT * WHERE " + "{ SELECT * WHERE " * n + "{}" + "}" * n,
    "parentheses": lambda n: "SELECT * WHERE { FILTER(" + "(" * n + "1" + ")" * n + ") }",
    "unions": lambda n: "SELECT * WHERE { " + " UNION ".join(["{?s ?p ?o}"] * n) + " }",
    "additions": lambda n: "SELECT * WHERE { FILTER(" + "+".join(["1"] * n) + ") }",
    "binds": lambda n: "SELECT * WHERE { " + " ".join(f"BIND(1 AS ?v{i})" for i in range(n)) + " }",
    "minus": lambda n: "SELECT * WHERE { ?s ?p ?o " + " MINUS {?s ?p ?o}" * n + " }",
    "exists": lambda n: "SELECT * WHERE { " + "FILTER EXISTS {" * n + "}" * n + " }",
    "functions": lambda n: "SELECT * WHERE { FILTER(" + "STR(" * n + "1" + ")" * n + ") }",
}
_RUN = "import sys, pyoxigraph as ox; list(ox.Store().query(sys.stdin.read())); print('ok')"


def survives(query: str, seconds: float) -> bool:
    try:
        done = subprocess.run([sys.executable, "-c", _RUN], input=query, capture_output=True, text=True,
                              timeout=seconds)
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0 or "Error" in done.stderr  # a refusal is an answer; only a death is not


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("shapes", nargs="*", default=list(SHAPES))
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    for name in args.shapes:
        low, high = 100, 20_000
        while high - low > low // 10:
            mid = (low + high) // 2
            low, high = (mid, high) if survives(SHAPES[name](mid), args.seconds) else (low, mid)
        print(f"{name}: passes at {low}, fails (dies or over {args.seconds:g} s) at {high}", flush=True)


if __name__ == "__main__":
    main()
