"""The realtime protocol: state first, epoch and sequence, resync, heartbeats, bad tokens."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from live.hub import hub as hub_module
from live.hub.channels import Channels
from live.hub.hub import CLOSE_BAD_TOKEN, CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, CLOSE_REVOKED
from tests.conftest import auth
from tests.shows.test_commands import ok


def overlay_token(client: TestClient, session_id: int) -> str:
    """A new overlay token, as the producer console makes it (shown once: only its hash is
    kept, so each call makes another and revokes the one before)."""
    url = client.post(f"/api/sessions/{session_id}/show/overlay-token").json()["overlay_url"]
    return str(url.split("token=")[1])


def receive(ws: Any, wanted: str = "change") -> dict[str, Any]:
    """The next frame of a type, skipping heartbeats and pongs."""
    for _ in range(20):
        frame = ws.receive_json()
        if frame["type"] == wanted:
            return dict(frame)
    raise AssertionError(f"no {wanted} frame")


def closed_with(client: TestClient, url: str) -> int:
    with pytest.raises(WebSocketDisconnect) as exc, client.websocket_connect(url) as ws:
        ws.receive_json()
    return int(exc.value.code)


def test_first_frame_is_the_whole_state_then_changes_in_sequence(producer, show_session):
    sid = show_session["id"]
    token = overlay_token(producer, sid)
    with producer.websocket_connect(f"/ws/overlay?token={token}") as ws:
        first = ws.receive_json()
        assert first["type"] == "state"
        assert first["data"]["show"]["revision"] == 0
        assert first["data"]["session"]["id"] == sid
        assert isinstance(first["server_time"], int)
        epoch, seq = first["epoch"], first["seq"]

        ok(producer, sid, "go_live", 0)
        change = receive(ws)
        assert change["kind"] == "show"
        assert change["epoch"] == epoch
        assert change["seq"] == seq + 1
        assert change["data"]["show"]["revision"] == 1, "changes carry the whole state"

        ok(producer, sid, "next", 1)
        change = receive(ws)
        assert change["seq"] == seq + 2
        assert change["data"]["featured"]["name"] == "Cà phê Buôn Ma Thuột 500g"


def test_resync_sends_the_state_again_and_ping_answers_with_server_time(producer, show_session):
    sid = show_session["id"]
    token = overlay_token(producer, sid)
    with producer.websocket_connect(f"/ws/overlay?token={token}") as ws:
        receive(ws, "state")
        ok(producer, sid, "go_live", 0)
        receive(ws)
        ws.send_json({"type": "resync"})
        again = receive(ws, "state")
        assert again["data"]["show"]["revision"] == 1
        ws.send_json({"type": "ping", "client_time": 123})
        pong = receive(ws, "pong")
        assert pong["client_time"] == 123
        assert pong["server_time"] > 0


def test_reconnecting_gets_the_current_state_first(producer, show_session):
    sid = show_session["id"]
    token = overlay_token(producer, sid)
    ok(producer, sid, "go_live", 0)
    ok(producer, sid, "next", 1)
    with producer.websocket_connect(f"/ws/overlay?token={token}") as ws:
        state = receive(ws, "state")
    assert state["data"]["show"]["revision"] == 2
    assert state["data"]["show"]["current_position"] == 2


def test_heartbeats_carry_server_time(producer, show_session, monkeypatch, settings, tokens):
    from live.app import create_app

    monkeypatch.setattr(hub_module, "HEARTBEAT_SECONDS", 0.05)
    sid = show_session["id"]
    with TestClient(create_app(settings)) as client:
        client.headers.update(auth(tokens["producer"]))
        token = overlay_token(client, sid)
        with client.websocket_connect(f"/ws/overlay?token={token}") as ws:
            receive(ws, "state")
            beat = receive(ws, "heartbeat")
    assert beat["server_time"] > 0
    assert hub_module.HEARTBEAT_SECONDS <= 25


def test_bad_tokens_and_roles_are_closed_with_explicit_codes(client, tokens, show_session):
    sid = show_session["id"]
    assert closed_with(client, "/ws/overlay?token=nope") == CLOSE_BAD_TOKEN
    assert closed_with(client, "/ws/overlay") == CLOSE_BAD_TOKEN
    assert closed_with(client, f"/ws/sessions/{sid}") == CLOSE_BAD_TOKEN
    assert closed_with(client, f"/ws/sessions/{sid}?token=bad") == CLOSE_BAD_TOKEN
    retailer = tokens["retailer"]
    assert closed_with(client, f"/ws/sessions/{sid}?token={retailer}") == CLOSE_FORBIDDEN
    creator = tokens["creator"]  # not the host of this session
    assert closed_with(client, f"/ws/sessions/{sid}?token={creator}") == CLOSE_FORBIDDEN
    producer = tokens["producer"]
    assert closed_with(client, f"/ws/sessions/999999?token={producer}") == CLOSE_NOT_FOUND
    assert closed_with(client, f"/ws/campaigns/999999?token={producer}") == CLOSE_NOT_FOUND
    # Ids past the database's integer range can't exist: 4404, not a server error (PostgreSQL
    # refuses to compare an integer column with them).
    for huge in (2**31, 2**63, 10**30):
        assert closed_with(client, f"/ws/sessions/{huge}?token={producer}") == CLOSE_NOT_FOUND
        assert closed_with(client, f"/ws/campaigns/{huge}?token={producer}") == CLOSE_NOT_FOUND


def test_consoles_connect_with_the_page_cookie(client, tokens, show_session):
    sid = show_session["id"]
    client.cookies.set("sieulive_token", tokens["producer"])
    with client.websocket_connect(f"/ws/sessions/{sid}") as ws:
        assert ws.receive_json()["type"] == "state"


def test_a_revoked_overlay_token_is_closed_and_refused(producer, show_session):
    sid = show_session["id"]
    token = overlay_token(producer, sid)
    with producer.websocket_connect(f"/ws/overlay?token={token}") as ws:
        receive(ws, "state")
        response = producer.post(f"/api/sessions/{sid}/show/overlay-token")
        assert response.status_code == 200
        with pytest.raises(WebSocketDisconnect) as exc:
            for _ in range(20):
                ws.receive_json()
        assert exc.value.code == CLOSE_REVOKED
    assert closed_with(producer, f"/ws/overlay?token={token}") == CLOSE_BAD_TOKEN
    fresh = producer.post(f"/api/sessions/{sid}/show/overlay-token").json()["overlay_url"]
    with producer.websocket_connect(f"/ws/overlay?token={fresh.split('token=')[1]}") as ws:
        assert receive(ws, "state")["data"]["session"]["id"] == sid


def test_overlays_register_and_the_producer_sees_them_and_can_reload_them(producer, show_session):
    sid = show_session["id"]
    token = overlay_token(producer, sid)
    with producer.websocket_connect(f"/ws/overlay?token={token}") as ws:
        receive(ws, "state")
        ws.send_json(
            {"type": "hello", "kind": "overlay", "name": "card", "version": "1", "revision": 0}
        )
        ws.send_json({"type": "ping", "client_time": 1})
        receive(ws, "pong")  # the hello was handled before the ping
        clients = producer.get(f"/api/sessions/{sid}/show/clients").json()["items"]
        assert [(c["kind"], c["name"], c["status"]) for c in clients] == [("overlay", "card", "ok")]
        assert producer.post(f"/api/sessions/{sid}/show/reload-overlays").status_code == 202
        assert receive(ws)["kind"] == "reload"
    clients = producer.get(f"/api/sessions/{sid}/show/clients").json()["items"]
    assert clients == [], "a closed overlay unregisters"


def test_hostile_messages_are_skipped_and_the_connection_stays(producer, show_session):
    """What a client sends goes through the API's JSON parser: too deep, a number too long to
    read, NaN, not JSON, not an object, binary or oversized frames are skipped, unanswered;
    the connection and the client's registration carry on."""
    sid = show_session["id"]
    token = overlay_token(producer, sid)
    with producer.websocket_connect(f"/ws/overlay?token={token}") as ws:
        receive(ws, "state")
        for text in (
            "[" * 100_000 + "]" * 100_000,
            '{"type": "ping", "client_time": ' + "[" * 40 + "]" * 40 + "}",
            '{"type": "ping", "client_time": ' + "9" * 5_000 + "}",
            '{"type": "hello", "revision": NaN}',
            "{not json",
            '"ping"',
            "[]",
            '{"type": "hello", "name": "x"}' + " " * hub_module.MAX_CLIENT_MESSAGE,
        ):
            ws.send_text(text)
        ws.send_bytes(b'{"type": "ping", "client_time": 7}')
        # An echoed client time is a number, never whatever was sent.
        ws.send_json({"type": "ping", "client_time": {"a": [1, 2]}})
        assert receive(ws, "pong")["client_time"] is None
        ws.send_json({"type": "hello", "kind": "overlay", "name": "card", "revision": 0})
        ws.send_json({"type": "ping", "client_time": 5})
        assert receive(ws, "pong")["client_time"] == 5
        clients = producer.get(f"/api/sessions/{sid}/show/clients").json()["items"]
        assert [(c["kind"], c["name"]) for c in clients] == [("overlay", "card")]
        ok(producer, sid, "go_live", 0)
        assert receive(ws)["data"]["show"]["revision"] == 1


def test_stop_ends_a_task_that_swallowed_its_cancellation() -> None:
    """redis-py's pubsub read can swallow a cancel (Python 3.11's asyncio.timeout racing it):
    the hub's listener then never ended and the app's shutdown hung, now and then a test."""
    import asyncio
    import contextlib

    async def stubborn() -> None:
        with contextlib.suppress(asyncio.CancelledError):  # as redis-py's read did
            await asyncio.sleep(3600)
        await asyncio.sleep(3600)

    async def run() -> tuple[bool, bool]:
        hub = hub_module.Hub(None, Channels())
        listener = asyncio.create_task(stubborn())
        hub._tasks = [listener]
        await asyncio.sleep(0)
        stopping = asyncio.create_task(hub.stop())
        done, _ = await asyncio.wait({stopping}, timeout=3)
        ended = (bool(done), listener.cancelled())
        for task in (listener, stopping):
            task.cancel()
        await asyncio.gather(listener, stopping, return_exceptions=True)
        return ended

    # A loop of its own in a thread of its own: this process may already run a loop in this
    # thread (the shared sync Playwright of the browser tests does), where asyncio.run fails.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, run()).result(timeout=30) == (True, True)
