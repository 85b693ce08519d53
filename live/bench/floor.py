"""The floor: a bare `websockets` broadcast server with no application logic at all.

Clients connect to /ws and get a first frame (of `FIRST_SIZE` bytes: the app's whole state,
in the reconnect storm); a driver on /control sends {"seq": n, "size": bytes} and the server
broadcasts a frame of that size to every client with `websockets.broadcast`, answering with the
time it took. Run: python -m live.bench.floor PORT [FIRST_SIZE]
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve


def payload(seq: int, size: int) -> str:
    head = f'{{"type":"change","seq":{seq},"server_time":{int(time.time() * 1000)},"pad":"'
    return head + "x" * max(0, size - len(head) - 2) + '"}'


async def main(port: int, first_size: int = 64) -> None:
    clients: set[ServerConnection] = set()

    async def handler(ws: ServerConnection) -> None:
        if ws.request is not None and ws.request.path == "/control":
            async for message in ws:
                order: dict[str, Any] = json.loads(message)
                frame = payload(int(order["seq"]), int(order["size"]))
                wall, cpu = time.perf_counter(), time.process_time()
                broadcast(clients, frame)
                elapsed = (time.perf_counter() - wall) * 1000
                cpu_ms = (time.process_time() - cpu) * 1000
                await ws.send(
                    json.dumps({"fanout_ms": elapsed, "cpu_ms": cpu_ms, "clients": len(clients)})
                )
            return
        clients.add(ws)
        try:
            await ws.send(payload(0, first_size))  # as the app's state-first frame
            await ws.wait_closed()
        finally:
            clients.discard(ws)

    async with serve(
        handler,
        "127.0.0.1",
        port,
        compression=None,
        ping_interval=None,
        max_size=None,
        backlog=4096,
    ):
        print("ready", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    try:
        import uvloop
    except ImportError:
        asyncio.run(main(*args))
    else:
        uvloop.run(main(*args))
