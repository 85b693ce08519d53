"""`sieulive reconcile`: rebuild every order from its kept events and compare it with the stored
order and lines (lines stored twice or missing, a wrong state, a wrong session); then recompute
every aggregate from the orders, compare it with the stored aggregates, the Redis live counters
and the flash-sale stock gates; report every difference and, unless `--check`, repair it.

The kept events are the truth; orders are derived from them by the same rules the workers
apply (`BatchApplier`), aggregates from orders, live counters and gates from aggregates and
lines. Orders stored before events were kept (migration 0006) have no events: they are counted
and left as they are. Whether a flash-sale line is oversold was decided once, by the stock
gate, in the order the platform's orders arrived: a rebuild keeps the stored answer, and the
gates are checked against the lines separately."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from live.db import Database, utcnow
from live.sales.intake.events import RANK, QueuedEvent
from live.sales.models import Attribution, Order, OrderLine, SalesTotal
from live.sales.pipeline import record
from live.sales.pipeline.counters import CAMPAIGN, SESSION, read
from live.sales.pipeline.processing import (
    COUNTERS,
    ORDER_COLUMNS,
    BatchApplier,
    Grain,
    LineRow,
    OrderRow,
    contributions,
    new_order,
)
from live.sales.pipeline.stock import StockGate
from live.schedule.models import LiveSession
from live.shows.models import FlashSale


@dataclass
class ReconcileReport:
    orders: int = 0
    orders_rebuilt: int = 0  # orders with kept events, each rebuilt from them
    orders_without_events: int = 0  # stored before events were kept: not rebuilt
    events: int = 0
    orders_repaired: list[dict[str, Any]] = field(default_factory=list)
    aggregates_checked: int = 0
    aggregates_repaired: list[dict[str, Any]] = field(default_factory=list)
    counters_repaired: list[dict[str, Any]] = field(default_factory=list)
    gates_repaired: list[dict[str, Any]] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (
            self.orders_repaired
            or self.aggregates_repaired
            or self.counters_repaired
            or self.gates_repaired
        )


def reconcile(db: Database, redis: Any, *, repair: bool = True) -> ReconcileReport:
    report = ReconcileReport()
    expected: dict[Grain, list[int]] = defaultdict(lambda: [0] * len(COUNTERS))
    with db.unit_of_work() as s:
        _rebuild_orders(s, report, repair)
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


# What an order is made of, as events decide it (`updated_at` is only when it was written).
ORDER_FIELDS = tuple(name for name in ORDER_COLUMNS if name != "updated_at")
LINE_FIELDS = (
    "sku",
    "quantity",
    "unit_price",
    "product_id",
    "segment_id",
    "cancelled_quantity",
    "returned_quantity",
)


def _rebuild_orders(s: Session, report: ReconcileReport, repair: bool) -> None:
    """Each stored order against the same order rebuilt from its kept events."""
    stored = {
        (o.platform, o.platform_order_id): o
        for o in s.scalars(select(Order).options(selectinload(Order.lines)))
    }
    applier = BatchApplier(s, gate=None)  # oversold answers stay the gate's (see above)
    seen: set[tuple[str, str]] = set()
    for key, events in record.events_by_order(s):
        report.events += len(events)
        seen.add(key)
        order = stored.get(key)
        rebuilt = rebuild(applier, key, events)
        problems = _differences(order, rebuilt)
        report.orders_rebuilt += 1
        if not problems:
            continue
        report.orders_repaired.append({"order": f"{key[0]}:{key[1]}", "problems": problems})
        if repair:
            _repair(s, order, rebuilt, key)
    report.orders_without_events = len(stored.keys() - seen)
    if repair:
        s.flush()
        s.expire_all()


def rebuild(applier: BatchApplier, key: tuple[str, str], events: list[QueuedEvent]) -> OrderRow:
    """The order as its events make it: folded in (time, rank) order from an empty row, by
    the rules every batch applies (`BatchApplier.merge`)."""
    ordered = sorted(events, key=lambda e: (e.occurred_at, RANK[e.type]))
    order = new_order(key[0], key[1], ordered[0].occurred_at)
    for event in ordered:
        applier.merge(order, event)
    return order


def _differences(order: Order | None, rebuilt: OrderRow) -> list[str]:
    if order is None:
        return ["missing: its events were kept but the order is not stored"]
    problems = []
    for name in ORDER_FIELDS:
        have, want = getattr(order, name), getattr(rebuilt, name)
        if have != want:
            problems.append(f"{name}: stored {_text(have)}, events say {_text(want)}")
    lines = sorted(order.lines, key=lambda line: (line.line_no, line.id))
    if len(lines) > len(rebuilt.lines):
        problems.append(f"lines: {len(lines)} stored, {len(rebuilt.lines)} in its events")
    elif len(lines) < len(rebuilt.lines):
        problems.append(f"lines: {len(rebuilt.lines) - len(lines)} missing")
    for have, want in zip(lines, rebuilt.lines, strict=False):
        for name in LINE_FIELDS:
            if getattr(have, name) != getattr(want, name):
                problems.append(
                    f"line {want.line_no} {name}: stored {_text(getattr(have, name))}, "
                    f"events say {_text(getattr(want, name))}"
                )
    return problems


def _text(value: Any) -> str:
    return str(getattr(value, "value", value))


def _repair(s: Session, order: Order | None, rebuilt: OrderRow, key: tuple[str, str]) -> None:
    oversold = {line.line_no: line.oversold for line in order.lines} if order else {}
    if order is None:
        order = Order(platform=key[0], platform_order_id=key[1], created_at=utcnow())
        s.add(order)
    for name in ORDER_FIELDS:
        setattr(order, name, getattr(rebuilt, name))
    order.attribution = Attribution(rebuilt.attribution)
    order.updated_at = utcnow()
    order.lines.clear()
    s.flush()  # the old lines go before new ones take their numbers
    order.lines.extend(_line(line, oversold.get(line.line_no, False)) for line in rebuilt.lines)


def _line(line: LineRow, oversold: bool) -> OrderLine:
    return OrderLine(
        line_no=line.line_no,
        sku=line.sku,
        quantity=line.quantity,
        unit_price=line.unit_price,
        product_id=line.product_id,
        segment_id=line.segment_id,
        oversold=oversold,
        cancelled_quantity=line.cancelled_quantity,
        returned_quantity=line.returned_quantity,
    )
