"""Creators' iCalendar feeds, read back with the icalendar library as a phone would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar, Event
from sqlalchemy import update
from starlette.testclient import TestClient

from live.catalog import service as catalog
from live.db import Database
from live.money import format_vnd
from live.schedule import service as schedule
from live.schedule.ical import sequence
from live.schedule.models import LiveSession, SessionStatus
from tests.pages.scene import Scene, build_scene

VN_OFFSET = timedelta(hours=7)


@pytest.fixture
def scene(db: Database) -> Scene:
    return build_scene(db)


def feed_path(db: Database, creator_id: int) -> str:
    """A new feed URL's path, as the creator's button makes it (the token is kept hashed: each
    call makes another and revokes the one before)."""
    with db.unit_of_work() as s:
        _creator, token = catalog.new_calendar_token(s, creator_id)
    return f"/calendar/{token}.ics"


def read_feed(client: TestClient, path: str) -> tuple[Calendar, dict[str, Event]]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.content)
    events = {str(e["summary"]).split(" · ")[0]: e for e in cal.walk("VEVENT")}
    return cal, events


def utc(event: Event, name: str) -> datetime:
    value: datetime = event.decoded(name)
    return value.astimezone(UTC)


def test_a_creator_feed_lists_the_sessions_it_hosts(
    client: TestClient, db: Database, scene: Scene
) -> None:
    cal, events = read_feed(client, feed_path(db, scene.hosts["chi_ba"]))
    assert set(events) == {"SL-02", "SL-03"}
    assert str(cal["x-wr-calname"]) == "sieulive – Chị Ba Miền Tây"
    assert cal["refresh-interval"].to_ical() == b"PT1H"
    assert cal["refresh-interval"].params["VALUE"] == "DURATION"
    assert cal["x-published-ttl"].to_ical() == b"PT1H"
    assert str(cal["method"]) == "PUBLISH"

    night = events["SL-03"]
    assert str(night["uid"]) == f"session-{scene.night}@sieulive"
    assert str(night["summary"]) == "SL-03 · Đêm hội nước mắm"
    assert str(night["location"]) == "Studio A"
    assert str(night["status"]) == "CONFIRMED"


def test_times_cross_midnight_with_their_timezone(
    client: TestClient, db: Database, scene: Scene
) -> None:
    cal, events = read_feed(client, feed_path(db, scene.hosts["chi_ba"]))
    night = events["SL-03"]
    # 22:30 on the 26th to 00:30 on the 27th, Vietnam time.
    assert utc(night, "dtstart") == datetime(2024, 9, 26, 22, 30, tzinfo=UTC) - VN_OFFSET
    assert utc(night, "dtend") == datetime(2024, 9, 27, 0, 30, tzinfo=UTC) - VN_OFFSET
    assert night["dtstart"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert night.decoded("dtend").date().isoformat() == "2024-09-27"
    zones = [str(z["tzid"]) for z in cal.walk("VTIMEZONE")]
    assert zones == ["Asia/Ho_Chi_Minh"]
    ics = client.get(feed_path(db, scene.hosts["chi_ba"])).text
    assert "DTSTART;TZID=Asia/Ho_Chi_Minh:20240926T223000" in ics
    assert "DTEND;TZID=Asia/Ho_Chi_Minh:20240927T003000" in ics


def test_the_description_tells_the_host_what_to_do(
    client: TestClient, db: Database, scene: Scene
) -> None:
    _cal, events = read_feed(client, feed_path(db, scene.hosts["chi_ba"]))
    text = str(events["SL-03"]["description"])
    assert "Nền tảng: Lazada · kênh hangviet.official" in text
    assert "Vai trò: dẫn chính" in text
    assert "Kịch bản:" in text
    assert (
        f"1. Sản phẩm: Nước mắm Phú Quốc 40 độ đạm · 30 phút · giá live {format_vnd(79_000)}"
        in (text)
    )
    assert "Ghi chú:\nNhớ bật đèn vàng cho cảnh nước mắm." in text
    assert f"http://testserver/campaigns/{scene.campaign_id}/calendar" in text


def test_a_cohost_gets_the_session_too(client: TestClient, db: Database, scene: Scene) -> None:
    _cal, events = read_feed(client, feed_path(db, scene.hosts["anh_tu"]))
    assert set(events) == {"SL-01"}
    text = str(events["SL-01"]["description"])
    assert "Vai trò: đồng dẫn" in text
    assert "Cùng dẫn: Hoài Phương Review" in text
    assert f"Flash sale: Cà phê Buôn Ma Thuột rang xay 500g · 5 phút · {format_vnd(99_000)}" in (
        text
    )


def test_drafts_are_tentative_and_cancelled_sessions_leave(
    client: TestClient, db: Database, scene: Scene
) -> None:
    path = feed_path(db, scene.hosts["phuong"])
    _cal, events = read_feed(client, path)
    assert str(events["SL-04"]["status"]) == "TENTATIVE"
    assert str(events["SL-01"]["status"]) == "CONFIRMED"
    with db.unit_of_work() as s:
        session = s.get(LiveSession, scene.coffee)
        assert session is not None
        schedule.save_session(s, {"status": SessionStatus.cancelled}, session)
    _cal, events = read_feed(client, path)
    assert set(events) == {"SL-04"}


def test_an_edit_raises_the_sequence_and_last_modified(
    client: TestClient, db: Database, scene: Scene
) -> None:
    path = feed_path(db, scene.hosts["chi_ba"])
    _cal, before = read_feed(client, path)
    with db.unit_of_work() as s:
        row = s.get(LiveSession, scene.night)
        assert row is not None
        created = row.created_at
        # An edit an hour after creation (set directly: the test doesn't wait an hour).
        s.execute(
            update(LiveSession)
            .where(LiveSession.id == scene.night)
            .values(title="Đêm hội nước mắm Phú Quốc", updated_at=created + timedelta(hours=1))
        )
    _cal, after = read_feed(client, path)
    assert str(after["SL-03"]["uid"]) == str(before["SL-03"]["uid"])
    assert int(after["SL-03"]["sequence"]) == 3600 > int(before["SL-03"]["sequence"])
    # iCalendar times have whole seconds.
    edited = (created + timedelta(hours=1)).replace(microsecond=0)
    assert utc(after["SL-03"], "last-modified") == edited
    assert str(after["SL-03"]["summary"]) == "SL-03 · Đêm hội nước mắm Phú Quốc"


def test_sequence_fits_an_ical_integer() -> None:
    created = datetime(2024, 9, 1, tzinfo=UTC)
    row: Any = LiveSession(created_at=created, updated_at=created + timedelta(days=400 * 365))
    assert sequence(row) == 2**31 - 1
    row.updated_at = created - timedelta(seconds=5)  # a clock step back never goes negative
    assert sequence(row) == 0


def test_the_feed_in_english_on_request(client: TestClient, db: Database, scene: Scene) -> None:
    _cal, events = read_feed(client, feed_path(db, scene.hosts["chi_ba"]) + "?lang=en")
    text = str(events["SL-03"]["description"])
    assert "Platform: Lazada · channel hangviet.official" in text
    assert "Role: host" in text


def test_an_unknown_feed_is_a_404_that_does_not_echo_the_secret(
    client: TestClient, scene: Scene
) -> None:
    for token in ("not-a-feed", "x" * 500):
        response = client.get(f"/calendar/{token}.ics")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "unknown_feed"
        assert token not in response.text


def test_rotating_the_token_kills_the_old_address(
    client: TestClient, db: Database, scene: Scene, tokens: dict[str, str]
) -> None:
    creator_id = scene.hosts["chi_ba"]
    producer = {"Authorization": f"Bearer {tokens['producer']}"}
    shown = client.post(f"/api/creators/{creator_id}/calendar-token", headers=producer)
    old_path = shown.json()["calendar_url"].removeprefix("http://testserver")
    assert client.get(old_path).status_code == 200

    rotated = client.post(f"/api/creators/{creator_id}/calendar-token", headers=producer)
    assert rotated.status_code == 200
    new_path = rotated.json()["calendar_url"].removeprefix("http://testserver")
    assert new_path != old_path
    assert client.get(old_path).status_code == 404
    _cal, events = read_feed(client, new_path)
    assert set(events) == {"SL-02", "SL-03"}


def test_a_creator_without_sessions_gets_an_empty_calendar(
    client: TestClient, db: Database, tokens: dict[str, str]
) -> None:
    cal, events = read_feed(client, feed_path(db, int(tokens["creator_id"])))
    assert events == {}
    assert str(cal["x-wr-calname"]) == "sieulive – Token Creator"
