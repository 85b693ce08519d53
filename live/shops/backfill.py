"""The backfill: each shop's orders updated lately, polled from its list API (and Shopee's
lost pushes), so an order whose every push was lost still arrives.

A poll adds the ids it lists to the shop's pending set, due now: the details come through the
same fetch as a push's (`fetching.py`), and an order already applied changes nothing. Shopee's
lost pushes and TikTok's returns (its return search) are queued as the pushes they are. Each
poll reaches back past the previous one's end by `OVERLAP_SECONDS`, for orders a platform
updates with a timestamp a little in the past.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2 as httpx

from live.platforms.adapters import adapter as adapter_for
from live.platforms.common import ApiFailed
from live.platforms.shopee import Shopee
from live.platforms.tiktok_shop import TikTokShop
from live.shops import pushes
from live.shops.service import ShopView

OVERLAP_SECONDS = 120
FIRST_POLL_HOURS = 6  # a shop's first poll reaches back this far


def poll(
    redis: Any,
    shop: ShopView,
    http: httpx.Client | None = None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    http = http or httpx.Client(timeout=10)
    adapter = adapter_for(shop.platform)
    until = until or datetime.now(UTC)
    if since is None:
        previous = redis.hget(pushes.stats_key(shop.id), "last_poll_until")
        since = (
            datetime.fromtimestamp(float(previous), UTC) - timedelta(seconds=OVERLAP_SECONDS)
            if previous
            else until - timedelta(hours=FIRST_POLL_HOURS)
        )
    report: dict[str, Any] = {"shop": shop.id, "since": since.isoformat(), "orders": 0, "lost": 0}
    try:
        ids = adapter.updated(http, shop.keys, since, until)
        pushes.add_pending(redis, shop.id, ids, time.time())
        report["orders"] = len(ids)
        if isinstance(adapter, Shopee):
            lost = adapter.lost(http, shop.keys)
            for body in lost:
                item = pushes.record({}, json.dumps(body).encode(), time.time())
                redis.rpush(pushes.pushes_key(shop.id), item)
            report["lost"] = len(lost)
            if lost:
                pushes.count(redis, shop.id, "lost_recovered", len(lost))
        if isinstance(adapter, TikTokShop):
            # TikTok's order API never says "returned": the returns come from its return
            # search, read as the pushes that tell them (a repeat is harmless).
            returns = adapter.returns(http, shop.keys, since, until)
            for body in returns:
                item = pushes.record({}, json.dumps(body).encode(), time.time())
                redis.rpush(pushes.pushes_key(shop.id), item)
            report["returns"] = len(returns)
    except (ApiFailed, httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        error = f"poll: {type(exc).__name__}: {exc}"
        pushes.note(redis, shop.id, last_poll=time.time(), last_poll_error=error[:300])
        pushes.failure(redis, shop.id, error)
        report["error"] = error
        return report
    pushes.note(
        redis,
        shop.id,
        last_poll=time.time(),
        last_poll_until=until.timestamp(),
        last_poll_orders=report["orders"],
        last_poll_error="",
    )
    return report
