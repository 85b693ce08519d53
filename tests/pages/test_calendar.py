"""The campaign calendar page without a browser: access, language, filter, highlighting."""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from live.access.roles import PRODUCERS, Role
from live.access.service import create_token, revoke_token
from live.app import create_app
from live.catalog.models import Creator
from live.db import Database
from live.money import format_vnd
from live.pages.access import PageCtx, page
from live.schedule.models import LiveSession
from live.settings import Settings
from tests import factories
from tests.conftest import auth
from tests.pages.conftest import read_calendar
from tests.pages.scene import Scene, at, withdraw_approval


def calendar_url(scene: Scene, query: str = "") -> str:
    return f"/campaigns/{scene.campaign_id}/calendar{query}"


# Access


def test_without_a_token_the_page_says_so_in_vietnamese(client: TestClient, scene: Scene) -> None:
    response = client.get(calendar_url(scene))
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert '<html lang="vi">' in response.text
    assert "Cần mã truy cập" in response.text
    assert "<code>no_token</code>" in response.text
    # A form to paste a token, which comes back as ?token= and is traded for the cookie.
    assert 'name="token"' in response.text
    assert "SL-01" not in response.text


def test_a_bad_token_is_refused_in_the_chosen_language(client: TestClient, scene: Scene) -> None:
    response = client.get(calendar_url(scene, "?lang=en&token=sl_not-a-token"))
    assert response.status_code == 401
    assert '<html lang="en">' in response.text
    assert "The access token is wrong or has been revoked" in response.text
    assert "<code>bad_token</code>" in response.text
    assert "sieulive_token" not in response.headers.get("set-cookie", "")


def test_a_token_in_the_url_becomes_a_cookie_and_leaves_the_address(
    client: TestClient, scene: Scene, tokens: dict[str, str]
) -> None:
    response = client.get(
        calendar_url(scene, f"?q=ca+phe&token={tokens['producer']}&lang=en"),
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == calendar_url(scene, "?q=ca+phe&lang=en")
    cookies = response.headers.get_list("set-cookie")
    token_cookie = next(c for c in cookies if c.startswith("sieulive_token="))
    assert f"sieulive_token={tokens['producer']}" in token_cookie
    assert "HttpOnly" in token_cookie
    assert "SameSite=lax" in token_cookie or "SameSite=Lax" in token_cookie
    assert "Path=/" in token_cookie

    followed = client.get(response.headers["location"])
    assert followed.status_code == 200
    assert "SL-01" in followed.text


def test_the_cookie_alone_opens_every_page(
    client: TestClient, scene: Scene, tokens: dict[str, str]
) -> None:
    client.cookies.set("sieulive_token", tokens["producer"])
    assert client.get(calendar_url(scene)).status_code == 200
    assert client.get("/campaigns").status_code == 200


def test_a_bearer_header_needs_no_redirect(
    client: TestClient, scene: Scene, tokens: dict[str, str]
) -> None:
    response = client.get(calendar_url(scene), headers=auth(tokens["producer"]))
    assert response.status_code == 200
    assert "sieulive_token" not in response.headers.get("set-cookie", "")


def test_a_revoked_token_in_the_cookie_is_refused_and_forgotten(
    client: TestClient, scene: Scene, db: Database
) -> None:
    with db.unit_of_work() as s:
        row, token = create_token(s, Role.producer, "revoked soon")
    client.cookies.set("sieulive_token", token)
    assert client.get(calendar_url(scene)).status_code == 200
    with db.unit_of_work() as s:
        revoke_token(s, row.id)
    response = client.get(calendar_url(scene))
    assert response.status_code == 401
    assert "<code>bad_token</code>" in response.text
    assert 'sieulive_token=""' in response.headers["set-cookie"]
    assert "Max-Age=0" in response.headers["set-cookie"]


def test_every_role_may_read_the_calendar(app: Any, scene: Scene, tokens: dict[str, str]) -> None:
    for role in Role:
        with TestClient(app) as fresh:
            response = fresh.get(calendar_url(scene), headers=auth(tokens[role.value]))
            assert response.status_code == 200, role
            assert "Đang xem với vai trò" in response.text


def test_a_page_for_producers_gives_other_roles_a_403_page(
    settings: Settings, tokens: dict[str, str]
) -> None:
    @page(PRODUCERS)
    def producers_only(ctx: PageCtx) -> Response:
        return HTMLResponse("<p>secret plan</p>")

    app = create_app(settings)
    app.router.routes.append(Route("/only-producers", producers_only))
    with TestClient(app) as client:
        assert client.get("/only-producers", headers=auth(tokens["producer"])).status_code == 200
        refused = client.get("/only-producers", headers=auth(tokens["retailer"]))
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("text/html")
        assert "Bạn không có quyền xem trang này" in refused.text
        assert "Vai trò nhà bán lẻ không được mở trang này." in refused.text
        assert "secret plan" not in refused.text
        english = client.get("/only-producers?lang=en", headers=auth(tokens["supplier"]))
        assert english.status_code == 403
        assert "The supplier role may not open this page." in english.text
    assert producers_only.access == PRODUCERS  # type: ignore[attr-defined]


def test_an_unknown_campaign_is_a_404_page(producer: TestClient) -> None:
    for path in ("/campaigns/999/calendar", "/campaigns/99999999999/calendar"):
        response = producer.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "Không tìm thấy" in response.text


def test_pages_are_not_cached_or_framed(producer: TestClient, scene: Scene) -> None:
    response = producer.get(calendar_url(scene))
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


# What the calendar shows


def test_sessions_by_local_day_and_studio(producer: TestClient, scene: Scene) -> None:
    html = producer.get(calendar_url(scene)).text
    assert "Thứ Năm, 26 tháng 9, 2024" in html
    assert "Thứ Sáu, 27 tháng 9, 2024" in html
    assert html.index("Thứ Năm, 26 tháng 9, 2024") < html.index("Thứ Sáu, 27 tháng 9, 2024")
    assert '<div class="studio-head">Studio A</div>' in html
    assert '<div class="studio-head">Studio B</div>' in html
    cards = read_calendar(html)
    assert {(c.code, c.day) for c in cards.cards} == {
        ("SL-01", "2024-09-26"),
        ("SL-02", "2024-09-26"),
        ("SL-03", "2024-09-26"),
        ("SL-03", "2024-09-27"),
        ("SL-04", "2024-09-27"),
    }
    for text in (
        "Cà phê Tây Nguyên buổi sáng",
        "09:00–11:00 · TikTok Shop · sieulivehangviet",
        "Hoài Phương Review + Anh Tư Cà Phê",
        "Đặc sản miền Tây",
        "Shopee",
        "Đã lên lịch",
        '1 sản phẩm · <span aria-hidden="true">⚡</span> Flash sale',
    ):
        assert text in html, text
    assert f"Flash sale {format_vnd(99_000)}" in html
    assert f'Mục tiêu doanh số: <strong class="money">{format_vnd(19_000_000_000)}' in html
    assert "19.000.000.000\u00a0₫" in html


def test_a_session_past_midnight_shows_on_both_days(producer: TestClient, scene: Scene) -> None:
    html = producer.get(calendar_url(scene)).text
    night = read_calendar(html).by_code("SL-03")
    assert [c.day for c in night] == ["2024-09-26", "2024-09-27"]
    assert "into-next" in night[0].classes
    assert "from-previous" in night[1].classes
    assert night[1].element_id.endswith("-continued")
    assert "22:30–00:30 (+1)" in html
    assert "↪ đến 00:30 hôm sau" in html
    assert "↩ bắt đầu 22:30 hôm trước" in html
    # The legend explains the mark in words.
    assert "Qua nửa đêm: tiếp tục sang ngày hôm sau" in html


def test_warnings_are_marked_in_words_not_colour_alone(producer: TestClient, scene: Scene) -> None:
    html = producer.get(calendar_url(scene)).text
    (draft,) = read_calendar(html).by_code("SL-04")
    assert {"has-warning", "status-draft"} <= draft.classes
    assert "has-conflict" not in draft.classes
    assert "Cảnh báo: nên kiểm tra lại" in html
    assert (
        "<strong>Kịch bản dài hơn khung giờ</strong>: Kịch bản 90 phút, khung giờ 60 phút" in html
    )
    assert "0 xung đột, 1 cảnh báo" in html
    card = html[html.index('data-code="SL-04"') :]
    assert "⚠</span> Cảnh báo" in card[: card.index("</button>")]


def test_a_session_outside_the_campaign_is_a_warning_in_both_languages(
    producer: TestClient, scene: Scene, db: Database
) -> None:
    """The campaign runs 26–27/09; SL-02 moved to the 28th still shows, with the reason."""
    with db.unit_of_work() as s:
        s.execute(
            update(LiveSession)
            .where(LiveSession.id == scene.west)
            .values(scheduled_start=at(28, 14), scheduled_end=at(28, 16))
        )
    html = producer.get(calendar_url(scene)).text
    (west,) = read_calendar(html).by_code("SL-02")
    assert "has-warning" in west.classes and "has-conflict" not in west.classes
    assert (
        "<strong>Ngoài thời gian chiến dịch</strong>: Chiến dịch diễn ra 26/09/2024–27/09/2024"
        in html
    )
    english = producer.get(calendar_url(scene, "?lang=en")).text
    assert (
        "<strong>Outside the campaign's dates</strong>: The campaign runs 26/09/2024–27/09/2024"
        in (english.replace("&#39;", "'"))
    )


def test_conflicts_from_data_changed_underneath_are_highlighted(
    producer: TestClient, scene: Scene, db: Database
) -> None:
    withdraw_approval(db, scene.fish_sauce_id)
    # A hand fix moves SL-02 into Studio A while SL-01 is on air there.
    with db.unit_of_work() as s:
        s.execute(
            update(LiveSession)
            .where(LiveSession.id == scene.west)
            .values(studio="Studio A", scheduled_start=at(26, 10), scheduled_end=at(26, 12))
        )
    html = producer.get(calendar_url(scene)).text
    cards = read_calendar(html)
    assert all("has-conflict" in c.classes for c in cards.by_code("SL-03"))
    assert "has-conflict" in cards.by_code("SL-01")[0].classes
    assert "has-conflict" in cards.by_code("SL-02")[0].classes
    assert "<strong>Sản phẩm chưa được duyệt chất lượng</strong>: Nước mắm Phú Quốc 40 độ đạm:" in (
        html
    )
    assert "đang chờ duyệt" in html
    assert "<strong>Trùng studio</strong>: Studio A đã dành cho phiên SL-02" in html
    assert "<strong>Trùng studio</strong>: Studio A đã dành cho phiên SL-01" in html
    assert "3 xung đột, 1 cảnh báo" in html
    # Overlapping cards in one studio stand side by side.
    lanes = {c.code: c.style for c in cards.cards if c.code in ("SL-01", "SL-02")}
    assert "--lane: 0; --lanes: 2" in lanes["SL-01"]
    assert "--lane: 1; --lanes: 2" in lanes["SL-02"]

    english = producer.get(calendar_url(scene, "?lang=en")).text
    assert "<strong>Studio double-booked</strong>: Studio A is taken by session SL-02" in english
    assert "<strong>Product not quality-approved</strong>" in english


def test_session_details_carry_the_run_of_show_with_prices(
    producer: TestClient, scene: Scene
) -> None:
    html = producer.get(calendar_url(scene)).text
    detail = html[html.index(f'id="detail-{scene.coffee}"') :]
    detail = detail[: detail.index("</table>")]
    assert "Cà phê Buôn Ma Thuột rang xay 500g" in detail
    assert f"giá live {format_vnd(125_000)}" in detail
    assert f"{format_vnd(99_000)} × 50 suất" in detail
    assert "15 phút" in detail
    assert f'popovertarget="detail-{scene.coffee}"' in html


def test_the_search_filter_in_the_url_ignores_accents(producer: TestClient, scene: Scene) -> None:
    def visible(q: str) -> set[str]:
        response = producer.get(calendar_url(scene), params={"q": q})
        assert response.status_code == 200
        return read_calendar(response.text).codes()

    assert visible("ca phe") == {"SL-01"}
    assert visible("Cà Phê") == {"SL-01"}
    assert visible(unicodedata.normalize("NFD", "cà phê")) == {"SL-01"}
    assert visible("dak lak") == {"SL-01"}  # the coffee's province, Đắk Lắk
    assert visible("chi ba") == {"SL-02", "SL-03"}
    assert visible("nuoc mam phu quoc") == {"SL-03"}
    assert visible("studio b") == {"SL-02", "SL-04"}
    assert visible("  ca   PHE ") == {"SL-01"}
    assert visible("sl-04") == {"SL-04"}
    assert visible("") == {"SL-01", "SL-02", "SL-03", "SL-04"}

    html = producer.get(calendar_url(scene, "?q=ca+phe")).text
    cards = read_calendar(html)
    assert cards.codes(visible=False) == {"SL-02", "SL-03", "SL-04"}
    assert cards.hidden_days == {"2024-09-27"}
    assert "1/4 phiên khớp" in html
    assert 'value="ca phe"' in html

    none = producer.get(calendar_url(scene, "?q=sau+rieng")).text
    assert read_calendar(none).codes() == set()
    assert "Không có phiên nào khớp “sau rieng”." in none


def test_english_on_request_remembered_by_a_cookie(producer: TestClient, scene: Scene) -> None:
    english = producer.get(calendar_url(scene, "?lang=en"))
    assert '<html lang="en">' in english.text
    assert "Thursday, September 26, 2024" in english.text
    assert "Live schedule" in english.text
    assert "09:00–11:00 · TikTok Shop" in english.text
    assert "sieulive_lang=en" in english.headers["set-cookie"]

    again = producer.get(calendar_url(scene))
    assert '<html lang="en">' in again.text
    # The switch links keep the page and its filter.
    assert f'href="{calendar_url(scene, "?lang=vi")}"' in again.text

    back = producer.get(calendar_url(scene, "?lang=vi"))
    assert '<html lang="vi">' in back.text
    assert "Thứ Năm, 26 tháng 9, 2024" in back.text

    unknown = producer.get(calendar_url(scene, "?lang=fr"))
    assert '<html lang="vi">' in unknown.text
    assert "sieulive_lang" not in unknown.headers.get("set-cookie", "")


def test_a_creator_sees_its_sessions_and_gets_its_phone_feed_shown_once(
    client: TestClient, scene: Scene, tokens: dict[str, str], db: Database
) -> None:
    creator = auth(tokens["creator"])
    html = client.get(calendar_url(scene), headers=creator).text
    cards = read_calendar(html)
    assert [c.code for c in cards.cards if "is-yours" in c.classes] == ["SL-02"]
    assert "★</span> Bạn dẫn" in html
    # The feed token is kept hashed: the page offers to make a link, it can't show one.
    assert "testserver/calendar/" not in html and "data-feed-form" in html
    assert f'<form method="post" action="{calendar_url(scene)}" data-feed-form>' in html
    made = client.post(calendar_url(scene), headers=creator)
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    feed = made.text.split("data-feed-url>", 1)[1].split("</code>", 1)[0]
    assert feed.startswith("http://testserver/calendar/") and feed.endswith(".ics")
    assert f'href="{feed.replace("http://", "webcal://")}"' in made.text
    assert "shown only now" in made.text or "chỉ hiện lúc này" in made.text
    assert read_calendar(made.text).cards == cards.cards, "the same calendar around it"
    path = feed.removeprefix("http://testserver")
    assert client.get(path).status_code == 200
    with db.reading() as s:
        stored = s.scalar(
            select(Creator.calendar_token_hash).where(Creator.id == int(tokens["creator_id"]))
        )
    assert stored is not None and stored not in made.text and path.split("/")[-1][:-4] != stored
    # Reloading the calendar doesn't show it again; making another revokes it.
    assert "testserver/calendar/" not in client.get(calendar_url(scene), headers=creator).text
    assert client.post(calendar_url(scene), headers=creator).status_code == 200
    assert client.get(path).status_code == 404
    # Producers don't get the button (they make feed URLs through the API); nor other roles.
    for role in ("producer", "retailer", "supplier"):
        view = client.get(calendar_url(scene), headers=auth(tokens[role])).text
        assert "testserver/calendar/" not in view and "data-feed-form" not in view
        assert client.post(calendar_url(scene), headers=auth(tokens[role])).status_code == 403


def test_a_feed_link_is_not_made_for_a_form_on_another_site(
    client: TestClient, scene: Scene, tokens: dict[str, str]
) -> None:
    creator = auth(tokens["creator"])
    foreign = client.post(
        calendar_url(scene), headers={**creator, "Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403 and "testserver/calendar/" not in foreign.text
    same = client.post(calendar_url(scene), headers={**creator, "Origin": "http://testserver"})
    assert same.status_code == 200 and "data-feed-url" in same.text
    missing = client.post("/campaigns/999999/calendar", headers=creator)
    assert missing.status_code == 404


def test_an_empty_campaign_says_so(producer: TestClient, db: Database) -> None:
    with db.unit_of_work() as s:
        campaign = factories.campaign(s, name="Chiến dịch trống")
    html = producer.get(f"/campaigns/{campaign.id}/calendar").text
    assert "Chiến dịch chưa có phiên live nào." in html
    assert "Không có phiên nào trong ngày." in html
    assert "Không có xung đột hay cảnh báo nào." in html


def test_the_campaign_list_leads_to_each_calendar(producer: TestClient, scene: Scene) -> None:
    for path in ("/", "/campaigns"):
        html = producer.get(path).text
        assert "Siêu live hàng Việt 2024" in html
        assert f'href="/campaigns/{scene.campaign_id}/calendar"' in html
        assert "4 phiên live" in html
        assert format_vnd(19_000_000_000) in html
    assert "4 live sessions" in producer.get("/campaigns?lang=en").text


def test_a_late_session_is_placed_lower_than_an_early_one(
    producer: TestClient, scene: Scene
) -> None:
    cards = read_calendar(producer.get(calendar_url(scene)).text)

    def top_and_height(code: str) -> tuple[int, int]:
        style = cards.by_code(code)[0].style
        parts = dict(p.strip().split(": ") for p in style.split(";") if ": " in p)
        return int(parts["top"].removesuffix("px")), int(parts["height"].removesuffix("px"))

    morning, night = top_and_height("SL-01"), top_and_height("SL-03")
    assert morning[0] < night[0]
    # Two hours drawn to scale; the night card is 90 minutes on its first day.
    assert morning[1] == round(timedelta(hours=2).total_seconds() / 60 * 1.2)
    assert night[1] == round(90 * 1.2)


# Static files


def test_static_files_are_served_and_nothing_else(client: TestClient) -> None:
    css = client.get("/static/pages.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert client.get("/static/calendar.js").headers["content-type"].startswith("text/javascript")
    for name in ("nope.css", "..%2Frouting.py", ".hidden.js", "calendar.py"):
        assert client.get(f"/static/{name}").status_code == 404, name


def test_pages_link_their_assets_by_content_hash(producer: TestClient, scene: Scene) -> None:
    html = producer.get(calendar_url(scene)).text
    assert "/static/pages.css?v=" in html
    assert "/static/calendar.js?v=" in html
