"""The campaign calendar in headless Chromium: sign-in link, grid, details, search, language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from live.db import Database
from live.money import format_vnd
from live.schedule.models import LiveSession
from tests.browser.conftest import LiveServer
from tests.pages.scene import Scene, at, build_scene, withdraw_approval

pytestmark = pytest.mark.browser

Shot = Callable[..., Path]


@pytest.fixture
def scene(db: Database) -> Scene:
    return build_scene(db)


def visible_codes(page: Any) -> list[str]:
    """Codes of the session cards a reader can see, sorted (an overnight one twice)."""
    codes: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('[data-code]')]
              .filter((card) => card.checkVisibility())
              .map((card) => card.dataset.code)"""
    )
    return sorted(codes)


def open_calendar(page: Any, server: LiveServer, scene: Scene, token: str, query: str = "") -> str:
    base = f"{server.url}/campaigns/{scene.campaign_id}/calendar"
    page.goto(f"{base}?{query}{'&' if query else ''}token={token}")
    return base


def test_a_link_with_a_token_opens_the_grid(
    page: Any, live_server: LiveServer, scene: Scene, tokens: dict[str, str], screenshot: Shot
) -> None:
    base = open_calendar(page, live_server, scene, tokens["producer"])
    # The redirect dropped the token from the address bar; an HttpOnly cookie carries it now.
    assert page.url == base
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "sieulive_token"]
    assert cookie["value"] == tokens["producer"]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert page.evaluate("document.cookie") == ""

    assert page.get_by_role("heading", name="Thứ Năm, 26 tháng 9, 2024").is_visible()
    assert page.get_by_role("heading", name="Thứ Sáu, 27 tháng 9, 2024").is_visible()
    assert visible_codes(page) == ["SL-01", "SL-02", "SL-03", "SL-03", "SL-04"]
    assert "19.000.000.000\u00a0₫" in page.locator(".page-head").inner_text()

    morning = page.locator("[data-code='SL-01']")
    text = morning.inner_text()
    assert "Cà phê Tây Nguyên buổi sáng" in text
    assert "Hoài Phương Review + Anh Tư Cà Phê" in text
    assert f"Flash sale {format_vnd(99_000)}" in text

    # The night session sits on both days, marked in words at each end.
    first, second = page.locator("[data-code='SL-03']").all()
    assert "↪ đến 00:30 hôm sau" in first.inner_text()
    assert "↩ bắt đầu 22:30 hôm trước" in second.inner_text()
    assert first.evaluate("el => el.closest('section').id") == "day-2024-09-26"
    assert second.evaluate("el => el.closest('section').id") == "day-2024-09-27"
    # Placed by time: the night card is below the morning one, in the same studio column.
    morning_box, night_box = morning.bounding_box(), first.bounding_box()
    assert night_box["y"] > morning_box["y"] + morning_box["height"]
    assert abs(night_box["x"] - morning_box["x"]) < 2

    draft = page.locator("[data-code='SL-04']")
    assert "Cảnh báo" in draft.inner_text()
    attention = page.locator(".attention").inner_text()
    assert "Kịch bản dài hơn khung giờ" in attention
    screenshot("grid", full_page=True)

    morning.get_by_role("button").click()
    details = page.locator(f"#detail-{scene.coffee}")
    assert details.is_visible()
    assert f"giá live {format_vnd(125_000)}" in details.inner_text()
    assert f"{format_vnd(99_000)} × 50 suất" in details.inner_text()
    screenshot("details")
    page.keyboard.press("Escape")
    assert not details.is_visible()
    screenshot()


def test_search_without_accents_then_english(
    page: Any, live_server: LiveServer, scene: Scene, tokens: dict[str, str], screenshot: Shot
) -> None:
    base = open_calendar(page, live_server, scene, tokens["producer"])
    search = page.get_by_label("Tìm phiên live")
    search.press_sequentially("ca phe")
    assert visible_codes(page) == ["SL-01"]
    assert page.locator("[data-search-status]").inner_text() == "1/4 phiên khớp"
    assert not page.locator("#day-2024-09-27").is_visible()
    # The address follows the filter, so it can be shared as it is.
    assert page.url == f"{base}?q=ca+phe"
    screenshot("ca-phe")

    search.fill("")
    search.press_sequentially("dak lak")
    assert visible_codes(page) == ["SL-01"]
    search.fill("")
    search.press_sequentially("nuoc mam")
    assert visible_codes(page) == ["SL-03", "SL-03"]
    search.fill("")
    search.press_sequentially("sau rieng")
    assert visible_codes(page) == []
    assert page.locator("[data-no-results]").inner_text() == "Không có phiên nào khớp “sau rieng”."

    page.get_by_role("link", name="Xoá lọc").click()
    assert len(visible_codes(page)) == 5
    assert page.url == base

    search.press_sequentially("Cà phê")
    page.locator("[data-lang-link='en']").click()
    page.wait_for_url("**lang=en**")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Thursday, September 26, 2024").count() == 1
    assert page.get_by_label("Search sessions").input_value() == "Cà phê"
    assert visible_codes(page) == ["SL-01"]
    assert page.locator("[data-search-status]").inner_text() == "1 of 4 sessions match"
    assert "09:00–11:00 · TikTok Shop" in page.locator("[data-code='SL-01']").inner_text()
    screenshot("english")

    # The language is remembered without ?lang=.
    page.goto(base)
    assert page.locator("html").get_attribute("lang") == "en"
    assert len(visible_codes(page)) == 5
    screenshot()


def test_without_a_token_the_page_asks_for_one(
    page: Any, live_server: LiveServer, scene: Scene, tokens: dict[str, str], screenshot: Shot
) -> None:
    base = f"{live_server.url}/campaigns/{scene.campaign_id}/calendar"
    response = page.goto(base)
    assert response.status == 401
    assert page.get_by_role("heading", name="Cần mã truy cập").is_visible()
    screenshot("asked")
    page.get_by_label("Mã truy cập", exact=True).fill(tokens["retailer"])
    page.get_by_role("button", name="Mở trang").click()
    page.wait_for_url(base)
    assert page.get_by_role("heading", name="Siêu live hàng Việt 2024").is_visible()
    assert "Đang xem với vai trò nhà bán lẻ" in page.locator(".topbar").inner_text()
    screenshot()


def test_conflicts_stand_out_in_words_and_side_by_side(
    page: Any,
    live_server: LiveServer,
    scene: Scene,
    db: Database,
    tokens: dict[str, str],
    screenshot: Shot,
) -> None:
    withdraw_approval(db, scene.fish_sauce_id)
    with db.unit_of_work() as s:
        s.execute(
            update(LiveSession)
            .where(LiveSession.id == scene.west)
            .values(studio="Studio A", scheduled_start=at(26, 10), scheduled_end=at(26, 12))
        )
    open_calendar(page, live_server, scene, tokens["producer"])
    attention = page.locator(".attention").inner_text()
    assert "3 xung đột, 1 cảnh báo" in attention
    assert "Trùng studio" in attention
    assert "Sản phẩm chưa được duyệt chất lượng" in attention
    morning, west = page.locator("[data-code='SL-01']"), page.locator("[data-code='SL-02']")
    assert "Xung đột" in morning.inner_text()
    assert "Xung đột" in west.inner_text()
    # Both in Studio A at once: drawn side by side, neither hiding the other.
    a, b = morning.bounding_box(), west.bounding_box()
    assert a["x"] + a["width"] <= b["x"]
    assert b["y"] < a["y"] + a["height"]
    page.locator(".attention").get_by_role("button", name="SL-03").first.click()
    assert "đang chờ duyệt" in page.locator(f"#detail-{scene.night}").inner_text()
    screenshot("details")
    page.keyboard.press("Escape")
    screenshot(full_page=True)
