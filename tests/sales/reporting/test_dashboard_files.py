"""Static checks on the dashboards' files: Chromium 127 (OBS's CEF is the oldest browser the
fair's machines run), nothing from a CDN, and the vendored chart library as it came from npm."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from tests.overlays.test_overlay_files import TOO_NEW, _code

STATIC = Path(__file__).resolve().parents[3] / "live" / "pages" / "static"
TEMPLATES = STATIC.parent / "templates"
OWN = [STATIC / "sales.js", STATIC / "sales.css"]
VENDORED = STATIC / "vendor" / "chart.umd.js"


def test_nothing_newer_than_chromium_127() -> None:
    found = [
        f"{path.name}: {name} (Chromium {version})"
        for path in [*OWN, VENDORED]
        for name, version in TOO_NEW.items()
        if name in _code(path)
    ]
    assert found == []


def test_nothing_is_fetched_from_elsewhere() -> None:
    for path in [*OWN, TEMPLATES / "sales.html", TEMPLATES / "supplier_sales.html"]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text), path.name
        assert not re.search(r"url\(\s*[\"']?(https?:)?//", text), path.name


def test_the_chart_library_is_the_npm_file_with_its_licence() -> None:
    readme = (STATIC / "vendor" / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(VENDORED.read_bytes()).hexdigest()
    assert f"`{digest}`" in readme
    assert "Chart.js v4.6.1" in VENDORED.read_text(encoding="utf-8")[:200]
    assert "| 4.6.1 |" in readme
    licence = (STATIC / "vendor" / "LICENSE-chart.js.md").read_text(encoding="utf-8")
    assert "The MIT License (MIT)" in licence and "Chart.js Contributors" in licence
