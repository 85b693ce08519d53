"""The obs-websocket 5 client against the fake OBS: identify, requests, events, refusals."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from live.studios.obsws import AUTH_FAILED, ObsConnection, ObsError, ObsUnavailable, auth_string
from tests.loops import run as in_own_thread
from tests.studios.fake_obs import FakeObs


@pytest.fixture
def obs() -> Iterator[FakeObs]:
    fake = FakeObs(password="mật-khẩu").start()
    yield fake
    fake.stop()


def test_the_authentication_string_is_the_documented_one() -> None:
    # The worked example of obs-websocket 5's protocol document.
    assert (
        auth_string(
            "supersecretpassword",
            "lM1GncleQOaCu9lT1yeUZhFYnqhsLLP1G5lAGo3ixaI=",
            "+IxH4CnCiqpX1rM9scsNynZzbOe4KhDeYcTNS3PDaeY=",
        )
        == "1Ct943GAT+6YQUUX47Ia/ncufilbe6+oD6lY+5kaCu4="
    )


def test_identifies_with_the_password_requests_and_hears_events(obs: FakeObs) -> None:
    events: list[tuple[str, dict[str, Any]]] = []

    async def run() -> None:
        conn = await ObsConnection.open(obs.url, "mật-khẩu", lambda e, d: events.append((e, d)))
        assert conn.version == "5.5.2"
        scenes = await conn.request("GetSceneList")
        assert [s["sceneName"] for s in scenes["scenes"]][::-1] == obs.scenes
        await conn.request("SetCurrentProgramScene", {"sceneName": "Sản phẩm"})
        with pytest.raises(ObsError) as failed:
            await conn.request("SetCurrentProgramScene", {"sceneName": "Không có"})
        assert failed.value.code == 600 and "Không có" in failed.value.comment
        with pytest.raises(ObsError) as unknown:
            await conn.request("Nonsense")
        assert unknown.value.code == 204
        await conn.close()

    in_own_thread(run())
    assert obs.program_scene == "Sản phẩm"
    assert events == [("CurrentProgramSceneChanged", {"sceneName": "Sản phẩm"})]


@pytest.mark.parametrize("password", ["sai", ""])
def test_a_wrong_or_missing_password_is_refused_with_a_clear_reason(
    obs: FakeObs, password: str
) -> None:
    async def run() -> ObsUnavailable:
        with pytest.raises(ObsUnavailable) as refused:
            await ObsConnection.open(obs.url, password)
        return refused.value

    error = in_own_thread(run())
    assert error.close_code == AUTH_FAILED
    assert "password" in str(error)
    assert obs.identified == 0


def test_obs_not_running_is_unavailable_not_a_crash() -> None:
    obs = FakeObs()  # never started: nothing listens on its port

    async def run() -> None:
        with pytest.raises(ObsUnavailable, match="not reachable"):
            await ObsConnection.open(obs.url, "", timeout=2)

    in_own_thread(run())


def test_a_request_pending_when_obs_quits_fails_at_once(obs: FakeObs) -> None:
    async def run() -> None:
        conn = await ObsConnection.open(obs.url, "mật-khẩu")
        await asyncio.get_running_loop().run_in_executor(None, obs.stop)
        await asyncio.wait_for(conn.closed.wait(), 5)
        with pytest.raises(ObsUnavailable):
            await conn.request("GetStats")
        await conn.close()

    in_own_thread(run())
