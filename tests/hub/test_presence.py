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
