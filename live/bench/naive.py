"""The benchmark's baseline: one RQ job per order, the way a first version would do it.

Each job opens its settings, DB and Redis like the project's other jobs, applies its single
event through the same `apply_batch` path as the drain, and adds the same live counters, so
the only difference from the pipeline is one job (and one transaction) per order.
"""

from __future__ import annotations

from typing import Any

from live import redis_conn
from live.db import Database
from live.sales.intake.events import OrderEvent
from live.sales.pipeline import counters, service
from live.sales.pipeline.stock import StockGate
from live.settings import load_settings


def apply_one(platform: str, event: dict[str, Any]) -> None:
    settings = load_settings()
    db = Database(settings)
    redis = redis_conn.connect(settings)
    try:
        parsed = OrderEvent.model_validate(event)
        outcome = service.apply_batch(db, StockGate(redis), [(platform, parsed)]).outcome
        campaign_of = service._campaigns(db, {grain[0] for grain in outcome.deltas if grain[0]})
        counters.add(redis, outcome.deltas, campaign_of)
    finally:
        db.dispose()
        redis.close()
