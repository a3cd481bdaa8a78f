"""Where the wall time of one `twinkg build` goes: each stage's start and end, and its thread's CPU, in the real build.

    .venv/bin/python -m bench.build_timeline --data data --out /tmp/timeline-dist

`bench/stages.py` runs the stages one after the other; the build overlaps them (the store loads in a thread
while the dumps' lines are ordered, SHACL runs in threads and the exports in a forked child while the dumps
are written), so only timestamps taken in `twinkg.build.run` itself show the critical path. Each stage
function of `twinkg.build` is wrapped to note when it started and ended (seconds since this script started)
and the CPU its own thread spent; SHACL's queries run in the validation's own pool and the exports in a
child, so their CPU shows in the totals at the end, not on their lines.
"""

from __future__ import annotations

import argparse
import functools
import resource
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

START = time.perf_counter()

import twinkg.build as build  # noqa: E402  # imported after START: the imports are part of the build's time
from twinkg.cli import settings_from  # noqa: E402

STAGES = ("load_data", "map_world", "map_data_lines", "line_dumps", "load_and_order", "check", "render_dumps", "publish")
Event = tuple[str, str, float, float, float]


def wrap(events: list[Event], name: str) -> None:
    fn: Callable[..., Any] = getattr(build, name)

    @functools.wraps(fn)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            events.append((name, threading.current_thread().name, start - START, time.perf_counter() - START,
                           time.thread_time() - cpu))

    setattr(build, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    imported = time.perf_counter() - START
    events: list[Event] = []
    for name in STAGES:
        wrap(events, name)
    result = build.Forked.result

    def waited(self: build.Forked[Any]) -> Any:
        start = time.perf_counter()
        try:
            return result(self)
        finally:
            events.append((f"{self.name} (waited for)", "MainThread", start - START, time.perf_counter() - START, 0.0))

    build.Forked.result = waited  # type: ignore[method-assign]
    build.run(settings_from(args.data, args.out))
    end = time.perf_counter() - START
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"imports: {imported:.2f} s; build.run ended at {end:.2f} s; CPU s: this process "
          f"{own.ru_utime + own.ru_stime:.2f} (all threads), the exports' child {children.ru_utime + children.ru_stime:.2f}")
    for name, thread, start, stop, cpu in sorted(events, key=lambda e: e[2]):
        print(f"{name:22s} {thread:24s} {start:6.2f} -> {stop:6.2f}  ({stop - start:5.2f} wall, {cpu:5.2f} thread CPU)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
