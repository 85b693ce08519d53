"""Short turns of the event loop: websocket upgrades let through a few per turn, frames to many
clients written a bounded number per turn, and whatever else waits (a producer's command) runs
between those turns. Counted in turns of a real event loop, never timed."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx
import uvicorn

from live.hub.admission import PER_TURN, Admissions, AdmittingHttpProtocol
from live.hub.channels import Channels
from live.hub.hub import Client, Hub
from live.hub.outbox import Outbox
from tests.loops import run


class Turns:
    """Counts the turns of the running loop: a callback that schedules itself again."""

    def __init__(self) -> None:
        self.count = 0
        self.running = True

    def start(self) -> None:
        asyncio.get_running_loop().call_soon(self._tick)

    def _tick(self) -> None:
        self.count += 1
        if self.running:
            asyncio.get_running_loop().call_soon(self._tick)


# Admissions


@dataclass(eq=False)
class Transport:
    closing: bool = False
    paused: bool = False

    def pause_reading(self) -> None:
        self.paused = True

    def resume_reading(self) -> None:
        self.paused = False

    def is_closing(self) -> bool:
        return self.closing


@dataclass(eq=False)
class Upgrade:
    """Stands for uvicorn's protocol: what `Admissions` calls on it."""

    turns: Turns
    transport: Transport = field(default_factory=Transport)
    upgraded_at: int | None = None
    reading_when_upgraded: bool | None = None

    def upgrade_now(self) -> None:
        self.upgraded_at = self.turns.count
        self.reading_when_upgraded = not self.transport.paused


def test_upgrades_go_through_a_few_per_turn_and_other_work_runs_between() -> None:
    async def scenario() -> tuple[list[Upgrade], list[int]]:
        turns = Turns()
        turns.start()
        await asyncio.sleep(0)
        admissions = Admissions(asyncio.get_running_loop())
        # A storm's requests, all read in one turn of the loop.
        upgrades = [Upgrade(turns) for _ in range(5 * PER_TURN + 3)]
        for upgrade in upgrades:
            admissions.admit(upgrade)  # type: ignore[arg-type]
        # A command's request, read in the same turn: its next step is scheduled now.
        command_ran_at: list[int] = []
        asyncio.get_running_loop().call_soon(lambda: command_ran_at.append(turns.count))
        while any(u.upgraded_at is None for u in upgrades):
            await asyncio.sleep(0)
        turns.running = False
        return upgrades, command_ran_at

    upgrades, command_ran_at = run(scenario())
    per_turn: dict[int, int] = {}
    for upgrade in upgrades:
        assert upgrade.upgraded_at is not None
        per_turn[upgrade.upgraded_at] = per_turn.get(upgrade.upgraded_at, 0) + 1
    assert max(per_turn.values()) <= PER_TURN
    assert len(per_turn) >= 5, "spread over turns"
    # Oldest first, and each waiting socket reads again when its turn comes.
    order = [u.upgraded_at for u in upgrades]
    assert order == sorted(order)  # type: ignore[type-var]
    assert all(u.reading_when_upgraded for u in upgrades)
    # The command did not wait for the storm: it ran before the last upgrades.
    assert command_ran_at[0] < max(per_turn)


def test_an_upgrade_whose_client_left_while_waiting_is_skipped() -> None:
    async def scenario() -> list[Upgrade]:
        turns = Turns()
        admissions = Admissions(asyncio.get_running_loop(), per_turn=1)
        upgrades = [Upgrade(turns) for _ in range(3)]
        for upgrade in upgrades:
            admissions.admit(upgrade)  # type: ignore[arg-type]
        upgrades[1].transport.closing = True
        for _ in range(5):
            await asyncio.sleep(0)
        return upgrades

    first, gone, last = run(scenario())
    assert first.upgraded_at is not None and last.upgraded_at is not None
    assert gone.upgraded_at is None


def _upgrade_request(port: int, path: str) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()


async def _echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A websocket says hello; plain HTTP answers ok."""
    if scope["type"] == "websocket":
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": "hello"})
        while (await receive())["type"] != "websocket.disconnect":
            pass
    elif scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def test_under_uvicorn_every_upgrade_of_a_storm_is_answered_and_http_is_served_meanwhile() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        _echo_app,
        http=AdmittingHttpProtocol,
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        lifespan="off",
        log_level="warning",
        backlog=2048,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    clients = []
    try:
        # 600 handshakes at once: more than many turns' worth.
        for _ in range(600):
            c = socket.create_connection(("127.0.0.1", port))
            clients.append(c)
        for c in clients:
            c.sendall(_upgrade_request(port, "/ws"))
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=30).text == "ok"
        for c in clients:
            c.settimeout(30)
            got = b""
            while b"hello" not in got:
                chunk = c.recv(4096)
                assert chunk, "closed before its first frame"
                got += chunk
            assert got.startswith(b"HTTP/1.1 101")
    finally:
        for c in clients:
            c.close()
        server.should_exit = True
        thread.join(timeout=20)


# Outbox


@dataclass(eq=False)
class Connection:
    turns: Turns
    room: int = 10**9  # frames it takes before it counts as too slow
    left: bool = False
    frames: list[tuple[str, int]] = field(default_factory=list)  # (text, turn written)

    @property
    def gone(self) -> bool:
        return self.left

    def offer(self, text: str, wire: bytes | None = None) -> bool:
        if len(self.frames) >= self.room:
            return False
        self.frames.append((text, self.turns.count))
        return True


def test_a_frame_to_many_is_written_a_bounded_number_per_turn_in_order() -> None:
    async def scenario() -> tuple[list[Connection], list[str], list[int], list[Connection]]:
        turns = Turns()
        turns.start()
        await asyncio.sleep(0)
        dropped: list[Connection] = []
        outbox: Outbox[Connection] = Outbox(dropped.append, per_turn=100)
        overlays = [Connection(turns) for _ in range(450)]
        consoles = [Connection(turns) for _ in range(20)]
        done: list[str] = []
        outbox.send(
            [(overlays, "one/overlay", None), (consoles, "one/console", None)],
            lambda: done.append("one"),
        )
        outbox.send([(overlays, "two", None)], lambda: done.append("two"))
        command_ran_at: list[int] = []
        asyncio.get_running_loop().call_soon(lambda: command_ran_at.append(turns.count))
        while len(done) < 2:
            await asyncio.sleep(0)
        turns.running = False
        return overlays + consoles, done, command_ran_at, dropped

    connections, done, command_ran_at, dropped = run(scenario())
    assert done == ["one", "two"] and not dropped
    writes: dict[int, int] = {}
    for c in connections:
        for _text, turn in c.frames:
            writes[turn] = writes.get(turn, 0) + 1
    assert max(writes.values()) <= 100
    overlays, consoles = connections[:450], connections[450:]
    assert all([t for t, _ in c.frames] == ["one/overlay", "two"] for c in overlays)
    assert all([t for t, _ in c.frames] == ["one/console"] for c in consoles)
    # Other work ran before the last frames were written.
    assert command_ran_at[0] < max(writes)


def test_a_small_frame_is_written_at_once_and_the_gone_skipped_the_slow_dropped() -> None:
    async def scenario() -> tuple[list[Connection], list[Connection]]:
        turns = Turns()
        dropped: list[Connection] = []
        outbox: Outbox[Connection] = Outbox(dropped.append, per_turn=100)
        a, gone, slow = Connection(turns), Connection(turns, left=True), Connection(turns, room=0)
        outbox.send([([a, gone, slow], "change", None)])
        # Written before send() returned: no turn of the loop needed.
        assert [t for t, _ in a.frames] == ["change"]
        return [a, gone, slow], dropped

    (_a, gone, slow), dropped = run(scenario())
    assert not gone.frames and dropped == [slow]


# The hub: a whole state superseded before it reached everyone


def _hub_with_overlays(count: int, per_turn: int) -> tuple[Hub, list[Client]]:
    channels = Channels()
    channels.register(
        "show",
        lambda _id: {},
        audiences={"overlay": lambda state: {"n": state["n"]}},
        whole_state={"show"},
        signals={"reload"},
    )
    hub = Hub(None, channels)  # no Redis: fan-out alone
    hub.outbox.per_turn = per_turn
    clients = [
        Client(websocket=None, channel="show:1", role="overlay", pending=None)  # type: ignore[arg-type]
        for _ in range(count)
    ]
    hub.channels["show:1"] = set(clients)
    return hub, clients


def _frames(client: Client) -> list[tuple[str, int, Any]]:
    """(type, seq, data) of what was written to the client, in order."""
    got = []
    while client.buffer is not None and not client.buffer.empty():
        frame = json.loads(client.buffer.get_nowait())
        got.append((frame["type"], frame["seq"], frame["data"]))
    return got


def test_a_newer_whole_state_reaches_those_the_last_one_had_not_yet_as_a_state() -> None:
    async def scenario() -> list[list[tuple[str, int, Any]]]:
        hub, clients = _hub_with_overlays(5, per_turn=2)
        hub.fanout("show:1", "show", {"n": 1})  # 2 written at once, 3 wait for their turn
        hub.fanout("show:1", "show", {"n": 2})  # a command right after
        for _ in range(10):
            await asyncio.sleep(0)
        return [_frames(c) for c in clients]

    got = run(scenario())
    reached = [g for g in got if len(g) == 2]
    late = [g for g in got if len(g) == 1]
    assert len(reached) == 2 and len(late) == 3
    assert all(g == [("change", 1, {"n": 1}), ("change", 2, {"n": 2})] for g in reached)
    # One write each, the newest whole state, which every client applies as it arrives.
    assert all(g == [("state", 2, {"n": 2})] for g in late)


def test_nothing_is_superseded_across_a_signal_or_once_written() -> None:
    async def scenario() -> list[list[tuple[str, int, Any]]]:
        hub, clients = _hub_with_overlays(5, per_turn=2)
        hub.fanout("show:1", "show", {"n": 1})
        hub.fanout("show:1", "reload", {})  # a signal in between: kept in order
        hub.fanout("show:1", "show", {"n": 2})
        for _ in range(20):
            await asyncio.sleep(0)
        hub.fanout("show:1", "show", {"n": 3})  # the last one reached everyone by now
        for _ in range(20):
            await asyncio.sleep(0)
        return [_frames(c) for c in clients]

    got = run(scenario())
    kinds = [("change", 1), ("change", 2), ("change", 3), ("change", 4)]
    assert all([(t, s) for t, s, _d in g] == kinds for g in got)
