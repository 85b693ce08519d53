"""Serving the overlay pages (the top-level `overlays/` folder) to OBS and the consoles."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from starlette.staticfiles import StaticFiles

import live


def overlays_dir() -> Path:
    """SIEULIVE_OVERLAYS_DIR, else `overlays/` beside the package (a checkout, editable
    install), else in the working directory (the Docker image copies it to /app/overlays)."""
    configured = os.environ.get("SIEULIVE_OVERLAYS_DIR")
    if configured:
        return Path(configured)
    beside = Path(live.__file__).resolve().parent.parent / "overlays"
    return beside if beside.is_dir() else Path.cwd() / "overlays"


class OverlayFiles(StaticFiles):
    """Static files that OBS must not keep stale: its browser cache outlives deploys."""

    access = "public"  # the pages hold no secret; the overlay token in the URL is the key

    async def get_response(self, path: str, scope: Any) -> Any:
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "no-cache"
        return response
