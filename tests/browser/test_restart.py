"""Back within 3 s of any restart: the web process is killed (SIGKILL) and started again; a
product featured as soon as `/healthz` answers is on the overlay, in Chromium as OBS opens it
(1920×1080), within 3 s of that answer — after a short outage and after a long one (the old
client's backoff had grown to 15 s by then).

The real `sieulive serve` in a subprocess, the real overlay page and realtime client.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest

from live.settings import Settings
from tests.hub.test_processes import WebProcess, overlay_url
from tests.shows.conftest import show_session

__all__ = ["show_session"]

pytestmark = pytest.mark.browser

BACK_WITHIN_S = 3.0


@pytest.fixture
def web(settings: Settings) -> Iterator[WebProcess]:
    assert settings.redis_url is not None
    process = WebProcess(settings, settings.redis_url).start()
    yield process
    process.stop()


def send(web: WebProcess, token: str, sid: int, name: str, revision: int, **args: Any) -> int:
    response = httpx.post(
        f"{web.base}/api/sessions/{sid}/show/commands",
        json={"command": name, "revision": revision, "command_id": f"{name}-{revision}", **args},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return int(response.json()["state"]["show"]["revision"])


@pytest.mark.usefixtures("alone_with_the_heaviest")
def test_the_overlay_shows_what_is_featured_within_3s_of_a_restart(
    web: WebProcess, tokens: dict[str, str], show_session: dict[str, Any], headless_chromium: Any
) -> None:
    sid, producer = show_session["id"], tokens["producer"]
    coffee, candy = show_session["products"]
    names = {coffee: "Cà phê Buôn Ma Thuột 500g", candy: "Kẹo dừa Bến Tre 500g"}
    token = overlay_url(web, producer, sid)
    revision = send(web, producer, sid, "go_live", 0)
    revision = send(web, producer, sid, "feature", revision, product_id=coffee)
    page = headless_chromium.new_page(viewport={"width": 1920, "height": 1080})
    try:
        page.goto(f"{web.base}/overlays/overlay.html?token={token}&name=OBS")
        page.wait_for_function(
            "name => document.getElementById('card-name').textContent === name",
            arg=names[coffee],
            timeout=10_000,
        )
        took = []
        for outage_s, product in ((1.0, candy), (12.0, coffee), (4.0, candy)):
            web.kill()  # SIGKILL: no goodbye, no close frame
            time.sleep(outage_s)
            web.start()  # returns at the first healthy /healthz
            healthy = time.monotonic()
            waiting = page.evaluate("() => sieuOverlay.client.status()")
            revision = send(web, producer, sid, "feature", revision, product_id=product)
            page.wait_for_function(
                "name => document.getElementById('card-name').textContent === name",
                arg=names[product],
                timeout=10_000,
            )
            took.append(round(time.monotonic() - healthy, 2))
            assert took[-1] <= BACK_WITHIN_S, (
                f"on air {took[-1]} s after /healthz ({took}); the client then: {waiting}"
            )
        print(f"on air after /healthz: {took} s")
        assert page.evaluate("() => sieuOverlay.client.status().state") == "live"
    finally:
        page.close()
