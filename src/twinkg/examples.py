"""The example queries (`queries/*.rq`) as a build publishes them (`queries.json`), for the /query page.

Each file is titled by its `# title:` comment line and described by the other comment lines at its top.
The server shows the examples of the build it serves, so a wheel's server needs no source folder."""

from __future__ import annotations

import json
from pathlib import Path

from twinkg.errors import InputError


def read_examples(folder: Path) -> list[dict[str, str]]:
    """name, title, description and query text of each `*.rq` in the folder, by file name."""
    out: list[dict[str, str]] = []
    for path in sorted(folder.glob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read the example query: {exc}") from None
        title, description = path.stem.replace("-", " "), []
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            body = line.lstrip("#").strip()
            if body.lower().startswith("title:"):
                title = body[6:].strip()
            elif body:
                description.append(body)
        out.append({"name": path.stem, "title": title, "description": " ".join(description), "query": text})
    return out


def render_examples(folder: Path) -> bytes:
    """The build's queries.json."""
    return (json.dumps(read_examples(folder), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
