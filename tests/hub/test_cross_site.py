"""Other sites' pages and hostile frames against a real `sieulive serve` process.

A browser sends the page cookie on a websocket handshake and on a fetch whichever page opens
them: the service tells its own pages from others' by Origin (and, for writes, by the page's
CSRF token). Clients here are the real `websockets` library and httpx, setting the headers a
browser on another site would send. The process's log is read back: a hostile frame closes
the socket with its standard code and leaves no traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from live.api.cookies import csrf_token
from live.settings import Settings
from tests.hub.test_processes import free_port

EVIL = "http://evil.example"


class Served:
    """`sieulive serve` on a free port with its log kept in a file."""

    def __init__(self, settings: Settings, log: Path) -> None:
        assert settings.redis_url is not None
        self.port = free_port()
        self.log = log
        env = {
            **os.environ,
            "DATABASE_URL": settings.effective_database_url,
            "REDIS_URL": settings.redis_url,
            "SIEULIVE_DATA_DIR": str(settings.data_dir),
        }
        env.pop("SIEULIVE_PUBLIC_URL", None)
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "live.cli", "serve", "--port", str(self.port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60  # a loaded 2-core box can take that long to import
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("web process did not start:\n" + log.read_text())

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def own_origin(self) -> str:
        return self.base

    def stop(self) -> str:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.log.read_text()


@pytest.fixture
def served(settings: Settings, tmp_path: Path) -> Iterator[Served]:
    server = Served(settings, tmp_path / "serve.log")
    yield server
    server.stop()


def cookie(token: str) -> dict[str, str]:
    return {"Cookie": f"sieulive_token={token}"}


def first_frame(ws: ClientConnection) -> dict[str, Any]:
    return dict(json.loads(ws.recv(timeout=10)))


def refused(url: str, headers: dict[str, str]) -> tuple[int, list[str]]:
    """Connect, read until the server closes: its close code and every frame it sent."""
    sent: list[str] = []
    with connect(url, additional_headers=headers, open_timeout=10) as ws:
        try:
            while True:
                sent.append(str(ws.recv(timeout=10)))
        except ConnectionClosed as closed:
            assert closed.rcvd is not None, "the server closes with a code"
            return closed.rcvd.code, sent
    raise AssertionError("unreachable")


def test_a_cookie_socket_opened_by_another_site_is_refused_before_anything_is_sent(
    served: Served, tokens: dict[str, str], show_session: dict[str, Any]
) -> None:
    sid, cid = show_session["id"], show_session["campaign_id"]
    producer = tokens["producer"]
    for url in (f"{served.ws}/ws/sessions/{sid}", f"{served.ws}/ws/campaigns/{cid}"):
        for origin in (EVIL, "null", f"http://127.0.0.1:{served.port + 1}"):
            code, sent = refused(url, {**cookie(producer), "Origin": origin})
            assert code == 4403, (url, origin)
            assert sent == [], "not a byte of the show before the refusal"

    # The service's own pages, and clients that are no browser page (no Origin), follow.
    for headers in ({"Origin": served.own_origin}, {}):
        with connect(
            f"{served.ws}/ws/sessions/{sid}", additional_headers={**cookie(producer), **headers}
        ) as ws:
            assert first_frame(ws)["type"] == "state"
    # A token in the URL is a credential its holder handed over: any page may use it.
    with connect(
        f"{served.ws}/ws/sessions/{sid}?token={producer}", additional_headers={"Origin": EVIL}
    ) as ws:
        assert first_frame(ws)["type"] == "state"


def test_api_calls_on_the_page_cookie_need_the_own_origin_and_for_writes_the_csrf_token(
    served: Served, tokens: dict[str, str], show_session: dict[str, Any]
) -> None:
    sid = show_session["id"]
    producer = tokens["producer"]
    url = f"{served.base}/api/sessions/{sid}/show/commands"
    body = {"command": "go_live", "revision": 0, "command_id": "cookie-1"}

    def post(headers: dict[str, str]) -> httpx.Response:
        return httpx.post(url, json=body, headers={**cookie(producer), **headers}, timeout=10)

    forged = post({"Origin": EVIL, "X-CSRF-Token": csrf_token(producer)})
    assert forged.status_code == 403
    assert forged.json()["error"]["code"] == "cross_site"
    missing = post({"Origin": served.own_origin})
    assert missing.status_code == 403
    assert missing.json()["error"]["code"] == "csrf_token_missing"
    assert missing.json()["error"]["details"] == {"header": "X-CSRF-Token"}
    wrong = post({"Origin": served.own_origin, "X-CSRF-Token": csrf_token("sl_other")})
    assert wrong.json()["error"]["code"] == "csrf_token_wrong"
    # Nothing of the refused calls happened.
    state = httpx.get(f"{served.base}/api/sessions/{sid}/show", headers=cookie(producer))
    assert state.status_code == 200
    assert state.json()["show"]["revision"] == 0

    done = post({"Origin": served.own_origin, "X-CSRF-Token": csrf_token(producer)})
    assert done.status_code == 200, done.text
    assert done.json()["state"]["show"]["revision"] == 1
    # Reads from another site's page are refused too (its script could not read them anyway).
    read = httpx.get(
        f"{served.base}/api/sessions/{sid}/show", headers={**cookie(producer), "Origin": EVIL}
    )
    assert read.status_code == 403
    # A Bearer token is a deliberate credential: no cookie rules apply.
    bearer = httpx.post(
        url,
        json={**body, "command": "next", "revision": 1, "command_id": "bearer-1"},
        headers={"Authorization": f"Bearer {producer}", "Origin": EVIL},
        timeout=10,
    )
    assert bearer.status_code == 200


@pytest.mark.parametrize(
    ("send", "code"),
    [
        (b'{"type": "ping", "client_time": 1}', 1003),
        (b"\x00" * 64, 1003),
        ("x" * (10 * 1024 * 1024), 1009),
        ('{"type": "hello", "name": "' + "x" * 5000 + '"}', 1009),
    ],
    ids=["binary-json", "binary-zeros", "text-10MB", "hello-5KB"],
)
def test_a_hostile_frame_gets_its_close_code_and_no_traceback(
    served: Served,
    tokens: dict[str, str],
    show_session: dict[str, Any],
    send: str | bytes,
    code: int,
) -> None:
    made = httpx.post(
        f"{served.base}/api/sessions/{show_session['id']}/show/overlay-token",
        headers={"Authorization": f"Bearer {tokens['producer']}"},
    ).json()
    token = made["overlay_url"].split("token=")[1]
    with connect(f"{served.ws}/ws/overlay?token={token}", max_size=None) as ws:
        assert first_frame(ws)["type"] == "state"
        with pytest.raises(ConnectionClosed) as closed:
            ws.send(send)
            while True:
                ws.recv(timeout=10)
    if closed.value.rcvd is None:
        # Only a frame bigger than the socket buffers: the server closes (1009) while the
        # client is still writing it, and TCP's reset can discard the close frame on its way
        # back. What matters holds either way: no traceback, and the next overlay connects.
        assert len(send) > 1024 * 1024, "a small frame's close code always arrives"
    else:
        assert closed.value.rcvd.code == code
    # The socket's end is an ordinary event: the next overlay connects as ever.
    with connect(f"{served.ws}/ws/overlay?token={token}") as ws:
        assert first_frame(ws)["type"] == "state"
    log = served.stop()
    assert "Traceback" not in log and "Exception in ASGI" not in log, log
