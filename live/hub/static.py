"""Serving the overlay pages (the top-level `overlays/` folder) to OBS and the consoles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.staticfiles import StaticFiles

import live


def overlays_dir(configured: Path | None = None) -> Path:
    """SIEULIVE_OVERLAYS_DIR (given), else `overlays/` beside the package (a checkout, editable
    install), else in the working directory (the Docker image copies it to /app/overlays)."""
    if configured:
        return configured
    beside = Path(live.__file__).resolve().parent.parent / "overlays"
    return beside if beside.is_dir() else Path.cwd() / "overlays"


class OverlayFiles(StaticFiles):
    """Static files that OBS must not keep stale: its browser cache outlives deploys."""

    access = "public"  # the pages hold no secret; the overlay token in the URL is the key

    async def get_response(self, path: str, scope: Any) -> Any:
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "no-cache"
        return response
