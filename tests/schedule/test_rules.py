"""Each scheduling rule with real data through the API: refused with a 409 naming the conflict,
or a warning beside a 201. Every edit — of a session, a segment, a product or the campaign —
runs the rules again, and a refused edit leaves nothing changed."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from live.db import Database
from live.schedule.models import LiveSession, Segment, SegmentKind
from live.schedule.rules import check_session, sessions_query
from tests import factories
from tests.schedule.conftest import Plan, flash, showcase

DAY = "2024-09-26"


def at(hhmm: str, day: str = DAY) -> str:
    return f"{day}T{hhmm}:00"


def conflicts(response: Any, rule: str | None = None) -> list[dict[str, Any]]:
    assert response.status_code == 409, response.text
    body = response.json()["error"]
    assert body["code"] == "schedule_conflict"
    found = body["details"]["conflicts"]
    assert found, body
    if rule is not None:
        assert {c["rule"] for c in found} == {rule}, found
    return found  # type: ignore[no-any-return]


def count_sessions(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(LiveSession)) or 0


# A creator in two overlapping sessions


def test_host_cannot_be_in_two_overlapping_sessions(plan: Plan, db: Database) -> None:
    first = plan.create(at("19:00"), at("21:00"))
    before = count_sessions(db)
    [conflict] = conflicts(plan.post(at("20:00"), at("22:00")), "creator_overlap")
    assert conflict["details"]["session_code"] == first["code"]
    assert conflict["details"]["session_id"] == first["id"]
    assert conflict["details"]["creator_id"] == plan.creators[0]
    assert "Nhà sáng tạo 1" in conflict["message"]
    assert count_sessions(db) == before


def test_cohost_counts_like_a_host(plan: Plan) -> None:
    host, guest = plan.creators[0], plan.creators[1]
    first = plan.create(at("19:00"), at("21:00"), host=host, cohost_ids=[guest])
    # The co-host of the first session hosts another one at the same time.
    [conflict] = conflicts(plan.post(at("19:30"), at("20:30"), host=guest), "creator_overlap")
    assert conflict["details"] == {
        "creator_id": guest,
        "session_id": first["id"],
        "session_code": first["code"],
        "buffer_minutes": 30,
    }
    # Co-host in both.
    third = plan.post(at("20:00"), at("22:00"), host=plan.creators[2], cohost_ids=[guest])
    assert conflicts(third, "creator_overlap")[0]["details"]["creator_id"] == guest
    # Someone else entirely is fine.
    plan.create(at("19:00"), at("21:00"), host=plan.creators[3])


def test_conflicts_name_every_clash_at_once(plan: Plan) -> None:
    first = plan.create(at("19:00"), at("21:00"))
    clash = plan.post(
        at("20:00"),
        at("22:00"),
        studio=first["studio"],
        channel=first["channel"],
        platform=first["platform"],
    )
    rules = sorted(c["rule"] for c in conflicts(clash))
    assert rules == ["channel_overlap", "creator_overlap", "studio_overlap"]
    message = clash.json()["error"]["message"]
    assert first["code"] in message and first["studio"] in message


# The changeover buffer


def test_default_buffer_is_thirty_minutes(plan: Plan) -> None:
    first = plan.create(at("19:00"), at("21:00"))
    # 20 minutes after the first one ends: the creator can't get from one set to the other.
    [conflict] = conflicts(plan.post(at("21:20"), at("22:20")), "creator_overlap")
    assert conflict["details"]["buffer_minutes"] == 30
    assert conflict["details"]["session_code"] == first["code"]
    # ...nor 20 minutes before it starts.
    conflicts(plan.post(at("17:40"), at("18:40")), "creator_overlap")
    # 30 minutes after is fine, and so is 30 minutes before.
    plan.create(at("21:30"), at("22:30"))
    plan.create(at("17:30"), at("18:30"))


def test_buffer_is_set_per_campaign(plan: Plan, db: Database) -> None:
    with db.unit_of_work() as s:
        quick = factories.campaign(s, name="Phiên chớp nhoáng", changeover_buffer_minutes=10).id
    plan.create(at("19:00"), at("21:00"), campaign_id=quick)
    plan.create(at("21:20"), at("22:00"), campaign_id=quick)
    conflicts(plan.post(at("22:05"), at("23:00"), campaign_id=quick), "creator_overlap")


def test_a_campaign_buffer_change_is_rechecked(plan: Plan) -> None:
    first = plan.create(at("19:00"), at("21:00"))
    second = plan.create(at("21:30"), at("22:30"))
    url = f"/api/campaigns/{plan.campaign_id}"
    refused = plan.client.patch(url, json={"changeover_buffer_minutes": 45})
    [conflict] = conflicts(refused, "creator_overlap")
    assert {conflict["details"]["session_code"], conflict["details"]["with_session_code"]} == {
        first["code"],
        second["code"],
    }
    assert plan.client.get(url).json()["changeover_buffer_minutes"] == 30
    assert plan.client.patch(url, json={"changeover_buffer_minutes": 30}).status_code == 200
    shorter = plan.client.patch(url, json={"changeover_buffer_minutes": 0})
    assert shorter.status_code == 200, shorter.text
    # With no buffer, touching ends are fine.
    plan.create(at("22:30"), at("23:00"))


def test_a_campaign_timezone_change_rechecks_certificates(plan: Plan, db: Database) -> None:
    with db.unit_of_work() as s:
        product = factories.product(
            s,
            certifications=[{"name": "VietGAP", "number": None, "expires_on": date(2024, 9, 26)}],
        ).id
    # 23:00–23:30 in Vietnam is still the 26th; in Tokyo (+09:00) it ends on the 27th.
    session = plan.create(at("23:00"), at("23:30"), segments=[showcase(product)])
    url = f"/api/campaigns/{plan.campaign_id}"
    refused = plan.client.patch(url, json={"timezone": "Asia/Tokyo"})
    [conflict] = conflicts(refused, "certificate_expired")
    assert conflict["details"]["session_code"] == session["code"]
    assert plan.client.get(url).json()["timezone"] == "Asia/Ho_Chi_Minh"
    assert plan.client.patch(url, json={"timezone": "Asia/Bangkok"}).status_code == 200


def test_touching_ends_are_fine_without_a_buffer(plan: Plan, db: Database) -> None:
    with db.unit_of_work() as s:
        back_to_back = factories.campaign(s, changeover_buffer_minutes=0).id
    first = plan.create(at("19:00"), at("21:00"), campaign_id=back_to_back)
    # Same creator, studio and channel, one right after the other.
    same = {"studio": first["studio"], "channel": first["channel"], "campaign_id": back_to_back}
    plan.create(at("21:00"), at("22:00"), **same)
    plan.create(at("18:00"), at("19:00"), **same)
    conflicts(plan.post(at("20:59"), at("21:30"), **{**same, "studio": "Khác", "channel": "x"}))


# One studio, one channel at a time


def test_two_sessions_in_one_studio_at_once(plan: Plan) -> None:
    first = plan.create(at("19:00"), at("21:00"), studio="Phòng Đỏ")
    clash = plan.post(at("20:00"), at("22:00"), host=plan.creators[1], studio="Phòng Đỏ")
    [conflict] = conflicts(clash, "studio_overlap")
    assert conflict["details"] == {
        "studio": "Phòng Đỏ",
        "session_id": first["id"],
        "session_code": first["code"],
    }
    # Studio names are matched without regard to case, nor to runs of spaces (stored as one,
    # as the studio records store them).
    conflicts(plan.post(at("20:00"), at("22:00"), host=plan.creators[2], studio="phòng Đỏ"))
    conflicts(plan.post(at("20:00"), at("22:00"), host=plan.creators[2], studio=" Phòng   Đỏ "))
    spaced = plan.create(at("22:00"), at("23:00"), studio="Phòng  \t Đỏ")
    assert spaced["studio"] == "Phòng Đỏ"
    plan.create(at("20:00"), at("22:00"), host=plan.creators[1], studio="Phòng Xanh")


def test_two_sessions_on_one_platform_channel_at_once(plan: Plan) -> None:
    first = plan.create(at("19:00"), at("21:00"), platform="shopee", channel="Bến Tre Official")
    clash = plan.post(
        at("19:30"),
        at("20:00"),
        host=plan.creators[1],
        platform="shopee",
        channel="bến tre official",
    )
    [conflict] = conflicts(clash, "channel_overlap")
    assert conflict["details"]["platform"] == "shopee"
    assert conflict["details"]["session_code"] == first["code"]
    # The same channel name on another platform is another channel.
    plan.create(
        at("19:30"),
        at("20:00"),
        host=plan.creators[1],
        platform="lazada",
        channel="Bến Tre Official",
    )


# Products in the run-of-show


def test_a_product_must_be_quality_approved(plan: Plan, db: Database) -> None:
    for product_id, status in ((plan.pending_id, "pending"), (plan.rejected_id, "rejected")):
        segments = [{"kind": "intro", "planned_seconds": 60}, showcase(product_id)]
        [conflict] = conflicts(
            plan.post(at("19:00"), at("21:00"), segments=segments), "product_not_approved"
        )
        assert conflict["details"]["product_id"] == product_id
        assert conflict["details"]["qc_status"] == status
        assert conflict["details"]["segment_position"] == 2
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Segment)) == 0
    assert count_sessions(db) == 0


def test_a_certificate_must_last_through_the_session(plan: Plan, db: Database) -> None:
    with db.unit_of_work() as s:
        product = factories.product(
            s,
            name="Nước mắm Phú Quốc",
            certifications=[
                {"name": "OCOP 4 sao", "number": "PQ-1", "expires_on": date(2024, 9, 26)}
            ],
        ).id
    # Valid through its expiry day: a session that day is fine...
    plan.create(at("19:00"), at("21:00"), segments=[showcase(product)])
    # ...one the next day, or one that runs past midnight into it, is not.
    late = plan.post(at("23:00"), at("00:30", "2024-09-27"), segments=[showcase(product)])
    [conflict] = conflicts(late, "certificate_expired")
    assert conflict["details"]["certificate"] == "OCOP 4 sao"
    assert conflict["details"]["expires_on"] == "2024-09-26"
    conflicts(
        plan.post(
            at("19:00", "2024-09-27"), at("20:00", "2024-09-27"), segments=[showcase(product)]
        )
    )


def test_flash_sales_over_all_sessions_must_fit_the_campaign_stock(plan: Plan) -> None:
    first = plan.create(at("09:00"), at("10:00"), segments=[flash(plan.product_id, 60)])
    too_many = plan.post(at("19:00"), at("21:00"), segments=[flash(plan.product_id, 50)])
    [conflict] = conflicts(too_many, "flash_stock_exceeded")
    assert conflict["details"]["planned"] == 110
    assert conflict["details"]["campaign_stock"] == 100
    assert conflict["details"]["product_id"] == plan.product_id
    assert first["code"] in [s["session_code"] for s in conflict["details"]["sessions"]]
    plan.create(at("19:00"), at("21:00"), segments=[flash(plan.product_id, 40)])
    # Two flash sales in one session count together too.
    conflicts(
        plan.post(
            at("12:00"),
            at("13:00"),
            segments=[flash(plan.product_id, 1), flash(plan.product_id, 1)],
        ),
        "flash_stock_exceeded",
    )


def test_segments_longer_than_the_slot_are_a_warning(plan: Plan) -> None:
    segments = [showcase(plan.product_id, 3000), showcase(plan.product_id, 1200)]
    created = plan.create(at("19:00"), at("20:00"), segments=segments)
    [warning] = created["warnings"]
    assert warning["rule"] == "segments_overrun"
    assert warning["severity"] == "warning"
    assert warning["details"] == {"planned_seconds": 4200, "slot_seconds": 3600}
    shown = plan.client.get(f"/api/sessions/{created['id']}").json()
    assert shown["warnings"] == created["warnings"]


# Every edit rechecks every rule


def test_moving_a_session_onto_another_is_refused(plan: Plan) -> None:
    first = plan.create(at("19:00"), at("21:00"))
    second = plan.create(at("09:00"), at("10:00"))
    url = f"/api/sessions/{second['id']}"
    moved = plan.client.patch(
        url, json={"scheduled_start": at("20:00"), "scheduled_end": at("22:00")}
    )
    assert conflicts(moved, "creator_overlap")[0]["details"]["session_code"] == first["code"]
    assert plan.client.get(url).json()["scheduled_start"] == "2024-09-26T09:00:00+07:00"
    # Into the other's studio with another host.
    taken = plan.client.patch(
        url,
        json={
            "host_creator_id": plan.creators[1],
            "studio": first["studio"],
            "scheduled_start": at("20:00"),
            "scheduled_end": at("22:00"),
        },
    )
    conflicts(taken, "studio_overlap")
    assert plan.client.get(url).json()["host_creator_id"] == plan.creators[0]


def test_adding_a_cohost_who_is_busy_is_refused(plan: Plan) -> None:
    plan.create(at("19:00"), at("21:00"), host=plan.creators[1])
    mine = plan.create(at("19:00"), at("21:00"), host=plan.creators[0])
    refused = plan.client.patch(
        f"/api/sessions/{mine['id']}", json={"cohost_ids": [plan.creators[1]]}
    )
    conflicts(refused, "creator_overlap")


def test_editing_one_segment_rechecks(plan: Plan) -> None:
    session = plan.create(at("19:00"), at("21:00"), segments=[showcase(plan.product_id)])
    segment_id = session["segments"][0]["id"]
    url = f"/api/sessions/{session['id']}/segments/{segment_id}"
    conflicts(plan.client.patch(url, json={"product_id": plan.rejected_id}), "product_not_approved")
    over = plan.client.patch(
        url, json={"kind": "flash_sale", "flash_price": 10_000, "flash_quantity": 101}
    )
    conflicts(over, "flash_stock_exceeded")
    shown = plan.client.get(f"/api/sessions/{session['id']}").json()
    assert shown["segments"] == session["segments"]


def test_rejecting_a_scheduled_product_is_refused(plan: Plan) -> None:
    session = plan.create(at("19:00"), at("21:00"), segments=[showcase(plan.product_id)])
    url = f"/api/products/{plan.product_id}"
    refused = plan.client.patch(url, json={"qc_status": "rejected", "qc_note": "hết hạn"})
    [conflict] = conflicts(refused, "product_not_approved")
    assert conflict["details"]["session_code"] == session["code"]
    assert conflict["details"]["session_id"] == session["id"]
    assert session["code"] in refused.json()["error"]["message"]
    assert plan.client.get(url).json()["qc_status"] == "approved"
    assert plan.client.get(url).json()["qc_note"] is None


def test_an_earlier_certificate_expiry_is_refused(plan: Plan) -> None:
    session = plan.create(at("19:00"), at("21:00"), segments=[showcase(plan.product_id)])
    url = f"/api/products/{plan.product_id}"
    refused = plan.client.patch(
        url, json={"certifications": [{"name": "OCOP 4 sao", "expires_on": "2024-09-25"}]}
    )
    assert (
        conflicts(refused, "certificate_expired")[0]["details"]["session_code"] == session["code"]
    )
    assert plan.client.get(url).json()["certifications"][0]["expires_on"] == "2027-12-31"


def test_lowering_stock_below_planned_flash_sales_is_refused(plan: Plan) -> None:
    first = plan.create(at("09:00"), at("10:00"), segments=[flash(plan.product_id, 30)])
    second = plan.create(at("19:00"), at("21:00"), segments=[flash(plan.product_id, 40)])
    url = f"/api/products/{plan.product_id}"
    refused = plan.client.patch(url, json={"campaign_stock": 69})
    [conflict] = conflicts(refused, "flash_stock_exceeded")
    named = {s["session_code"]: s["quantity"] for s in conflict["details"]["sessions"]}
    assert named == {first["code"]: 30, second["code"]: 40}
    assert plan.client.get(url).json()["campaign_stock"] == 100
    assert plan.client.patch(url, json={"campaign_stock": 70}).status_code == 200


def test_cancelled_sessions_do_not_conflict_and_uncancelling_rechecks(plan: Plan) -> None:
    first = plan.create(at("19:00"), at("21:00"), segments=[flash(plan.product_id, 80)])
    url = f"/api/sessions/{first['id']}"
    assert plan.client.patch(url, json={"status": "cancelled"}).status_code == 200
    # Its creator, studio, channel and stock are free again.
    plan.create(
        at("19:00"),
        at("21:00"),
        studio=first["studio"],
        channel=first["channel"],
        segments=[flash(plan.product_id, 80)],
    )
    # Its flash-sale quantity no longer counts against the stock.
    product = f"/api/products/{plan.product_id}"
    assert plan.client.patch(product, json={"campaign_stock": 80}).status_code == 200
    back = plan.client.patch(url, json={"status": "scheduled"})
    rules = {c["rule"] for c in conflicts(back)}
    assert rules == {"creator_overlap", "studio_overlap", "channel_overlap", "flash_stock_exceeded"}
    assert plan.client.get(url).json()["status"] == "cancelled"


def test_a_cancelled_session_may_keep_a_product_no_longer_approved(plan: Plan) -> None:
    session = plan.create(at("19:00"), at("21:00"), segments=[showcase(plan.product_id)])
    url = f"/api/sessions/{session['id']}"
    assert plan.client.patch(url, json={"status": "cancelled"}).status_code == 200
    product = f"/api/products/{plan.product_id}"
    assert plan.client.patch(product, json={"qc_status": "rejected"}).status_code == 200
    conflicts(plan.client.patch(url, json={"status": "scheduled"}), "product_not_approved")


def test_live_and_ended_are_not_set_by_editing(plan: Plan) -> None:
    first = plan.create(at("19:00"), at("21:00"))
    refused = plan.client.patch(f"/api/sessions/{first['id']}", json={"status": "live"})
    assert refused.status_code == 422
    assert refused.json()["error"]["details"]["fields"][0]["field"] == "status"


# Time


def test_sessions_crossing_midnight_overlap_correctly(plan: Plan) -> None:
    night = plan.create(at("23:00"), at("01:00", "2024-09-27"), studio="Phòng Đêm")
    clash = plan.post(
        at("00:30", "2024-09-27"),
        at("02:00", "2024-09-27"),
        host=plan.creators[1],
        studio="Phòng Đêm",
    )
    assert conflicts(clash, "studio_overlap")[0]["details"]["session_code"] == night["code"]
    # Touching its end the next morning is fine.
    plan.create(
        at("01:00", "2024-09-27"),
        at("02:00", "2024-09-27"),
        host=plan.creators[1],
        studio="Phòng Đêm",
    )
    # The host needs the changeover buffer after midnight too.
    conflicts(plan.post(at("01:10", "2024-09-27"), at("02:00", "2024-09-27")), "creator_overlap")
    shown = plan.client.get(f"/api/sessions/{night['id']}").json()
    assert shown["scheduled_end"] == "2024-09-27T01:00:00+07:00"


def test_times_without_an_offset_are_campaign_time(plan: Plan) -> None:
    local = plan.create(at("19:00"), at("21:00"))
    assert local["scheduled_start"] == "2024-09-26T19:00:00+07:00"
    # The same instant written in UTC is the same slot.
    clash = plan.post("2024-09-26T12:00:00Z", "2024-09-26T13:00:00+00:00")
    conflicts(clash, "creator_overlap")
    other = plan.create("2024-09-26T14:30:00Z", "2024-09-26T15:00:00Z")
    assert other["scheduled_start"] == "2024-09-26T21:30:00+07:00"


def test_sessions_in_other_campaigns_still_take_up_the_creator(plan: Plan, db: Database) -> None:
    with db.unit_of_work() as s:
        other = factories.campaign(s, name="Tuần lễ OCOP").id
    plan.create(at("19:00"), at("21:00"))
    conflicts(plan.post(at("19:00"), at("21:00"), campaign_id=other), "creator_overlap")


# The rules as a service, for callers other than the API (imports, show control)


def test_check_session_reports_every_rule(db: Database) -> None:
    with db.unit_of_work() as s:
        host = factories.creator(s)
        product = factories.product(s, campaign_stock=5)
        first = factories.session(s, host_creator_id=host.id, studio="A", channel="c")
        campaign_id = first.campaign_id
    with db.unit_of_work() as s:
        clash = LiveSession(
            campaign_id=campaign_id,
            code="CLASH",
            title="Trùng lịch",
            host_creator_id=host.id,
            platform=first.platform,
            channel="C",
            studio="a",
            scheduled_start=first.scheduled_start,
            scheduled_end=first.scheduled_end,
            segments=[
                Segment(
                    position=1,
                    kind=SegmentKind.flash_sale,
                    planned_seconds=99_999,
                    product_id=product.id,
                    flash_price=1,
                    flash_quantity=6,
                )
            ],
        )
        s.add(clash)
        s.flush()
        loaded = s.scalar(sessions_query().where(LiveSession.id == clash.id))
        assert loaded is not None
        rules = sorted(p.rule for p in check_session(s, loaded))
        s.rollback()
    assert rules == [
        "channel_overlap",
        "creator_overlap",
        "flash_stock_exceeded",
        "segments_overrun",
        "studio_overlap",
    ]


# A session outside its campaign's dates: a warning beside the 201, never a refusal


def outside(response_body: dict[str, Any]) -> list[dict[str, Any]]:
    return [w for w in response_body["warnings"] if w["rule"] == "outside_campaign"]


def test_a_session_on_a_day_outside_the_campaign_is_a_warning(plan: Plan) -> None:
    """The campaign runs 26–29/09/2024, Vietnam time."""
    for start, end in (
        (at("19:00", "2024-09-25"), at("21:00", "2024-09-25")),  # the evening before
        (at("23:30", "2024-09-25"), at("01:00", "2024-09-26")),  # begins the night before
        (at("09:00", "2024-09-30"), at("11:00", "2024-09-30")),  # the day after
        (at("19:00", "2025-09-26"), at("21:00", "2025-09-26")),  # a year off: the typo it's for
        ("2024-09-25T16:30:00Z", "2024-09-25T17:30:00Z"),  # 23:30 on the 25th in Vietnam
    ):
        created = plan.create(start, end)
        [warning] = outside(created)
        assert warning["severity"] == "warning"
        assert warning["details"] == {
            "campaign_id": plan.campaign_id,
            "starts_on": "2024-09-26",
            "ends_on": "2024-09-29",
        }
        assert "26/09/2024–29/09/2024" in warning["message"]
        shown = plan.client.get(f"/api/sessions/{created['id']}").json()
        assert shown["warnings"] == created["warnings"]
        assert plan.client.delete(f"/api/sessions/{created['id']}").status_code == 204
    # Inside, including the first minute, a late show past midnight of the last day, and an
    # offset that puts the UTC time on the day before.
    for start, end in (
        (at("00:00", "2024-09-26"), at("01:00", "2024-09-26")),
        (at("22:30", "2024-09-29"), at("00:30", "2024-09-30")),
        ("2024-09-25T17:00:00Z", "2024-09-25T18:00:00Z"),  # 00:00 on the 26th in Vietnam
    ):
        created = plan.create(start, end)
        assert outside(created) == [], (start, end)
        assert plan.client.delete(f"/api/sessions/{created['id']}").status_code == 204


def test_editing_a_session_or_its_campaign_rechecks_the_dates(plan: Plan) -> None:
    created = plan.create(at("19:00"), at("21:00"))
    url = f"/api/sessions/{created['id']}"
    assert outside(created) == []
    moved = plan.client.patch(
        url,
        json={
            "scheduled_start": at("19:00", "2024-10-01"),
            "scheduled_end": at("21:00", "2024-10-01"),
        },
    )
    assert moved.status_code == 200, moved.text
    assert len(outside(moved.json())) == 1
    # The campaign grows to cover it: the warning goes, nothing to do on the session.
    campaign = f"/api/campaigns/{plan.campaign_id}"
    grown = plan.client.patch(campaign, json={"ends_on": "2024-10-02"})
    assert grown.status_code == 200, grown.text
    assert outside(plan.client.get(url).json()) == []
    # It shrinks again: accepted (a warning is no conflict), and the session says so.
    shrunk = plan.client.patch(campaign, json={"ends_on": "2024-09-29"})
    assert shrunk.status_code == 200, shrunk.text
    [warning] = outside(plan.client.get(url).json())
    assert warning["details"]["ends_on"] == "2024-09-29"
