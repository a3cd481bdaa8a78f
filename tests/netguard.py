"""A loopback listener that counts the connections it gets: what an outbound request would reach."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Listener:
    """Counts the connections that reach it; `settled` reads the count without guessing how long to wait."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.port: int = self.sock.getsockname()[1]
        self.connections = 0
        self._probes: set[int] = set()
        """Local ports of `settled`'s own connections, not yet accepted (they are not counted)."""
        self._accepted = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, (_, peer_port) = self.sock.accept()
            except OSError:
                continue
            with self._accepted:
                if peer_port in self._probes:
                    self._probes.discard(peer_port)
                    self._accepted.notify_all()
                else:
                    self.connections += 1
            conn.close()

    def settled(self, timeout: float = 30.0) -> int:
        """`connections` once every connection made before this call has been accepted.

        A probe connection joins the listen queue behind them (accepted in the order they arrived) and the
        count is read when the probe's turn comes: exact where a fixed sleep guessed, and a millisecond
        where the guess was 50."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
            with self._accepted:
                self._probes.add(port)
            probe.connect(("127.0.0.1", self.port))
            with self._accepted:
                if not self._accepted.wait_for(lambda: port not in self._probes, timeout):
                    raise TimeoutError(f"the listener did not accept its probe within {timeout} s")
                return self.connections

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@contextmanager
def listener() -> Iterator[Listener]:
    found = Listener()
    try:
        yield found
    finally:
        found.close()


def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
