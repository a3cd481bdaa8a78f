"""twinkg: a linked-data knowledge graph of town twinning."""

import functools

PROJECT_URL = "https://w3id.org/twinkg/"


@functools.cache
def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("twinkg")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0"


def __getattr__(name: str) -> str:
    """`__version__` is read from the package metadata when first asked for, not on every import of twinkg:
    reading it costs about 60 ms, which each query worker of `twinkg serve` would pay at start for nothing."""
    if name == "__version__":
        return _version()
    raise AttributeError(f"module 'twinkg' has no attribute {name!r}")
