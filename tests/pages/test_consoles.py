"""The producer and creator consoles without a browser: who may open which, in which language,
what the page hands its script, and where the links to the consoles are."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from live.api.cookies import csrf_token
from live.db import Database
from tests import factories
from tests.conftest import auth
from tests.pages.scene import Scene


def producer_url(session_id: int, query: str = "") -> str:
    return f"/sessions/{session_id}/producer{query}"


def creator_url(session_id: int, query: str = "") -> str:
    return f"/sessions/{session_id}/creator{query}"


def page_data(html: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="console-data">(.*?)</script>', html, re.S
    )
    assert found, "the page carries its data for the script"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


# Who may open which console


def test_the_producer_console_is_for_producers_only(
    client: TestClient, scene: Scene, tokens: dict[str, str]
) -> None:
    url = producer_url(scene.coffee)
    assert client.get(url, headers=auth(tokens["producer"])).status_code == 200
    for role in ("creator", "retailer", "supplier"):
        response = client.get(url, headers=auth(tokens[role]))
        assert response.status_code == 403, role
        assert "Bạn không có quyền xem trang này" in response.text
    assert client.get(url).status_code == 401
    assert client.get(producer_url(999_999), headers=auth(tokens["producer"])).status_code == 404


def test_a_creator_opens_the_console_of_a_session_they_cohost(
    client: TestClient, scene: Scene, tokens: dict[str, str]
) -> None:
    # The creator token's creator co-hosts SL-02 (tests/pages/conftest.py).
    response = client.get(creator_url(scene.west), headers=auth(tokens["creator"]))
    assert response.status_code == 200
    assert "SL-02" in response.text
    assert page_data(response.text)["state"]["session"]["code"] == "SL-02"


def test_a_creator_is_refused_another_hosts_session_and_told_why(
    client: TestClient, scene: Scene, tokens: dict[str, str]
) -> None:
    response = client.get(creator_url(scene.coffee), headers=auth(tokens["creator"]))
    assert response.status_code == 403
    assert "<code>not_your_session</code>" in response.text
    assert "Phiên SL-01 không do bạn dẫn hay đồng dẫn." in response.text
    assert "console-data" not in response.text
    english = client.get(creator_url(scene.coffee, "?lang=en"), headers=auth(tokens["creator"]))
    assert english.status_code == 403
    assert "You neither host nor co-host session SL-01." in english.text


def test_the_host_of_a_session_opens_its_creator_console(
    client: TestClient, db: Database, scene: Scene
) -> None:
    from live.access.roles import Role
    from live.access.service import create_token

    with db.unit_of_work() as s:
        _row, token = create_token(s, Role.creator, "phuong", creator_id=scene.hosts["phuong"])
    assert client.get(creator_url(scene.coffee), headers=auth(token)).status_code == 200
    assert client.get(creator_url(scene.west), headers=auth(token)).status_code == 403


def test_producers_open_every_creator_console_and_others_none(
    client: TestClient, scene: Scene, tokens: dict[str, str]
) -> None:
    assert client.get(creator_url(scene.coffee), headers=auth(tokens["producer"])).status_code == (
        200
    )
    for role in ("retailer", "supplier"):
        assert client.get(creator_url(scene.west), headers=auth(tokens[role])).status_code == 403
    assert client.get(creator_url(scene.west)).status_code == 401


def test_a_link_with_a_token_becomes_the_cookie_the_socket_uses(
    client: TestClient, scene: Scene, tokens: dict[str, str]
) -> None:
    response = client.get(
        producer_url(scene.coffee, f"?token={tokens['producer']}&lang=en"), follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == producer_url(scene.coffee, "?lang=en")
    assert f"sieulive_token={tokens['producer']}" in response.headers["set-cookie"]
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    # The page carries no token: the script's calls ride the cookie, writes with its CSRF token.
    assert tokens["producer"] not in page.text
    assert "api_token" not in page_data(page.text)
    assert page_data(page.text)["csrf_token"] == csrf_token(tokens["producer"])


# What the pages say and carry


def test_the_producer_console_in_vietnamese(
    client: TestClient, scene: Scene, tokens: dict[str, str]
) -> None:
    response = client.get(producer_url(scene.coffee), headers=auth(tokens["producer"]))
    html = response.text
    assert '<html lang="vi">' in html
    assert response.headers["cache-control"] == "no-store"
    for words in (
        "Bàn điều khiển đạo diễn",
        "Lên sóng",
        "Diễn tập",
        "Tạm dừng",
        "Kết thúc",
        "Kịch bản",
        "Chênh lệch",
        "Xem trước overlay",
        "Tải lại mọi overlay",
        "Tạo URL overlay mới",
        "Overlay và màn hình đang kết nối",
        "Doanh số phiên",
        "Chờ lên sóng",
        "DIỄN TẬP",
        "Giá flash (đồng)",
    ):
        assert words in html, words
    # The keyboard shortcuts are written on the buttons.
    for key in ("<kbd>Space</kbd>", "<kbd>→</kbd>", "<kbd>←</kbd>", "<kbd>H</kbd>", "<kbd>F</kbd>"):
        assert key in html, key
    assert "<kbd>E</kbd>" in html and "<kbd>G</kbd>" in html and "<kbd>R</kbd>" in html
    assert "<kbd>J</kbd>" in html
    # Products of the run-of-show in the picker, prices in đồng.
    assert "Cà phê Buôn Ma Thuột rang xay 500g · 125.000\u00a0₫" in html
    assert "0\u00a0₫" in html  # sales so far: nothing until orders come


def test_the_producer_console_in_english(
    client: TestClient, scene: Scene, tokens: dict[str, str]
) -> None:
    html = client.get(producer_url(scene.coffee, "?lang=en"), headers=auth(tokens["producer"])).text
    assert '<html lang="en">' in html
    for words in (
        "Producer console",
        "Go live",
        "Rehearse",
        "Run of show",
        "Over/under",
        "Overlay preview",
        "Reload all overlays",
        "New overlay URL",
        "REHEARSAL",
        "Session sales",
    ):
        assert words in html, words
    data = page_data(html)
    assert data["lang"] == "en"
    assert data["words"]["console_stale"].startswith("The show changed meanwhile")
    assert data["words"]["segment_flash_sale"] == "Flash sale"


def test_the_producer_console_carries_the_state_the_overlay_url_and_its_preview(
    producer: TestClient, scene: Scene
) -> None:
    html = producer.get(producer_url(scene.coffee)).text
    data = page_data(html)
    show = producer.get(f"/api/sessions/{scene.coffee}/show").json()
    moving = {"projected_end"}  # computed from "now"
    assert {k: v for k, v in data["state"]["show"].items() if k not in moving} == {
        k: v for k, v in show["show"].items() if k not in moving
    }
    assert [s["kind"] for s in data["state"]["segments"]] == ["intro", "product", "flash_sale"]
    # No overlay URL yet: the page says so and offers to make one; it is never in a page.
    assert data["overlay_url_issued"] is False and show["overlay_url_issued"] is False
    assert "No overlay URL yet" in html or "Chưa có URL overlay" in html
    assert "overlay.html?token=" not in html
    # The preview frame: the same server, relative, following the session with the page's
    # cookie (the overlay token is never kept), marked as a preview, named as one.
    sid = scene.coffee
    assert data["preview_src"].startswith(f"/overlays/overlay.html?session={sid}&preview=1")
    assert f'src="{data["preview_src"].replace("&", "&amp;")}"' in html
    # Once made, the URL is shown in the answer that made it, and never in the page.
    made = producer.post(f"/api/sessions/{sid}/show/overlay-token").json()["overlay_url"]
    token = made.split("token=", 1)[1]
    again = producer.get(producer_url(scene.coffee)).text
    assert page_data(again)["overlay_url_issued"] is True
    assert token not in again and "overlay.html?token=" not in again
    assert producer.get(f"/api/sessions/{sid}/show").json()["overlay_url_issued"] is True
    names = {p["name"] for p in data["products"]}
    assert names == {"Cà phê Buôn Ma Thuột rang xay 500g"}
    assert data["words"]["console_stale"].startswith("Trạng thái đã thay đổi")
    assert isinstance(data["server_time"], int)


def test_the_creator_console_in_both_languages(
    client: TestClient, scene: Scene, tokens: dict[str, str]
) -> None:
    vi = client.get(creator_url(scene.west), headers=auth(tokens["creator"])).text
    assert '<html lang="vi">' in vi
    for words in ("Màn hình người dẫn", "Đang diễn ra", "Tiếp theo", "Ý chính", "Doanh số phiên"):
        assert words in vi, words
    assert 'name="viewport"' in vi and "color-scheme" in vi
    # No controls on the creator's screen.
    assert "data-command" not in vi and "<button" not in vi
    en = client.get(creator_url(scene.west, "?lang=en"), headers=auth(tokens["creator"])).text
    assert '<html lang="en">' in en
    for words in ("Creator console", "Now", "Up next", "Talking points", "Session sales"):
        assert words in en, words


def test_a_product_name_cannot_break_out_of_the_page_data(
    producer: TestClient, db: Database
) -> None:
    nasty = "</script><script>alert(1)</script> & <b>"
    with db.unit_of_work() as s:
        product = factories.product(s, name=nasty)
        session = factories.session(
            s, segments=[{"kind": "product", "planned_seconds": 60, "product_id": product.id}]
        )
    html = producer.get(producer_url(session.id)).text
    assert "<script>alert(1)" not in html
    assert page_data(html)["products"][0]["name"] == nasty


# Links to the consoles


def test_the_calendar_links_each_session_to_its_consoles(
    client: TestClient, scene: Scene, tokens: dict[str, str]
) -> None:
    calendar = f"/campaigns/{scene.campaign_id}/calendar"
    html = client.get(calendar, headers=auth(tokens["producer"])).text
    for session_id in (scene.coffee, scene.west, scene.night):
        assert f'href="/sessions/{session_id}/producer"' in html
        assert f'href="/sessions/{session_id}/creator"' in html
    # A creator gets the creator console of the sessions they host, nothing else.
    mine = client.get(calendar, headers=auth(tokens["creator"])).text
    assert f'href="/sessions/{scene.west}/creator"' in mine
    assert f'href="/sessions/{scene.coffee}/creator"' not in mine
    assert "/producer" not in mine
    retailer = client.get(calendar, headers=auth(tokens["retailer"])).text
    assert "data-console-link" not in retailer


@pytest.fixture
def demo(db: Database) -> dict[str, Any]:
    from live.cli import _first_session
    from live.demo.seed import demo_tokens, seed_demo

    seed_demo(db)
    return {"tokens": demo_tokens(db), "session_id": _first_session(db)}


def test_the_dev_welcome_prints_both_consoles_and_their_tokens_open_them(
    client: TestClient, demo: dict[str, Any], settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from live.cli import _print_welcome

    tokens, session_id = demo["tokens"], demo["session_id"]
    _print_welcome("http://127.0.0.1:8000", tokens, 1, settings, session_id)
    out = capsys.readouterr().out
    producer = re.search(r"producer console:\s+(\S+)", out)
    creator = re.search(r"creator console:\s+(\S+)", out)
    assert producer and creator, out
    assert producer.group(1) == (
        f"http://127.0.0.1:8000/sessions/{session_id}/producer?token={tokens['producer']}"
    )
    assert creator.group(1).endswith(f"/sessions/{session_id}/creator?token={tokens['creator']}")
    # The creator demo token belongs to the host of that session (SLHV-01): both links open.
    for link in (producer.group(1), creator.group(1)):
        client.cookies.clear()
        page = client.get(link.removeprefix("http://127.0.0.1:8000"))
        assert page.status_code == 200, link
        assert "SLHV-01" in page.text


# The consoles' own files


def console_files() -> list[Path]:
    static = Path(__file__).resolve().parents[2] / "live" / "pages" / "static"
    return [static / n for n in ("console.js", "producer.js", "creator.js")] + [
        static / "consoles.css",
        static / "creator.css",
    ]


def test_console_files_use_nothing_newer_than_the_chromium_in_obs() -> None:
    # A producer may well open the consoles in OBS's own browser dock (Chromium 127).
    from tests.overlays.test_overlay_files import TOO_NEW, _code

    found = [
        f"{path.name}: {name} (Chromium {version})"
        for path in console_files()
        for name, version in TOO_NEW.items()
        if name in _code(path)
    ]
    assert found == []
    for path in console_files():
        code = _code(path)
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", code), path.name
        assert "@import" not in code and not re.search(r"url\(\s*[\"']?(https?:)?//", code)
        # No `class`, arrow functions, let/const, template literals: the same plain ES2017
        # subset as overlays/realtime.js.
        if path.suffix == ".js":
            assert not re.search(r"=>|`|\blet\b|\bconst\b|\bclass\b|\?\.|\?\?", code), path.name
