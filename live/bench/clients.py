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
) -> None:
    seen: set[int] = set()
    tally.per_connection[target].append(seen)
    async with gate:
        ws = await connect(
            url,
            compression=None,
            ping_interval=None,
            max_size=None,
            open_timeout=120,
            close_timeout=1,
        )
        await ws.recv(decode=False)  # the whole state comes first
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


async def _main(
    targets: list[tuple[str, str, int]], reports: Queue[Any], orders: Queue[Any], proc: int
) -> None:
    tally = Tally({name: count for name, _url, count in targets}, reports, proc)
    gate = asyncio.Semaphore(CONNECTS_IN_FLIGHT)
    ready = asyncio.Event()
    opened = [0]
    tasks = [
        asyncio.create_task(_connection(url, name, tally, gate, ready, opened))
        for name, url, count in targets
        for _ in range(count)
    ]
    await ready.wait()
    reports.put(("ready", proc, opened[0]))
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, orders.get)  # "stop"
    received = {
        target: [len(seen) for seen in conns] for target, conns in tally.per_connection.items()
    }
    reports.put(("done", proc, tally.times, received))
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def run(
    targets: list[tuple[str, str, int]], reports: Queue[Any], orders: Queue[Any], proc: int
) -> None:
    """Entry point of one client process."""
    from live.limits import raise_file_limit

    raise_file_limit()
    try:
        import uvloop
    except ImportError:
        asyncio.run(_main(targets, reports, orders, proc))
    else:
        uvloop.run(_main(targets, reports, orders, proc))
