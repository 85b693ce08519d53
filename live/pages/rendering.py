"""Jinja2 templates and the static files they link to.

No build step and no CDN: the CSS and JS are plain files next to the templates, linked with a
content hash (`?v=`) so a deploy never leaves a browser on yesterday's script.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response

from live.errors import NotFound
from live.i18n import LANGUAGES, MESSAGES, Translator

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}

environment = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@cache
def static_version(name: str) -> str:
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    return f"/static/{name}?v={static_version(name)}"


def url_with(request: Request, **changes: str | None) -> str:
    """This page's address with some query parameters changed (None drops one)."""
    params = {k: v for k, v in request.query_params.items() if k != "token"}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return request.url.path + (f"?{urlencode(params)}" if params else "")


def render(
    request: Request, template: str, t: Translator, status: int = 200, **context: Any
) -> Response:
    context.setdefault("principal", None)
    html = environment.get_template(template).render(
        t=t,
        request=request,
        languages=LANGUAGES,
        language_names={lang: MESSAGES[lang]["language_name"] for lang in LANGUAGES},
        static_url=static_url,
        url_with=lambda **changes: url_with(request, **changes),
        **context,
    )
    return HTMLResponse(html, status_code=status)


def static_file(name: str, folder: str = "") -> Response:
    """One of the files in static/ (or its `folder`), by plain name: nothing outside the
    folder is reachable."""
    path = STATIC_DIR / folder / name
    if "/" in name or name.startswith(".") or path.suffix not in STATIC_TYPES or not path.is_file():
        raise NotFound("file", name)
    return FileResponse(
        path,
        media_type=STATIC_TYPES[path.suffix],
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
