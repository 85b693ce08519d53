"""The schedule API: campaigns and sessions with their run-of-show — create, read, edit, list
with filters — and who may change what."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from live.db import Database
from tests import factories
from tests.conftest import auth
from tests.schedule.conftest import Plan, flash, showcase


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


def codes(listing: dict[str, Any]) -> list[str]:
    return [item["code"] for item in listing["items"]]


# Campaigns


def test_campaign_lifecycle(producer: TestClient) -> None:
    body = {
        "name": "Siêu live hàng Việt 2024",
        "starts_on": "2024-09-26",
        "ends_on": "2024-09-29",
        "sales_goal": 5_000_000_000,
    }
    campaign = ok(producer.post("/api/campaigns", json=body), 201)
    assert campaign["timezone"] == "Asia/Ho_Chi_Minh"
    assert campaign["changeover_buffer_minutes"] == 30
    assert campaign["session_count"] == 0
    url = f"/api/campaigns/{campaign['id']}"
    assert ok(producer.get(url)) == campaign
    edited = ok(producer.patch(url, json={"sales_goal": 6_000_000_000}))
    assert edited["sales_goal"] == 6_000_000_000
    listed = ok(producer.get("/api/campaigns?q=siêu live"))
    assert [c["id"] for c in listed["items"]] == [campaign["id"]]
    assert producer.delete(url).status_code == 204
    assert producer.get(url).status_code == 404


def test_campaign_input_is_checked(producer: TestClient, plan: Plan) -> None:
    base = {"name": "X", "starts_on": "2024-09-26", "ends_on": "2024-09-29"}
    backwards = producer.post("/api/campaigns", json={**base, "ends_on": "2024-09-01"})
    assert backwards.status_code == 422
    unknown_zone = producer.post("/api/campaigns", json={**base, "timezone": "Asia/Hanoi"})
    assert unknown_zone.json()["error"]["details"]["fields"][0]["field"] == "timezone"
    for zone in ("../../etc/passwd", "", "America"):
        response = producer.post("/api/campaigns", json={**base, "timezone": zone})
        assert response.status_code == 422, (zone, response.text)
    url = f"/api/campaigns/{plan.campaign_id}"
    refused = producer.patch(url, json={"ends_on": "2024-09-01"})
    assert refused.status_code == 422
    assert refused.json()["error"]["details"]["fields"][0]["field"] == "ends_on"


def test_a_campaign_with_sessions_is_not_removed(plan: Plan) -> None:
    plan.create("2024-09-26T19:00:00", "2024-09-26T21:00:00")
    refused = plan.client.delete(f"/api/campaigns/{plan.campaign_id}")
    assert refused.status_code == 409
    assert ok(plan.client.get(f"/api/campaigns/{plan.campaign_id}"))["session_count"] == 1


# Sessions


def test_session_lifecycle(plan: Plan) -> None:
    segments = [
        {"kind": "intro", "planned_seconds": 120, "title": "Chào khán giả"},
        showcase(plan.product_id),
        flash(plan.product_id, 20, price=49_000),
        {"kind": "giveaway", "planned_seconds": 180},
        {"kind": "break", "planned_seconds": 60},
        {"kind": "outro", "planned_seconds": 120, "notes": "Hẹn gặp lại"},
    ]
    session = plan.create(
        "2024-09-26T19:00:00",
        "2024-09-26T21:00:00",
        cohost_ids=[plan.creators[1]],
        segments=segments,
        notes="Mở màn lễ hội",
    )
    assert session["host_name"] == "Nhà sáng tạo 1"
    assert session["cohost_ids"] == [plan.creators[1]]
    assert [g["position"] for g in session["segments"]] == [1, 2, 3, 4, 5, 6]
    assert [g["kind"] for g in session["segments"]] == [g["kind"] for g in segments]
    assert session["segments"][1]["product_name"] == "Kẹo dừa Bến Tre"
    assert session["segments"][2]["flash_price"] == 49_000
    assert session["warnings"] == []
    url = f"/api/sessions/{session['id']}"
    assert ok(plan.client.get(url)) == session
    assert plan.client.delete(url).status_code == 204
    assert plan.client.get(url).status_code == 404


def test_a_session_code_is_made_up_when_left_out(plan: Plan) -> None:
    typed = plan.create("2024-09-26T09:00:00", "2024-09-26T10:00:00", code="S002")
    made = plan.create("2024-09-26T19:00:00", "2024-09-26T21:00:00", code=None)
    assert made["code"].startswith("S") and made["code"] != typed["code"]
    twin = plan.post("2024-09-27T19:00:00", "2024-09-27T21:00:00", code=typed["code"])
    assert twin.status_code == 409
    assert twin.json()["error"]["details"]["field"] == "code"


def test_post_accepts_what_get_returns(plan: Plan) -> None:
    """Copy a session: GET it, change what must differ, POST it back."""
    original = plan.create(
        "2024-09-26T19:00:00",
        "2024-09-26T21:00:00",
        segments=[
            {"kind": "intro", "planned_seconds": 120},
            showcase(plan.product_id),
            flash(plan.product_id, 10),
        ],
    )
    shown = ok(plan.client.get(f"/api/sessions/{original['id']}"))
    copy = {
        **shown,
        "code": "COPY-1",
        "studio": "Phòng B",
        "channel": "kenh-b",
        "scheduled_start": "2024-09-27T19:00:00+07:00",
        "scheduled_end": "2024-09-27T21:00:00+07:00",
    }
    again = ok(plan.client.post("/api/sessions", json=copy), 201)
    assert again["id"] != original["id"]
    assert again["code"] == "COPY-1"

    def run_of_show(s: dict[str, Any]) -> list[dict[str, Any]]:
        return [{k: v for k, v in g.items() if k != "id"} for g in s["segments"]]

    assert run_of_show(again) == run_of_show(original)
    # The copy has segments of its own; the original keeps its.
    assert {g["id"] for g in again["segments"]}.isdisjoint(g["id"] for g in original["segments"])
    assert ok(plan.client.get(f"/api/sessions/{original['id']}")) == shown


def test_patching_segments_replaces_the_run_of_show_keeping_ids(plan: Plan) -> None:
    session = plan.create(
        "2024-09-26T19:00:00",
        "2024-09-26T21:00:00",
        segments=[
            {"kind": "intro", "planned_seconds": 60},
            showcase(plan.product_id),
            {"kind": "outro", "planned_seconds": 60},
        ],
    )
    intro, product, outro = session["segments"]
    new_order = [
        {**product, "planned_seconds": 900},
        {"kind": "giveaway", "planned_seconds": 120},
        intro,
    ]
    edited = ok(plan.client.patch(f"/api/sessions/{session['id']}", json={"segments": new_order}))
    assert [g["kind"] for g in edited["segments"]] == ["product", "giveaway", "intro"]
    assert [g["position"] for g in edited["segments"]] == [1, 2, 3]
    assert edited["segments"][0]["id"] == product["id"]
    assert edited["segments"][0]["planned_seconds"] == 900
    assert edited["segments"][2]["id"] == intro["id"]
    assert outro["id"] not in {g["id"] for g in edited["segments"]}
    # Other fields are left alone when only segments are sent.
    assert edited["title"] == session["title"]
    emptied = ok(plan.client.patch(f"/api/sessions/{session['id']}", json={"segments": []}))
    assert emptied["segments"] == []


def test_segment_route_edits_one_line(plan: Plan) -> None:
    session = plan.create(
        "2024-09-26T19:00:00",
        "2024-09-26T21:00:00",
        segments=[{"kind": "intro", "planned_seconds": 60}, showcase(plan.product_id)],
    )
    segment = session["segments"][1]
    url = f"/api/sessions/{session['id']}/segments/{segment['id']}"
    edited = ok(plan.client.patch(url, json={"title": "Kẹo dừa", "planned_seconds": 420}))
    assert edited["segments"][1]["title"] == "Kẹo dừa"
    assert edited["segments"][1]["planned_seconds"] == 420
    assert edited["segments"][1]["id"] == segment["id"]
    # A segment made invalid for its kind names the problem.
    bad = plan.client.patch(url, json={"kind": "intro"})
    assert bad.status_code == 422, bad.text
    missing = plan.client.patch(f"/api/sessions/{session['id']}/segments/999999", json={})
    assert missing.status_code == 404


@pytest.fixture
def lineup(plan: Plan, db: Database) -> dict[str, Any]:
    """Four sessions over two days and two campaigns, in different states."""
    with db.unit_of_work() as s:
        other_campaign = factories.campaign(s, name="Tuần hàng OCOP").id
    a, b, c, d = plan.creators
    made = {
        "evening": plan.create(
            "2024-09-26T19:00:00",
            "2024-09-26T21:00:00",
            host=a,
            cohost_ids=[b],
            studio="Phòng Đỏ",
            title="Đặc sản miền Tây",
            segments=[showcase(plan.product_id)],
        ),
        "morning": plan.create(
            "2024-09-27T09:00:00",
            "2024-09-27T10:00:00",
            host=b,
            platform="shopee",
            studio="Phòng Xanh",
            title="Cà phê Tây Nguyên",
        ),
        "night": plan.create(
            "2024-09-27T23:00:00",
            "2024-09-28T01:00:00",
            host=c,
            platform="facebook",
            studio="Phòng Đỏ",
            status="draft",
            title="Trà và bánh",
        ),
        "other": plan.create(
            "2024-09-28T19:00:00",
            "2024-09-28T20:00:00",
            host=d,
            campaign_id=other_campaign,
            platform="shopee",
            title="OCOP 5 sao",
        ),
    }
    return {**made, "other_campaign": other_campaign}


def test_sessions_filters(plan: Plan, lineup: dict[str, Any]) -> None:
    def find(**params: Any) -> list[str]:
        return codes(ok(plan.client.get("/api/sessions", params=params)))

    evening, morning, night, other = (
        lineup[k]["code"] for k in ("evening", "morning", "night", "other")
    )
    assert find() == [evening, morning, night, other]  # by start time
    assert find(campaign_id=plan.campaign_id) == [evening, morning, night]
    assert find(campaign_id=lineup["other_campaign"]) == [other]
    # A creator's sessions: hosted and co-hosted.
    assert find(creator_id=plan.creators[1]) == [evening, morning]
    assert find(status="draft") == [night]
    assert find(platform="shopee") == [morning, other]
    assert find(studio="phòng đỏ") == [evening, night]
    # A time window, in campaign time unless an offset is given.
    assert find(starts_after="2024-09-27T00:00:00", starts_before="2024-09-28T00:00:00") == [
        morning,
        night,
    ]
    assert find(starts_after="2024-09-27T02:00:00Z") == [morning, night, other]
    # q: without accents, over title, creators, studio and products.
    assert find(q="ca phe tay nguyen") == [morning]
    assert find(q="keo dua") == [evening]
    assert find(q="nha sang tao 2") == [evening, morning]
    assert find(q=night.lower()) == [night]
    assert find(q="phong do", platform="facebook") == [night]


def test_renaming_a_creator_or_product_keeps_sessions_findable(
    plan: Plan, lineup: dict[str, Any]
) -> None:
    def find(q: str) -> list[str]:
        return codes(ok(plan.client.get("/api/sessions", params={"q": q})))

    evening = lineup["evening"]["code"]
    ok(plan.client.patch(f"/api/creators/{plan.creators[1]}", json={"name": "Quỳnh Trang"}))
    assert find("quynh trang") == [evening, lineup["morning"]["code"]]  # co-host, then host
    assert find("nha sang tao 2") == []
    ok(plan.client.patch(f"/api/products/{plan.product_id}", json={"name": "Bánh pía Sóc Trăng"}))
    assert find("banh pia") == [evening]
    assert find("keo dua") == []


def test_sessions_pagination(plan: Plan, lineup: dict[str, Any]) -> None:
    everything = codes(ok(plan.client.get("/api/sessions")))
    pages = [ok(plan.client.get(f"/api/sessions?limit=3&offset={o}")) for o in (0, 3)]
    assert [p["total"] for p in pages] == [4, 4]
    assert codes(pages[0]) + codes(pages[1]) == everything


def test_unknown_ids_are_404(producer: TestClient) -> None:
    for url in ("/api/campaigns/424242", "/api/sessions/424242"):
        for method in ("GET", "PATCH", "DELETE"):
            response = producer.request(method, url, json={})
            assert response.status_code == 404, (url, method, response.text)
            assert response.json()["error"]["code"] == "not_found"


def test_unknown_ids_in_a_session_body_are_422(plan: Plan) -> None:
    cases = {
        "campaign_id": {"campaign_id": 9_999_999},
        "host_creator_id": {"host": 9_999_999},
        "cohost_ids.1": {"cohost_ids": [plan.creators[1], 9_999_999]},
        "segments.0.product_id": {"segments": [showcase(9_999_999)]},
    }
    for field, kw in cases.items():
        response = plan.post("2024-09-26T19:00:00", "2024-09-26T21:00:00", **kw)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["details"]["fields"][0]["field"] == field


# Who may change the schedule


@pytest.fixture
def own_session(plan: Plan, tokens: dict[str, str]) -> dict[str, Any]:
    """A session the token creator hosts, and one it has nothing to do with."""
    mine = plan.create(
        "2024-09-26T19:00:00",
        "2024-09-26T21:00:00",
        host=int(tokens["creator_id"]),
        segments=[{"kind": "intro", "planned_seconds": 60, "notes": "Chào"}],
    )
    theirs = plan.create("2024-09-26T19:00:00", "2024-09-26T21:00:00", host=plan.creators[1])
    return {"mine": mine, "theirs": theirs}


def test_creators_edit_notes_of_their_own_sessions_only(
    client: TestClient, tokens: dict[str, str], own_session: dict[str, Any]
) -> None:
    creator = auth(tokens["creator"])
    mine, theirs = own_session["mine"], own_session["theirs"]
    url = f"/api/sessions/{mine['id']}"
    edited = ok(client.patch(url, headers=creator, json={"notes": "Nhớ nhắc mã giảm giá"}))
    assert edited["notes"] == "Nhớ nhắc mã giảm giá"
    segment_url = f"{url}/segments/{mine['segments'][0]['id']}"
    edited = ok(client.patch(segment_url, headers=creator, json={"notes": "Giới thiệu HTX"}))
    assert edited["segments"][0]["notes"] == "Giới thiệu HTX"
    # Anything but notes is refused, even alongside notes.
    for body in ({"title": "Đổi tên"}, {"notes": "x", "scheduled_end": "2024-09-26T22:00:00"}):
        refused = client.patch(url, headers=creator, json=body)
        assert refused.status_code == 403, refused.text
    refused = client.patch(segment_url, headers=creator, json={"planned_seconds": 5})
    assert refused.status_code == 403
    # Someone else's session: not even its notes.
    other = client.patch(f"/api/sessions/{theirs['id']}", headers=creator, json={"notes": "x"})
    assert other.status_code == 403
    assert other.json()["error"]["code"] == "not_your_session"
    after = ok(client.get(url, headers=creator))
    assert after["title"] == mine["title"]
    assert after["scheduled_end"] == mine["scheduled_end"]
    assert after["segments"][0]["planned_seconds"] == 60
    # Nor may creators create, remove or plan campaigns.
    assert client.post("/api/sessions", headers=creator, json=mine).status_code == 403
    assert client.delete(url, headers=creator).status_code == 403


def test_a_cohost_may_edit_notes_too(
    plan: Plan, client: TestClient, tokens: dict[str, str]
) -> None:
    session = plan.create(
        "2024-09-26T19:00:00", "2024-09-26T21:00:00", cohost_ids=[int(tokens["creator_id"])]
    )
    response = client.patch(
        f"/api/sessions/{session['id']}", headers=auth(tokens["creator"]), json={"notes": "OK"}
    )
    assert ok(response)["notes"] == "OK"


@pytest.mark.parametrize("role", ["retailer", "supplier"])
def test_retailers_and_suppliers_cannot_change_the_schedule(
    role: str, client: TestClient, tokens: dict[str, str], own_session: dict[str, Any]
) -> None:
    headers = auth(tokens[role])
    mine = own_session["mine"]
    url = f"/api/sessions/{mine['id']}"
    attempts = [
        client.post("/api/sessions", headers=headers, json={**mine, "code": "NEW"}),
        client.patch(url, headers=headers, json={"notes": "x"}),
        client.patch(f"{url}/segments/{mine['segments'][0]['id']}", headers=headers, json={}),
        client.delete(url, headers=headers),
        client.post("/api/campaigns", headers=headers, json={}),
        client.patch(f"/api/campaigns/{mine['campaign_id']}", headers=headers, json={}),
    ]
    for response in attempts:
        assert response.status_code == 403, response.text
        assert response.json()["error"]["details"]["role"] == role
    # They can read it.
    assert ok(client.get(url, headers=headers))["notes"] == mine["notes"]
