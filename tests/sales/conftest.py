"""Signed webhook deliveries and a worker that drains the inbox, against real Redis and DB."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import pytest
import redis as redis_lib
from starlette.testclient import TestClient

from live.db import Database
from live.sales.intake import signing
from live.sales.pipeline import service
from live.settings import Settings
from tests.conftest import WEBHOOK_SECRET
from tests.shows.conftest import show_session

__all__ = ["show_session"]
_ids = itertools.count(1)


def signed(body: bytes, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> dict[str, str]:
    timestamp = str(at if at is not None else int(time.time()))
    return {
        signing.TIMESTAMP_HEADER: timestamp,
        signing.SIGNATURE_HEADER: signing.sign(secret, timestamp, body),
        "Content-Type": "application/json",
    }


def post_events(client: TestClient, payload: Any, platform: str = "tiktok_shop") -> Any:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return client.post(f"/webhooks/orders/{platform}", content=body, headers=signed(body))


def event(
    kind: str, order_id: str, at: str, lines: list[tuple[str, int, int]] | None = None, **extra: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {"type": kind, "order_id": order_id, "occurred_at": at, **extra}
    if lines is not None:
        data["lines"] = [{"sku": s, "quantity": q, "unit_price": p} for s, q, p in lines]
    return data


def new_order_id() -> str:
    return f"TT{next(_ids):08d}"


@pytest.fixture
def redis(settings: Settings) -> Any:
    client = redis_lib.Redis.from_url(settings.redis_url or "")
    yield client
    client.close()


@pytest.fixture
def drain(db: Database, redis: Any) -> Any:
    """Run the worker's drain in-process, as the RQ job does."""

    def run() -> service.DrainReport:
        return service.drain(db, redis)

    return run
