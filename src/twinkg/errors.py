"""The one error hierarchy of twinkg: every expected failure is a `TwinkgError`.

Expected failures are bad input, an unusable output folder, an unreachable
endpoint, a refused query. They carry a message written for people; the CLI
catches the base class once and prints it, the web layer maps the store's and
the protocol's errors to HTTP statuses in one place (`server.errors`).
Anything else is a bug and may show a traceback.
"""

from __future__ import annotations


class TwinkgError(Exception):
    """An expected failure whose message says what to fix."""

    def details(self) -> list[str]:
        """Lines printed before the message (e.g. every problem found in a file); none by default."""
        return []


class InputError(TwinkgError):
    """A file twinkg reads (curated YAML, ontology, shapes, cache, review file) is unusable."""


class OutputError(TwinkgError):
    """The output folder cannot be written or replaced safely."""


class RemoteError(TwinkgError):
    """Another service (Wikidata, a store being published to) did not do what was asked."""


class StoreError(TwinkgError):
    """The store cannot answer; subclasses say why, and the web layer maps each to one status."""


class QueryRefused(StoreError):
    """The query is malformed or breaks the endpoint's policy (SERVICE, foreign FROM …): the client's fault."""


class NotAcceptable(StoreError):
    """The answer cannot be given in the media type asked for (e.g. a SELECT as Turtle)."""


class QueryTimeout(StoreError):
    """The query ran past its time and was stopped."""


class StoreBusy(StoreError):
    """Every worker stayed busy for the whole time allowed: try again."""


class StoreUnavailable(StoreError):
    """The store is missing, not loaded, or a remote store failed or answered badly."""


class QueryTooLarge(StoreError):
    """Evaluating the query needed more memory than a query worker may use; the worker was replaced."""
