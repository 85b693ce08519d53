"""Shops against the real database and Redis, and the platform simulator serving its APIs on
a real port in a thread."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
import redis as redis_lib

from live.db import Database
from live.platforms.sim.run import make_shop, serving
from live.platforms.sim.server import SimState
from live.platforms.sim.world import SimShop
from live.settings import Settings
from live.shops.service import ShopIn, add_shop
from live.shops.service import view as shop_view


@pytest.fixture
def redis(settings: Settings) -> Iterator[Any]:
    client = redis_lib.Redis.from_url(settings.redis_url or "")
    yield client
    client.close()


@pytest.fixture
def sim() -> Iterator[tuple[SimState, str]]:
    state = SimState()
    with serving(state) as url:
        yield state, url


def register(db: Database, settings: Settings, shop: SimShop, channel: str) -> int:
    """The simulated shop in sieulive, by the service (the API is tested on its own)."""
    body = ShopIn.model_validate(
        {
            "platform": shop.platform,
            "shop_ref": shop.keys.shop_ref,
            "app_key": shop.keys.app_key,
            "app_secret": shop.keys.app_secret,
            "access_token": shop.keys.access_token,
            "channel": channel,
            "api_base": shop.keys.api_base,
            "calls_per_second": 50,
        }
    )
    with db.unit_of_work() as s:
        row = add_shop(s, settings, body)
        s.flush()
        shop_id, callback = row.id, row.callback_url
    from live.platforms.sim.run import connect

    connect(shop, "http://testserver", shop_id, callback)
    return shop_id


def shop_of(db: Database, settings: Settings, shop_id: int) -> Any:
    from live.shops.models import Shop

    with db.reading() as s:
        return shop_view(settings, s.get(Shop, shop_id))


def new_shop(state: SimState, url: str, platform: str, n: int = 0) -> SimShop:
    shop = make_shop(platform, url, random.Random(n), n)
    state.shops.append(shop)
    return shop
