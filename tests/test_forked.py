"""A stage forked into a child process hands back its result, its errors, or a clear failure."""

from __future__ import annotations

import os
import signal
import time

import pytest

from twinkg.errors import InputError, TwinkgError
from twinkg.forked import Forked, StageFailed


def test_the_result_comes_from_another_process_with_the_parents_data() -> None:
    data = {"triples": list(range(100_000))}  # inherited by the fork, not sent
    with Forked(lambda: (os.getpid(), sum(data["triples"]), b"x" * 5_000_000), "sum") as stage:
        pid, total, blob = stage.result()
    assert pid != os.getpid()
    assert total == sum(range(100_000)) and len(blob) == 5_000_000


def test_a_twinkg_error_is_raised_in_the_parent_as_itself() -> None:
    def fail() -> None:
        raise InputError("data/places.yaml: record 3: field 'label': missing")

    with Forked(fail, "load") as stage, pytest.raises(InputError, match="record 3"):
        stage.result()


class _Unpicklable(TwinkgError):
    def __init__(self, what: str, code: int):
        super().__init__(f"{what} failed with {code}")


def test_an_error_that_does_not_pickle_keeps_its_message() -> None:
    def fail() -> None:
        raise _Unpicklable("render", 7)

    with Forked(fail, "render") as stage, pytest.raises(TwinkgError, match="render failed with 7"):
        stage.result()


def test_a_crash_is_reported_with_its_traceback() -> None:
    def crash() -> None:
        raise KeyError("place_a_id")

    with Forked(crash, "exports") as stage, pytest.raises(StageFailed) as caught:
        stage.result()
    assert "exports" in str(caught.value) and "KeyError: 'place_a_id'" in str(caught.value)


def test_a_child_that_dies_is_a_clear_failure() -> None:
    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    with Forked(die, "exports") as stage, pytest.raises(StageFailed, match="ended without an answer"):
        stage.result()


def test_leaving_the_block_ends_a_child_still_running() -> None:
    with Forked(lambda: time.sleep(60), "slow") as stage:
        process = stage.process
        assert process is not None and process.is_alive()
    assert not process.is_alive()


def test_a_child_out_of_memory_is_a_one_line_failure_naming_the_stage() -> None:
    """A MemoryError in the child (a stage too big for the machine) says so in one line, not with the child's traceback."""
    def exhaust() -> None:
        raise MemoryError

    with Forked(exhaust, "exports") as stage, pytest.raises(StageFailed) as caught:
        stage.result()
    assert str(caught.value) == "the exports stage ran out of memory"


def test_leaving_the_block_without_the_result_leaves_no_zombie() -> None:
    """A caller that fails before it asks for the result: the child that already ended is reaped too."""
    import multiprocessing.connection
    from pathlib import Path

    with Forked(lambda: 1, "quick") as stage:
        assert stage.process is not None and stage.process.pid is not None
        pid = stage.process.pid
        multiprocessing.connection.wait([stage.process.sentinel], timeout=30)  # ended, not yet reaped
    assert not Path(f"/proc/{pid}").exists()


class _TooBigToSend:
    def __reduce__(self) -> tuple[object, ...]:
        raise MemoryError


def test_a_result_too_big_to_send_is_the_same_one_line_failure(capfd: pytest.CaptureFixture[str]) -> None:
    """The child's result is pickled to be sent back: running out of memory there is the stage running out of
    memory, said once by the parent, not the child's traceback on stderr and an answer that never comes."""
    with Forked(_TooBigToSend, "exports") as stage, pytest.raises(StageFailed) as caught:
        stage.result()
    assert str(caught.value) == "the exports stage ran out of memory"
    assert "Traceback" not in capfd.readouterr().err
