"""Fixtures for the overlay tests: a fake hub that serves overlays/ and speaks the protocol,
and Debian's Chromium driven through playwright (never a downloaded browser).

The fake hub is a tiny Starlette app in a uvicorn thread on a loopback port; the test scripts
what it sends (state, changes with chosen epoch and seq, reloads, close codes) and reads what
the page sent back. It can be stopped and started again on the same port, like a real restart.
Kept local to tests/overlays so it never clashes with the app-level browser fixtures.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

ROOT = Path(__file__).resolve().parents[2]
OVERLAYS = ROOT / "overlays"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"

HARNESS = """<!doctype html><html lang="vi"><head><meta charset="utf-8"></head><body>
<script src="/overlays/realtime.js"></script><script src="/overlays/format.js"></script>
</body></html>"""


def iso(ms: float) -> str:
    """A timestamp the way the server writes it: ISO, microseconds, +00:00."""
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="microseconds")


def make_state(now_ms: float, revision: int = 1, **changes: Any) -> dict[str, Any]:
    """A realistic whole show state (live/shows/state.py shape) with Vietnamese content."""
    product = {
        "id": 11,
        "sku": "HG-TRA-01",
        "name": "Trà Shan tuyết cổ thụ Hà Giang",
        "supplier_name": "HTX Chè Shan tuyết Lũng Phìn",
        "province": "Hà Giang",
        "ocop_stars": 4,
        "list_price": 150000,
        "live_price": 125000,
        "campaign_stock": 300,
        "stock_left": 120,
        "talking_points": "Búp chè hái tay ở độ cao 1.500 m",
        "image_url": None,
        "buy_link": "https://shop.example.vn/p/tra-shan-tuyet-co-thu?ref=sieulive&s=42",
        "category": "Đồ uống",
    }
    state: dict[str, Any] = {
        "session": {
            "id": 42,
            "code": "SL-042",
            "title": "Đặc sản vùng cao",
            "campaign_id": 1,
            "host_name": "Ngọc Ánh",
            "platform": "tiktok",
            "channel": "@sieulivehangviet",
            "studio": "Studio A",
            "status": "live",
            "scheduled_start": iso(now_ms - 600_000),
            "scheduled_end": iso(now_ms + 3_000_000),
            "sales_goal": 100_000_000,
        },
        "show": {
            "revision": revision,
            "phase": "live",
            "rehearsal": False,
            "auto_advance": False,
            "started_at": iso(now_ms - 600_000),
            "ended_at": None,
            "current_position": 2,
            "segment_started_at": iso(now_ms - 60_000),
            "held_at": None,
            "held_seconds": 0,
            "projected_end": iso(now_ms + 3_000_000),
            "updated_at": iso(now_ms),
        },
        "segments": [],
        "featured": product,
        "featured_since": iso(now_ms - 60_000),
        "flash_sale": {
            "product_id": 11,
            "price": 99000,
            "quantity": 100,
            "sold": 63,
            "segment_id": None,
            "started_at": iso(now_ms - 30_000),
            "ends_at": iso(now_ms + 90_000),
            "remaining": 37,
            "sold_out": False,
            "product": product,
        },
        "sales": {"units": 1234, "revenue": 45_600_000, "orders": 980},
        "recent_purchases": [
            {
                "product_name": "Trà Shan tuyết cổ thụ",
                "province": "Đà Nẵng",
                "quantity": 2,
                "at": iso(now_ms - 5_000),
            },
            {
                "product_name": "Mật ong bạc hà Mèo Vạc",
                "province": "Thừa Thiên Huế",
                "quantity": 1,
                "at": iso(now_ms - 9_000),
            },
            {
                "product_name": "Nước mắm Phú Quốc 40 độ đạm",
                "province": "Cần Thơ",
                "quantity": 3,
                "at": iso(now_ms - 14_000),
            },
            {
                "product_name": "Gạo ST25 Sóc Trăng",
                "province": "Bắc Ninh",
                "quantity": 5,
                "at": iso(now_ms - 20_000),
            },
        ],
    }
    for key, value in changes.items():
        state[key] = value
    return state


class FakeHub:
    """Serves /overlays, /ws/overlay and the consoles' /ws/sessions/{id} (the producer's
    preview frame follows a session there); the test decides every frame."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.skew_ms = 0.0  # the server's clock minus ours: proves countdowns use the offset
        self.epoch = "epoch-1"
        self.seq = 0
        self.state = make_state(self.server_now())
        self.received: list[dict[str, Any]] = []
        self.connections = 0
        self.paths: list[str] = []  # what each connection asked for
        self.deny_code: int | None = None  # accept, then close with this code
        self.mute = False  # accept and then say nothing, not even pongs
        self.resync_delay = 0.0
        self.sockets: set[WebSocket] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None
        self.app = Starlette(
            routes=[
                Route("/harness.html", self._harness),
                WebSocketRoute("/ws/overlay", self._socket),
                WebSocketRoute("/ws/sessions/{session_id:int}", self._socket),
                Mount("/overlays", StaticFiles(directory=OVERLAYS), name="overlays"),
            ]
        )

    # the server

    def start(self) -> None:
        if self.sock.fileno() == -1:  # stopped before: bind the same port again
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.sock.bind(("127.0.0.1", self.port))
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            ws="websockets-sansio",
            ws_per_message_deflate=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self.server = server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert server.started, "the fake hub did not start"

    def stop(self) -> None:
        """Like a server going down: sockets close, new connections are refused."""
        if self.server is None or self.thread is None:
            return
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.server = None
        self.sockets.clear()
        with contextlib.suppress(OSError):
            self.sock.close()

    # protocol

    def server_now(self) -> float:
        return time.time() * 1000 + self.skew_ms

    def frame(
        self, kind: str, data: Any, *, seq: int | None = None, epoch: str | None = None
    ) -> dict[str, Any]:
        return {
            "type": "state" if kind == "state" else "change",
            "channel": "show:42",
            "kind": kind,
            "epoch": epoch or self.epoch,
            "seq": self.seq if seq is None else seq,
            "server_time": int(self.server_now()),
            "data": data,
        }

    async def _harness(self, request: Any) -> HTMLResponse:
        return HTMLResponse(HARNESS)

    async def _socket(self, ws: WebSocket) -> None:
        self.loop = asyncio.get_running_loop()
        await ws.accept()
        if self.deny_code is not None:
            await ws.close(code=self.deny_code, reason="denied by the test")
            return
        self.connections += 1
        self.sockets.add(ws)
        self.paths.append(ws.url.path + (f"?{ws.url.query}" if ws.url.query else ""))
        try:
            if not self.mute:
                await ws.send_text(json.dumps(self.frame("state", self.state)))
            while True:
                message = json.loads(await ws.receive_text())
                message["_connection"] = self.connections
                message["_at"] = time.time()
                self.received.append(message)
                if self.mute:
                    continue
                if message.get("type") == "ping":
                    pong = {
                        "type": "pong",
                        "client_time": message.get("client_time"),
                        "server_time": int(self.server_now()),
                        "epoch": self.epoch,
                    }
                    await ws.send_text(json.dumps(pong))
                elif message.get("type") == "resync":
                    if self.resync_delay:
                        await asyncio.sleep(self.resync_delay)
                    await ws.send_text(json.dumps(self.frame("state", self.state)))
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self.sockets.discard(ws)

    def _run(self, coro_factory: Callable[[], Any]) -> None:
        assert self.loop is not None, "no page has connected yet"
        asyncio.run_coroutine_threadsafe(coro_factory(), self.loop).result(timeout=10)

    def send(self, frame: dict[str, Any]) -> None:
        """Send one raw frame to every connected page."""
        text = json.dumps(frame)

        async def go() -> None:
            for ws in list(self.sockets):
                with contextlib.suppress(Exception):
                    await ws.send_text(text)

        self._run(go)

    def change(
        self, kind: str, data: Any, *, seq: int | None = None, epoch: str | None = None
    ) -> None:
        """Send a change; by default the next seq of the current epoch."""
        if seq is None:
            self.seq += 1
            seq = self.seq
        if kind == "show" and epoch is None:
            self.state = data
        self.send(self.frame(kind, data, seq=seq, epoch=epoch))

    def close_all(self, code: int, reason: str = "") -> None:
        async def go() -> None:
            for ws in list(self.sockets):
                with contextlib.suppress(Exception):
                    await ws.close(code=code, reason=reason)

        self._run(go)

    # reading what pages sent

    def messages(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.received if m.get("type") == kind]

    def wait_for(
        self, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition"
    ) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; received: {self.received[-8:]}")


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    fake = FakeHub()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def chromium(headless_chromium: Any) -> Any:
    """Overlay tests never download a browser: without Debian's `chromium`, they skip loudly."""
    return headless_chromium


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors  # uncaught exceptions; tests assert there were none
    yield page
    context.close()


@pytest.fixture
def shoot() -> Callable[[Any, str], bytes]:
    """Screenshot with a transparent background, kept under test-artifacts/screenshots/."""

    def take(page: Any, name: str) -> bytes:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        png = page.screenshot(omit_background=True)
        (ARTIFACTS / f"overlay-{name}.png").write_bytes(png)
        return png

    return take
