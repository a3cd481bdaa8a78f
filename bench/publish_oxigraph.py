"""`twinkg publish` of a build into a fresh `oxigraph serve`, twice: the first publish (the store holds none of the
graphs: loaded in place) and a second (staging graphs and the swap), with the wall time and the server's CPU seconds
(user + sys from /proc) of each.

    .venv/bin/python bench/publish_oxigraph.py [OUT_DIR]     # OUT_DIR: a `twinkg build`'s output folder (default dist)
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from twinkg.remote import publish_graphs


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "dist")
    root = Path(tempfile.mkdtemp(prefix="publish-bench-"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(Path(sys.executable).parent / "oxigraph"), "serve", "--location", str(root / "db"),
                             "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx.get(url + "/query?query=ASK%7B%7D", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        for what in ("first publish", "second publish"):
            wall, cpu = time.perf_counter(), cpu_seconds(proc.pid)
            last = list(publish_graphs(out_dir, url + "/store", url + "/update"))[-1]
            print(f"{what}: wall {time.perf_counter() - wall:.1f} s, server CPU {cpu_seconds(proc.pid) - cpu:.1f} s ({last})",
                  flush=True)
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
