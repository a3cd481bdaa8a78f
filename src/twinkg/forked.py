"""A build stage run in a forked child, so that two stages written in Python use both cores.

The build's stages after mapping (SHACL, the RDF dumps, the research exports) only
read the mapped graphs. In one process they take turns on the interpreter lock;
a forked child starts with the graphs already in memory (shared copy-on-write, no
pickling of half a million triples) and hands back only its result, the bytes of
its files. Where fork is not available (Windows), or unsafe (macOS), the stage
runs in this process when its result is asked for: slower, the same bytes.

A child dies with its parent: killed with SIGKILL, the build cannot end its
children, and a child that holds the read end of its own pipe (inherited
through the fork) would block for ever writing its result to a pipe nobody
reads. So the child closes the read end at once, and asks the kernel to kill
it when the parent dies (`die_with_parent`, Linux's PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Generic, TypeVar, cast

from twinkg.errors import TwinkgError

T = TypeVar("T")

_CAN_FORK = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """In a child process: have the kernel SIGKILL it when its parent dies (Linux; elsewhere nothing).

    If the parent died before the request took effect, the child's parent is already another process:
    it leaves at once."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:
            os._exit(1)


class StageFailed(TwinkgError):
    """The forked stage raised, or its process ended without an answer."""


def _child(parent: int, receive: multiprocessing.connection.Connection, send: multiprocessing.connection.Connection,
           fn: Callable[[], T]) -> None:
    die_with_parent(parent)
    receive.close()  # only the parent reads: with its end closed here, a dead parent is a broken pipe
    try:
        outcome: tuple[str, object] = ("ok", fn())
    except TwinkgError as exc:
        outcome = ("error", exc if _round_trips(exc) else StageFailed(str(exc)))
    except MemoryError:  # the parent says so in one line: the child's traceback would say nothing more
        outcome = ("memory", None)
    except BaseException:  # noqa: BLE001  # the parent reports it; the child must not die silently
        outcome = ("crash", traceback.format_exc())
    try:
        send.send(outcome)  # pickled whole before a byte is written: a failure here sends the failure instead
    except MemoryError:
        send.send(("memory", None))
    except Exception:  # noqa: BLE001  # a result that does not pickle: a bug of the stage, reported as one
        send.send(("crash", traceback.format_exc()))
    send.close()


def _round_trips(exc: Exception) -> bool:
    """Whether the parent can rebuild the error (one with its own __init__ arguments may not unpickle)."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001  # any failure means: send its message instead
        return False
    return True


class Forked(Generic[T]):
    """`fn()` computed in a forked child; `result()` waits for it. Leaving the `with` block ends the child."""

    def __init__(self, fn: Callable[[], T], name: str):
        self.fn = fn
        self.name = name
        self.process: multiprocessing.process.BaseProcess | None = None
        self.receive: multiprocessing.connection.Connection | None = None
        if _CAN_FORK:
            context = multiprocessing.get_context("fork")
            self.receive, send = context.Pipe(duplex=False)
            self.process = context.Process(target=_child, args=(os.getpid(), self.receive, send, fn),
                                           name=f"twinkg {name}", daemon=True)
            self.process.start()
            send.close()

    def result(self) -> T:
        if self.process is None or self.receive is None:
            return self.fn()
        try:
            kind, value = self.receive.recv()
        except EOFError:
            self.process.join()
            raise StageFailed(f"the {self.name} stage's process ended without an answer "
                              f"(exit code {self.process.exitcode}; out of memory?)") from None
        self.process.join()
        if kind == "ok":
            return cast(T, value)
        if kind == "error":
            assert isinstance(value, TwinkgError)
            raise value
        if kind == "memory":
            raise StageFailed(f"the {self.name} stage ran out of memory")
        raise StageFailed(f"the {self.name} stage failed:\n{value}")

    def __enter__(self) -> Forked[T]:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.kill()
            self.process.join()
        if self.receive is not None:
            self.receive.close()
