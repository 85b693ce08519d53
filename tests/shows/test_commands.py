"""Show control: the state machine, revisions, idempotency, timing and history."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from starlette.testclient import TestClient

from live.db import utcnow
from live.hub.publish import NullPublisher
from live.shows.autoadvance import advance
from live.shows.commands import COMMANDS, CommandName
from live.shows.models import FeaturedPeriod, ShowCommand
from tests import factories
from tests.conftest import auth

_ids = itertools.count(1)


def send(client: TestClient, session_id: int, command: str, revision: int, **args: Any) -> Any:
    body = {"command": command, "revision": revision, "command_id": f"c{next(_ids)}", **args}
    return client.post(f"/api/sessions/{session_id}/show/commands", json=body)


def ok(client: TestClient, session_id: int, command: str, revision: int, **args: Any) -> Any:
    response = send(client, session_id, command, revision, **args)
    assert response.status_code == 200, response.json()
    return response.json()["state"]


def test_every_command_has_its_own_handler():
    assert set(COMMANDS) == set(CommandName)
    assert len(set(COMMANDS.values())) == len(CommandName)


def test_go_live_takes_the_first_segment(producer, show_session):
    sid = show_session["id"]
    state = producer.get(f"/api/sessions/{sid}/show").json()
    assert state["show"]["phase"] == "standby"
    assert state["show"]["revision"] == 0
    assert state["overlay_url_issued"] is False, "the overlay URL is made, and shown, by POST"

    state = ok(producer, sid, "go_live", 0)
    assert state["show"]["phase"] == "live"
    assert state["show"]["revision"] == 1
    assert state["show"]["current_position"] == 1
    assert state["session"]["status"] == "live"
    assert state["segments"][0]["actual_start"] is not None


def test_taking_a_product_segment_features_it_and_a_flash_sale_segment_starts_it(
    producer, show_session
):
    sid = show_session["id"]
    state = ok(producer, sid, "go_live", 0)
    state = ok(producer, sid, "next", 1)
    assert state["featured"]["id"] == show_session["products"][0]
    assert state["featured"]["name"] == "Cà phê Buôn Ma Thuột 500g"
    state = ok(producer, sid, "jump", 2, position=4)
    flash = state["flash_sale"]
    assert flash["price"] == 49_000
    assert flash["quantity"] == 50
    assert flash["remaining"] == 50
    assert state["featured"]["id"] == show_session["products"][1]
    state = ok(producer, sid, "next", 3)
    assert state["flash_sale"] is None, "a segment's flash sale ends with the segment"


def test_a_stale_revision_is_refused_with_the_current_state(producer, show_session):
    sid = show_session["id"]
    ok(producer, sid, "go_live", 0)
    first = send(producer, sid, "next", 1)
    second = send(producer, sid, "next", 1)  # a second producer pressed "next" too
    assert first.status_code == 200
    assert second.status_code == 409
    error = second.json()["error"]
    assert error["code"] == "stale_revision"
    assert error["details"]["state"]["show"]["revision"] == 2
    assert error["details"]["state"]["show"]["current_position"] == 2, "no segment skipped"


def test_a_repeated_command_id_applies_once(producer, show_session):
    sid = show_session["id"]
    ok(producer, sid, "go_live", 0)
    body = {"command": "next", "revision": 1, "command_id": "retry-me"}
    a = producer.post(f"/api/sessions/{sid}/show/commands", json=body).json()
    b = producer.post(f"/api/sessions/{sid}/show/commands", json=body).json()
    assert a["applied"] is True
    assert b["applied"] is False
    assert b["state"]["show"]["revision"] == 2
    assert b["state"]["show"]["current_position"] == 2


def test_commands_out_of_place_are_refused(producer, show_session):
    sid = show_session["id"]
    assert send(producer, sid, "next", 0).json()["error"]["code"] == "invalid_command"
    ok(producer, sid, "go_live", 0)
    ok(producer, sid, "jump", 1, position=5)
    response = send(producer, sid, "next", 2)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_such_segment"
    assert send(producer, sid, "resume", 2).json()["error"]["code"] == "invalid_command"
    missing = send(producer, sid, "jump", 2)
    assert missing.status_code == 422
    assert "position" in missing.json()["error"]["message"]


def test_only_approved_products_of_the_campaign_can_be_featured(producer, db, show_session):
    sid = show_session["id"]
    with db.unit_of_work() as s:
        outsider = factories.product(s).id
    ok(producer, sid, "go_live", 0)
    response = send(producer, sid, "feature", 1, product_id=outsider)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"][0]["field"] == "product_id"
    state = ok(producer, sid, "feature", 1, product_id=show_session["products"][1])
    assert state["featured"]["id"] == show_session["products"][1]


def test_flash_sale_start_and_end_by_hand(producer, show_session):
    sid = show_session["id"]
    ok(producer, sid, "go_live", 0)
    ok(producer, sid, "next", 1)
    state = ok(producer, sid, "flash_sale.start", 2, price=99_000, quantity=20, duration_seconds=90)
    flash = state["flash_sale"]
    assert flash["product_id"] == show_session["products"][0]
    assert flash["quantity"] == 20
    state = ok(producer, sid, "flash_sale.end", 3)
    assert state["flash_sale"] is None


def test_hold_stops_the_segment_clock(producer, show_session, db):
    sid = show_session["id"]
    ok(producer, sid, "go_live", 0)
    state = ok(producer, sid, "hold", 1)
    assert state["show"]["phase"] == "held"
    assert state["show"]["held_at"] is not None
    state = ok(producer, sid, "resume", 2)
    assert state["show"]["phase"] == "live"
    assert state["show"]["held_at"] is None


def test_end_and_history_with_who_did_what(producer, show_session, db, tokens):
    sid = show_session["id"]
    ok(producer, sid, "go_live", 0)
    ok(producer, sid, "next", 1)
    ok(producer, sid, "next", 2)
    state = ok(producer, sid, "end", 3)
    assert state["show"]["phase"] == "ended"
    assert state["session"]["status"] == "ended"
    history = producer.get(f"/api/sessions/{sid}/show/history").json()["items"]
    assert [h["command"] for h in history] == ["go_live", "next", "next", "end"]
    assert {h["actor"] for h in history} == {"test producer"}
    with db.reading() as s:
        periods = s.query(FeaturedPeriod).order_by(FeaturedPeriod.id).all()
        assert [p.product_id for p in periods] == show_session["products"]
        assert all(p.ended_at is not None for p in periods)
        assert s.query(ShowCommand).count() == 4
    assert send(producer, sid, "go_live", 4).status_code == 409


def test_a_rehearsal_counts_nothing_and_leaves_the_show_ready(producer, show_session, db):
    sid = show_session["id"]
    state = ok(producer, sid, "go_live", 0, rehearsal=True)
    assert state["show"]["rehearsal"] is True
    assert state["session"]["status"] == "scheduled" or state["session"]["status"] == "draft"
    ok(producer, sid, "next", 1)
    state = ok(producer, sid, "end", 2)
    assert state["show"]["phase"] == "standby"
    with db.reading() as s:
        assert all(p.rehearsal for p in s.query(FeaturedPeriod).all())
    state = ok(producer, sid, "go_live", 3)
    assert state["show"]["rehearsal"] is False
    assert state["session"]["status"] == "live"


def test_only_producers_send_commands(client, tokens, show_session):
    sid = show_session["id"]
    body = {"command": "go_live", "revision": 0, "command_id": "x"}
    for role in ("creator", "retailer", "supplier"):
        response = client.post(
            f"/api/sessions/{sid}/show/commands", json=body, headers=auth(tokens[role])
        )
        assert response.status_code == 403


def test_auto_advance_takes_the_next_segment_once(producer, show_session, db):
    sid = show_session["id"]
    ok(producer, sid, "go_live", 0)
    ok(producer, sid, "auto_advance", 1, enabled=True)
    later = utcnow() + timedelta(seconds=121)
    assert advance(db, NullPublisher(), later) == 1
    assert advance(db, NullPublisher(), later) == 0, "the new segment has just started"
    state = producer.get(f"/api/sessions/{sid}/show").json()
    assert state["show"]["current_position"] == 2
    assert state["show"]["revision"] == 3


def test_state_survives_a_restart_of_the_web_process(settings, tokens, show_session):
    from live.app import create_app

    sid = show_session["id"]
    with TestClient(create_app(settings)) as first:
        first.headers.update(auth(tokens["producer"]))
        ok(first, sid, "go_live", 0)
        ok(first, sid, "next", 1)
    with TestClient(create_app(settings)) as second:
        state = second.get(f"/api/sessions/{sid}/show", headers=auth(tokens["producer"])).json()
    assert state["show"]["revision"] == 2
    assert state["show"]["current_position"] == 2
    assert state["featured"]["id"] == show_session["products"][0]


def test_creators_read_the_show_of_their_own_sessions_only(client, tokens, show_session):
    sid = show_session["id"]
    response = client.get(f"/api/sessions/{sid}/show", headers=auth(tokens["creator"]))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_your_session"
