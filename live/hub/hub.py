"""The hub of one web process: its websocket clients, grouped by channel, fed from Redis.

- Each process subscribes once per channel on Redis pub/sub and writes to its own clients.
- A message is encoded once per process, into JSON and into the websocket frame's bytes, and
  those bytes are written straight to each client's transport: no per-client task, await or
  serialisation, a bounded number of clients per turn of the event loop (`outbox.py`), so
  a producer's command is answered between those turns. A client whose unsent bytes pass a
  bound is dropped (close code 4408) and resyncs when it comes back, so a slow or dead client
  never delays the others.
- Where no transport is reachable (an ASGI server other than uvicorn, the test client) each
  client gets a bounded queue and a writer task instead: slower, same guarantees.
- Every frame carries the process's epoch (new at each boot) and the channel's sequence number;
  the first frame of every connection is the whole state.
- Each connection belongs to an audience (overlay, producer, supplier…): a whole state reaches
  it only through the projection its area registered (`live/hub/channels.py`). A change is
  projected and encoded once per audience present, never per connection.
- A connection's first state costs no database round trip: the channel's state is read once
  (one read in flight per channel, whoever asks), kept fresh by the changes, and its encoded
  JSON shared by every connection of the audience until the next change.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import json
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from websockets.frames import Frame, Opcode

from live import metrics
from live.api.jsonparse import parse_json
from live.errors import BadRequest
from live.hub import presence
from live.hub.channels import Channels
from live.hub.outbox import Group, Outbox, Sending
from live.hub.publish import encode, topic_prefix

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 20.0  # proxies cut idle sockets at 30–60 s; the brief says at most 25 s
BUFFER_FRAMES = 256
# Unsent bytes a client may have before it counts as too slow: ~a minute of show states.
BUFFER_BYTES = 1 << 20
# A whole state read from the DB serves the connections of the next moments too: after a
# deploy thousands of overlays reconnect at once, and each would otherwise read it again. (A
# change refreshes the copy at once; the bound is for edits that publish none, a title say.)
STATE_CACHE_SECONDS = 2.0

# Connections set up (handshake answered, first state written) at once; the others wait their
# turn. Each setup is well under a millisecond of CPU, so a turn of the event loop stays short.
SETUPS_AT_ONCE = 32

# Every socket is read-only: a client sends hello, ping, shown and resync, a few hundred
# bytes each. A frame over this closes the socket (1009) instead of being read.
MAX_CLIENT_MESSAGE = 4 * 1024

# Close codes, documented in docs/realtime.md.
CLOSE_UNSUPPORTED = 1003  # RFC 6455: a kind of data the endpoint can't accept (binary)
CLOSE_TOO_BIG = 1009  # RFC 6455: a message too big to process
CLOSE_BAD_TOKEN = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_SLOW = 4408
CLOSE_REVOKED = 4410

TextHandler = Callable[["Client", dict[str, Any]], Awaitable[None]]


def channel_kind(channel: str) -> str:
    """`show:12` → `show`: the bounded label metrics use."""
    return channel.partition(":")[0]


def now_ms() -> int:
    return int(time.time() * 1000)


def _number(value: Any) -> int | float | None:
    """A client's own clock, echoed in the pong: a number, or nothing."""
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return value if is_number and abs(value) < 1e15 else None


SERVER_SEND = "sieulive.server_send"


class CaptureServerSend:
    """ASGI middleware: keep the server's own `send` of each websocket in its scope.

    uvicorn's `send` is a method of its protocol object, which holds the socket's transport;
    Starlette wraps `send` in closures further in, so it is taken here, at the edge.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            scope[SERVER_SEND] = send
        await self.app(scope, receive, send)


def find_transport(websocket: WebSocket) -> asyncio.Transport | None:
    protocol = getattr(websocket.scope.get(SERVER_SEND), "__self__", None)
    transport = getattr(protocol, "transport", None)
    # uvloop's transports don't subclass asyncio.Transport; they have the same methods.
    needed = ("write", "get_write_buffer_size", "is_closing", "abort")
    return transport if all(hasattr(transport, m) for m in needed) else None


def wire_frame(text: str) -> bytes:
    """A server-to-client text frame (unmasked, uncompressed: valid with or without
    permessage-deflate), encoded by the websockets library once for every client."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


@dataclass(eq=False)
class Client:
    websocket: WebSocket
    channel: str
    role: str
    # Who the connection is for, as its area's projections name it (default: the role).
    audience: str = ""
    id: str = field(default_factory=lambda: os.urandom(6).hex())
    info: dict[str, Any] = field(default_factory=dict)
    dropped: bool = False
    left: bool = False  # the connection ended: nothing more is written to it
    close_code: int | None = None  # the client's, when it closed the connection itself
    transport: asyncio.Transport | None = None
    # Frames held back until the whole state has been written first.
    pending: list[tuple[str, bytes]] | None = field(default_factory=list)
    # Only without a reachable transport: a queue drained by a writer task.
    buffer: asyncio.Queue[str] | None = None

    def offer(self, text: str, wire: bytes | None = None) -> bool:
        """Hand one frame over without waiting; False when the client can't keep up."""
        if self.pending is not None:
            if len(self.pending) >= BUFFER_FRAMES:
                return False
            self.pending.append((text, wire or b""))
            return True
        return self.write(text, wire)

    def __post_init__(self) -> None:
        if not self.audience:
            self.audience = self.role

    @property
    def gone(self) -> bool:
        return self.dropped or self.left

    def write(self, text: str, wire: bytes | None) -> bool:
        transport = self.transport
        if transport is None:
            if self.buffer is None:
                self.buffer = asyncio.Queue(BUFFER_FRAMES)
            try:
                self.buffer.put_nowait(text)
                return True
            except asyncio.QueueFull:
                return False
        if transport.is_closing():
            return False
        if transport.get_write_buffer_size() > BUFFER_BYTES:
            return False
        transport.write(wire or wire_frame(text))
        return True

    def release(self, first: str) -> None:
        """Write `first` (the whole state), then what was held back meanwhile."""
        held, self.pending = self.pending or [], None
        self.write(first, None)
        for text, wire in held:
            self.write(text, wire or None)


class Hub:
    def __init__(self, redis: Any, channels: Channels, *, naive: bool = False) -> None:
        self.redis = redis  # redis.asyncio client
        self.presence = presence.Writer(redis)
        # Pages registered in presence per (channel, role) on this process (sockets.py caps it).
        self.pages: collections.Counter[tuple[str, str]] = collections.Counter()
        self.prefix = topic_prefix(redis)
        self.registry = channels
        self.load_state = channels.load
        self.whole_state_kinds = channels.whole_state_kinds()
        self.epoch = uuid.uuid4().hex
        self.channels: dict[str, set[Client]] = {}
        self.seq: dict[str, int] = {}
        self.counter = itertools.count(1)
        self._pubsub: Any = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._subscribed: set[str] = set()
        self._ready = asyncio.Event()
        self.on_message: list[Callable[[str, str, dict[str, Any]], None]] = []
        # Naive mode exists only as the benchmark's baseline (SIEULIVE_HUB_MODE=naive).
        self.naive = naive
        self._naive_tasks: set[asyncio.Task[None]] = set()
        self.stats: collections.deque[dict[str, Any]] = collections.deque(maxlen=200)
        # Changes and heartbeats to many clients, written a bounded number a turn of the loop.
        self.outbox: Outbox[Client] = Outbox(self.drop)
        # channel -> (seq, its frames) of the last whole state handed to the outbox, until
        # it has been written to every client.
        self._writing: dict[str, tuple[int, Sending[Client]]] = {}
        # channel -> (read at, whole state, version): the freshest copy this process holds.
        self._states: dict[str, tuple[float, dict[str, Any], int]] = {}
        self._admission: asyncio.Semaphore | None = None
        self._versions = itertools.count(1)
        # One read of a channel's state in flight at a time, whoever asks for it.
        self._loading: dict[str, asyncio.Future[dict[str, Any]]] = {}
        # (channel, audience) -> (version, the projected state's JSON): encoded once, shared.
        self._encoded: dict[tuple[str, str], tuple[int, str]] = {}

    # lifecycle

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._listen(), name="hub-listen"),
            asyncio.create_task(self._heartbeat(), name="hub-heartbeat"),
        ]

    async def stop(self) -> None:
        # redis-py's pubsub read can swallow a cancellation (Python 3.11's asyncio.timeout
        # racing it): cancel again until each task has really ended, or shutdown hangs.
        pending = set(self._tasks)
        while pending:
            for task in pending:
                task.cancel()
            _done, pending = await asyncio.wait(pending, timeout=0.5)
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for clients in list(self.channels.values()):
            for client in list(clients):
                await self._close(client, 1001, "server shutting down")
        await self.presence.stop()

    # frames

    def frame(self, channel: str, kind: str, data: Any, *, seq: int | None = None) -> str:
        return encode(
            {
                "type": "state" if kind == "state" else "change",
                "channel": channel,
                "kind": kind,
                "epoch": self.epoch,
                "seq": self.seq.get(channel, 0) if seq is None else seq,
                "server_time": now_ms(),
                "data": data,
            }
        )

    def state_frame(self, channel: str, audience: str, seq: int) -> str | None:
        """The first frame for one connection: the audience's projection of the channel's
        freshest state, encoded once per state and audience; only the envelope is per frame."""
        held = self._states.get(channel)
        if held is None:
            return None
        _at, state, version = held
        encoded = self._encoded.get((channel, audience))
        if encoded is None or encoded[0] != version:
            projected = self.registry.project(channel, audience, "state", state)
            if projected is None:
                return None
            encoded = (version, encode(projected))
            self._encoded[(channel, audience)] = encoded
        # The envelope by hand (numbers, and ids encoded by the C encoder): a storm of first
        # states must not run the full JSON encoder once per connection.
        return (
            f'{{"type":"state","channel":{json.dumps(channel)},"kind":"state",'
            f'"epoch":"{self.epoch}","seq":{int(seq)},"server_time":{now_ms()},'
            f'"data":{encoded[1]}}}'
        )

    def fanout(self, channel: str, kind: str, data: Any) -> int:
        """Hand one change to every local client of the channel, each audience its own
        projection; returns how many get it. The frames are written `WRITES_PER_TURN` clients
        per turn of the event loop (`Outbox`).

        A whole state that arrives while the previous one is still being written supersedes
        it: the clients the previous one had not reached get this one as a whole state (type
        `state`, which every client applies as it comes), the others as a change. A burst of
        commands to 10,000 overlays costs one write per overlay, not one per command."""
        clients = self.channels.get(channel)
        if not clients:
            return 0
        started = (time.perf_counter(), time.process_time())
        seq = self.seq[channel] = self.seq.get(channel, 0) + 1
        whole = kind in self.whole_state_kinds
        behind: set[Client] = set()
        writing = self._writing.pop(channel, None)
        if whole and writing is not None and writing[0] == seq - 1 and not self.naive:
            behind = set(self.outbox.withdraw(writing[1]))
        audiences: dict[str, list[Client]] = {}
        for client in clients:
            audiences.setdefault(client.audience, []).append(client)
        groups: list[Group[Client]] = []
        for audience, members in audiences.items():
            projected = self.registry.project(channel, audience, kind, data)
            if projected is None:
                continue  # nothing of this change is this audience's to see
            text = self.frame(channel, kind, projected, seq=seq)
            if self.naive:
                task = asyncio.get_running_loop().create_task(self._naive_fanout(members, text))
                self._naive_tasks.add(task)
                task.add_done_callback(self._naive_tasks.discard)
                continue
            late = [c for c in members if c in behind] if behind else []
            if late:
                state = self.frame(channel, "state", projected, seq=seq)
                groups.append((late, state, wire_frame(state)))
                members = [c for c in members if c not in behind]
            groups.append((members, text, wire_frame(text)))
        if self.naive:
            return len(clients)
        count = len(clients)

        this: list[Sending[Client]] = []  # known once send() returns

        def done() -> None:
            self.record(channel, count, started)
            writing = self._writing.get(channel)
            if writing is not None and this and writing[1] is this[0]:
                del self._writing[channel]

        this.append(self.outbox.send(groups, done))
        if whole and not this[0].finished:
            self._writing[channel] = (seq, this[0])
        metrics.WS_FRAMES.labels(channel_kind(channel)).inc(count)
        return count

    async def _naive_fanout(self, clients: list[Client], text: str) -> None:
        """The baseline the benchmark compares against: one awaited send per connection."""
        started = (time.perf_counter(), time.process_time())
        for client in list(clients):
            with contextlib.suppress(Exception):
                await client.websocket.send_text(text)
        self.record(next(iter(clients)).channel if clients else "", len(clients), started)

    def record(self, channel: str, clients: int, started: tuple[float, float]) -> None:
        """Wall time and this process's CPU time spent handing one change to every client;
        on a shared machine the CPU time is the steadier figure (no preemption in it)."""
        wall, cpu = started
        self.stats.append(
            {
                "channel": channel,
                "clients": clients,
                "ms": round((time.perf_counter() - wall) * 1000, 3),
                "cpu_ms": round((time.process_time() - cpu) * 1000, 3),
                "at": time.time(),
            }
        )

    def drop(self, client: Client) -> None:
        """Stop writing to a client that can't keep up; it reconnects and resyncs."""
        metrics.WS_SLOW_DROPS.inc()
        client.dropped = True
        clients = self.channels.get(client.channel)
        if clients is not None:
            clients.discard(client)
        asyncio.get_running_loop().create_task(self._close_slow(client))

    async def _close_slow(self, client: Client) -> None:
        # The close frame queues behind what the client hasn't read; if it can't go out in a
        # moment, the socket is cut so the server's memory doesn't wait on a dead reader.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(
                client.websocket.close(code=CLOSE_TOO_SLOW, reason="too slow: resync"), 2.0
            )
        if client.transport is not None and not client.transport.is_closing():
            client.transport.abort()
        await self._leave(client)

    # clients

    @property
    def admission(self) -> asyncio.Semaphore:
        if self._admission is None:
            self._admission = asyncio.Semaphore(SETUPS_AT_ONCE)
        return self._admission

    async def serve(self, client: Client, on_text: TextHandler | None = None) -> None:
        """Accept one connection and run it until it goes: state first, then changes."""
        connected = metrics.WS_CONNECTIONS.labels(channel_kind(client.channel))
        connected.inc()
        writer: asyncio.Task[None] | None = None
        try:
            # Setting a connection up (handshake answer, first state) waits its turn: a storm
            # of 10,000 reconnecting overlays is taken a few dozen at a time, so each turn of
            # the event loop stays short and a producer's command is answered between them.
            async with self.admission:
                if client.websocket.application_state == WebSocketState.CONNECTING:
                    await client.websocket.accept()
                if not self.naive:
                    client.transport = find_transport(client.websocket)
                await self._join(client)
                await self.send_state(client)
            if client.transport is None:
                writer = asyncio.create_task(self._write(client))
            while True:
                received = await client.websocket.receive()
                if received["type"] == "websocket.disconnect":
                    client.close_code = received.get("code")
                    break
                text = received.get("text")
                if text is None:
                    # Binary frames aren't the protocol: say so with the standard code.
                    await self._close(client, CLOSE_UNSUPPORTED, "binary frames are not accepted")
                    break
                if len(text) > MAX_CLIENT_MESSAGE:
                    # uvicorn refuses these itself before reading them whole (`ws_max_size`,
                    # set by `sieulive serve`); this covers other servers.
                    await self._close(client, CLOSE_TOO_BIG, "message too big")
                    break
                try:
                    message = parse_json(text)
                except BadRequest:
                    continue
                if isinstance(message, dict):
                    await self._handle(client, message, on_text)
        except WebSocketDisconnect as exc:
            client.close_code = exc.code
        except RuntimeError:
            pass
        finally:
            if writer is not None:
                writer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await writer
            connected.dec()
            await self._leave(client)

    async def send_state(self, client: Client) -> None:
        """Write the whole state ahead of any change that arrives while it loads.

        The channel's sequence number is noted before the state is read, so the changes
        held back meanwhile keep their place after it; clients skip those already in it.
        """
        seq = self.seq.get(client.channel, 0)
        if client.pending is None:
            client.pending = []
        try:
            await self.current_state(client.channel)
            frame = self.state_frame(client.channel, client.audience, seq)
        except Exception:
            client.pending = None
            raise
        if frame is None:
            client.pending = None
            raise LookupError(f"no state of {client.channel} for {client.audience}")
        if self.naive:
            client.pending = None
            await client.websocket.send_text(frame)
            return
        if client.transport is None:
            # Queue mode: the writer task may already be draining; put the state first.
            queued = []
            while client.buffer is not None and not client.buffer.empty():
                queued.append(client.buffer.get_nowait())
            held, client.pending = client.pending or [], None
            client.write(frame, None)
            for text in queued:
                client.write(text, None)
            for text, _wire in held:
                client.write(text, None)
            return
        client.release(frame)

    async def current_state(self, channel: str) -> dict[str, Any]:
        """The channel's whole state: the copy this process holds while it is fresh (changes
        keep it so), else one read of the DB shared by everyone asking meanwhile — a storm of
        10,000 reconnecting overlays costs one read, not 10,000."""
        cached = self._states.get(channel)
        if cached is not None and time.monotonic() - cached[0] < STATE_CACHE_SECONDS:
            return cached[1]
        loading = self._loading.get(channel)
        if loading is None:
            loading = asyncio.get_running_loop().create_future()
            self._loading[channel] = loading
            try:
                state = await self.load_state(channel)
            except BaseException as exc:
                loading.set_exception(exc)
                loading.exception()  # retrieved: nobody else may be waiting
                raise
            finally:
                self._loading.pop(channel, None)
            self.keep(channel, state)
            loading.set_result(state)
            return state
        return await asyncio.shield(loading)

    def keep(self, channel: str, state: dict[str, Any]) -> None:
        """Hold `state` as the channel's freshest copy (the encoded projections follow it)."""
        self._states[channel] = (time.monotonic(), state, next(self._versions))

    async def _handle(
        self,
        client: Client,
        message: dict[str, Any],
        on_text: TextHandler | None,
    ) -> None:
        kind = message.get("type")
        if kind == "ping":
            client.offer(
                encode(
                    {
                        "type": "pong",
                        "client_time": _number(message.get("client_time")),
                        "server_time": now_ms(),
                        "epoch": self.epoch,
                    }
                )
            )
            if on_text is not None:
                await on_text(client, message)  # pings also keep the client's presence fresh
        elif kind == "resync":
            # State first again; the changes queued meanwhile follow it in order.
            metrics.WS_RESYNCS.inc()
            await self.send_state(client)
        elif on_text is not None:
            await on_text(client, message)

    async def _write(self, client: Client) -> None:
        ws = client.websocket
        if client.buffer is None:
            client.buffer = asyncio.Queue(BUFFER_FRAMES)
        try:
            while True:
                frame = await client.buffer.get()
                await ws.send_text(frame)
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass
        except Exception:
            log.exception("writing to client %s failed", client.id)

    async def _join(self, client: Client) -> None:
        clients = self.channels.setdefault(client.channel, set())
        clients.add(client)
        if client.channel not in self._subscribed:
            self._subscribed.add(client.channel)
            if self._pubsub is not None:
                with contextlib.suppress(Exception):
                    await self._pubsub.subscribe(self.prefix + client.channel)

    async def _leave(self, client: Client) -> None:
        client.left = True
        clients = self.channels.get(client.channel)
        if clients is not None:
            clients.discard(client)
            if not clients:
                del self.channels[client.channel]
                self._writing.pop(client.channel, None)
                self._subscribed.discard(client.channel)
                # Unsubscribed, the copy would no longer follow changes.
                self._states.pop(client.channel, None)
                for key in [k for k in self._encoded if k[0] == client.channel]:
                    del self._encoded[key]
                if self._pubsub is not None:
                    with contextlib.suppress(Exception):
                        await self._pubsub.unsubscribe(self.prefix + client.channel)

    async def _close(self, client: Client, code: int, reason: str) -> None:
        ws = client.websocket
        with contextlib.suppress(Exception):
            if ws.application_state == WebSocketState.CONNECTED:
                await ws.close(code=code, reason=reason)
        await self._leave(client)

    async def close_channel(
        self, channel: str, code: int, reason: str, role: str | None = None
    ) -> None:
        for client in list(self.channels.get(channel, ())):
            if role is None or client.role == role:
                await self._close(client, code, reason)

    # Redis

    async def _listen(self) -> None:
        """Follow Redis pub/sub; after a lost connection resubscribe and resend whole states,
        because anything published meanwhile was missed."""
        backoff = 0.2
        while True:
            try:
                self._pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
                await self._pubsub.subscribe(self.prefix + "__hub__")
                channels = list(self._subscribed)
                if channels:
                    await self._pubsub.subscribe(*(self.prefix + c for c in channels))
                if self._ready.is_set():
                    self._states.clear()  # anything published while away was missed
                    for channel in channels:
                        await self._resend_state(channel)
                self._ready.set()
                backoff = 0.2
                async for message in self._pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    try:
                        self._deliver(message["data"])
                    except Exception:
                        # One bad message must not cost every client its subscription.
                        log.exception("delivering a hub message failed")
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await self._pubsub.aclose()
                raise
            except Exception as exc:
                metrics.count_backend_error(exc, "hub")
                log.warning("hub lost Redis (%s); retrying in %.1fs", exc, backoff)
                with contextlib.suppress(Exception):
                    await self._pubsub.aclose()
                self._pubsub = None
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    def _deliver(self, raw: bytes | str) -> None:
        try:
            message = json.loads(raw)
            channel, kind, data = message["channel"], message["kind"], message["data"]
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed hub message")
            return
        for hook in self.on_message:
            hook(channel, kind, data)
        if kind in self.whole_state_kinds:
            # Changes carry the whole state: it is the freshest copy there is.
            self.keep(channel, data)
        self.fanout(channel, kind, data)

    async def _resend_state(self, channel: str) -> None:
        for client in list(self.channels.get(channel, ())):
            with contextlib.suppress(Exception):
                await self.send_state(client)

    async def wait_ready(self, timeout: float = 5.0) -> None:
        await asyncio.wait_for(self._ready.wait(), timeout)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            frame = encode({"type": "heartbeat", "epoch": self.epoch, "server_time": now_ms()})
            wire = wire_frame(frame)
            self.outbox.send([(list(clients), frame, wire) for clients in self.channels.values()])
