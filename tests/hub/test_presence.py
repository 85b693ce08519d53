"""Presence: a connected client that sees no change for a long while is alive, not gone."""

from __future__ import annotations

import time
from typing import Any

import pytest

from live.hub import presence
from live.hub import sockets as hub_sockets
from tests.hub.test_protocol import listed, overlay_token, receive


def statuses(producer: Any, sid: int, want: Any = None) -> list[tuple[str, str]]:
    return listed(producer, sid, "name", "status", want=want)


def test_pings_keep_a_quiet_overlay_listed_as_connected(
    producer: Any, show_session: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Scaled down: silent after 0.4 s, gone after 0.6 s, pings refresh the entry every 0.2 s.
    monkeypatch.setattr(presence, "SILENT_AFTER_S", 0.4)
    monkeypatch.setattr(presence, "GONE_AFTER_S", 0.6)
    monkeypatch.setattr(hub_sockets, "PRESENCE_REFRESH_S", 0.2)
    sid = show_session["id"]
    token = overlay_token(producer, sid)
    with producer.websocket_connect(f"/ws/overlay?token={token}") as ws:
        receive(ws, "state")
        ws.send_json({"type": "hello", "kind": "overlay", "name": "OBS", "revision": 0})
        for _ in range(5):  # a second of pings and no show change at all
            time.sleep(0.25)
            ws.send_json({"type": "ping", "client_time": 1})
            receive(ws, "pong")
        assert statuses(producer, sid, [("OBS", "connected")]) == [("OBS", "connected")]
        time.sleep(0.8)  # no ping: now it is gone
        assert statuses(producer, sid) == [("OBS", "gone")]


def test_a_ping_before_hello_registers_nothing(producer: Any, show_session: dict[str, Any]) -> None:
    sid = show_session["id"]
    token = overlay_token(producer, sid)
    with producer.websocket_connect(f"/ws/overlay?token={token}") as ws:
        receive(ws, "state")
        ws.send_json({"type": "ping", "client_time": 1})
        receive(ws, "pong")
        assert statuses(producer, sid) == []


def test_an_overlay_token_cannot_pose_as_a_console_nor_flood_the_list(
    producer: Any, show_session: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub_sockets, "MAX_PAGES_PER_ROLE", 2)
    sid = show_session["id"]
    token = overlay_token(producer, sid)
    url = f"/ws/overlay?token={token}"
    with (
        producer.websocket_connect(url) as one,
        producer.websocket_connect(url) as two,
        producer.websocket_connect(url) as three,
    ):
        for n, ws in enumerate((one, two, three)):
            receive(ws, "state")
            ws.send_json(
                {
                    "type": "hello",
                    "kind": "producer",
                    "name": f"<b>Đạo diễn {n}</b>",
                    "instance": f"page-{n}-abcdef",
                    "revision": 0,
                }
            )
            ws.send_json({"type": "ping", "client_time": 1})
            receive(ws, "pong")
        want = [("overlay", "bĐạo diễn 0/b", "overlay:page-0-abcdef")]
        want.append(("overlay", "bĐạo diễn 1/b", "overlay:page-1-abcdef"))
        got = listed(producer, sid, "kind", "name", "id", want=want)
        assert got == want, "listed as overlays, markup stripped, the third page not listed"


def test_a_dropped_page_is_reconnecting_then_the_same_line_is_connected_again(
    producer: Any, show_session: dict[str, Any]
) -> None:
    sid = show_session["id"]
    token = overlay_token(producer, sid)
    hello = {"type": "hello", "name": "OBS", "instance": "obs-main-1", "retry_max_ms": 1000}
    with producer.websocket_connect(f"/ws/overlay?token={token}") as ws:
        receive(ws, "state")
        ws.send_json(hello)
        assert statuses(producer, sid, [("OBS", "connected")]) == [("OBS", "connected")]
        ws.close(code=1006)  # not the page closing itself: a cut
    assert statuses(producer, sid, [("OBS", "reconnecting")]) == [("OBS", "reconnecting")]
    item = producer.get(f"/api/sessions/{sid}/show/clients").json()["items"][0]
    assert 0 < item["next_try_within_s"] <= 1.0 and item["since"] > 0
    with producer.websocket_connect(f"/ws/overlay?token={token}") as ws:
        receive(ws, "state")
        ws.send_json({**hello, "reconnects": 1})
        assert statuses(producer, sid, [("OBS", "connected")]) == [("OBS", "connected")]
