"""`sieulive obs-bridge`: what it refuses before connecting anywhere, and where it connects."""

from __future__ import annotations

import pytest

from live.cli import main
from live.studios.bridge import Backoff, bridge_url, overlay_token_hash
from live.tokens import secret_hash


def test_without_a_token_it_says_how_to_give_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SIEULIVE_BRIDGE_TOKEN", raising=False)
    assert main(["obs-bridge", "--server", "https://sieulive.example.vn"]) == 2
    assert "SIEULIVE_BRIDGE_TOKEN" in capsys.readouterr().err


def test_a_server_that_is_no_web_address_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["obs-bridge", "--server", "sieulive.example.vn", "--token", "slb_x"]) == 2
    assert "--server" in capsys.readouterr().err


def test_the_bridge_socket_of_a_server_address() -> None:
    assert bridge_url("https://s.example.vn/") == "wss://s.example.vn/ws/studios/bridge"
    assert bridge_url("http://127.0.0.1:8000") == "ws://127.0.0.1:8000/ws/studios/bridge"


def test_browser_sources_are_recognised_by_their_overlay_tokens_hash() -> None:
    url = "https://s.example.vn/overlays/overlay.html?token=abc&name=Cam%201"
    assert overlay_token_hash(url) == secret_hash("abc")
    assert overlay_token_hash("https://shop.example.vn/") is None


def test_backoff_doubles_up_to_its_cap_and_starts_over() -> None:
    backoff = Backoff(0.5, 10.0)
    waits = [backoff.next() for _ in range(8)]
    assert all(0.375 <= w <= 0.5 for w in waits[:1]) and max(waits) <= 10.0
    assert waits[-1] >= 7.5  # capped at 10, jitter at most a quarter off
    backoff.reset()
    assert backoff.next() <= 0.5
