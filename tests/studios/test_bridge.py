"""The bridge end to end: real `sieulive serve` processes, a real `sieulive obs-bridge`
process, and the fake OBS speaking obs-websocket 5.

The producer's commands go to one web process while the bridge is connected to another, as
behind a load balancer. Waits are generous (the machine is shared): what is asserted is the
outcome — the right scene reached OBS, the right sources were pressed, the link came back —
and the time from a producer's `next` to OBS's SetCurrentProgramScene is printed, bounded only
loosely (the issue's 500 ms is measured, not asserted, here).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from live.db import Database
from live.settings import Settings
from tests import factories
from tests.hub.test_processes import WebProcess
from tests.studios.bridges import Bridge
from tests.studios.conftest import STUDIO, studio_segments
from tests.studios.fake_obs import FakeObs

PASSWORD = "mật-khẩu-obs"
WAIT = 30.0


class Studio:
    """The producer's side, over HTTP to one web process."""

    def __init__(self, web: WebProcess, token: str, session_id: int, studio_id: int) -> None:
        self.web, self.token = web, token
        self.session_id, self.studio_id = session_id, studio_id

    def http(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.web.base, headers={"Authorization": f"Bearer {self.token}"}, timeout=10
        )

    def command(self, name: str, **args: Any) -> dict[str, Any]:
        """Send a command; `sent_at` and `answered_at` (time.monotonic()) frame its POST."""
        with self.http() as http:
            sid = self.session_id
            revision = http.get(f"/api/sessions/{sid}/show").json()["show"]["revision"]
            command_id = f"{name}-{uuid.uuid4().hex[:8]}"
            body = {"command": name, "revision": revision, "command_id": command_id, **args}
            sent_at = time.monotonic()
            r = http.post(f"/api/sessions/{sid}/show/commands", json=body)
            answered_at = time.monotonic()
            assert r.status_code == 200, r.text
            return {
                "command_id": command_id,
                "sent_at": sent_at,
                "answered_at": answered_at,
                **r.json(),
            }

    def state(self) -> dict[str, Any]:
        with self.http() as http:
            return dict(http.get(f"/api/studios/{self.studio_id}").json())

    def history(self) -> list[dict[str, Any]]:
        with self.http() as http:
            return list(http.get(f"/api/sessions/{self.session_id}/show/history").json()["items"])


def wait_until(check: Callable[[], Any], what: str, seconds: float = WAIT) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def obs_ready(studio: Studio) -> bool:
    state = studio.state()
    return bool(state["bridge"]["connected"] and state["obs"] and state["obs"]["obs_connected"])


def scene_set(obs: FakeObs, scene: str, after: float = 0.0) -> Any:
    return next(
        (
            r
            for r in obs.requested("SetCurrentProgramScene")
            if r.data.get("sceneName") == scene and r.at >= after
        ),
        None,
    )


def outcome(studio: Studio, command_id: str) -> Any:
    item = next((h for h in studio.history() if h["command_id"] == command_id), None)
    obs = item and item["obs"]
    return obs if obs and obs["status"] != "sent" else None


@pytest.fixture
def obs() -> Iterator[FakeObs]:
    fake = FakeObs(password=PASSWORD, scenes=["Chờ", "Mở đầu", "Sản phẩm", "Cận cảnh", "Tạm dừng"])
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def webs(settings: Settings) -> Iterator[tuple[WebProcess, WebProcess]]:
    assert settings.redis_url is not None
    a = WebProcess(settings, settings.redis_url).start()
    b = WebProcess(settings, settings.redis_url).start()
    yield a, b
    a.stop()
    b.stop()


@pytest.fixture
def bridges(tmp_path: Path) -> Iterator[list[Bridge]]:
    started: list[Bridge] = []
    yield started
    for bridge in started:
        bridge.stop()
        print(bridge.output())


def studio_for(web: WebProcess, producer: str, session: dict[str, Any]) -> Studio:
    return Studio(web, producer, session["id"], session["studio_id"])


def new_bridge(
    bridges: list[Bridge],
    studio: Studio,
    web: WebProcess,
    obs: FakeObs,
    tmp_path: Path,
    password: str = PASSWORD,
) -> Bridge:
    with studio.http() as http:
        token = http.post(f"/api/studios/{studio.studio_id}/bridge-token").json()["token"]
    bridge = Bridge(web.base, token, obs, password, tmp_path / f"bridge-{len(bridges)}.log")
    bridges.append(bridge.start())
    return bridge


def test_the_run_of_show_drives_obs_across_web_processes(
    webs: tuple[WebProcess, WebProcess],
    obs: FakeObs,
    bridges: list[Bridge],
    tokens: dict[str, str],
    studio_session: dict[str, Any],
    tmp_path: Path,
) -> None:
    a, b = webs
    producer = studio_for(a, tokens["producer"], studio_session)
    with producer.http() as http:
        url = http.post(f"/api/sessions/{producer.session_id}/show/overlay-token").json()
    obs.browser_source("Overlay phiên này", url["overlay_url"])
    obs.browser_source("Overlay phiên khác", "http://127.0.0.1/overlays/overlay.html?token=khac")
    obs.browser_source("Trang web", "https://shop.example.vn/")
    obs.inputs["Máy quay"] = ("v4l2_input", {"device_id": "/dev/video0"})
    new_bridge(bridges, producer, b, obs, tmp_path)  # the bridge on B, the producer on A
    wait_until(lambda: obs_ready(producer), "the bridge and OBS connected")

    live = producer.command("go_live")
    wait_until(lambda: scene_set(obs, "Mở đầu"), "the first segment's scene in OBS")
    taken = producer.command("next")
    started = taken["sent_at"]
    request = wait_until(lambda: scene_set(obs, "Sản phẩm", started), "the next segment's scene")
    print(
        f"next: POST answered in {(taken['answered_at'] - started) * 1000:.0f} ms,"
        f" SetCurrentProgramScene in OBS {(request.at - started) * 1000:.0f} ms after it was"
        " sent (a loaded machine)"
    )
    assert request.at - started < 10  # the outcome; the 500 ms is measured above
    assert obs.program_scene == "Sản phẩm"
    done = wait_until(lambda: outcome(producer, taken["command_id"]), "the outcome recorded")
    assert done["status"] == "done" and done["scene"] == "Sản phẩm"
    assert outcome(producer, live["command_id"])["status"] == "done"

    # A switch by hand in OBS is reported on the console, never switched back.
    sets_before = len(obs.requested("SetCurrentProgramScene"))
    obs.switch_by_hand("Cận cảnh")
    manual = wait_until(
        lambda: [x for x in producer.state()["actions"] if x["action"] == "manual"],
        "the manual switch reported",
    )
    assert manual[0]["scene"] == "Cận cảnh" and manual[0]["status"] == "reported"
    time.sleep(1.0)
    assert len(obs.requested("SetCurrentProgramScene")) == sets_before
    assert obs.program_scene == "Cận cảnh"

    # A scene OBS doesn't have: OBS's own comment reaches the history.
    with producer.http() as http:
        r = http.patch(f"/api/studios/{producer.studio_id}", json={"hold_scene": "Không có"})
        assert r.status_code == 200
    held = producer.command("hold")
    failed = wait_until(lambda: outcome(producer, held["command_id"]), "hold's outcome")
    assert failed["status"] == "failed" and "Không có" in failed["comment"]

    # Reload overlays: only the browser source showing this session's overlay is pressed.
    with producer.http() as http:
        http.post(f"/api/sessions/{producer.session_id}/show/reload-overlays")
    pressed = wait_until(lambda: obs.requested("PressInputPropertiesButton"), "a press")
    assert [(p.data["inputName"], p.data["propertyName"]) for p in pressed] == [
        ("Overlay phiên này", "refreshnocache")
    ]
    refresh = wait_until(
        lambda: [
            x
            for x in producer.state()["actions"]
            if x["action"] == "refresh" and x["status"] != "sent"
        ],
        "the refresh's outcome",
    )
    assert refresh[0]["status"] == "done"
    assert refresh[0]["detail"] == {"pressed": ["Overlay phiên này"]}

    # Health: live but not streaming is warned about until OBS streams.
    state = producer.state()
    assert state["warning"] == "live_not_streaming"
    obs.start_streaming()
    state = wait_until(
        lambda: (s := producer.state())["obs"].get("stream_total_frames") and s,
        "streaming reported",
    )
    assert state["warning"] is None
    assert state["obs"]["cpu_usage"] == 12.5 and state["obs"]["stream_total_frames"] == 900
    assert state["obs"]["scenes"] == obs.scenes


def test_the_bridge_recovers_after_obs_and_the_server_restart_and_follows_auto_advance(
    settings: Settings,
    obs: FakeObs,
    bridges: list[Bridge],
    tokens: dict[str, str],
    studio_session: dict[str, Any],
    db: Database,
    tmp_path: Path,
) -> None:
    assert settings.redis_url is not None
    web = WebProcess(settings, settings.redis_url).start()
    try:
        producer = studio_for(web, tokens["producer"], studio_session)
        bridge = new_bridge(bridges, producer, web, obs, tmp_path)
        wait_until(lambda: obs_ready(producer), "the bridge and OBS connected")
        producer.command("go_live")
        wait_until(lambda: scene_set(obs, "Mở đầu"), "the first scene")

        # OBS quits: the console says so, a command fails at once (never queued for later).
        obs.stop()
        wait_until(lambda: not (producer.state()["obs"] or {}).get("obs_connected"), "OBS gone")
        taken = producer.command("next")
        failed = wait_until(lambda: outcome(producer, taken["command_id"]), "the outcome")
        assert failed["status"] == "failed" and "OBS is not connected" in failed["comment"]
        obs.start()
        wait_until(lambda: obs_ready(producer), "OBS back")
        back = time.monotonic()
        producer.command("previous")
        wait_until(lambda: scene_set(obs, "Mở đầu", back), "a scene after OBS came back")

        # The server is killed (no goodbye) and started again on its address.
        links = bridge.links()
        web.kill()
        web.start()
        wait_until(lambda: bridge.links() > links, "the bridge back on the restarted server")
        wait_until(lambda: obs_ready(producer), "OBS's health from the bridge")
        again = time.monotonic()
        producer.command("next")
        wait_until(lambda: scene_set(obs, "Sản phẩm", again), "a scene after the restart")
    finally:
        web.stop()

    # Auto-advance after the restart: a session whose first segment lasts a second.
    with db.unit_of_work() as s:
        product = factories.product(s, name="Kẹo dừa")
        quick = factories.session(
            s,
            studio=STUDIO.upper(),
            start=factories.T0 + timedelta(days=1),
            segments=studio_segments(product.id, first_seconds=1),
        ).id
    links = bridge.links()
    web.start()
    try:
        auto = Studio(web, tokens["producer"], quick, studio_session["studio_id"])
        wait_until(lambda: bridge.links() > links, "the bridge back")
        wait_until(lambda: obs_ready(auto), "OBS's health from the bridge")
        auto.command("auto_advance", enabled=True)
        at = time.monotonic()
        auto.command("go_live")
        wait_until(lambda: scene_set(obs, "Sản phẩm", at), "auto-advance's scene in OBS")
        advanced = [h for h in auto.history() if h["command"] == "next"]
        assert advanced and advanced[0]["actor"] == "auto-advance"
    finally:
        web.stop()


def test_a_wrong_obs_password_is_a_clear_error_for_the_producer(
    obs: FakeObs,
    bridges: list[Bridge],
    settings: Settings,
    tokens: dict[str, str],
    studio_session: dict[str, Any],
    tmp_path: Path,
) -> None:
    assert settings.redis_url is not None
    web = WebProcess(settings, settings.redis_url).start()
    try:
        producer = studio_for(web, tokens["producer"], studio_session)
        new_bridge(bridges, producer, web, obs, tmp_path, password="sai")
        state = wait_until(
            lambda: (s := producer.state())["obs"] and s["obs"].get("last_error") and s,
            "the error reported",
        )
        assert state["bridge"]["connected"] is True
        assert state["obs"]["obs_connected"] is False
        assert "password" in state["obs"]["last_error"] and "4009" in state["obs"]["last_error"]
        assert obs.refused >= 1 and obs.identified == 0
    finally:
        web.stop()
