"""A fake OBS for the suite: an obs-websocket 5 server as its protocol documents it.

Hello (op 0) with `authentication: {challenge, salt}` when a password is set; Identify (op 1)
checked — the RPC version (4010 otherwise), the authentication string (4009 "Authentication
failed." otherwise); Identified (op 2); requests (op 6) answered (op 7) with OBS's status codes
and comments; events (op 5) to the clients that subscribed to their category. It keeps scenes,
inputs with their settings, the stream and record outputs, and every request it was sent.

It runs in a thread with its own event loop, on a port kept across `stop()` and `start()`, so a
test can restart "OBS" under a connected bridge.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

SUCCESS, MISSING_FIELD, UNKNOWN_REQUEST, RESOURCE_NOT_FOUND = 100, 300, 204, 600
EVENT_CATEGORY = {
    "ExitStarted": 1 << 0,
    "CurrentProgramSceneChanged": 1 << 2,
    "SceneListChanged": 1 << 2,
    "StreamStateChanged": 1 << 6,
    "RecordStateChanged": 1 << 6,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Request:
    type: str
    data: dict[str, Any]
    at: float  # time.monotonic()


@dataclass
class FakeObs:
    password: str = ""
    scenes: list[str] = field(default_factory=lambda: ["Chờ", "Mở đầu", "Sản phẩm", "Tạm dừng"])
    program_scene: str = "Chờ"
    # name -> (input kind, settings)
    inputs: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    streaming: bool = False
    recording: bool = False
    port: int = field(default_factory=free_port)
    requests: list[Request] = field(default_factory=list)
    identified: int = 0
    refused: int = 0

    def __post_init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None
        self.server: Any = None
        self.clients: dict[ServerConnection, int] = {}  # connection -> event subscriptions
        self.stream_started = time.monotonic()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    # Running it.

    def start(self) -> FakeObs:
        ready = threading.Event()

        def run() -> None:
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)

            async def main() -> None:
                self.server = await serve(self.handle, "127.0.0.1", self.port)
                ready.set()
                await self.server.wait_closed()

            self.loop.run_until_complete(main())
            self.loop.close()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake OBS did not start")
        return self

    def stop(self) -> None:
        """OBS quits: its connections close (1001), its port stops listening."""
        if self.loop is None or self.server is None:
            return
        server = self.server
        self.loop.call_soon_threadsafe(server.close)
        assert self.thread is not None
        self.thread.join(10)
        self.loop = self.server = None
        self.clients.clear()

    def call(self, fn: Any, *args: Any) -> None:
        """Run a coroutine function on OBS's loop (from the test's thread)."""
        assert self.loop is not None
        asyncio.run_coroutine_threadsafe(fn(*args), self.loop).result(5)

    # What a person does in OBS.

    def switch_by_hand(self, scene: str) -> None:
        async def switch() -> None:
            self.program_scene = scene
            await self.emit("CurrentProgramSceneChanged", {"sceneName": scene})

        self.call(switch)

    def start_streaming(self) -> None:
        async def go() -> None:
            self.streaming = True
            self.stream_started = time.monotonic()
            await self.emit(
                "StreamStateChanged",
                {"outputActive": True, "outputState": "OBS_WEBSOCKET_OUTPUT_STARTED"},
            )

        self.call(go)

    def browser_source(self, name: str, url: str) -> None:
        self.inputs[name] = ("browser_source", {"url": url, "width": 1920, "height": 1080})

    def requested(self, request_type: str) -> list[Request]:
        return [r for r in list(self.requests) if r.type == request_type]

    # The protocol.

    async def emit(self, event: str, data: dict[str, Any]) -> None:
        frame = json.dumps(
            {
                "op": 5,
                "d": {"eventType": event, "eventIntent": EVENT_CATEGORY[event], "eventData": data},
            }
        )
        for ws, subscriptions in list(self.clients.items()):
            if subscriptions & EVENT_CATEGORY[event]:
                with contextlib.suppress(ConnectionClosed):
                    await ws.send(frame)

    async def handle(self, ws: ServerConnection) -> None:
        hello: dict[str, Any] = {"obsWebSocketVersion": "5.5.2", "rpcVersion": 1}
        salt = challenge = ""
        if self.password:
            salt, challenge = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
            hello["authentication"] = {"challenge": challenge, "salt": salt}
        await ws.send(json.dumps({"op": 0, "d": hello}))
        try:
            identify = json.loads(await asyncio.wait_for(ws.recv(), 10))
        except (TimeoutError, ConnectionClosed):
            return
        if identify.get("op") != 1:
            await ws.close(4003, "Your request must contain an Identify message.")
            return
        data = identify.get("d", {})
        if data.get("rpcVersion") != 1:
            await ws.close(4010, "Your rpcVersion is not supported.")
            return
        if self.password:
            secret = base64.b64encode(
                hashlib.sha256((self.password + salt).encode()).digest()
            ).decode()
            expected = base64.b64encode(
                hashlib.sha256((secret + challenge).encode()).digest()
            ).decode()
            if data.get("authentication") != expected:
                self.refused += 1
                await ws.close(4009, "Authentication failed.")
                return
        self.identified += 1
        self.clients[ws] = int(data.get("eventSubscriptions", (1 << 11) - 1))
        await ws.send(json.dumps({"op": 2, "d": {"negotiatedRpcVersion": 1}}))
        try:
            async for raw in ws:
                message = json.loads(raw)
                if message.get("op") != 6:
                    continue
                await ws.send(json.dumps({"op": 7, "d": await self.answer(message["d"])}))
        except ConnectionClosed:
            pass
        finally:
            self.clients.pop(ws, None)

    async def answer(self, d: dict[str, Any]) -> dict[str, Any]:
        kind, data = d.get("requestType", ""), d.get("requestData") or {}
        self.requests.append(Request(kind, data, time.monotonic()))
        base = {"requestType": kind, "requestId": d.get("requestId")}
        try:
            response = await self.respond(kind, data)
        except ObsFailure as failure:
            return {
                **base,
                "requestStatus": {
                    "result": False,
                    "code": failure.code,
                    "comment": failure.comment,
                },
            }
        out = {**base, "requestStatus": {"result": True, "code": SUCCESS}}
        if response is not None:
            out["responseData"] = response
        return out

    async def respond(self, kind: str, data: dict[str, Any]) -> dict[str, Any] | None:
        if kind == "GetSceneList":
            return {
                "currentProgramSceneName": self.program_scene,
                "currentPreviewSceneName": None,
                # OBS lists scenes bottom-up: the top one in its dock has the highest index.
                "scenes": [
                    {"sceneName": s, "sceneIndex": i} for i, s in enumerate(reversed(self.scenes))
                ],
            }
        if kind == "GetCurrentProgramScene":
            return {"currentProgramSceneName": self.program_scene, "sceneName": self.program_scene}
        if kind == "SetCurrentProgramScene":
            scene = need(data, "sceneName")
            if scene not in self.scenes:
                raise ObsFailure(
                    RESOURCE_NOT_FOUND, f"No source was found by the name of `{scene}`."
                )
            if scene != self.program_scene:
                self.program_scene = scene
                await self.emit("CurrentProgramSceneChanged", {"sceneName": scene})
            return None
        if kind == "GetInputList":
            wanted = data.get("inputKind")
            return {
                "inputs": [
                    {"inputName": name, "inputKind": k, "unversionedInputKind": k}
                    for name, (k, _settings) in self.inputs.items()
                    if wanted in (None, k)
                ]
            }
        if kind == "GetInputSettings":
            name = need(data, "inputName")
            if name not in self.inputs:
                raise ObsFailure(
                    RESOURCE_NOT_FOUND, f"No source was found by the name of `{name}`."
                )
            k, settings = self.inputs[name]
            return {"inputSettings": dict(settings), "inputKind": k}
        if kind == "PressInputPropertiesButton":
            name, prop = need(data, "inputName"), need(data, "propertyName")
            if name not in self.inputs:
                raise ObsFailure(
                    RESOURCE_NOT_FOUND, f"No source was found by the name of `{name}`."
                )
            if self.inputs[name][0] != "browser_source" or prop != "refreshnocache":
                raise ObsFailure(RESOURCE_NOT_FOUND, "Unable to find a property by that name.")
            return None
        if kind == "GetStreamStatus":
            duration = int((time.monotonic() - self.stream_started) * 1000) if self.streaming else 0
            return {
                "outputActive": self.streaming,
                "outputReconnecting": False,
                "outputTimecode": "00:00:00.000",
                "outputDuration": duration,
                "outputCongestion": 0.0,
                "outputBytes": 0,
                "outputSkippedFrames": 3 if self.streaming else 0,
                "outputTotalFrames": 900 if self.streaming else 0,
            }
        if kind == "GetRecordStatus":
            return {
                "outputActive": self.recording,
                "outputPaused": False,
                "outputTimecode": "00:00:00.000",
                "outputDuration": 0,
                "outputBytes": 0,
            }
        if kind == "GetStats":
            return {
                "cpuUsage": 12.5,
                "memoryUsage": 400.0,
                "availableDiskSpace": 100000.0,
                "activeFps": 30.0,
                "averageFrameRenderTime": 2.1,
                "renderSkippedFrames": 1,
                "renderTotalFrames": 1800,
                "outputSkippedFrames": 2,
                "outputTotalFrames": 1800,
                "webSocketSessionIncomingMessages": 0,
                "webSocketSessionOutgoingMessages": 0,
            }
        raise ObsFailure(UNKNOWN_REQUEST, "Your request type is not valid.")


class ObsFailure(Exception):
    def __init__(self, code: int, comment: str) -> None:
        super().__init__(comment)
        self.code, self.comment = code, comment


def need(data: dict[str, Any], key: str) -> Any:
    if key not in data:
        raise ObsFailure(MISSING_FIELD, f"Your request is missing the `{key}` field.")
    return data[key]
