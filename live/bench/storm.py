"""A deterministic order storm shaped like the production ones, with its ground truth.

Platforms deliver at least once, duplicate, reorder and sometimes send an order's cancellation
before its creation. `make_storm` builds such a storm from a seed — the same seed, sessions and
sizes give the same storm, byte for byte — and computes what every figure must be once it is
applied, so a test or a benchmark can check the pipeline's result exactly:

- N orders spread over the given sessions (each known by its live code and its line-up of
  (sku, unit price) pairs), 1–4 lines each (distinct SKUs of the session's line-up);
- each order a lifecycle of distinct events with strictly increasing `occurred_at` and
  increasing rank: created; then mostly paid; some delivered; some returned after delivered;
  some cancelled (from placed or after paid) — so the last event decides the state under any
  rule (greatest rank, or greatest (occurred_at, rank));
- each event delivered 1–3 times, the whole shuffled and cut into request bodies of 1–100
  events (`main`);
- about 5 % of orders have their cancellation in `early`, to be sent and applied before
  anything else (cancel before create); its duplicates, if any, are shuffled into `main`;
- "late low-rank" events: for some orders an exact copy of an earlier created or paid event,
  in `late`, to be sent at the very end, after the higher statuses.

Event dicts are sieulive's own webhook format (`live/sales/intake/events.py`,
docs/orders.md); a body is posted as `{"events": body}`. Duplicates share one dict: treat the
events as read-only.

Nothing oversells: no flash sales, every SKU is in its session's line-up. Pure Python, no I/O;
20,000 orders take under a second.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

VIETNAM = timezone(timedelta(hours=7))
START = datetime(2024, 9, 26, 19, 0, tzinfo=VIETNAM)
PROVINCES = (
    "TP. Hồ Chí Minh",
    "Hà Nội",
    "Đà Nẵng",
    "Cần Thơ",
    "Hải Phòng",
    "Bến Tre",
    "Lâm Đồng",
    "Đắk Lắk",
)

# The state an order ends in after its last event (SaleState values; delivered counts as paid).
STATE_AFTER = {
    "created": "placed",
    "paid": "paid",
    "delivered": "paid",
    "cancelled": "cancelled",
    "returned": "returned",
}
RANK = {"created": 1, "paid": 2, "delivered": 3, "cancelled": 4, "returned": 5}

# Lifecycles and their weights (cancellations are also forced on the early-cancel orders).
LIFECYCLES: tuple[tuple[tuple[str, ...], float], ...] = (
    (("created",), 0.10),
    (("created", "cancelled"), 0.04),
    (("created", "paid"), 0.36),
    (("created", "paid", "cancelled"), 0.03),
    (("created", "paid", "delivered"), 0.37),
    (("created", "paid", "delivered", "returned"), 0.10),
)
CANCELLED_LIFECYCLES: tuple[tuple[str, ...], ...] = (
    ("created", "cancelled"),
    ("created", "paid", "cancelled"),
)
FIGURES = (
    "gross_units",
    "gross_revenue",
    "paid_units",
    "paid_revenue",
    "cancelled_units",
    "cancelled_revenue",
    "returned_units",
    "returned_revenue",
)


@dataclass(frozen=True, slots=True)
class SessionSpec:
    """A session as platforms name it: its live code (and channel), and what it sells."""

    live_code: str
    lineup: tuple[tuple[str, int], ...]  # (sku, unit price in đồng)
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class StormLine:
    sku: str
    quantity: int
    unit_price: int

    def as_dict(self) -> dict[str, Any]:
        return {"sku": self.sku, "quantity": self.quantity, "unit_price": self.unit_price}


@dataclass(frozen=True, slots=True)
class OrderTruth:
    """One order as it must end: its state (a SaleState value), session code and lines."""

    order_id: str
    live_code: str
    state: str
    lines: tuple[StormLine, ...]
    events: tuple[str, ...]  # its distinct events' types, in occurred_at order
    buyer_province: str
    early_cancel: bool = False

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def revenue(self) -> int:
        return sum(line.quantity * line.unit_price for line in self.lines)


@dataclass(slots=True)
class SessionTruth:
    """A session's figures once the storm is applied, named as the sales API names them."""

    live_code: str
    orders: int = 0
    gross_units: int = 0
    gross_revenue: int = 0
    paid_units: int = 0
    paid_revenue: int = 0
    cancelled_units: int = 0
    cancelled_revenue: int = 0
    returned_units: int = 0
    returned_revenue: int = 0

    @property
    def net_units(self) -> int:
        return self.gross_units - self.cancelled_units - self.returned_units

    @property
    def net_revenue(self) -> int:
        return self.gross_revenue - self.cancelled_revenue - self.returned_revenue

    def counters(self) -> dict[str, int]:
        """The eight stored counters (sales_totals columns, Redis live counters)."""
        return {name: getattr(self, name) for name in FIGURES}

    def figures(self) -> dict[str, int]:
        """The API's figures: the counters plus net units and revenue (orders apart)."""
        return {**self.counters(), "net_units": self.net_units, "net_revenue": self.net_revenue}

    def add(self, order: OrderTruth) -> None:
        self.orders += 1
        units, revenue = order.units, order.revenue
        self.gross_units += units
        self.gross_revenue += revenue
        if order.state == "paid":
            self.paid_units += units
            self.paid_revenue += revenue
        elif order.state == "cancelled":
            self.cancelled_units += units
            self.cancelled_revenue += revenue
        elif order.state == "returned":
            self.returned_units += units
            self.returned_revenue += revenue


Body = list[dict[str, Any]]


@dataclass(slots=True)
class Storm:
    """The requests to send, in three phases, and what they must add up to.

    Send `early` first and wait until it is applied, then `main` (in any order, from any
    number of clients), then `late`."""

    platform: str
    early: list[Body]
    main: list[Body]
    late: list[Body]
    orders: dict[str, OrderTruth]
    sessions: dict[str, SessionTruth]  # by live code, every session given (maybe 0 orders)
    distinct_events: int
    deliveries: int  # event dicts in all bodies, duplicates included
    lines: int = field(init=False)

    def __post_init__(self) -> None:
        self.lines = sum(len(order.lines) for order in self.orders.values())

    def bodies(self) -> Iterator[Body]:
        """Every request body, phase after phase."""
        yield from self.early
        yield from self.main
        yield from self.late

    def totals(self) -> SessionTruth:
        """All sessions together."""
        total = SessionTruth(live_code="*")
        for session in self.sessions.values():
            total.orders += session.orders
            for name in FIGURES:
                setattr(total, name, getattr(total, name) + getattr(session, name))
        return total

    def grains(self) -> dict[tuple[str, str, str], list[int]]:
        """(session code, SKU, buyer province) -> the eight counters, as sales_totals holds
        them per (session, product, province)."""
        column = {"paid": 2, "cancelled": 4, "returned": 6}
        result: dict[tuple[str, str, str], list[int]] = {}
        for order in self.orders.values():
            for line in order.lines:
                grain = (order.live_code, line.sku, order.buyer_province)
                figures = result.setdefault(grain, [0] * len(FIGURES))
                revenue = line.quantity * line.unit_price
                figures[0] += line.quantity
                figures[1] += revenue
                if order.state in column:
                    figures[column[order.state]] += line.quantity
                    figures[column[order.state] + 1] += revenue
        return result

    def states(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for order in self.orders.values():
            counts[order.state] = counts.get(order.state, 0) + 1
        return counts


def _chunks(rng: random.Random, events: list[dict[str, Any]], max_body: int) -> list[Body]:
    bodies: list[Body] = []
    i = 0
    while i < len(events):
        size = rng.randint(1, max_body)
        bodies.append(events[i : i + size])
        i += size
    return bodies


def make_storm(
    sessions: Sequence[SessionSpec],
    orders: int,
    *,
    seed: int = 7,
    platform: str = "tiktok_shop",
    prefix: str = "ST",
    start: datetime = START,
    window: timedelta = timedelta(hours=3),
    early_cancel: float = 0.05,
    late_low_rank: float = 0.05,
    copies: Sequence[float] = (0.6, 0.3, 0.1),
    max_body: int = 100,
    lines_on_later_events: float = 0.5,
) -> Storm:
    """A storm of `orders` orders over `sessions` (see the module's docstring).

    `copies[k]`: the share of events delivered k + 1 times. `early_cancel`: the share of
    orders cancelled, their cancellation sent early. `late_low_rank`: the share of orders with
    a copy of an earlier created/paid event re-sent at the end. Order ids are `prefix` and a
    number; events after `created` carry the lines with probability `lines_on_later_events`
    (created always does), and every event carries the live code, channel and province."""
    if not sessions:
        raise ValueError("a storm needs at least one session")
    if any(not s.lineup for s in sessions):
        raise ValueError("every session needs a line-up")
    if not 1 <= max_body <= 1000:
        raise ValueError("max_body: 1–1000 events a request")
    if start.tzinfo is None:
        raise ValueError("start needs a UTC offset")
    rng = random.Random(seed)
    shapes = [shape for shape, _ in LIFECYCLES]
    weights = [weight for _, weight in LIFECYCLES]
    copy_counts = list(range(1, len(copies) + 1))
    width = max(6, len(str(orders)))
    span = max(1, int(window.total_seconds()))

    truths: dict[str, OrderTruth] = {}
    per_session = {s.live_code: SessionTruth(live_code=s.live_code) for s in sessions}
    early: list[dict[str, Any]] = []
    main: list[dict[str, Any]] = []
    late: list[dict[str, Any]] = []
    distinct = 0

    for i in range(orders):
        spec = sessions[rng.randrange(len(sessions))]
        order_id = f"{prefix}{i:0{width}d}"
        picked = rng.sample(spec.lineup, min(len(spec.lineup), rng.randint(1, 4)))
        lines = tuple(
            StormLine(sku, rng.choice((1, 1, 1, 2, 2, 3, 5)), price) for sku, price in picked
        )
        is_early = rng.random() < early_cancel
        shape: tuple[str, ...]
        if is_early:
            shape = CANCELLED_LIFECYCLES[rng.randrange(len(CANCELLED_LIFECYCLES))]
        else:
            shape = rng.choices(shapes, weights)[0]
        province = PROVINCES[rng.randrange(len(PROVINCES))]
        at = start + timedelta(seconds=rng.randrange(span), milliseconds=rng.randrange(1000))
        events: list[dict[str, Any]] = []
        for kind in shape:
            event: dict[str, Any] = {
                "type": kind,
                "order_id": order_id,
                "occurred_at": at.isoformat(timespec="milliseconds"),
            }
            if kind == "created" or rng.random() < lines_on_later_events:
                event["lines"] = [line.as_dict() for line in lines]
            event["live_code"] = spec.live_code
            if spec.channel:
                event["channel"] = spec.channel
            event["buyer_province"] = province
            events.append(event)
            at += timedelta(seconds=rng.randint(1, 900), milliseconds=rng.randrange(1000))
        distinct += len(events)
        for event in events:
            n = rng.choices(copy_counts, copies)[0]
            if is_early and event["type"] == "cancelled":
                early.append(event)
                n -= 1
            main.extend([event] * n)
        if len(events) > 1 and rng.random() < late_low_rank:
            low = [e for e in events[:-1] if e["type"] in ("created", "paid")]
            late.append(low[rng.randrange(len(low))])
        truth = OrderTruth(
            order_id=order_id,
            live_code=spec.live_code,
            state=STATE_AFTER[shape[-1]],
            lines=lines,
            events=shape,
            buyer_province=province,
            early_cancel=is_early,
        )
        truths[order_id] = truth
        per_session[spec.live_code].add(truth)

    rng.shuffle(early)
    rng.shuffle(main)
    rng.shuffle(late)
    return Storm(
        platform=platform,
        early=_chunks(rng, early, max_body),
        main=_chunks(rng, main, max_body),
        late=_chunks(rng, late, max_body),
        orders=truths,
        sessions=per_session,
        distinct_events=distinct,
        deliveries=len(early) + len(main) + len(late),
    )
