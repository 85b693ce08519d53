"""Running the simulator: its API server in a thread, its shops (one per platform, with keys it
makes up), registering them with a running sieulive, and a storm of pushes.

`sieulive platform-sim` (docs/platforms.md) does all of it against a sieulive on this machine;
the tests and `sieulive bench platforms` use the same pieces.
"""

from __future__ import annotations

import random
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2 as httpx
import uvicorn

from live.platforms.common import Keys
from live.platforms.sim.server import PREFIXES, SimState, build_app
from live.platforms.sim.world import SimShop

SHOP_REFS = {
    "tiktok_shop": "7495540735365777507",
    "shopee": "727720655",
    "lazada": "1234567",
    "shopify": "sieulive-sim.myshopify.com",
}
ID_BASES = {
    "tiktok_shop": 576653688135258178,
    "shopee": 220810000000,
    "lazada": 403981070000000,
    "shopify": 9007199254740993,  # past 2^53: ids stay strings end to end
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serving(state: SimState, port: int = 0, host: str = "127.0.0.1") -> Iterator[str]:
    """The simulator's APIs on `host:port` (a free port by default) in a thread; its URL."""
    port = port or free_port()
    config = uvicorn.Config(build_app(state), host=host, port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="platform-sim", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the platform simulator did not start")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def make_shop(platform: str, sim_url: str, rng: random.Random, n: int = 0) -> SimShop:
    """A shop with keys the simulator makes up (it plays the platform that issues them)."""
    ref = SHOP_REFS[platform]
    if n:
        ref = f"{n}-{ref}" if platform == "shopify" else str(int(ref) + n)
    keys = Keys(
        shop_ref=ref,
        app_key=str(rng.randrange(10**9, 10**10)) if platform == "shopee" else secrets.token_hex(6),
        app_secrets=(secrets.token_hex(16),),
        access_token=secrets.token_hex(16),
        api_base=sim_url + PREFIXES[platform],
    )
    return SimShop(platform, keys)


def shop_body(shop: SimShop, channel: str, callback_url: str = "") -> dict[str, Any]:
    """The body of sieulive's POST /api/shops for a simulated shop."""
    return {
        "platform": shop.platform,
        "name": f"{shop.platform} (simulator)",
        "shop_ref": shop.keys.shop_ref,
        "app_key": shop.keys.app_key,
        "app_secret": shop.keys.app_secret,
        "access_token": shop.keys.access_token,
        "channel": channel,
        "api_base": shop.keys.api_base,
        "callback_url": callback_url,
        "calls_per_second": 20,
    }


def register(sieulive: str, token: str, shop: SimShop, channel: str) -> int:
    """Register the shop with a running sieulive; the simulator then pushes to
    `{sieulive}/push/{id}` and, for Shopee, signs the callback URL sieulive recorded, as
    Shopee signs the URL set in its console. The shop's id."""
    with httpx.Client(timeout=10, headers={"Authorization": f"Bearer {token}"}) as http:
        answer = http.post(sieulive + "/api/shops", json=shop_body(shop, channel))
        if answer.status_code == 409:
            raise RuntimeError(f"{shop.platform} shop {shop.keys.shop_ref} is registered already")
        answer.raise_for_status()
        created = answer.json()
    connect(shop, sieulive, created["id"], created["callback_url"])
    return int(created["id"])


def connect(shop: SimShop, sieulive: str, shop_id: int, callback_url: str) -> None:
    shop.push_url = f"{sieulive}/push/{shop_id}"
    shop.keys = Keys(**{**shop.keys.__dict__, "callback_url": callback_url})


def window(minutes: float, ago_minutes: float = 0) -> tuple[datetime, float]:
    start = datetime.now(UTC) - timedelta(minutes=ago_minutes + minutes)
    return start.replace(microsecond=0), minutes
