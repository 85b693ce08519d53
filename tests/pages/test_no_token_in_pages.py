"""No page carries an API token: every page each role can open, opened as a browser opens it
(a link with `?token=`, traded for the HttpOnly cookie), holds no token in its HTML, and its
scripts send none (they ride the cookie, with the page's CSRF token for writes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from live.api.cookies import csrf_token
from tests.pages.scene import Scene

ROOT = Path(__file__).resolve().parents[2]


def pages(scene: Scene, supplier_id: str) -> dict[str, list[str]]:
    everyone = ["/", "/campaigns", f"/campaigns/{scene.campaign_id}/calendar"]
    return {
        "producer": [
            *everyone,
            f"/sessions/{scene.coffee}/producer",
            f"/sessions/{scene.coffee}/creator",
            f"/campaigns/{scene.campaign_id}/sales",
            f"/campaigns/{scene.campaign_id}/retail",
        ],
        "creator": [*everyone, f"/sessions/{scene.west}/creator"],
        "retailer": [*everyone, f"/campaigns/{scene.campaign_id}/retail"],
        "supplier": [*everyone, f"/suppliers/{supplier_id}/sales"],
    }


@pytest.mark.parametrize("role", ["producer", "creator", "retailer", "supplier"])
def test_no_page_carries_a_token(
    client: TestClient, scene: Scene, tokens: dict[str, str], role: str
) -> None:
    token = tokens[role]
    for path in pages(scene, tokens["supplier_id"])[role]:
        client.cookies.clear()
        page = client.get(f"{path}?token={token}")
        assert page.status_code == 200, (path, page.text[:300])
        assert token not in page.text, path
        assert token[:10] not in page.text, path  # not even its visible prefix
        assert "api_token" not in page.text, path
        if "csrf_token" in page.text:
            assert csrf_token(token) in page.text, path


def test_no_script_sends_a_bearer_token() -> None:
    scripts = [*(ROOT / "live/pages/static").glob("*.js"), *(ROOT / "overlays").glob("*.js")]
    assert len(scripts) >= 8
    for script in scripts:
        text = script.read_text()
        assert "api_token" not in text, script.name
        assert "Bearer" not in text, script.name
