"""A slow client never delays the others: it is dropped (4408) and resyncs when it comes back.

Real uvicorn, real sockets: one client stops reading (a tiny receive window), the other reads;
the hub keeps writing to the fast one and drops the slow one once its unsent bytes pass the
bound.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from websockets.sync.client import connect

from live.app import create_app
from live.hub import hub as hub_module
from live.settings import Settings
from tests.hub.test_processes import frames, free_port


class ServerThread:
    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        self.port = free_port()
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            ws="websockets-sansio",
            ws_per_message_deflate=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.loop: asyncio.AbstractEventLoop | None = None

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.server.started
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)

    def call(self, func: Any, *args: Any) -> Any:
        """Run `func(*args)` on the server's event loop and wait for its result."""
        hub = self.app.state.hub
        loop = hub._tasks[0].get_loop()

        async def run() -> Any:
            return func(*args)

        return asyncio.run_coroutine_threadsafe(run(), loop).result(timeout=20)


def slow_socket(port: int, path: str) -> socket.socket:
    """A websocket client that completes the handshake and then never reads."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    assert b"101" in sock.recv(256)
    return sock


@pytest.fixture
def small_buffers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(hub_module, "BUFFER_BYTES", 64 * 1024)
    yield


def test_a_client_that_stops_reading_is_dropped_and_the_others_get_everything(
    settings: Settings, tokens: dict[str, str], show_session: Any, small_buffers: None
) -> None:
    sid = show_session["id"]
    with ServerThread(settings) as server:
        import httpx2 as httpx

        made = httpx.post(
            f"http://127.0.0.1:{server.port}/api/sessions/{sid}/show/overlay-token",
            headers={"Authorization": f"Bearer {tokens['producer']}"},
        ).json()
        token = made["overlay_url"].split("token=")[1]
        path = f"/ws/overlay?token={token}"
        slow = slow_socket(server.port, path)
        with connect(f"ws://127.0.0.1:{server.port}{path}", max_size=None) as fast:
            frames(fast, "state")
            hub = server.app.state.hub
            channel = f"show:{sid}"
            # A whole state with a 50 kB product name: the overlay's projection keeps it.
            payload = {"featured": {"name": "x" * 50_000}}
            received = 0
            for _ in range(200):
                server.call(hub.fanout, channel, "show", payload)
                frame = json.loads(fast.recv(timeout=10))
                while frame["type"] != "change":
                    frame = json.loads(fast.recv(timeout=10))
                received += 1
            assert received == 200, "the fast client got every change"
            clients = server.call(lambda: [c.role for c in hub.channels.get(channel, ())])
            assert clients == ["overlay"], "only the fast client is left"
        # The slow client's socket is closed: a 4408 close frame behind the frames it didn't
        # read, or, as it still doesn't read, cut.
        slow.settimeout(10)
        data = b""
        try:
            while chunk := slow.recv(1 << 20):
                data += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        finally:
            slow.close()
        assert len(data) < 200 * 50_000, "the hub stopped writing to the slow client"
