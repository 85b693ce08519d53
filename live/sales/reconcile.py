"""`sieulive reconcile`: recompute every aggregate from the orders in the DB, compare it with
the stored aggregates, the Redis live counters and the flash-sale stock gates, report every
difference and repair it. The DB's orders are the truth; everything else is derived."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from live.db import Database
from live.sales.counters import CAMPAIGN, SESSION, read
from live.sales.models import Order, SalesTotal
from live.sales.processing import COUNTERS, Grain, contributions
from live.sales.stock import StockGate
from live.schedule.models import LiveSession
from live.shows.models import FlashSale


@dataclass
class ReconcileReport:
    orders: int = 0
    aggregates_checked: int = 0
    aggregates_repaired: list[dict[str, Any]] = field(default_factory=list)
    counters_repaired: list[dict[str, Any]] = field(default_factory=list)
    gates_repaired: list[dict[str, Any]] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.aggregates_repaired or self.counters_repaired or self.gates_repaired)


def reconcile(db: Database, redis: Any, *, repair: bool = True) -> ReconcileReport:
    report = ReconcileReport()
    expected: dict[Grain, list[int]] = defaultdict(lambda: [0] * len(COUNTERS))
    with db.unit_of_work() as s:
        for order in s.scalars(select(Order).options(selectinload(Order.lines))):
            report.orders += 1
            for grain, counters in contributions(order).items():
                totals = expected[grain]
                for i, value in enumerate(counters):
                    totals[i] += value
        stored = {
            (r.session_key, r.segment_key, r.product_id, r.platform, r.province): r
            for r in s.scalars(select(SalesTotal))
        }
        for grain in expected.keys() | stored.keys():
            report.aggregates_checked += 1
            want = expected.get(grain, [0] * len(COUNTERS))
            row = stored.get(grain)
            have = [getattr(row, name) for name in COUNTERS] if row else [0] * len(COUNTERS)
            if want == have:
                continue
            report.aggregates_repaired.append(
                {
                    "grain": list(grain),
                    "stored": dict(zip(COUNTERS, have, strict=True)),
                    "expected": dict(zip(COUNTERS, want, strict=True)),
                }
            )
            if not repair:
                continue
            if row is None:
                session_key, segment_key, product_id, platform, province = grain
                row = SalesTotal(
                    session_key=session_key,
                    segment_key=segment_key,
                    product_id=product_id,
                    platform=platform,
                    province=province,
                    orders=0,
                )
                s.add(row)
            for name, value in zip(COUNTERS, want, strict=True):
                setattr(row, name, value)
        if repair:
            s.execute(delete(SalesTotal).where(*(getattr(SalesTotal, n) == 0 for n in COUNTERS)))
        campaign_of = dict(s.execute(select(LiveSession.id, LiveSession.campaign_id)).all())
        _reconcile_counters(redis, expected, campaign_of, report, repair)
        _reconcile_gates(s, redis, report, repair)
        if not repair:
            s.rollback()
    return report


def _reconcile_counters(
    redis: Any,
    expected: dict[Grain, list[int]],
    campaign_of: dict[int, int],
    report: ReconcileReport,
    repair: bool,
) -> None:
    want: dict[str, list[int]] = defaultdict(lambda: [0] * len(COUNTERS))
    for grain, counters in expected.items():
        keys = [f"{SESSION}{grain[0]}"]
        if grain[0] in campaign_of:
            keys.append(f"{CAMPAIGN}{campaign_of[grain[0]]}")
        for key in keys:
            for i, value in enumerate(counters):
                want[key][i] += value
    present = {
        k.decode() if isinstance(k, bytes) else k
        for pattern in (SESSION + "*", CAMPAIGN + "*")
        for k in redis.scan_iter(match=pattern, count=1000)
    }
    for key in sorted(want.keys() | present):
        should = dict(zip(COUNTERS, want.get(key, [0] * len(COUNTERS)), strict=True))
        have = read(redis, key)
        if have == should:
            continue
        report.counters_repaired.append({"key": key, "stored": have, "expected": should})
        if repair:
            pipe = redis.pipeline()
            pipe.delete(key)
            pipe.hset(key, mapping=should)
            pipe.execute()


def _reconcile_gates(s: Any, redis: Any, report: ReconcileReport, repair: bool) -> None:
    gate = StockGate(redis)
    for sale in s.scalars(select(FlashSale)):
        end = min(sale.ends_at, sale.ended_at) if sale.ended_at else sale.ends_at
        orders = s.scalars(
            select(Order)
            .options(selectinload(Order.lines))
            .where(
                Order.session_id == sale.session_id,
                Order.ordered_at >= sale.started_at,
                Order.ordered_at <= end,
            )
        )
        granted = 0
        answers: dict[str, int] = {}
        for order in orders:
            for index, line in enumerate(order.lines):
                if line.product_id != sale.product_id:
                    continue
                answers[f"{order.platform}:{order.platform_order_id}:{index}"] = int(
                    not line.oversold
                )
                granted += 0 if line.oversold else line.quantity
        left = max(0, sale.quantity - granted)
        if gate.left(sale.id, sale.quantity) != left:
            report.gates_repaired.append(
                {
                    "flash_sale_id": sale.id,
                    "stored_left": gate.left(sale.id, sale.quantity),
                    "expected_left": left,
                }
            )
            if repair:
                gate.reset(sale.id, left, answers)
