"""What the host, the producer and OBS read is true, and the pages hold no token.

The real app on uvicorn, Debian Chromium: the creator console, the producer console and the
overlay follow a show driven through the API. No price shows for a product that is not on
screen; during a flash sale its price is the price (the normal one struck through at most);
the ended screen is the thank-you and the sales. A page on another origin of the same host
(same site, so the browser sends the cookie) can neither follow the show's socket nor send
a command with the producer's cookie. Screenshots in test-artifacts/screenshots/reads-*.png.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx2 as httpx
import pytest

from live.settings import Settings
from tests.browser.conftest import SCREENSHOTS, LiveServer
from tests.browser.test_show_consoles import Tabs, show, tabs

pytestmark = pytest.mark.browser
__all__ = ["show", "tabs"]

FOLLOW_MS = 5000


@pytest.fixture
def server(settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(settings=settings) as running:
        yield running


class Api:
    def __init__(self, server: LiveServer, token: str, sid: int) -> None:
        self.base = server.url
        self.headers = {"Authorization": f"Bearer {token}"}
        self.sid = sid
        self.revision = 0

    def send(self, command: str, **args: Any) -> dict[str, Any]:
        response = httpx.post(
            f"{self.base}/api/sessions/{self.sid}/show/commands",
            json={
                "command": command,
                "revision": self.revision,
                "command_id": uuid.uuid4().hex,
                **args,
            },
            headers=self.headers,
            timeout=10,
        )
        assert response.status_code == 200, response.text
        state = response.json()["state"]
        self.revision = state["show"]["revision"]
        return dict(state)

    def overlay_url(self) -> str:
        made = httpx.post(
            f"{self.base}/api/sessions/{self.sid}/show/overlay-token", headers=self.headers
        )
        return str(made.json()["overlay_url"])


def shoot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"reads-{name}.png"))


def revision_shown(page: Any, revision: int, script: str = "sieuCreator") -> None:
    page.wait_for_function(
        f"() => window.{script} && window.{script}.state().show.revision >= {revision}",
        timeout=FOLLOW_MS,
    )


def visible_text(page: Any, selector: str) -> str:
    return str(page.locator(selector).evaluate("n => n.innerText"))


def test_prices_follow_what_is_on_screen_and_the_ended_screen_is_clean(
    server: LiveServer, tabs: Tabs, tokens: dict[str, str], show: dict[str, Any]
) -> None:
    api = Api(server, tokens["producer"], show["id"])
    creator = tabs.open("creator", {"width": 820, "height": 1180})
    creator.goto(f"{server.url}/sessions/{show['id']}/creator?token={tokens['creator']}")
    overlay = tabs.open("overlay", {"width": 1920, "height": 1080})
    overlay.goto(api.overlay_url())
    producer = tabs.open("producer", {"width": 1440, "height": 900})
    producer.goto(f"{server.url}/sessions/{show['id']}/producer?token={tokens['producer']}")
    for page in (creator, producer):
        html = page.content()
        assert tokens["producer"] not in html and tokens["creator"] not in html
        assert "api_token" not in html

    api.send("go_live")
    api.send("next")  # the coffee: 125.000 ₫, list 160.000 ₫, −22%
    revision_shown(creator, api.revision)
    prices = visible_text(creator, "[data-product]")
    assert "125.000" in prices and "160.000" in prices and "22%" in prices

    api.send("feature", product_id=None)
    revision_shown(creator, api.revision)
    card = visible_text(creator, "[data-product]")
    assert "Không có sản phẩm trên màn hình" in card
    assert "₫" not in card and "%" not in card, card
    shoot(creator, "creator-no-product")

    # The candy's flash sale: 39.000 ₫ is its price everywhere, its 65.000 ₫ struck at most.
    api.send("feature", product_id=show["candy"])
    api.send("flash_sale.start", price=39_000, quantity=20, duration_seconds=120)
    revision_shown(creator, api.revision)
    assert creator.locator("[data-live-price]").inner_text() == "39.000\u00a0₫"
    assert creator.locator("[data-list-price]").inner_text() == "65.000\u00a0₫"
    assert creator.locator("[data-list-price]").evaluate("n => n.tagName") == "S"
    assert "%" not in visible_text(creator, "[data-prices]")
    overlay.wait_for_function(
        "() => document.getElementById('card-live').textContent.indexOf('39.000') === 0",
        timeout=FOLLOW_MS,
    )
    assert overlay.locator("#card-list").inner_text() == "65.000\u00a0₫"
    assert not overlay.locator("#card-off").is_visible()
    assert "39.000" in overlay.locator("#flash-price").inner_text()
    revision_shown(producer, api.revision, "sieuProducer")
    onair = visible_text(producer, "[data-onair-product]")
    assert "39.000" in onair and "65.000" in onair, onair
    assert onair.index("39.000") < onair.index("65.000"), "the flash price is the price"
    shoot(overlay, "overlay-flash")
    shoot(creator, "creator-flash")

    api.send("end")
    revision_shown(creator, api.revision)
    screen = visible_text(creator, "[data-console]")
    assert "Cảm ơn bạn! Chương trình đã kết thúc." in screen
    for gone in ("Đang diễn ra", "ĐANG DIỄN RA", "Còn lại", "CÒN LẠI", "—", "₫\n−"):
        assert gone not in screen, (gone, screen)
    assert not creator.locator("[data-product]").is_visible()
    assert not creator.locator("[data-next]").is_visible()
    assert creator.locator("[data-sales='revenue']").is_visible(), "the sales stay"
    shoot(creator, "creator-ended")


class OtherOrigin:
    """A page on another port of the same host: another origin, the same site, so the
    browser sends the producer's SameSite=Lax cookie along with what it opens."""

    def __init__(self, target: LiveServer) -> None:
        ws = target.url.replace("http://", "ws://")
        page = f"""<!doctype html><meta charset="utf-8"><title>evil</title><script>
        window.result = {{frames: 0, code: null, post: null}};
        var ws = new WebSocket("{ws}/ws/sessions/" + location.hash.slice(1));
        ws.onmessage = function () {{ window.result.frames++; }};
        ws.onclose = function (e) {{ window.result.code = e.code; }};
        fetch("{target.url}/api/sessions/" + location.hash.slice(1) + "/show/commands", {{
          method: "POST", mode: "no-cors", credentials: "include",
          headers: {{"Content-Type": "text/plain"}},
          body: JSON.stringify({{command: "end", revision: 1, command_id: "evil-1"}})
        }}).then(function () {{ window.result.post = "sent"; }},
                 function () {{ window.result.post = "failed"; }});
        </script>""".encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_another_sites_page_gets_nothing_with_the_producers_cookie(
    server: LiveServer, browser: Any, tokens: dict[str, str], show: dict[str, Any]
) -> None:
    api = Api(server, tokens["producer"], show["id"])
    api.send("go_live")
    context = browser.new_context()
    evil = OtherOrigin(server)
    try:
        page = context.new_page()
        # The producer opened the console: the browser now holds the HttpOnly cookie.
        page.goto(f"{server.url}/sessions/{show['id']}/producer?token={tokens['producer']}")
        revision_shown(page, api.revision, "sieuProducer")
        page.goto(f"{evil.url}#{show['id']}")
        page.wait_for_function(
            "() => window.result.code !== null && window.result.post !== null", timeout=10_000
        )
        result = page.evaluate("window.result")
        assert result["code"] == 4403, result
        assert result["frames"] == 0, "not one frame of the show"
        state = httpx.get(f"{server.url}/api/sessions/{show['id']}/show", headers=api.headers)
        assert state.json()["show"]["phase"] == "live", "the forged command changed nothing"
        # The console itself still drives the show with the same cookie.
        page.goto(f"{server.url}/sessions/{show['id']}/producer")
        revision_shown(page, api.revision, "sieuProducer")
        page.keyboard.press("Space")
        page.wait_for_function(
            "() => window.sieuProducer.state().show.current_position === 2", timeout=FOLLOW_MS
        )
    finally:
        evil.close()
        context.close()
