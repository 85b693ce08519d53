"""The OBS overlay in real headless Chromium against a scripted fake hub.

What is on screen (Vietnamese card, prices, QR, countdown, sold out, layout options,
transparency) and how the page follows the protocol (hello and shown, resync after a gap or a
new epoch, duplicates ignored, reload, last state kept while the server is down, blank on a
revoked token). Screenshots land in test-artifacts/screenshots/.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import segno

from tests.overlays.conftest import FakeHub, iso, make_state
from tests.overlays.png import decode, is_blank

pytestmark = pytest.mark.browser

NBSP = "\u00a0"
TOKEN = "tok-abc123"


def open_overlay(page: Any, hub: FakeHub, query: str = "") -> None:
    page.goto(f"{hub.base}/overlays/overlay.html?token={TOKEN}{'&' if query else ''}{query}")


def wait_on(page: Any, element_id: str, on: bool = True) -> None:
    """Wait until a panel is (or is no longer) on air, its ≤ 300 ms transition included."""
    if on:
        page.wait_for_function(
            "id => { const e = document.getElementById(id);"
            " return e.classList.contains('on') && getComputedStyle(e).opacity === '1'; }",
            arg=element_id,
        )
    else:
        page.wait_for_function(
            "id => getComputedStyle(document.getElementById(id)).visibility === 'hidden'",
            arg=element_id,
        )


def text(page: Any, element_id: str) -> str:
    return page.eval_on_selector(f"#{element_id}", "e => e.textContent")


def status(page: Any) -> dict[str, Any]:
    return page.evaluate("() => window.sieuOverlay.client.status()")


def region_alpha(page: Any, box: dict[str, float]) -> int:
    png = page.screenshot(omit_background=True, clip=box)
    return decode(png).max_alpha()


def test_card_shows_the_featured_product_in_vietnamese(page, hub, shoot):
    open_overlay(page, hub)
    wait_on(page, "card")
    wait_on(page, "flash")
    wait_on(page, "band")
    assert text(page, "card-name") == "Trà Shan tuyết cổ thụ Hà Giang"
    assert text(page, "card-supplier") == "HTX Chè Shan tuyết Lũng Phìn"
    assert text(page, "card-province") == "Hà Giang"
    assert text(page, "card-stars") == "★★★★★"
    assert page.eval_on_selector_all("#card-stars .dim", "d => d.length") == 1  # 4 of 5 lit
    # The product is on flash sale: the flash price is its price, the normal (live) price
    # struck through beside it, nothing else — not the card's own discount.
    assert text(page, "card-live") == f"99.000{NBSP}₫"
    assert text(page, "card-list") == f"125.000{NBSP}₫"
    assert page.eval_on_selector("#card-list", "e => e.tagName") == "S"
    decoration = page.eval_on_selector("#card-list", "e => getComputedStyle(e).textDecorationLine")
    assert "line-through" in decoration
    assert not page.is_visible("#card-off")
    assert text(page, "card-stock") == "Còn 120 sản phẩm"
    assert text(page, "flash-price") == f"99.000{NBSP}₫"
    assert text(page, "flash-left") == "Còn 37/100 suất"
    assert page.query_selector("#goal") is None, "no goal or revenue on air"
    chips = page.eval_on_selector_all("#ticker-items .chip", "cs => cs.map(c => c.textContent)")
    assert chips[0] == "2 × Trà Shan tuyết cổ thụĐà Nẵng"  # newest first, no buyer named
    assert len(chips) == 4
    # The page registered itself and reported the revision it shows.
    hello = hub.wait_for(lambda: hub.messages("hello"), what="hello")[0]
    assert hello["kind"] == "overlay"
    assert hello["version"].startswith("overlay/")
    assert hello["name"] == "card+flash+ticker bottom-left"
    hub.wait_for(lambda: [m for m in hub.messages("shown") if m["revision"] == 1], what="shown")
    # Vietnamese glyphs come from a font that has them, not from a fallback box.
    family = page.eval_on_selector("#card-name", "e => getComputedStyle(e).fontFamily")
    assert family.startswith('"Be Vietnam Pro", "Noto Sans"')
    png = shoot(page, "card-default")
    assert not is_blank(png)
    # The flash sale over: dot grouping, a no-break space, ₫ after; the list price struck
    # through and the discount.
    state = make_state(hub.server_now(), revision=2)
    state["flash_sale"] = None
    hub.change("show", state)
    page.wait_for_function("() => document.getElementById('card-live').textContent[0] === '1'")
    assert text(page, "card-live") == f"125.000{NBSP}₫"
    assert text(page, "card-list") == f"150.000{NBSP}₫"
    assert text(page, "card-off") == "−17%"
    assert page.errors == []


@pytest.fixture
def segno_standard_padding(monkeypatch):
    """segno 1.6 appends a whole zero byte after the terminator when the bit stream is already
    on a byte boundary (always, in byte mode). Decoders stop at the terminator so both codes
    read the same, but the pad codewords differ; make segno pad like ISO 18004 7.4.10 says so
    its matrix can be compared module for module."""
    import segno.encoder

    def pad(buff, version, length):
        if length % 8:
            buff.extend([0] * (8 - length % 8))

    monkeypatch.setattr(segno.encoder, "write_padding_bits", pad)


def reference_qr(link: str, mask: int | None = None) -> Any:
    return segno.make(link, error="m", mode="byte", mask=mask, micro=False, boost_error=False)


def test_qr_code_is_a_standard_qr_of_the_buy_link(page, hub, segno_standard_padding):
    open_overlay(page, hub)
    wait_on(page, "card")
    modules = page.eval_on_selector("#card-qr svg", "s => Number(s.dataset.modules)")
    assert modules >= 21
    link = hub.state["featured"]["buy_link"]
    # The vendored encoder's matrix must equal an independent encoder's (segno) for the same
    # data, error level and version under one of the eight masks: a scannable, standard code.
    matrix = page.evaluate(
        """link => {
            const q = qrcode(0, 'M');
            qrcode.stringToBytes = qrcode.stringToBytesFuncs['UTF-8'];
            q.addData(link, 'Byte'); q.make();
            const n = q.getModuleCount(), rows = [];
            for (let r = 0; r < n; r++) {
                let row = ''; for (let c = 0; c < n; c++) row += q.isDark(r, c) ? '1' : '0';
                rows.push(row);
            }
            return rows;
        }""",
        link,
    )
    assert len(matrix) == modules
    candidates = []
    for mask in range(8):
        code = reference_qr(link, mask)
        candidates.append(["".join("1" if m else "0" for m in row) for row in code.matrix])
    assert matrix in candidates
    # What is drawn is that matrix: one dark 1×1 square per dark module.
    drawn = page.eval_on_selector(
        "#card-qr svg path", "p => (p.getAttribute('d').match(/M/g) || []).length"
    )
    assert drawn == sum(row.count("1") for row in matrix)


def test_vietnamese_text_in_a_link_is_encoded_as_utf8(page, hub, segno_standard_padding):
    state = make_state(hub.server_now())
    state["featured"]["buy_link"] = "https://shop.example.vn/sản-phẩm/trà"
    hub.state = state
    open_overlay(page, hub)
    wait_on(page, "card")
    modules = page.eval_on_selector("#card-qr svg", "s => Number(s.dataset.modules)")
    link = state["featured"]["buy_link"]
    assert modules == reference_qr(link).symbol_size(border=0)[0]
    drawn = page.eval_on_selector(
        "#card-qr svg path", "p => (p.getAttribute('d').match(/M/g) || []).length"
    )
    dark = [sum(1 for row in reference_qr(link, m).matrix for v in row if v) for m in range(8)]
    assert drawn in dark  # the UTF-8 bytes, not Latin-1 truncations of them


def test_a_buy_link_that_is_not_a_web_address_gets_no_qr_code(page, hub):
    """The server sends only http(s) links; the page checks again before viewers scan it."""
    state = make_state(hub.server_now())
    state["featured"]["buy_link"] = "javascript:alert(document.cookie)"
    hub.state = state
    open_overlay(page, hub)
    wait_on(page, "card")
    assert not page.eval_on_selector("#card-qr-box", "e => e.classList.contains('on')")
    assert page.eval_on_selector("#card-qr", "e => e.querySelector('svg')") is None


def test_prices_format_the_same_without_intl(page, hub):
    # A CEF build with trimmed locale data must still put `125.000 ₫` on air.
    page.add_init_script("Intl.NumberFormat = function () { throw new Error('no ICU'); };")
    page.goto(f"{hub.base}/harness.html")
    got = page.evaluate("() => [0, 1000, 125000, 1234567, -5000].map(SieuFormat.money)")
    assert got == [
        f"0{NBSP}₫",
        f"1.000{NBSP}₫",
        f"125.000{NBSP}₫",
        f"1.234.567{NBSP}₫",
        f"-5.000{NBSP}₫",
    ]


def test_intl_gives_the_expected_vnd_shape(page, hub):
    page.goto(f"{hub.base}/harness.html")
    got = page.evaluate(
        "() => new Intl.NumberFormat('vi-VN', {style: 'currency', currency: 'VND'}).format(125000)"
    )
    assert got == f"125.000{NBSP}₫"


def test_countdown_runs_on_the_server_clock(page, hub, shoot):
    # The server's clock is an hour ahead of the browser's: only the ping/pong offset can
    # turn ends_at (server time + 90 s) into 01:30 on screen.
    hub.skew_ms = 3_600_000
    hub.state = make_state(hub.server_now())
    open_overlay(page, hub)
    wait_on(page, "flash")
    hub.wait_for(lambda: hub.messages("ping"), what="a ping")
    page.wait_for_function(
        "() => /^01:[23]\\d$/.test(document.getElementById('flash-clock').textContent)"
    )
    first = text(page, "flash-clock")
    time.sleep(2.2)
    second = text(page, "flash-clock")
    seconds = lambda s: int(s[:2]) * 60 + int(s[3:])  # noqa: E731
    assert 1 <= seconds(first) - seconds(second) <= 4, (first, second)
    offset = status(page)["offsetMs"]
    assert abs(offset - 3_600_000) < 1000
    shoot(page, "flash-countdown")


def test_sold_out_flash_sale(page, hub, shoot):
    open_overlay(page, hub)
    wait_on(page, "flash")
    state = make_state(hub.server_now(), revision=2)
    state["flash_sale"].update(sold=100, remaining=0, sold_out=True)
    hub.change("show", state)
    page.wait_for_function("() => document.getElementById('flash').classList.contains('sold-out')")
    assert page.is_visible("#flash-soldout")
    assert not page.is_visible("#flash-clock")
    assert text(page, "flash-soldout") == "Hết hàng"
    assert text(page, "flash-left") == "Đã bán hết 100 suất"
    page.wait_for_timeout(350)  # the bar's width transition
    assert page.eval_on_selector("#flash-bar", "e => e.getBoundingClientRect().width") == 0
    shoot(page, "flash-sold-out")
    assert page.errors == []


def test_english_labels(page, hub):
    state = make_state(hub.server_now())
    state["flash_sale"].update(sold=100, remaining=0, sold_out=True)
    hub.state = state
    open_overlay(page, hub, "lang=en")
    wait_on(page, "flash")
    assert text(page, "flash-soldout") == "Sold out"
    assert text(page, "card-stock") == "120 left"
    assert page.evaluate("() => document.documentElement.lang") == "en"
    assert text(page, "card-live") == f"99.000{NBSP}₫"  # prices stay in đồng (the flash one)


def test_gap_new_epoch_and_duplicates(page, hub):
    open_overlay(page, hub)
    wait_on(page, "card")
    now = hub.server_now()

    def named(name: str, revision: int) -> dict[str, Any]:
        s = make_state(now, revision=revision)
        s["featured"] = dict(s["featured"], name=name)
        return s

    # In order: applied, and the page says which revision it shows.
    hub.change("show", named("Mật ong bạc hà Mèo Vạc", 2))
    page.wait_for_function(
        "() => document.getElementById('card-name').textContent === 'Mật ong bạc hà Mèo Vạc'"
    )
    hub.wait_for(lambda: [m for m in hub.messages("shown") if m["revision"] == 2], what="shown 2")
    # The same seq again: a duplicate, ignored.
    hub.send(hub.frame("show", named("DUPLICATE", 99), seq=hub.seq))
    page.wait_for_timeout(300)
    assert text(page, "card-name") == "Mật ong bạc hà Mèo Vạc"
    assert hub.messages("resync") == []

    # A gap: the page asks for the state and ignores changes until it comes.
    hub.resync_delay = 0.8
    hub.state = named("Gạo ST25 Sóc Trăng", 5)
    hub.send(hub.frame("show", named("GAP", 4), seq=hub.seq + 2))
    hub.wait_for(lambda: hub.messages("resync"), what="resync after a gap")
    hub.send(hub.frame("show", named("IGNORED", 6), seq=hub.seq + 3))
    page.wait_for_function(
        "() => document.getElementById('card-name').textContent === 'Gạo ST25 Sóc Trăng'"
    )
    assert text(page, "card-name") == "Gạo ST25 Sóc Trăng"
    hub.wait_for(lambda: [m for m in hub.messages("shown") if m["revision"] == 5], what="shown 5")
    assert not [m for m in hub.messages("shown") if m["revision"] in (4, 6, 99)]

    # A change from another epoch (another server process): resync again.
    hub.resync_delay = 0
    hub.epoch = "epoch-2"
    hub.seq = 1
    hub.state = named("Nước mắm Phú Quốc", 7)
    hub.send(hub.frame("show", named("OTHER EPOCH", 7), seq=1))
    hub.wait_for(lambda: len(hub.messages("resync")) == 2, what="resync after a new epoch")
    page.wait_for_function(
        "() => document.getElementById('card-name').textContent === 'Nước mắm Phú Quốc'"
    )
    # And the new epoch's next seq is then applied normally.
    hub.change("show", named("Cà phê Buôn Ma Thuột", 8))
    page.wait_for_function(
        "() => document.getElementById('card-name').textContent === 'Cà phê Buôn Ma Thuột'"
    )
    assert status(page)["epoch"] == "epoch-2"
    counters = status(page)["counters"]
    assert counters["resyncs"] == 2 and counters["duplicates"] >= 1
    assert page.errors == []


def test_keeps_the_last_state_while_the_server_is_down(page, hub, shoot):
    open_overlay(page, hub)
    wait_on(page, "card")
    wait_on(page, "flash")
    hub.stop()
    page.wait_for_function("() => window.sieuOverlay.client.status().state === 'reconnecting'")
    page.wait_for_timeout(1200)  # a few failed redials
    assert status(page)["counters"]["connects"] >= 2
    # Still on air, unchanged; no error text anywhere.
    assert page.is_visible("#card") and page.is_visible("#flash")
    assert text(page, "card-name") == "Trà Shan tuyết cổ thụ Hà Giang"
    clock_before = text(page, "flash-clock")
    shoot(page, "server-down-keeps-state")
    page.wait_for_timeout(1100)
    assert text(page, "flash-clock") != clock_before  # the countdown keeps running
    body = page.inner_text("body")
    for word in ("error", "lỗi", "disconnected", "mất kết nối", "loading"):
        assert word not in body.lower()

    state = make_state(hub.server_now(), revision=3)
    state["featured"] = dict(state["featured"], name="Nước mắm Phú Quốc 40 độ đạm", id=12)
    hub.state = state
    hub.start()
    page.wait_for_function(
        "() => document.getElementById('card-name').textContent === 'Nước mắm Phú Quốc 40 độ đạm'",
        timeout=20_000,
    )
    assert status(page)["state"] == "live"
    hellos = hub.messages("hello")
    assert hellos[-1]["revision"] == 1  # it said which revision it still had on screen
    assert page.errors == []


def test_reload_change_reloads_the_page(page, hub):
    open_overlay(page, hub)
    wait_on(page, "card")
    page.evaluate("() => { window.__marker = 'before'; }")
    hub.change("reload", {})
    hub.wait_for(lambda: len(hub.messages("hello")) >= 2, what="a second hello")
    page.wait_for_function("() => window.sieuOverlay && window.__marker === undefined")
    wait_on(page, "card")


def test_revoked_token_blanks_the_overlay_and_retries_slowly(page, hub, shoot):
    open_overlay(page, hub)
    wait_on(page, "card")
    hub.deny_code = 4410
    hub.close_all(4410, "overlay token revoked")
    page.wait_for_function("() => window.sieuOverlay.client.status().state === 'revoked'")
    wait_on(page, "card", on=False)
    wait_on(page, "flash", on=False)
    wait_on(page, "band", on=False)
    st = status(page)
    assert st["code"] == 4410
    assert st["retryInMs"] >= 15_000  # slowly: a producer may fix the URL meanwhile
    assert page.evaluate("() => window.sieuOverlay.client.state()") is None
    assert is_blank(shoot(page, "revoked-blank"))


def test_bad_token_on_a_fresh_page_shows_nothing(page, hub, shoot):
    hub.deny_code = 4401
    open_overlay(page, hub)
    page.wait_for_function("() => window.sieuOverlay.client.status().state === 'unauthorized'")
    assert is_blank(shoot(page, "unauthorized-blank"))
    assert page.errors == []


def test_fresh_page_without_state_is_transparent(page, hub):
    hub.mute = True  # connected, but no state yet
    open_overlay(page, hub)
    hub.wait_for(lambda: hub.messages("hello"), what="hello")
    page.wait_for_timeout(400)
    assert is_blank(page.screenshot(omit_background=True))
    # And without any token at all: nothing, and no socket either.
    page.goto(f"{hub.base}/overlays/overlay.html")
    page.wait_for_timeout(300)
    assert is_blank(page.screenshot(omit_background=True))
    assert page.evaluate("() => window.sieuOverlay.client") is None


def test_the_preview_follows_a_session_with_the_console_cookie(page, hub):
    """The producer console's preview frame has no overlay token (shown once, never kept):
    `?session=` follows the session on the console's socket, which the page cookie opens."""
    page.goto(f"{hub.base}/overlays/overlay.html?session=7&preview=1")
    wait_on(page, "card")
    assert hub.paths == ["/ws/sessions/7?view=overlay"]  # what OBS gets, no more
    for bad in ("0", "-1", "abc", "7/../../ws/overlay", "12345678901"):
        page.goto(f"{hub.base}/overlays/overlay.html?session={bad}")
        page.wait_for_timeout(100)
        assert page.evaluate("() => window.sieuOverlay.client") is None, bad
    assert hub.paths == ["/ws/sessions/7?view=overlay"]
    # A token wins: OBS's URL is the overlay's own.
    open_overlay(page, hub, "session=7")
    wait_on(page, "card")
    assert hub.paths[-1] == f"/ws/overlay?token={TOKEN}"


def test_transparent_outside_the_graphics(page, hub):
    open_overlay(page, hub)
    wait_on(page, "card")
    wait_on(page, "band")
    body = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert body == "rgba(0, 0, 0, 0)"
    # Upper right of the frame: where the camera shows the host.
    assert region_alpha(page, {"x": 1000, "y": 100, "width": 800, "height": 400}) == 0
    card = page.eval_on_selector("#card", "e => e.getBoundingClientRect().toJSON()")
    inside = {"x": card["x"] + 40, "y": card["y"] + 40, "width": 40, "height": 40}
    assert region_alpha(page, inside) == 255


def test_layout_options_subset_position_and_scale(page, hub, shoot):
    open_overlay(page, hub, "elements=card&position=top-right&scale=0.75")
    wait_on(page, "card")
    page.wait_for_timeout(350)
    assert not page.is_visible("#flash")  # a flash sale is running, but not in this scene
    assert not page.is_visible("#band")
    box = page.eval_on_selector("#card", "e => e.getBoundingClientRect().toJSON()")
    assert box["width"] == pytest.approx(880 * 0.75, abs=1)
    assert box["x"] + box["width"] == pytest.approx(1920 - 72, abs=2)
    assert box["y"] == pytest.approx(56, abs=2)
    hub.wait_for(lambda: hub.messages("hello"), what="hello")
    assert hub.messages("hello")[0]["name"] == "card top-right"
    shoot(page, "layout-card-top-right")


def test_layout_flash_and_band_only(page, hub, shoot):
    open_overlay(page, hub, "elements=flash,ticker&position=bottom-right&bar=top&scale=1.25")
    wait_on(page, "flash")
    wait_on(page, "band")
    page.wait_for_timeout(350)
    assert not page.is_visible("#card")
    # Alone in its scene the flash panel names the product itself.
    assert text(page, "flash-name") == "Trà Shan tuyết cổ thụ Hà Giang"
    band = page.eval_on_selector("#band", "e => e.getBoundingClientRect().toJSON()")
    assert band["y"] == pytest.approx(0, abs=1) and band["width"] == pytest.approx(1920, abs=1)
    assert band["height"] == pytest.approx(76 * 1.25, abs=1)
    flash = page.eval_on_selector("#flash", "e => e.getBoundingClientRect().toJSON()")
    assert flash["x"] + flash["width"] == pytest.approx(1920 - 72, abs=2)
    assert flash["y"] + flash["height"] == pytest.approx(1080 - 56, abs=2)
    shoot(page, "layout-flash-band-top")


def test_bottom_card_sits_above_the_band(page, hub):
    open_overlay(page, hub, "position=bottom-center")
    wait_on(page, "card")
    wait_on(page, "band")
    card = page.eval_on_selector("#card", "e => e.getBoundingClientRect().toJSON()")
    band = page.eval_on_selector("#band", "e => e.getBoundingClientRect().toJSON()")
    assert card["y"] + card["height"] <= band["y"] - 16
    assert card["x"] + card["width"] / 2 == pytest.approx(960, abs=2)


def test_ended_show_takes_the_product_off_air(page, hub):
    open_overlay(page, hub)
    wait_on(page, "card")
    state = make_state(hub.server_now(), revision=9)
    state["show"] = dict(state["show"], phase="ended", ended_at=iso(hub.server_now()))
    hub.change("show", state)
    wait_on(page, "card", on=False)
    wait_on(page, "flash", on=False)
    assert page.is_visible("#ticker")  # the purchases so far may stay for the wrap-up


def test_rehearsal_mark_only_in_the_preview(page, hub):
    state = make_state(hub.server_now())
    state["show"] = dict(state["show"], rehearsal=True)
    hub.state = state
    open_overlay(page, hub)
    wait_on(page, "card")
    assert not page.is_visible("#mark")
    open_overlay(page, hub, "preview=1")
    wait_on(page, "mark")
    assert text(page, "mark") == "Diễn tập"


def test_new_state_mid_animation_just_replaces_it(page, hub):
    open_overlay(page, hub)
    wait_on(page, "card")
    names = ["Bánh pía Sóc Trăng", "Kẹo dừa Bến Tre", "Hạt điều Bình Phước"]
    for i, name in enumerate(names):
        s = make_state(hub.server_now(), revision=10 + i)
        s["featured"] = dict(s["featured"], name=name, id=100 + i)
        hub.change("show", s)
    page.wait_for_timeout(50)  # far inside the 280 ms swap animation
    assert text(page, "card-name") == "Hạt điều Bình Phước"
    hub.wait_for(lambda: [m for m in hub.messages("shown") if m["revision"] == 12], what="shown 12")


def test_light_theme_and_a_smaller_source_size(page, hub, shoot):
    # A 1280×720 Browser Source gets the 1920×1080 layout scaled to fit, not cropped.
    page.set_viewport_size({"width": 1280, "height": 720})
    open_overlay(page, hub, "theme=light&position=bottom-right")
    wait_on(page, "card")
    wait_on(page, "band")
    card = page.eval_on_selector("#card", "e => e.getBoundingClientRect().toJSON()")
    assert card["width"] == pytest.approx(880 * 1280 / 1920, abs=1)
    assert card["x"] + card["width"] == pytest.approx(1280 - 72 * 1280 / 1920, abs=2)
    band = page.eval_on_selector("#band", "e => e.getBoundingClientRect().toJSON()")
    assert band["width"] == pytest.approx(1280, abs=1)
    assert band["y"] + band["height"] == pytest.approx(720, abs=1)
    background = page.eval_on_selector("#card", "e => getComputedStyle(e).backgroundImage")
    assert "255, 255, 255" in background
    shoot(page, "light-1280x720")
