"""Speaking obs-websocket 5 (OBS Studio 28 and later) with `websockets`, which sieulive already
depends on. The protocol is small — JSON `{"op": N, "d": {...}}`, a hello, an identify, requests
answered by id, events — and speaking it here keeps the bridge one asyncio program with no
second client library and its own threads or reconnect policy (docs/obs.md says why).

Only the standard library and `websockets`: this runs on the studio PC.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import itertools
import json
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

# Opcodes.
HELLO, IDENTIFY, IDENTIFIED, REIDENTIFY, EVENT, REQUEST, REQUEST_RESPONSE = 0, 1, 2, 3, 5, 6, 7
RPC_VERSION = 1
# Event subscriptions: General (ExitStarted), Scenes (CurrentProgramSceneChanged) and Outputs
# (StreamStateChanged, RecordStateChanged). No high-volume events.
GENERAL, SCENES, OUTPUTS = 1 << 0, 1 << 2, 1 << 6
EVENT_SUBSCRIPTIONS = GENERAL | SCENES | OUTPUTS
SUCCESS = 100

# OBS's close codes (WebSocketCloseCode), as a technician should read them.
CLOSE_REASONS = {
    4002: "OBS could not read a message from the bridge",
    4003: "OBS expected the bridge to identify first",
    4004: "OBS was already identified by this bridge",
    4005: "OBS's identification timed out",
    4007: "OBS was sent a request before the bridge identified",
    4008: "OBS refused a malformed message",
    4009: "OBS refused the password (obs-websocket password wrong or missing)",
    4010: "this OBS speaks another obs-websocket RPC version (OBS 28 or later needed)",
    4011: "OBS kicked the bridge",
}
AUTH_FAILED = 4009

Event = Callable[[str, dict[str, Any]], Awaitable[None] | None]


def auth_string(password: str, salt: str, challenge: str) -> str:
    """base64(sha256(base64(sha256(password + salt)) + challenge)), as obs-websocket 5 asks."""
    secret = base64.b64encode(hashlib.sha256((password + salt).encode()).digest()).decode()
    return base64.b64encode(hashlib.sha256((secret + challenge).encode()).digest()).decode()


class ObsError(Exception):
    """OBS answered a request with a failure: its status code and comment, as OBS said them."""

    def __init__(self, request_type: str, code: int, comment: str) -> None:
        super().__init__(f"{request_type} failed ({code}): {comment}")
        self.request_type = request_type
        self.code = code
        self.comment = comment


class ObsUnavailable(Exception):
    """OBS can't be reached, refused the bridge, or went away mid-request."""

    def __init__(self, message: str, close_code: int | None = None) -> None:
        super().__init__(message)
        self.close_code = close_code


def close_reason(code: int | None, reason: str = "") -> str:
    known = CLOSE_REASONS.get(code or 0)
    if known:
        return f"{known} (close code {code})"
    return f"OBS closed the connection ({code}{': ' + reason if reason else ''})"


class ObsConnection:
    """One identified session with OBS: requests by id, events handed to `on_event`."""

    def __init__(self, ws: ClientConnection, on_event: Event | None) -> None:
        self.ws = ws
        self.on_event = on_event
        self.version = ""
        self._ids = itertools.count(1)
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._reader: asyncio.Task[None] | None = None
        self.closed = asyncio.Event()
        self.close_message = ""

    @classmethod
    async def open(
        cls, url: str, password: str = "", on_event: Event | None = None, timeout: float = 5.0
    ) -> ObsConnection:
        try:
            ws = await asyncio.wait_for(
                connect(url, open_timeout=timeout, max_size=8 * 1024 * 1024, compression=None),
                timeout,
            )
        except (OSError, TimeoutError) as exc:
            raise ObsUnavailable(f"OBS is not reachable at {url} ({exc or 'timed out'})") from exc
        except Exception as exc:  # handshake refused, bad URL
            raise ObsUnavailable(f"OBS's websocket at {url} refused the bridge: {exc}") from exc
        conn = cls(ws, on_event)
        try:
            await asyncio.wait_for(conn._identify(password), timeout)
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else None
            reason = exc.rcvd.reason if exc.rcvd else ""
            raise ObsUnavailable(close_reason(code, reason), code) from exc
        except TimeoutError as exc:
            await ws.close()
            raise ObsUnavailable("OBS did not finish the obs-websocket hello in time") from exc
        except BaseException:
            await ws.close()
            raise
        conn._reader = asyncio.create_task(conn._read())
        return conn

    async def _identify(self, password: str) -> None:
        hello = json.loads(await self.ws.recv())
        if hello.get("op") != HELLO:
            raise ObsUnavailable("OBS did not say hello: is this obs-websocket 5?")
        data = hello.get("d", {})
        self.version = str(data.get("obsWebSocketVersion", ""))
        identify: dict[str, Any] = {
            "rpcVersion": RPC_VERSION,
            "eventSubscriptions": EVENT_SUBSCRIPTIONS,
        }
        auth = data.get("authentication")
        if auth:
            if not password:
                await self.ws.close()
                raise ObsUnavailable(
                    "OBS asks for a password and none was given (--obs-password)", AUTH_FAILED
                )
            identify["authentication"] = auth_string(password, auth["salt"], auth["challenge"])
        await self.ws.send(json.dumps({"op": IDENTIFY, "d": identify}))
        answer = json.loads(await self.ws.recv())
        if answer.get("op") != IDENTIFIED:
            raise ObsUnavailable("OBS did not confirm the identification")

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                op, data = message.get("op"), message.get("d") or {}
                if op == REQUEST_RESPONSE:
                    waiter = self._waiting.pop(str(data.get("requestId")), None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(data)
                elif op == EVENT and self.on_event is not None:
                    result = self.on_event(data.get("eventType", ""), data.get("eventData") or {})
                    if asyncio.iscoroutine(result):
                        await result
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else None
            self.close_message = close_reason(code, exc.rcvd.reason if exc.rcvd else "")
        except Exception as exc:
            self.close_message = f"the connection to OBS failed: {exc}"
        finally:
            if not self.close_message:
                self.close_message = "OBS closed the connection"
            for waiter in self._waiting.values():
                if not waiter.done():
                    waiter.set_exception(ObsUnavailable(self.close_message))
            self._waiting.clear()
            self.closed.set()

    async def request(
        self, request_type: str, data: dict[str, Any] | None = None, timeout: float = 5.0
    ) -> dict[str, Any]:
        """OBS's `responseData` for the request; ObsError with OBS's comment if it failed."""
        if self.closed.is_set():
            raise ObsUnavailable(self.close_message)
        request_id = str(next(self._ids))
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = waiter
        body: dict[str, Any] = {"requestType": request_type, "requestId": request_id}
        if data is not None:
            body["requestData"] = data
        try:
            await self.ws.send(json.dumps({"op": REQUEST, "d": body}))
            answer = await asyncio.wait_for(waiter, timeout)
        except ConnectionClosed as exc:
            raise ObsUnavailable("OBS went away during the request") from exc
        except TimeoutError as exc:
            raise ObsUnavailable(f"OBS did not answer {request_type} in {timeout:g} s") from exc
        finally:
            self._waiting.pop(request_id, None)
        status = answer.get("requestStatus") or {}
        if not status.get("result"):
            raise ObsError(request_type, int(status.get("code", 0)), status.get("comment", ""))
        return dict(answer.get("responseData") or {})

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()
        if self._reader is not None:
            with contextlib.suppress(BaseException):
                await self._reader
