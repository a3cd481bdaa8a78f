"""twinkg: a linked-data knowledge graph of town twinning."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("twinkg")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

PROJECT_URL = "https://w3id.org/twinkg/"
