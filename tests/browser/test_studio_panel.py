"""The producer console's studio panel in Chromium: the bridge and OBS as a technician and a
producer see them, live — a wrong OBS password, then OBS connected, the scene the show
switched to with its outcome, the "live but not streaming" warning, and streaming.

A real uvicorn (the app in a thread), a real `sieulive obs-bridge` process and the fake OBS.
Screenshots: test-artifacts/screenshots/test_the_studio_panel_*.png.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from playwright.sync_api import expect

from live.settings import Settings
from tests.browser.conftest import LiveServer
from tests.studios.bridges import Bridge
from tests.studios.conftest import studio_session
from tests.studios.fake_obs import FakeObs

__all__ = ["studio_session"]
pytestmark = pytest.mark.browser
PASSWORD = "obs-mật-khẩu"
WAIT_MS = 30_000


@pytest.fixture
def server(settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(settings=settings) as running:
        yield running


@pytest.fixture
def obs() -> Iterator[FakeObs]:
    fake = FakeObs(password=PASSWORD, scenes=["Chờ", "Mở đầu", "Sản phẩm"]).start()
    yield fake
    fake.stop()


@pytest.fixture
def bridges() -> Iterator[list[Bridge]]:
    started: list[Bridge] = []
    yield started
    for bridge in started:
        bridge.stop()


def test_the_studio_panel_shows_the_bridge_and_obs_live(
    server: LiveServer,
    page: Any,
    screenshot: Any,
    obs: FakeObs,
    bridges: list[Bridge],
    tokens: dict[str, str],
    studio_session: dict[str, Any],
    tmp_path: Path,
) -> None:
    sid, studio_id = studio_session["id"], studio_session["studio_id"]
    api = httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {tokens['producer']}"}, timeout=10
    )
    page.goto(f"{server.url}/sessions/{sid}/producer?token={tokens['producer']}")
    panel = page.locator("[data-studio-panel]")
    expect(panel.locator("[data-studio-name]")).to_have_text("Studio Hoa Sen")
    expect(panel.locator('[data-studio="bridge"]')).to_have_text("Ngoại tuyến")
    expect(panel.locator('[data-studio="error"]')).to_contain_text("sieulive obs-bridge")

    # The technician types OBS's password wrong.
    token = api.post(f"/api/studios/{studio_id}/bridge-token").json()["token"]
    wrong = Bridge(server.url, token, obs, "sai-mật-khẩu", tmp_path / "bridge-wrong.log")
    bridges.append(wrong.start())
    expect(panel.locator('[data-studio="bridge"]')).to_have_text("Đã kết nối", timeout=WAIT_MS)
    expect(panel.locator('[data-studio="obs"]')).to_have_text("Ngoại tuyến")
    error = panel.locator('[data-studio="error"]')
    expect(error).to_contain_text("OBS từ chối mật khẩu websocket", timeout=WAIT_MS)
    expect(error).to_contain_text("4009")
    screenshot("wrong-password")

    # With the right one, OBS connects; the show goes live and OBS follows.
    wrong.stop()
    bridges.append(Bridge(server.url, token, obs, PASSWORD, tmp_path / "bridge.log").start())
    expect(panel.locator('[data-studio="obs"]')).to_contain_text("Đã kết nối", timeout=WAIT_MS)
    expect(panel.locator('[data-studio="scene"]')).to_have_text("Chờ", timeout=WAIT_MS)
    expect(error).to_be_hidden()
    api.post(
        f"/api/sessions/{sid}/show/commands",
        json={"command": "go_live", "revision": 0, "command_id": uuid.uuid4().hex},
    )
    first = panel.locator("[data-studio-actions] li").first
    expect(first).to_contain_text("Cảnh «Mở đầu»", timeout=WAIT_MS)
    expect(first).to_contain_text("xong", timeout=WAIT_MS)
    expect(panel.locator('[data-studio="scene"]')).to_have_text("Mở đầu", timeout=WAIT_MS)
    warning = panel.locator("[data-studio-warning]")
    expect(warning).to_be_visible(timeout=WAIT_MS)
    expect(panel.locator('[data-studio="stream"]')).to_have_text("Tắt")
    screenshot("live-not-streaming")

    # OBS starts streaming: the warning goes, the stream's time and figures show.
    obs.start_streaming()
    expect(warning).to_be_hidden(timeout=WAIT_MS)
    expect(panel.locator('[data-studio="stream"]')).to_contain_text("Đang phát", timeout=WAIT_MS)
    expect(panel.locator('[data-studio="cpu"]')).to_have_text("12.5 %", timeout=WAIT_MS)
    expect(panel.locator('[data-studio="dropped"]')).to_contain_text("3 (0.3%)", timeout=WAIT_MS)
    screenshot("streaming")
