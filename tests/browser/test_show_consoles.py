"""Drive a show from the producer console, see the overlay and the creator console follow.

The real app (API, pages, websocket hub, Redis fan-out) on a real uvicorn with websockets, in a
thread; three Debian Chromium pages: the producer console, the OBS overlay at the URL the API
gives, and the creator console. The producer works with the keyboard and the buttons; the other
two must follow within a few seconds. Screenshots of all three land in
test-artifacts/screenshots/show-consoles-*.png.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from live.db import Database
from live.hub import presence
from live.schedule.schemas import SegmentIn
from live.settings import Settings
from live.shows.service import show_channel
from tests import factories
from tests.browser.conftest import SCREENSHOTS, LiveServer

pytestmark = pytest.mark.browser

FOLLOW_MS = 5000  # "within a few seconds"
PRICE = re.compile(r"\d{1,3}(\.\d{3})*\u00a0₫")


@pytest.fixture
def server(settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(settings=settings) as running:
        yield running


@pytest.fixture
def show(db: Database, tokens: dict[str, str]) -> dict[str, Any]:
    """A session hosted by the creator token's creator: intro, two products, a flash sale."""
    with db.unit_of_work() as s:
        coffee = factories.product(
            s,
            name="Cà phê Buôn Ma Thuột rang xay 500g",
            province="Đắk Lắk",
            list_price=160_000,
            live_price=125_000,
            talking_points="Hạt Robusta Cầu Đất rang mộc, không tẩm bơ.\n"
            "Pha phin đậm, pha máy vẫn thơm.\nTặng kèm phin nhôm cho 50 đơn đầu.",
        )
        candy = factories.product(s, name="Kẹo dừa Bến Tre sầu riêng 500g", live_price=65_000)
        session = factories.session(
            s,
            code="SLHV-07",
            title="Đặc sản Tây Nguyên và miền Tây",
            host_creator_id=int(tokens["creator_id"]),
            segments=[
                SegmentIn(kind="intro", title="Chào khán giả", planned_seconds=120),
                SegmentIn(
                    kind="product", title=coffee.name, planned_seconds=420, product_id=coffee.id
                ),
                SegmentIn(
                    kind="product", title=candy.name, planned_seconds=300, product_id=candy.id
                ),
                SegmentIn(
                    kind="flash_sale",
                    title="Flash sale kẹo dừa",
                    planned_seconds=180,
                    product_id=candy.id,
                    flash_price=49_000,
                    flash_quantity=50,
                ),
                SegmentIn(kind="outro", title="Hẹn gặp lại", planned_seconds=60),
            ],
        )
        return {"id": session.id, "coffee": coffee.id, "candy": candy.id}


class Tabs:
    """Browser contexts and pages opened by the test, with their JavaScript errors."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.contexts: list[Any] = []
        self.errors: list[str] = []

    def open(self, name: str, viewport: dict[str, int], context: Any = None) -> Any:
        if context is None:
            context = self.browser.new_context(
                viewport=viewport, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
            )
            self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"{name}: {exc}"))
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def tabs(browser: Any) -> Iterator[Tabs]:
    opened = Tabs(browser)
    yield opened
    opened.close()
    assert not opened.errors, f"JavaScript errors: {opened.errors}"


def shoot(page: Any, name: str, *, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"show-consoles-{name}.png"), full_page=full_page)


class PausableSocket:
    """Sits between a page and the hub: pausing holds back what the server sends, so the page
    keeps showing an old revision (a laptop on a bad link) while its commands still go out.
    Every socket of the page goes through it (the console's and its preview frame's)."""

    def __init__(self) -> None:
        self.paused = False
        self.held: list[tuple[Any, Any]] = []

    def handle(self, route: Any) -> None:
        upstream = route.connect_to_server()
        upstream.on_message(lambda message: self._from_server(route, message))
        route.on_message(lambda message: upstream.send(message))

    def _from_server(self, route: Any, message: Any) -> None:
        if self.paused:
            self.held.append((route, message))
        else:
            route.send(message)

    def resume(self) -> None:
        self.paused = False
        held, self.held = self.held, []
        for route, message in held:
            route.send(message)


def test_drive_a_show_from_the_producer_console_and_see_the_overlay_follow(
    server: LiveServer, show: dict[str, Any], tokens: dict[str, str], tabs: Tabs
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=FOLLOW_MS)
    sid = show["id"]

    # The producer console, opened from a link carrying the producer's token.
    producer = tabs.open("producer", {"width": 1440, "height": 900})
    producer.goto(f"{server.url}/sessions/{sid}/producer?token={tokens['producer']}")
    assert producer.url == f"{server.url}/sessions/{sid}/producer"  # the token left the URL
    expect(producer.locator("[data-conn]")).to_have_text(re.compile("Đã kết nối"))
    expect(producer.locator("[data-phase]")).to_have_text("Chờ lên sóng")

    # The overlay URL: none yet. Making the first one asks nothing (it revokes nothing) and
    # shows it in the console, once: only its hash is kept.
    expect(producer.locator("[data-overlay-url-hint]")).to_have_text(
        re.compile("Chưa có URL overlay")
    )
    expect(producer.locator("[data-copy]")).to_be_disabled()
    producer.locator("[data-new-overlay-url]").click()
    field = producer.locator("[data-overlay-url]")
    expect(field).to_have_value(
        re.compile(rf"^{re.escape(server.url)}/overlays/overlay.html\?token=")
    )
    expect(producer.locator("[data-copy]")).to_be_enabled()
    expect(producer.locator("[data-overlay-url-hint]")).to_have_text(
        re.compile("URL chỉ hiện lúc này")
    )
    expect(producer.locator("[data-new-overlay-url]")).to_have_text("Tạo URL overlay mới")
    overlay_url = field.input_value()
    # The overlay, at that URL, as OBS would load it.
    overlay = tabs.open("overlay", {"width": 1920, "height": 1080})
    overlay.goto(overlay_url + "&name=OBS%20c%E1%BA%A3nh%20ch%C3%ADnh")

    # The creator console on a tablet beside the camera, with the host's own token.
    creator = tabs.open("creator", {"width": 1180, "height": 820})
    creator.goto(f"{server.url}/sessions/{sid}/creator?token={tokens['creator']}")
    expect(creator.locator("[data-conn]")).to_have_text(re.compile("Đã kết nối"))
    expect(creator.locator("[data-now-title]")).to_have_text("Chờ đạo diễn bắt đầu chương trình")
    expect(creator.locator("[data-next-title]")).to_have_text("Chào khán giả")

    # G: go live. The intro has no product: nothing on the overlay's card yet.
    producer.keyboard.press("g")
    expect(producer.locator("[data-phase]")).to_have_text("Đang live")
    expect(producer.locator("tr.is-current")).to_have_attribute("data-position", "1")
    expect(creator.locator("[data-now-title]")).to_have_text("Chào khán giả")
    expect(creator.locator("[data-phase]")).to_have_text("Đang live")

    # Space: next. The coffee is on screen with its prices in đồng.
    producer.keyboard.press("Space")
    expect(producer.locator("tr.is-current")).to_have_attribute("data-position", "2")
    expect(overlay.locator("#card")).to_have_class(re.compile(r"\bon\b"))
    expect(overlay.locator("#card-name")).to_have_text("Cà phê Buôn Ma Thuột rang xay 500g")
    expect(overlay.locator("#card-live")).to_have_text("125.000\u00a0₫")
    expect(overlay.locator("#card-list")).to_have_text("160.000\u00a0₫")
    expect(creator.locator("[data-product-name]")).to_have_text(
        "Cà phê Buôn Ma Thuột rang xay 500g"
    )
    expect(creator.locator("[data-live-price]")).to_have_text("125.000\u00a0₫")
    expect(creator.locator("[data-points] li")).to_have_count(3)
    expect(creator.locator("[data-next-title]")).to_have_text("Kẹo dừa Bến Tre sầu riêng 500g")
    # The finished intro has an actual end and an under-run, in colour and in words.
    intro = producer.locator('tr[data-position="1"]')
    expect(intro.locator(".delta.is-under")).to_have_text(re.compile(r"^−\d+:\d\d sớm$"))
    # The preview frame shows the same card.
    preview = producer.frame_locator("[data-preview]")
    expect(preview.locator("#card-live")).to_have_text("125.000\u00a0₫")
    shoot(creator, "creator-product")

    # The producer console lists the OBS overlay as connected and up to date, and flags in
    # red, with words, an overlay that stopped answering a while ago.
    obs = producer.locator('[data-client-kind="overlay"]', has_text="OBS cảnh chính")
    expect(obs).to_have_attribute("data-client-status", "connected", timeout=10_000)
    expect(obs).to_contain_text("Đã kết nối")
    expect(producer.locator('[data-client-kind="creator"]')).to_have_count(1)
    old_overlay = {
        "kind": "overlay",
        "name": "OBS phòng B",
        "revision": 1,
        "last_seen": time.time() - 180,
    }
    server.app.state.redis.hset(presence.KEY + show_channel(sid), "lost-1", json.dumps(old_overlay))
    gone = producer.locator('[data-client-status="gone"]', has_text="OBS phòng B")
    expect(gone).to_contain_text("Mất kết nối", timeout=10_000)
    expect(gone).to_contain_text("3 phút trước")
    expect(gone).to_have_css("border-top-color", "rgb(240, 68, 56)")
    # An overlay whose connection dropped 12 s ago is reconnecting: since when, and its next
    # try comes within its declared retry ceiling; one showing an old revision is behind.
    key = presence.KEY + show_channel(sid)
    dropped_at = time.time() - 12
    away = {
        "kind": "overlay",
        "name": "OBS phòng C",
        "revision": 1,
        "connected": False,
        "disconnected_at": dropped_at,
        "retry_max_ms": 1500,
        "last_seen": dropped_at,
    }
    behind = {"kind": "overlay", "name": "OBS phòng D", "revision": 0, "last_seen": time.time()}
    server.app.state.redis.hset(key, "overlay:roomc0001", json.dumps(away))
    server.app.state.redis.hset(key, "overlay:roomd0001", json.dumps(behind))
    redialing = producer.locator('[data-client-status="reconnecting"]', has_text="OBS phòng C")
    expect(redialing).to_contain_text("Đang kết nối lại", timeout=10_000)
    since = time.strftime("%H:%M:%S", time.gmtime(dropped_at + 7 * 3600))
    expect(redialing).to_contain_text(f"từ {since}")
    expect(redialing).to_contain_text(re.compile(r"thử lại trong ≤ 1\.5 giây"))
    late = producer.locator('[data-client-status="behind"]', has_text="OBS phòng D")
    expect(late).to_contain_text("Chậm: đang hiện bản cũ", timeout=10_000)
    shoot(producer, "producer-clients")

    # The button this time: next to the candy.
    producer.get_by_role("button", name=re.compile("Tiếp$")).click()
    expect(producer.locator("tr.is-current")).to_have_attribute("data-position", "3")
    expect(overlay.locator("#card-name")).to_have_text("Kẹo dừa Bến Tre sầu riêng 500g")
    expect(overlay.locator("#card-live")).to_have_text("65.000\u00a0₫")

    # 4, Enter: jump to the flash sale. The overlay counts down from its end time.
    producer.keyboard.press("4")
    expect(producer.locator("[data-jump-pending]")).to_be_visible()
    producer.keyboard.press("Enter")
    expect(producer.locator("tr.is-current")).to_have_attribute("data-position", "4")
    expect(overlay.locator("#flash")).to_have_class(re.compile(r"\bon\b"))
    expect(overlay.locator("#flash-price")).to_have_text("49.000\u00a0₫")
    expect(overlay.locator("#flash-clock")).to_have_text(re.compile(r"^0[23]:\d\d$"))
    expect(overlay.locator("#flash-left")).to_have_text("Còn 50/50 suất")
    first = overlay.locator("#flash-clock").inner_text()
    overlay.wait_for_timeout(1300)
    assert overlay.locator("#flash-clock").inner_text() != first, "the countdown runs"
    expect(creator.locator("[data-flash]")).to_be_visible()
    expect(creator.locator("[data-flash-price]")).to_have_text("49.000\u00a0₫")
    expect(creator.locator("[data-flash-clock]")).to_have_text(re.compile(r"^[23]:\d\d$"))
    expect(creator.locator("[data-flash-left]")).to_have_text("Còn 50/50 suất")
    expect(producer.locator("[data-flash-running]")).to_be_visible()
    for price in (
        overlay.locator("#card-live").inner_text(),
        creator.locator("[data-flash-price]").inner_text(),
    ):
        assert PRICE.fullmatch(price), price
    shoot(overlay, "overlay-flash-sale")
    shoot(creator, "creator-flash-sale")

    # H: hold. The segment's clock stops on every console (it is drawn from held_at).
    producer.keyboard.press("h")
    expect(producer.locator("[data-phase]")).to_have_text("Tạm dừng")
    expect(producer.locator("[data-hold-label]")).to_have_text("Tiếp tục")
    expect(creator.locator("[data-held]")).to_be_visible()
    expect(creator.locator("[data-phase]")).to_have_text("Tạm dừng")
    frozen = producer.locator("[data-elapsed]").inner_text()
    creator_frozen = creator.locator("[data-timer-value]").inner_text()
    producer.wait_for_timeout(1500)
    assert producer.locator("[data-elapsed]").inner_text() == frozen
    assert creator.locator("[data-timer-value]").inner_text() == creator_frozen
    shoot(producer, "producer-held", full_page=True)
    # Resume with the button.
    producer.locator('[data-command="hold"]').click()
    expect(producer.locator("[data-phase]")).to_have_text("Đang live")
    expect(creator.locator("[data-held]")).to_be_hidden()
    # The click left the focus on that button; Space still means "next", never "hold" again.
    producer.keyboard.press("Space")
    expect(producer.locator("tr.is-current")).to_have_attribute("data-position", "5")
    producer.wait_for_timeout(500)
    expect(producer.locator("[data-phase]")).to_have_text("Đang live")
    producer.keyboard.press("ArrowLeft")
    expect(producer.locator("tr.is-current")).to_have_attribute("data-position", "4")

    # A second producer tab whose link to the hub stalls: it still shows revision N when the
    # first tab moves the show on. Its "next" is refused as stale; the answer carries the
    # current state, which it shows, and it tells the producer gently.
    gate = PausableSocket()
    second = tabs.open("second producer", {}, context=producer.context)
    second.route_web_socket(re.compile(r"/ws/sessions/"), gate.handle)
    second.goto(f"{server.url}/sessions/{sid}/producer")
    expect(second.locator("[data-conn]")).to_have_text(re.compile("Đã kết nối"))
    expect(second.locator("tr.is-current")).to_have_attribute("data-position", "4")
    gate.paused = True
    producer.keyboard.press("ArrowLeft")  # the first tab: back to the candy
    expect(producer.locator("tr.is-current")).to_have_attribute("data-position", "3")
    second.wait_for_timeout(500)
    expect(second.locator("tr.is-current")).to_have_attribute("data-position", "4")
    second.keyboard.press("Space")
    notice = second.locator("[data-notice]")
    expect(notice).to_have_class(re.compile("is-stale"))
    expect(notice).to_contain_text("Trạng thái đã thay đổi")
    expect(second.locator("tr.is-current")).to_have_attribute("data-position", "3")
    shoot(second, "producer-stale")
    # Nothing was skipped: the stale "next" did not apply.
    expect(producer.locator("tr.is-current")).to_have_attribute("data-position", "3")
    expect(overlay.locator("#card-name")).to_have_text("Kẹo dừa Bến Tre sầu riêng 500g")
    expect(overlay.locator("#flash")).not_to_have_class(re.compile(r"\bon\b"))
    gate.resume()
    # Now it is current, its next command goes through, and every screen follows.
    second.keyboard.press("Space")
    expect(second.locator("[data-notice]")).to_contain_text("Đã thực hiện: Tiếp")
    expect(producer.locator("tr.is-current")).to_have_attribute("data-position", "4")
    expect(overlay.locator("#flash")).to_have_class(re.compile(r"\bon\b"))
    expect(creator.locator("[data-now-title]")).to_have_text("Flash sale kẹo dừa")
    second.close()

    shoot(producer, "producer", full_page=True)

    # E: end, with a confirmation first; Esc keeps the show on air, Enter ends it.
    producer.keyboard.press("e")
    dialog = producer.locator("[data-confirm]")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Kết thúc chương trình?")
    producer.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(producer.locator("[data-phase]")).to_have_text("Đang live")
    producer.keyboard.press("e")
    expect(dialog).to_be_visible()
    producer.keyboard.press("Enter")
    expect(producer.locator("[data-phase]")).to_have_text("Đã kết thúc")
    expect(overlay.locator("#card")).not_to_have_class(re.compile(r"\bon\b"))
    expect(creator.locator("[data-now-title]")).to_have_text(
        "Cảm ơn bạn! Chương trình đã kết thúc."
    )


def test_a_rehearsal_is_marked_on_every_console(
    server: LiveServer, show: dict[str, Any], tokens: dict[str, str], tabs: Tabs
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=FOLLOW_MS)
    sid = show["id"]
    producer = tabs.open("producer", {"width": 1440, "height": 900})
    producer.goto(f"{server.url}/sessions/{sid}/producer?token={tokens['producer']}&lang=en")
    creator = tabs.open("creator", {"width": 430, "height": 932})
    creator.goto(f"{server.url}/sessions/{sid}/creator?token={tokens['creator']}")
    expect(producer.locator("[data-conn]")).to_have_text(re.compile("Connected"))
    expect(producer.locator("[data-rehearsal-banner]")).to_be_hidden()

    producer.keyboard.press("r")
    banner = producer.locator("[data-rehearsal-banner]")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("REHEARSAL")
    expect(producer.locator("[data-phase]")).to_have_text("Live")
    expect(creator.locator("[data-rehearsal]")).to_have_text("DIỄN TẬP")
    # The preview frame marks the rehearsal too (overlay.html?preview=1).
    expect(producer.frame_locator("[data-preview]").locator("#mark")).to_have_class(
        re.compile(r"\bon\b")
    )

    # A flash sale from the form: F focuses the price, đồng as people type them.
    producer.keyboard.press("ArrowRight")
    expect(producer.locator("tr.is-current")).to_have_attribute("data-position", "2")
    producer.keyboard.press("f")
    price = producer.locator("[data-flash-price-input]")
    expect(price).to_be_focused()
    price.fill("99.000")
    expect(producer.locator("[data-flash-price-preview]")).to_have_text("99.000\u00a0₫")
    producer.locator("#flash-quantity").fill("30")
    producer.locator("#flash-duration").fill("90")
    producer.get_by_role("button", name="Start the flash sale").click()
    expect(producer.locator("[data-flash-running]")).to_be_visible()
    expect(producer.locator("[data-flash-left]")).to_have_text("30 of 30 left")
    expect(producer.locator("[data-flash-clock]")).to_have_text(re.compile(r"^1:[23]\d$"))
    expect(creator.locator("[data-flash-price]")).to_have_text("99.000\u00a0₫")
    expect(creator.locator("[data-flash-clock]")).to_have_text(re.compile(r"^1:[23]\d$"))
    shoot(creator, "creator-phone-rehearsal")
    shoot(producer, "producer-rehearsal", full_page=True)

    # The overlay URL: the first is made without a question (it revokes nothing) and shown
    # once; a new one is asked for first (overlays on the old one leave the screen). The
    # preview, which follows the session with the page's cookie, stays as it is.
    url_field = producer.locator("[data-overlay-url]")
    hint = producer.locator("[data-overlay-url-hint]")
    expect(url_field).to_have_value("")
    expect(hint).to_contain_text("No overlay URL yet")
    producer.get_by_role("button", name="Make the overlay URL").click()
    expect(url_field).to_have_value(re.compile(r"/overlays/overlay\.html\?token=."))
    expect(hint).to_contain_text("Shown only now")
    first_url = url_field.input_value()
    producer.get_by_role("button", name="New overlay URL").click()
    expect(producer.locator("[data-confirm]")).to_contain_text("Make a new overlay URL?")
    producer.locator("[data-confirm-ok]").click()
    expect(url_field).not_to_have_value(first_url)
    expect(url_field).to_have_value(re.compile(r"/overlays/overlay\.html\?token=."))
    expect(producer.locator("[data-preview]")).to_have_attribute(
        "src", re.compile(rf"session={sid}&preview=1")
    )
    producer.wait_for_function(
        """() => {
            const frame = document.querySelector("[data-preview]").contentWindow;
            return frame && frame.sieuOverlay && frame.document.readyState === "complete";
        }"""
    )
    frame = producer.frame(url=re.compile(r"/overlays/overlay\.html\?session="))
    assert frame is not None
    preview = producer.frame_locator("[data-preview]")
    expect(preview.locator("#flash-price")).to_have_text("99.000\u00a0₫")
    # Reload every overlay: the preview reloads; the console itself only reconnects.
    frame.evaluate("window.notReloaded = true")
    producer.evaluate("window.notReloaded = true")
    producer.get_by_role("button", name="Reload all overlays").click()
    expect(producer.locator("[data-notice]")).to_contain_text("asked to reload")
    producer.wait_for_function(
        """() => {
            const frame = document.querySelector("[data-preview]").contentWindow;
            return frame && frame.sieuOverlay && !frame.notReloaded;
        }"""
    )
    assert producer.evaluate("window.notReloaded") is True
    producer.wait_for_function("() => window.sieuProducer.connections() === 2")
    expect(producer.locator("[data-conn]")).to_have_text(re.compile("Connected"))
    expect(preview.locator("#flash-price")).to_have_text("99.000\u00a0₫")

    # Ending a rehearsal leaves the show ready for the real run.
    producer.keyboard.press("e")
    expect(producer.locator("[data-confirm]")).to_contain_text("End the rehearsal?")
    producer.locator("[data-confirm-ok]").click()
    expect(producer.locator("[data-phase]")).to_have_text("Standby")
    expect(banner).to_be_hidden()
    expect(creator.locator("[data-rehearsal]")).to_be_hidden()


def test_esc_then_e_at_once_still_asks_and_ends_on_enter(
    server: LiveServer, show: dict[str, Any], tokens: dict[str, str], tabs: Tabs
) -> None:
    """The dialog's `close` event comes from a queued task. Esc and E within one turn of the
    page's loop (a quick hand, or a loaded machine) used to let the first closing's event take
    the second question's action: the Enter after it then ended nothing."""
    from playwright.sync_api import expect

    expect.set_options(timeout=FOLLOW_MS)
    sid = show["id"]
    producer = tabs.open("producer", {"width": 1440, "height": 900})
    producer.goto(f"{server.url}/sessions/{sid}/producer?token={tokens['producer']}")
    expect(producer.locator("[data-conn]")).to_have_text(re.compile("Đã kết nối"))
    producer.keyboard.press("g")
    expect(producer.locator("[data-phase]")).to_have_text("Đang live")
    producer.keyboard.press("e")
    dialog = producer.locator("[data-confirm]")
    expect(dialog).to_be_visible()
    # Esc closes it, and E opens it again, before the closing's event has been delivered.
    producer.evaluate(
        """() => {
            const dialog = document.querySelector("[data-confirm]");
            dialog.close();
            document.dispatchEvent(new KeyboardEvent("keydown", {key: "e", bubbles: true}));
        }"""
    )
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Kết thúc chương trình?")
    producer.keyboard.press("Enter")
    expect(producer.locator("[data-phase]")).to_have_text("Đã kết thúc")
