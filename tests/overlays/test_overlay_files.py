"""Static checks on overlays/: nothing fetched from the internet, nothing newer than the
Chromium 127 inside OBS 31/32 (the test browser is newer and would not notice), the vendored
QR encoder kept with its licence and provenance."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OVERLAYS = ROOT / "overlays"

# Web features that shipped after Chromium 127 (version in brackets), so OBS 31/32 lack them.
TOO_NEW = {
    "Promise.try": 128,
    "Intl.DurationFormat": 129,
    "RegExp.escape": 136,
    "Error.isError": 134,
    "Float16Array": 135,
    "Uint8Array.fromBase64": 140,
    ".toBase64(": 140,
    "Math.sumPrecise": 999,
    "Atomics.pause": 133,
    "Iterator.concat": 999,
    "interpolate-size": 129,
    "calc-size(": 129,
    "::details-content": 131,
    "text-box-trim": 133,
    "sibling-index(": 138,
    "reading-flow": 137,
    "corner-shape": 139,
    "@function": 139,
    "zoom:": 128,  # exists earlier, but its meaning was standardised (changed) in 128
}


def _code(path: Path) -> str:
    """The file without comments, so prose about a feature doesn't count as using it."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    if path.suffix == ".js":
        text = re.sub(r"(?m)^\s*//.*$", "", text)
    return text


def own_files() -> list[Path]:
    return sorted(p for p in OVERLAYS.glob("*") if p.suffix in {".js", ".css", ".html"})


def test_no_feature_newer_than_chromium_127() -> None:
    found = []
    for path in [*own_files(), OVERLAYS / "vendor" / "qrcode.js"]:
        code = _code(path)
        found += [
            f"{path.name}: {name} (Chromium {v})" for name, v in TOO_NEW.items() if name in code
        ]
    assert found == []


def test_nothing_is_fetched_from_elsewhere() -> None:
    for path in own_files():
        code = _code(path)
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", code), path.name
        assert "@import" not in code, path.name
        assert not re.search(r"url\(\s*[\"']?(https?:)?//", code), path.name


def test_overlay_page_loads_only_files_that_exist() -> None:
    html = (OVERLAYS / "overlay.html").read_text(encoding="utf-8")
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs, "the page loads its scripts and styles"
    for ref in refs:
        assert (OVERLAYS / ref).is_file(), ref


def test_vendored_qr_encoder_keeps_its_licence_and_provenance() -> None:
    vendored = (OVERLAYS / "vendor" / "qrcode.js").read_text(encoding="utf-8")
    assert "Copyright (c) 2009 Kazuhiko Arase" in vendored
    assert "Licensed under the MIT license" in vendored
    licence = (OVERLAYS / "vendor" / "LICENSE-qrcode-generator").read_text(encoding="utf-8")
    assert "MIT" in licence and "Kazuhiko Arase" in licence
    readme = (OVERLAYS / "vendor" / "README.md").read_text(encoding="utf-8")
    assert "qrcode-generator" in readme and "2.0.4" in readme
