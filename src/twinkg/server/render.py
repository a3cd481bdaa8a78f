"""HTML from the Jinja templates in templates/ (autoescaped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from twinkg import __version__

HERE = Path(__file__).parent
env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                         trim_blocks=True, lstrip_blocks=True)


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    html = env.get_template(template).render(version=__version__, base=request.app.state.config.base,
                                             request_path=request.url.path, **context)
    return HTMLResponse(html, status_code=status)
