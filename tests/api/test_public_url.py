"""Links handed out start with the configured public URL, else with the reader's address."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from live.app import create_app
from live.settings import Settings, load_settings
from tests.conftest import auth
from tests.shows.conftest import show_session

__all__ = ["show_session"]


@pytest.mark.parametrize(
    ("public_url", "base_url", "expected"),
    [
        ("", "http://127.0.0.1:8300", "http://127.0.0.1:8300"),
        ("", "http://192.168.1.20:8000", "http://192.168.1.20:8000"),
        ("https://live.example.vn", "http://127.0.0.1:8300", "https://live.example.vn"),
    ],
)
def test_the_overlay_url_starts_with_the_public_url_or_the_address_used(
    settings: Settings,
    tokens: dict[str, str],
    show_session: dict[str, Any],
    public_url: str,
    base_url: str,
    expected: str,
) -> None:
    app = create_app(settings.with_overrides(public_url=public_url))
    with TestClient(app, base_url=base_url) as client:
        made = client.post(
            f"/api/sessions/{show_session['id']}/show/overlay-token",
            headers=auth(tokens["producer"]),
        ).json()
    assert made["overlay_url"].startswith(f"{expected}/overlays/overlay.html?token=")


def test_the_public_url_setting_is_unset_unless_given() -> None:
    assert load_settings({}).public_url == ""
    given = load_settings({"SIEULIVE_PUBLIC_URL": "https://live.example.vn/"})
    assert given.public_url == "https://live.example.vn"
