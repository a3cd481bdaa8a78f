"""Processes that evaluate queries cannot reach any network.

The endpoint refuses `SERVICE` before evaluation, but pyoxigraph would make
the HTTP call itself if a query ever got past that check. So each query worker
first moves into a network namespace of its own: it has only a loopback
interface, and that one is down, so every connection (to another host, to
loopback, to the server's own port) fails alike with "Network is unreachable",
and no error can tell an open port from a closed one.

As root (or with CAP_SYS_ADMIN) `unshare(CLONE_NEWNET)` does it; an
unprivileged process first enters a user namespace of its own, where the
kernel allows that (most Linux distributions do). Where neither is allowed
(no Linux, a container that forbids namespaces) the worker runs as before and
says so on stderr: the parse-based refusal of `SERVICE` is then the only guard,
and the deployment should block outbound traffic itself (docs/serving.md).
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


def _unshare(flags: int) -> int:
    """unshare(2): 0, or the errno."""
    libc = ctypes.CDLL(None, use_errno=True)
    if not hasattr(libc, "unshare"):
        return 38  # ENOSYS
    return 0 if libc.unshare(flags) == 0 else ctypes.get_errno()


def _map_ids(uid: int, gid: int) -> None:
    """Inside a new user namespace: keep our own uid and gid, so our files stay ours."""
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"{gid} {gid} 1")


def isolate_network(unshare: Callable[[int], int] | None = None) -> str | None:
    """Cut this process (single-threaded, before it opens anything) off every network.

    Returns None when done, else why it could not be done."""
    unshare = unshare or _unshare
    error = unshare(CLONE_NEWNET)
    if error == 0:
        return None
    uid, gid = os.getuid(), os.getgid()
    second = unshare(CLONE_NEWUSER | CLONE_NEWNET)
    if second == 0:
        try:
            _map_ids(uid, gid)
        except OSError:
            pass  # the network is cut all the same; unmapped ids only show as "nobody" inside
        return None
    return f"network namespace: {os.strerror(error)}; user namespace: {os.strerror(second)}"


def isolate_or_warn(who: str, unshare: Callable[[int], int] | None = None) -> bool:
    """Isolate this process; on failure say so on stderr and go on. True when isolated."""
    why = isolate_network(unshare)
    if why is not None:
        print(f"twinkg: warning: {who} can open network connections ({why}); only the SERVICE refusal "
              "stands between a query and the network", file=sys.stderr, flush=True)
    return why is None
