"""The studio bridge: `sieulive obs-bridge`, run on the studio PC beside OBS.

OBS sits behind the studio's NAT, so the bridge connects out to both: to sieulive (a websocket
at /ws/studios/bridge, with the studio's bridge token) and to OBS (obs-websocket 5). Each side
has its own loop that reconnects with capped, jittered backoff; neither ever waits on the
other:

- a scene or refresh from sieulive runs as a task of its own; with OBS away it is answered at
  once ("OBS is not connected: …"), never queued until OBS is back (a late scene switch would be
  wrong on air);
- what the bridge says to sieulive (health every 2 s, answers, scene changes) goes through an
  outbox that keeps only the latest health and a bounded number of answers: with sieulive
  away, OBS keeps being watched and answers are delivered when the link is back.

Only the standard library and `websockets`: nothing of the server is needed on the studio PC.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hashlib
import json
import logging
import random
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI

from live.studios.obsws import AUTH_FAILED, ObsConnection, ObsError, ObsUnavailable

log = logging.getLogger("sieulive.obs_bridge")

BRIDGE_VERSION = "1"
# A token refused (4401) or revoked (4410) won't come back by itself: retried slowly.
TOKEN_REFUSED = {4401, 4410}
# Scenes the bridge itself asked for: the change event that follows is not a manual switch.
OWN_SWITCH_SECONDS = 5.0
OUTBOX_ANSWERS = 200


@dataclass(frozen=True)
class BridgeOptions:
    server: str
    token: str
    obs_url: str = "ws://127.0.0.1:4455"
    obs_password: str = ""
    poll_seconds: float = 2.0
    backoff_first: float = 0.5
    backoff_cap: float = 10.0


class Backoff:
    """Doubling waits, capped, with jitter so many bridges don't return in step."""

    def __init__(self, first: float, cap: float) -> None:
        self.first, self.cap = first, cap
        self.delay = first

    def next(self) -> float:
        delay = self.delay
        self.delay = min(self.cap, self.delay * 2)
        return delay * random.uniform(0.75, 1.0)

    def reset(self) -> None:
        self.delay = self.first


def bridge_url(server: str) -> str:
    """The sieulive websocket for a server's address (http → ws, https → wss)."""
    base = server.rstrip("/")
    for web, ws in (("https://", "wss://"), ("http://", "ws://")):
        if base.startswith(web):
            base = ws + base.removeprefix(web)
    return base + "/ws/studios/bridge"


def overlay_token_hash(url: str) -> str | None:
    """The SHA-256 of an overlay URL's token: sieulive keeps only this, so it names the
    browser sources to refresh by it."""
    try:
        tokens = parse_qs(urlsplit(url).query).get("token")
    except ValueError:
        return None
    return hashlib.sha256(tokens[0].encode()).hexdigest() if tokens else None


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class ObsSide:
    """The link to OBS: connect, watch (poll and events), switch scenes, refresh overlays."""

    def __init__(self, options: BridgeOptions, tell: Callable[[dict[str, Any]], None]) -> None:
        self.options = options
        self.tell = tell  # to sieulive, through the outbox: never blocks
        self.conn: ObsConnection | None = None
        self.health: dict[str, Any] = {"obs_connected": False, "bridge_version": BRIDGE_VERSION}
        self.own_switches: dict[str, float] = {}

    def error(self, message: str, kind: str = "obs") -> None:
        """The last error, and its kind for the console to say in the producer's words:
        `password` (OBS refused it), `obs` (anything else)."""
        if self.health.get("last_error") != message:
            log.warning("OBS: %s", message)
        self.health["last_error"] = message
        self.health["last_error_kind"] = kind
        self.health["last_error_at"] = now_iso()

    async def run(self) -> None:
        backoff = Backoff(self.options.backoff_first, self.options.backoff_cap)
        while True:
            try:
                conn = await ObsConnection.open(
                    self.options.obs_url, self.options.obs_password, self.on_event
                )
            except ObsUnavailable as exc:
                self.error(str(exc), "password" if exc.close_code == AUTH_FAILED else "obs")
                await asyncio.sleep(backoff.next())
                continue
            backoff.reset()
            self.conn = conn
            self.health.update(obs_connected=True, obs_version=conn.version)
            for stale in ("last_error", "last_error_kind", "last_error_at"):
                self.health.pop(stale, None)
            log.info(
                "connected to OBS (obs-websocket %s) at %s", conn.version, self.options.obs_url
            )
            try:
                await self.watch(conn)
            finally:
                self.conn = None
                await conn.close()
                self.health["obs_connected"] = False
                self.error(conn.close_message or "the connection to OBS was lost")
                self.tell_health()
            await asyncio.sleep(backoff.next())

    async def watch(self, conn: ObsConnection) -> None:
        polls = 0
        while not conn.closed.is_set():
            try:
                if polls % 15 == 0:
                    await self.read_scenes(conn)
                await self.poll(conn)
            except ObsError as exc:
                self.error(str(exc))
            except ObsUnavailable:
                return
            polls += 1
            self.tell_health()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(conn.closed.wait(), self.options.poll_seconds)

    async def read_scenes(self, conn: ObsConnection) -> None:
        listing = await conn.request("GetSceneList")
        # OBS lists scenes bottom-up; the technician reads them top-down.
        scenes = [s.get("sceneName", "") for s in reversed(listing.get("scenes", []))]
        self.health["scenes"] = [s for s in scenes if s]
        self.health["program_scene"] = listing.get("currentProgramSceneName", "")

    async def poll(self, conn: ObsConnection) -> None:
        stream = await conn.request("GetStreamStatus")
        record = await conn.request("GetRecordStatus")
        stats = await conn.request("GetStats")
        scene = await conn.request("GetCurrentProgramScene")
        self.health.update(
            program_scene=scene.get("currentProgramSceneName") or scene.get("sceneName", ""),
            streaming=bool(stream.get("outputActive")),
            stream_reconnecting=bool(stream.get("outputReconnecting")),
            stream_duration_ms=int(stream.get("outputDuration") or 0),
            stream_skipped_frames=int(stream.get("outputSkippedFrames") or 0),
            stream_total_frames=int(stream.get("outputTotalFrames") or 0),
            recording=bool(record.get("outputActive")),
            record_duration_ms=int(record.get("outputDuration") or 0),
            cpu_usage=round(float(stats.get("cpuUsage") or 0.0), 1),
            active_fps=round(float(stats.get("activeFps") or 0.0), 1),
            render_skipped_frames=int(stats.get("renderSkippedFrames") or 0),
            render_total_frames=int(stats.get("renderTotalFrames") or 0),
            output_skipped_frames=int(stats.get("outputSkippedFrames") or 0),
            output_total_frames=int(stats.get("outputTotalFrames") or 0),
        )

    def tell_health(self) -> None:
        self.tell({"type": "health", **self.health})

    async def on_event(self, event: str, data: dict[str, Any]) -> None:
        if event == "CurrentProgramSceneChanged":
            scene = str(data.get("sceneName", ""))
            self.health["program_scene"] = scene
            asked = self.own_switches.pop(scene, 0.0) > time.monotonic()
            if not asked:
                log.info("scene switched in OBS by hand: %s", scene)
            self.tell(
                {"type": "scene_changed", "scene": scene, "by": "sieulive" if asked else "obs"}
            )
            self.tell_health()
        elif event == "StreamStateChanged":
            self.health["streaming"] = bool(data.get("outputActive"))
            self.tell_health()
        elif event == "RecordStateChanged":
            self.health["recording"] = bool(data.get("outputActive"))
            self.tell_health()
        elif event == "ExitStarted":
            self.error("OBS is shutting down")
            self.tell_health()

    def not_connected(self) -> dict[str, Any]:
        why = self.health.get("last_error") or "not connected yet"
        return {"ok": False, "comment": f"OBS is not connected: {why}"}

    async def switch_scene(self, scene: str) -> dict[str, Any]:
        conn = self.conn
        if conn is None:
            return self.not_connected()
        self.own_switches[scene] = time.monotonic() + OWN_SWITCH_SECONDS
        try:
            await conn.request("SetCurrentProgramScene", {"sceneName": scene})
        except ObsError as exc:
            self.own_switches.pop(scene, None)
            return {"ok": False, "comment": f"{exc.comment} (OBS code {exc.code})"}
        except ObsUnavailable as exc:
            return {"ok": False, "comment": str(exc)}
        return {"ok": True, "comment": ""}

    async def refresh_overlays(self, token_hashes: list[str]) -> dict[str, Any]:
        """Press "refresh cache of current page" on every browser source showing one of
        these overlays, found by listing the inputs and reading each one's URL."""
        conn = self.conn
        if conn is None:
            return self.not_connected()
        wanted = set(token_hashes)
        pressed: list[str] = []
        try:
            listing = await conn.request("GetInputList", {"inputKind": "browser_source"})
            for item in listing.get("inputs", []):
                name = item.get("inputName", "")
                settings = await conn.request("GetInputSettings", {"inputName": name})
                url = str((settings.get("inputSettings") or {}).get("url", ""))
                if overlay_token_hash(url) in wanted:
                    await conn.request(
                        "PressInputPropertiesButton",
                        {"inputName": name, "propertyName": "refreshnocache"},
                    )
                    pressed.append(name)
        except ObsError as exc:
            return {
                "ok": False,
                "comment": f"{exc.comment} (OBS code {exc.code})",
                "pressed": pressed,
            }
        except ObsUnavailable as exc:
            return {"ok": False, "comment": str(exc), "pressed": pressed}
        if not pressed:
            return {
                "ok": False,
                "comment": "no browser source in OBS shows this session's overlay",
                "pressed": [],
            }
        return {"ok": True, "comment": "", "pressed": pressed}


class ServerSide:
    """The link to sieulive: receive actions, deliver what the bridge has to say."""

    def __init__(
        self,
        options: BridgeOptions,
        on_action: Callable[[dict[str, Any]], Coroutine[Any, Any, None]],
    ) -> None:
        self.options = options
        self.on_action = on_action
        self.answers: collections.deque[dict[str, Any]] = collections.deque(maxlen=OUTBOX_ANSWERS)
        self.health: dict[str, Any] | None = None
        self.wake = asyncio.Event()
        self.connected = False
        self.tasks: set[asyncio.Task[None]] = set()

    def tell(self, message: dict[str, Any]) -> None:
        if message.get("type") == "health":
            self.health = message  # only the latest matters
        else:
            self.answers.append(message)
        self.wake.set()

    async def run(self) -> None:
        url = bridge_url(self.options.server)
        backoff = Backoff(self.options.backoff_first, self.options.backoff_cap)
        while True:
            refused = False
            try:
                async with connect(
                    url,
                    additional_headers={"Authorization": f"Bearer {self.options.token}"},
                    open_timeout=10,
                    ping_interval=10,
                    ping_timeout=10,
                    compression=None,
                    max_size=1 << 20,
                ) as ws:
                    self.connected = True
                    log.info("connected to sieulive at %s", url)
                    refused = await self.serve(ws, backoff)
            except InvalidURI:
                raise
            except (OSError, TimeoutError, InvalidStatus, ConnectionClosed) as exc:
                log.warning("sieulive at %s: %s", url, exc or type(exc).__name__)
            finally:
                self.connected = False
            await asyncio.sleep(max(backoff.next(), 30.0 if refused else 0.0))

    async def serve(self, ws: ClientConnection, backoff: Backoff) -> bool:
        """Until the link drops; True when sieulive refused the token."""
        sender = asyncio.create_task(self.send_loop(ws))
        try:
            async for raw in ws:
                backoff.reset()
                self.receive(raw)
        except ConnectionClosed:
            pass
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
        code = ws.close_code
        if code in TOKEN_REFUSED:
            log.error(
                "sieulive refused the bridge token (%s: %s): make a new one for this studio",
                code,
                ws.close_reason,
            )
            return True
        log.warning("sieulive closed the link (%s %s)", code, ws.close_reason or "")
        return False

    def receive(self, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            return
        if not isinstance(message, dict) or message.get("kind") != "obs":
            return  # the studio's state, heartbeats: for the consoles, not for the bridge
        data = message.get("data")
        if isinstance(data, dict):
            task = asyncio.create_task(self.on_action(data))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def send_loop(self, ws: ClientConnection) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            while self.answers:
                await ws.send(json.dumps(self.answers[0]))
                self.answers.popleft()  # only once sent: a dropped link keeps it
            if self.health is not None:
                health, self.health = self.health, None
                await ws.send(json.dumps(health))


class Bridge:
    def __init__(self, options: BridgeOptions) -> None:
        self.options = options
        self.server = ServerSide(options, self.act)
        self.obs = ObsSide(options, self.server.tell)

    async def act(self, action: dict[str, Any]) -> None:
        started = time.monotonic()
        kind = action.get("action")
        if kind == "scene" and isinstance(action.get("scene"), str):
            outcome = await self.obs.switch_scene(action["scene"])
            what = f"scene {action['scene']}"
        elif kind == "refresh" and isinstance(action.get("overlay_token_hashes"), list):
            outcome = await self.obs.refresh_overlays(action["overlay_token_hashes"])
            what = f"overlay refresh {outcome.get('pressed') or ''}"
        else:
            outcome = {"ok": False, "comment": f"this bridge can't do {kind!r}: update it"}
            what = str(kind)
        took = int((time.monotonic() - started) * 1000)
        log.info(
            "%s: %s in %d ms %s",
            what,
            "done" if outcome["ok"] else "FAILED",
            took,
            outcome.get("comment", ""),
        )
        self.server.tell({"type": "result", "id": action.get("id"), "took_ms": took, **outcome})

    async def heartbeat(self) -> None:
        """OBS's health to sieulive every few seconds, OBS there or not: the console counts a
        bridge gone quiet as offline."""
        while True:
            self.obs.tell_health()
            await asyncio.sleep(self.options.poll_seconds)

    async def run(self) -> None:
        await asyncio.gather(self.server.run(), self.obs.run(), self.heartbeat())


def run_bridge(options: BridgeOptions) -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", force=True
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(Bridge(options).run())
