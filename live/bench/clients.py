"""Benchmark clients: one process holds many websocket connections to each server and notes
when each change arrives. The change's `seq`, near the start of every frame, marks it, so
clients don't parse whole states (the same cheap work for every server measured)."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from multiprocessing.queues import Queue
from typing import Any

from websockets.asyncio.client import connect

SEQ = re.compile(rb'"seq":(\d+)')
CONNECTS_IN_FLIGHT = 100


class Tally:
    """Arrivals per (target, seq); tells the driver when every local connection has one."""

    def __init__(self, counts: dict[str, int], reports: Queue[Any], proc: int) -> None:
        self.counts = counts
        self.reports = reports
        self.proc = proc
        self.arrived: dict[tuple[str, int], int] = {}
        self.times: dict[str, list[tuple[int, float]]] = {t: [] for t in counts}
        self.per_connection: dict[str, list[set[int]]] = {t: [] for t in counts}

    def note(self, target: str, seq: int, seen: set[int]) -> None:
        if seq in seen:
            return
        seen.add(seq)
        self.times[target].append((seq, time.time()))
        key = (target, seq)
        self.arrived[key] = self.arrived.get(key, 0) + 1
        if self.arrived[key] == self.counts[target]:
            self.reports.put(("arrived", self.proc, target, seq))


async def _connection(
    url: str,
    target: str,
    tally: Tally,
    gate: asyncio.Semaphore,
    ready: asyncio.Event,
    opened: list[int],
    firsts: list[float] | None = None,
) -> None:
    seen: set[int] = set()
    tally.per_connection[target].append(seen)
    async with gate:
        ws = await connect(
            url,
            compression=None,
            ping_interval=None,
            max_size=None,
            open_timeout=STORM_TIMEOUT_S,
            close_timeout=1,
        )
        await ws.recv(decode=False)  # the whole state comes first
    if firsts is not None:
        firsts.append(time.time())
    opened[0] += 1
    if opened[0] == sum(tally.counts.values()):
        ready.set()
    try:
        async for frame in ws:
            data = frame if isinstance(frame, bytes) else frame.encode()
            match = SEQ.search(data, 0, 300)
            if match and b'"type":"change"' in data[:40]:
                tally.note(target, int(match.group(1)), seen)
    except Exception:
        pass
    finally:
        with contextlib.suppress(Exception):
            await ws.close()


async def _storm(
    name: str,
    url: str,
    count: int,
    tally: Tally,
    tasks: list[asyncio.Task[None]],
    opened: list[int],
) -> tuple[float, int]:
    """Open `count` connections at once (a restart's reconnect storm: every overlay redials
    within the same second); returns when the last one had its first state, and how many did."""
    ready = asyncio.Event()
    firsts: list[float] = []
    gate = asyncio.Semaphore(count)  # no gate: all at once
    before = opened[0]
    failed = [0]

    async def one() -> None:
        try:
            await _connection(url, name, tally, gate, ready, opened, firsts)
        except Exception:
            failed[0] += 1

    tasks += [asyncio.create_task(one()) for _ in range(count)]
    deadline = time.monotonic() + STORM_TIMEOUT_S
    while opened[0] - before + failed[0] < count and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    return (max(firsts) if firsts else time.time()), opened[0] - before


STORM_TIMEOUT_S = 180.0


async def _main(
    targets: list[tuple[str, str, int]],
    reports: Queue[Any],
    orders: Queue[Any],
    proc: int,
    storm: bool = False,
) -> None:
    tally = Tally({name: count for name, _url, count in targets}, reports, proc)
    gate = asyncio.Semaphore(CONNECTS_IN_FLIGHT)
    ready = asyncio.Event()
    opened = [0]
    loop = asyncio.get_running_loop()
    tasks: list[asyncio.Task[None]] = []
    if storm:
        # One target at a time, each on the driver's word ("go", name), all its connections at
        # once; the driver hears when the last first state arrived.
        reports.put(("spawned", proc))
        for name, url, count in targets:
            order = await loop.run_in_executor(None, orders.get)
            assert order == ("go", name), order
            last, got = await _storm(name, url, count, tally, tasks, opened)
            reports.put(("stormed", proc, name, last, got))
    else:
        tasks = [
            asyncio.create_task(_connection(url, name, tally, gate, ready, opened))
            for name, url, count in targets
            for _ in range(count)
        ]
        await ready.wait()
    reports.put(("ready", proc, opened[0]))
    await loop.run_in_executor(None, orders.get)  # "stop"
    received = {
        target: [len(seen) for seen in conns] for target, conns in tally.per_connection.items()
    }
    reports.put(("done", proc, tally.times, received))
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def run(
    targets: list[tuple[str, str, int]],
    reports: Queue[Any],
    orders: Queue[Any],
    proc: int,
    storm: bool = False,
) -> None:
    """Entry point of one client process."""
    from live.limits import raise_file_limit

    raise_file_limit()
    try:
        import uvloop
    except ImportError:
        asyncio.run(_main(targets, reports, orders, proc, storm))
    else:
        uvloop.run(_main(targets, reports, orders, proc, storm))
