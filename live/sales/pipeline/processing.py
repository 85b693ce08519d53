"""Applying a batch of order events in one transaction.

At-least-once delivery everywhere means the same event can come twice, late or out of order,
and several workers apply batches at once. The order row keyed on (platform, order id) is where
duplicates die: a batch first makes sure a row exists for each of its orders and locks them all
(`_lock`), so each order has one writer at a time whatever the number of workers; each event can
only move an order forward (`is_newer`); and the aggregates change by exactly the difference
between what the order contributed before the batch and what it contributes after — zero when
nothing changed. docs/orders.md says why row locks rather than partitions, and what they cost.

The hot path of the pipeline, so it works on plain rows: one INSERT … ON CONFLICT DO NOTHING
and one SELECT … FOR UPDATE of the batch's orders, one SELECT of their lines, then one INSERT
or UPDATE per table and one upsert of the aggregates — on PostgreSQL each a single statement
for the whole batch (`bulk`), on SQLite executemany. The ORM's unit of work cost ~5× that per
order (profiled with `sieulive bench orders`); the rules are the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, any_, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from live.catalog.models import Product
from live.db import utcnow
from live.sales.intake.events import RANK, AnyEvent, EventLine, EventType, QueuedLine
from live.sales.models import Attribution, Order, OrderLine, SaleState, SalesTotal
from live.sales.pipeline import bulk
from live.sales.pipeline.attribution import Attributor
from live.sales.pipeline.stock import StockGate
from live.schedule.models import Segment
from live.shows.models import FlashSale

Grain = tuple[int, int, int, str, str]  # session, segment (0 = none), product, platform, province
COUNTERS = (
    "gross_units",
    "gross_revenue",
    "paid_units",
    "paid_revenue",
    "cancelled_units",
    "cancelled_revenue",
    "returned_units",
    "returned_revenue",
)
STATE_OF = {
    EventType.created: SaleState.placed,
    EventType.paid: SaleState.paid,
    EventType.delivered: SaleState.paid,
    EventType.cancelled: SaleState.cancelled,
    EventType.returned: SaleState.returned,
}


def is_newer(event: AnyEvent, order: OrderRow) -> bool:
    """Whether the event may set the order's state: a later platform time, or the same time and
    a higher rank. A late-delivered `paid` older than the `cancelled` already applied changes
    nothing; a platform that really moves an order on (a refused cancellation) sends a newer
    time. Every delivery order of the same events ends in the same state."""
    return (event.occurred_at, RANK[event.type]) > (order.last_event_at, order.rank)


@dataclass
class Outcome:
    events: int = 0
    new_orders: int = 0
    changed_orders: int = 0
    unattributed: int = 0
    oversold_lines: int = 0
    deltas: dict[Grain, list[int]] = field(default_factory=dict)
    sessions: set[int] = field(default_factory=set)
    campaigns: set[int] = field(default_factory=set)
    flash_sales: set[int] = field(default_factory=set)
    campaign_of: dict[int, int] = field(default_factory=dict)  # session -> campaign


def contributions(order: Order | OrderRow) -> dict[Grain, list[int]]:
    """What an order adds to the aggregates as it stands. Rehearsal orders and oversold lines
    add nothing; gross counts every order, the state decides paid / cancelled / returned —
    except for the units of a line cancelled or returned on their own (a platform with a
    status per line), which count as such whatever the order's state."""
    if order.rehearsal:
        return {}
    result: dict[Grain, list[int]] = {}
    column = {SaleState.paid: 2, SaleState.cancelled: 4, SaleState.returned: 6}.get(order.state)
    for line in order.lines:
        if line.oversold or line.product_id is None:
            continue
        grain = (
            order.session_id or 0,
            line.segment_id or 0,
            line.product_id,
            order.platform,
            order.buyer_province or "",
        )
        counters = result.setdefault(grain, [0] * len(COUNTERS))
        price = line.unit_price
        cancelled, returned = line.cancelled_quantity, line.returned_quantity
        on = line.quantity - cancelled - returned
        counters[0] += line.quantity
        counters[1] += line.quantity * price
        if column is not None:
            counters[column] += on
            counters[column + 1] += on * price
        counters[4] += cancelled
        counters[5] += cancelled * price
        counters[6] += returned
        counters[7] += returned * price
    return result


@dataclass(slots=True, eq=False)
class LineRow:
    """An order line as the batch sees it; `contributions` reads it like an ORM OrderLine."""

    sku: str
    quantity: int
    unit_price: int
    line_no: int = 0
    id: int | None = None
    product_id: int | None = None
    segment_id: int | None = None
    oversold: bool = False
    # Units taken off on their own while the order goes on (`take_off`).
    cancelled_quantity: int = 0
    returned_quantity: int = 0
    dirty: bool = False  # placed anew or taken off: product, segment, oversold, units off


@dataclass(slots=True, eq=False)
class OrderRow:
    """An order as the batch sees it; `contributions` reads it like an ORM Order."""

    platform: str
    platform_order_id: str
    state: SaleState
    rank: int
    delivered: bool
    session_id: int | None
    campaign_id: int | None
    attribution: Attribution
    rehearsal: bool
    live_code: str | None
    channel: str | None
    buyer_province: str | None
    ordered_at: datetime
    last_event_at: datetime
    total: int
    updated_at: datetime
    id: int | None = None
    lines: list[LineRow] = field(default_factory=list)
    changed: bool = False
    new_lines: bool = False  # the lines arrived in this batch: insert them


# PostgreSQL types of the columns `bulk` writes, in the order of `_order_row`.
ORDER_COLUMN_TYPES = (
    ("state", "text"),
    ("rank", "int4"),
    ("delivered", "bool"),
    ("session_id", "int4"),
    ("campaign_id", "int4"),
    ("attribution", "text"),
    ("rehearsal", "bool"),
    ("live_code", "text"),
    ("channel", "text"),
    ("buyer_province", "text"),
    ("ordered_at", "timestamptz"),
    ("last_event_at", "timestamptz"),
    ("total", "int8"),
    ("updated_at", "timestamptz"),
)
ORDER_COLUMNS = tuple(name for name, _kind in ORDER_COLUMN_TYPES)
ORDER_INSERT_COLUMNS = (
    ("platform", "text"),
    ("platform_order_id", "text"),
    *ORDER_COLUMN_TYPES,
    ("created_at", "timestamptz"),
)
LINE_COLUMN_TYPES = (
    ("order_id", "int4"),
    ("line_no", "int4"),
    ("sku", "text"),
    ("quantity", "int4"),
    ("unit_price", "int8"),
    ("product_id", "int4"),
    ("segment_id", "int4"),
    ("oversold", "bool"),
    ("cancelled_quantity", "int4"),
    ("returned_quantity", "int4"),
)
TOTAL_COLUMN_TYPES = (
    ("session_key", "int4"),
    ("segment_key", "int4"),
    ("product_id", "int4"),
    ("platform", "text"),
    ("province", "text"),
    ("orders", "int4"),
    ("updated_at", "timestamptz"),
    ("gross_units", "int4"),
    ("gross_revenue", "int8"),
    ("paid_units", "int4"),
    ("paid_revenue", "int8"),
    ("cancelled_units", "int4"),
    ("cancelled_revenue", "int8"),
    ("returned_units", "int4"),
    ("returned_revenue", "int8"),
)
ORDERS = cast(Table, Order.__table__)
LINES = cast(Table, OrderLine.__table__)
TOTALS = cast(Table, SalesTotal.__table__)


@dataclass
class Prepared:
    """A batch's events as `BatchApplier.prepare` left them, ready to apply under locks."""

    events: int
    by_order: dict[tuple[str, str], list[AnyEvent]]
    fresh: dict[tuple[str, str], OrderRow]


class BatchApplier:
    def __init__(self, db: Session, gate: StockGate | None) -> None:
        self.db = db
        self.gate = gate
        self.attributor = Attributor(db)
        self._postgres = db.get_bind().dialect.name == "postgresql"
        self._skus: dict[int | None, dict[str, int]] = {}
        self._flash: dict[int, list[FlashSale]] = {}
        # Off while `prepare` merges orders as if new: most are not (a status event of an
        # order placed in an earlier batch), and a unit the gate granted such a stand-in would
        # never come back. Inserted orders pass the gate in `apply`, once they are known new.
        self._gating = True

    def prepare(self, items: list[tuple[str, AnyEvent]]) -> Prepared:
        """Everything that needs no lock: the events grouped by order, in time then rank, and
        each order merged as if it were new. Done before the batch's first write that another
        worker's batch can wait on (its kept events, its orders), so a second worker does this
        while the first holds the locks they share, instead of after."""
        by_order: dict[tuple[str, str], list[AnyEvent]] = defaultdict(list)
        for platform, event in sorted(items, key=lambda i: (i[1].occurred_at, RANK[i[1].type])):
            by_order[(platform, event.order_id)].append(event)
        self._prefetch({event.live_code for _platform, event in items if event.live_code})
        # Each order first as if it were new: a row inserted now holds its final values at
        # once (inserting an empty row and updating it cost an UPDATE per new order).
        fresh: dict[tuple[str, str], OrderRow] = {}
        self._gating = False
        try:
            for key, events in by_order.items():
                fresh[key] = new_order(key[0], key[1], events[0].occurred_at)
                for event in events:
                    self.merge(fresh[key], event)
        finally:
            self._gating = True
        return Prepared(len(items), by_order, fresh)

    def apply(self, prepared: Prepared | list[tuple[str, AnyEvent]]) -> Outcome:
        if isinstance(prepared, list):
            prepared = self.prepare(prepared)
        by_order, fresh = prepared.by_order, prepared.fresh
        outcome = Outcome(events=prepared.events)
        orders, inserted = self._lock(fresh)
        before: dict[tuple[str, str], dict[Grain, list[int]]] = {}
        touched: set[tuple[str, str]] = set()
        for key, events in by_order.items():
            order = orders[key]
            if key in inserted:
                before[key] = {}
                outcome.new_orders += 1
                touched.add(key)
                for line in order.lines:
                    self._gate(order, line)
                continue
            before[key] = contributions(order)
            for event in events:
                if self.merge(order, event):
                    touched.add(key)
        self._write([orders[key] for key in sorted(touched)], inserted)
        for key in touched:
            order = orders[key]
            delta = _difference(contributions(order), before[key])
            if delta:
                outcome.changed_orders += 1
                for grain, counters in delta.items():
                    total = outcome.deltas.setdefault(grain, [0] * len(COUNTERS))
                    for i, value in enumerate(counters):
                        total[i] += value
            if order.session_id:
                outcome.sessions.add(order.session_id)
            if order.campaign_id:
                outcome.campaigns.add(order.campaign_id)
                if order.session_id:
                    outcome.campaign_of[order.session_id] = order.campaign_id
            if order.attribution is Attribution.none:
                outcome.unattributed += 1
            outcome.oversold_lines += sum(1 for line in order.lines if line.oversold)
        self._add_to_totals(outcome.deltas)
        return outcome

    def _among(self, column: Any, values: list[Any]) -> Any:
        """`column IN (values)`. On PostgreSQL `= ANY(array)`: one parameter, so the statement
        is the same text every batch (a thousand inlined placeholders made a new statement
        for psycopg to parse each time)."""
        if self._postgres:
            return column == any_(bindparam(None, values, type_=postgresql.ARRAY(column.type)))
        return column.in_(values)

    def _lock(
        self, fresh: dict[tuple[str, str], OrderRow]
    ) -> tuple[dict[tuple[str, str], OrderRow], set[tuple[str, str]]]:
        """Every order of the batch as a row this transaction alone may write, with its lines;
        and which of them it inserted (their `fresh` values are already stored).

        PostgreSQL: each order is inserted with its fresh values unless it exists (INSERT … ON
        CONFLICT DO NOTHING waits while another transaction inserts the same order, then does
        nothing); then all the batch's rows are locked (SELECT … FOR UPDATE), the rows this
        transaction inserted told apart by their `xmin` (the inserting transaction's id). Both
        statements walk the keys in one order, so two workers sharing orders queue up behind
        each other instead of deadlocking; until this transaction ends no other worker reads
        or writes these orders. SQLite: the unit of work's BEGIN IMMEDIATE already makes every
        writer the only one, so what exists is read first and the rest inserted."""
        keys = sorted(fresh)
        ids = sorted({order_id for _platform, order_id in keys})
        columns = [ORDERS.c.id, ORDERS.c.platform, ORDERS.c.platform_order_id]
        columns += [ORDERS.c[name] for name in ORDER_COLUMNS]
        insert_new = self._insert(ORDERS).on_conflict_do_nothing(
            index_elements=["platform", "platform_order_id"]
        )
        platforms = sorted({platform for platform, _order_id in keys})
        # Both columns of the unique key, so SQLite walks its index rather than the table.
        query = select(*columns).where(
            self._among(ORDERS.c.platform, platforms),
            self._among(ORDERS.c.platform_order_id, ids),
        )
        rows: list[Any]
        if self._postgres:
            bulk.insert(
                self.db,
                "orders",
                ORDER_INSERT_COLUMNS,
                [_order_row(fresh[key]) for key in keys],
                on_conflict="ON CONFLICT (platform, platform_order_id) DO NOTHING",
            )
            rows = self._lock_stored(keys, columns)
        else:
            rows = [{**row, "mine": False} for row in self.db.execute(query).mappings()]
            stored = {(row["platform"], row["platform_order_id"]) for row in rows}
            new = [key for key in keys if key not in stored]
            if new:
                self.db.execute(insert_new, [_order_values(fresh[key]) for key in new])
                ids = sorted({order_id for _platform, order_id in new})
                found = self.db.execute(
                    select(*columns).where(
                        self._among(ORDERS.c.platform, platforms),
                        self._among(ORDERS.c.platform_order_id, ids),
                    )
                ).mappings()
                rows += [
                    {**row, "mine": True}
                    for row in found
                    if (row["platform"], row["platform_order_id"]) not in stored
                ]
        orders: dict[tuple[str, str], OrderRow] = {}
        inserted: set[tuple[str, str]] = set()
        by_id: dict[int, OrderRow] = {}
        for row in rows:
            key = (row["platform"], row["platform_order_id"])
            if key not in fresh or key in orders:
                continue
            values = dict(row)
            if values.pop("mine"):
                order = orders[key] = fresh[key]
                order.id = values["id"]
                inserted.add(key)
            else:
                order = orders[key] = OrderRow(**values)
                by_id[values["id"]] = order
        if by_id:
            for line in self.db.execute(
                select(
                    LINES.c.id,
                    LINES.c.order_id,
                    LINES.c.line_no,
                    LINES.c.sku,
                    LINES.c.quantity,
                    LINES.c.unit_price,
                    LINES.c.product_id,
                    LINES.c.segment_id,
                    LINES.c.oversold,
                    LINES.c.cancelled_quantity,
                    LINES.c.returned_quantity,
                )
                .where(self._among(LINES.c.order_id, sorted(by_id)))
                .order_by(LINES.c.order_id, LINES.c.line_no)
            ).mappings():
                values = dict(line)
                by_id[values.pop("order_id")].lines.append(LineRow(**values))
        return orders, inserted

    def _lock_stored(self, keys: list[tuple[str, str]], columns: list[Any]) -> list[dict[str, Any]]:
        """PostgreSQL: lock the rows of the batch's orders, in byte order of their keys (as
        Python sorted the inserts: "C", no locale rules), each row with `mine`: whether this
        transaction inserted it.

        The keys are joined as a table (`unnest`), so each order is one probe of the unique
        index. `platform_order_id = ANY(…)` alone, as before, can't use that index (its first
        column is the platform): it read the whole table a batch and, once psycopg prepared the
        statement, compared each row with each of the batch's ids — 2.5 s a batch with 80,000
        orders stored (profiled), the storm's slowing down as the bench's tables grew."""
        names = [column.name for column in columns]
        sql = (
            f"SELECT {', '.join(f'orders.{name}' for name in names)}, "
            "orders.xmin = pg_current_xact_id()::xid AS mine "
            "FROM unnest(%b::text[], %b::text[]) AS k(platform, order_id) "
            "JOIN orders ON orders.platform = k.platform AND orders.platform_order_id = k.order_id "
            'ORDER BY orders.platform COLLATE "C", orders.platform_order_id COLLATE "C" '
            "FOR UPDATE OF orders"
        )
        result = self.db.connection().exec_driver_sql(
            sql, ([platform for platform, _ in keys], [order_id for _, order_id in keys])
        )
        rows = []
        for values in result:
            row = dict(zip([*names, "mine"], values, strict=True))
            row["state"] = SaleState(row["state"])
            row["attribution"] = Attribution(row["attribution"])
            for name in ("ordered_at", "last_event_at", "updated_at"):
                row[name] = row[name].astimezone(UTC)
            rows.append(row)
        return rows

    def _insert(self, table: Table) -> Any:
        return (postgresql.insert if self._postgres else sqlite.insert)(table)

    def _write(self, orders: list[OrderRow], inserted: set[tuple[str, str]]) -> None:
        """Changed orders stored before the batch by executemany UPDATE keyed on the id (the
        ones `_lock` inserted hold their values already), lines new to the batch by
        executemany INSERT."""
        old = [o for o in orders if (o.platform, o.platform_order_id) not in inserted]
        added = [(o.id, line) for o in orders if o.new_lines for line in o.lines]
        if self._postgres:
            # One statement each for the batch (`bulk`): executemany ran them row by row.
            bulk.update(
                self.db,
                "orders",
                ("id", "int4"),
                ORDER_COLUMN_TYPES,
                [(o.id, *_order_row(o)[2:-1]) for o in old],
            )
            bulk.insert(
                self.db,
                "order_lines",
                LINE_COLUMN_TYPES,
                [
                    (
                        order_id,
                        line.line_no,
                        line.sku,
                        line.quantity,
                        line.unit_price,
                        line.product_id,
                        line.segment_id,
                        line.oversold,
                        line.cancelled_quantity,
                        line.returned_quantity,
                    )
                    for order_id, line in added
                ],
            )
        elif old:
            self.db.execute(
                update(ORDERS).where(ORDERS.c.id == bindparam("order_key")),
                [{"order_key": o.id, **_order_values(o, keys=False)} for o in old],
            )
        if added and not self._postgres:
            self.db.execute(
                insert(LINES),
                [
                    {
                        "order_id": order_id,
                        "line_no": line.line_no,
                        "sku": line.sku,
                        "quantity": line.quantity,
                        "unit_price": line.unit_price,
                        "product_id": line.product_id,
                        "segment_id": line.segment_id,
                        "oversold": line.oversold,
                        "cancelled_quantity": line.cancelled_quantity,
                        "returned_quantity": line.returned_quantity,
                    }
                    for order_id, line in added
                ],
            )
        # Lines stored before this batch whose placement was redone or that were taken off.
        replaced = [
            line for o in old if not o.new_lines for line in o.lines if line.dirty and line.id
        ]
        if replaced and self._postgres:
            bulk.update(
                self.db,
                "order_lines",
                ("id", "int4"),
                LINE_COLUMN_TYPES[5:],
                [
                    (
                        line.id,
                        line.product_id,
                        line.segment_id,
                        line.oversold,
                        line.cancelled_quantity,
                        line.returned_quantity,
                    )
                    for line in replaced
                ],
            )
        elif replaced:
            self.db.execute(
                update(LINES).where(LINES.c.id == bindparam("line_key")),
                [
                    {
                        "line_key": line.id,
                        "product_id": line.product_id,
                        "segment_id": line.segment_id,
                        "oversold": line.oversold,
                        "cancelled_quantity": line.cancelled_quantity,
                        "returned_quantity": line.returned_quantity,
                    }
                    for line in replaced
                ],
            )

    def merge(self, order: OrderRow, event: AnyEvent) -> bool:
        """Fold one event into the order; True if anything about the order changed."""
        changed = False
        placement = False
        was = (order.session_id, order.ordered_at)
        for attr, value in (
            ("live_code", event.live_code),
            ("channel", event.channel),
            ("buyer_province", event.buyer_province),
        ):
            if value and not getattr(order, attr):
                setattr(order, attr, value)
                changed = placement = True
        if event.occurred_at < order.ordered_at:
            # Placed no later than anything said about it: the earliest event's time, whatever
            # order the events came in (a cancellation may arrive before the creation).
            order.ordered_at = event.occurred_at
            changed = placement = True
        if event.lines and not order.lines:
            lines: Sequence[EventLine | QueuedLine] = event.lines
            order.lines = [
                LineRow(line.sku, line.quantity, line.unit_price, line_no)
                for line_no, line in enumerate(lines)
            ]
            order.new_lines = True
            order.total = sum(line.quantity * line.unit_price for line in event.lines)
            changed = placement = True
        if event.lines and take_off(order.lines, event.lines):
            changed = True
        if is_newer(event, order):
            order.rank = RANK[event.type]
            order.state = STATE_OF[event.type]
            order.last_event_at = event.occurred_at
            changed = True
        if event.type is EventType.delivered and not order.delivered:
            order.delivered = True  # shipped once, whatever came after
            changed = True
        if placement:
            self._place(order, *was)
        if changed:
            order.updated_at = utcnow()
            order.changed = True
        return changed

    def _place(
        self, order: OrderRow, was_session: int | None = None, was_at: datetime | None = None
    ) -> None:
        """Attribute the order and its lines; pass flash-sale lines through the stock gate.
        `was_session`, `was_at`: where and when it was placed before, if it was — a line that
        leaves the flash sale it was granted in gives its units back."""
        match = self.attributor.session_for(
            order.platform, order.live_code, order.channel, order.ordered_at
        )
        order.session_id = match.session_id if match else None
        order.campaign_id = match.campaign_id if match else None
        order.attribution = Attribution(match.by) if match else Attribution.none
        order.rehearsal = match.rehearsal if match else False
        skus = self._lineup_skus(order.session_id)
        # Only the stored order gives back (in `apply`): `prepare`'s stand-in was granted
        # nothing, and what its key holds is the stored order's.
        may_give_back = self._gating and self.gate is not None
        for line in order.lines:
            before = None
            if may_give_back and was_session and was_at and line.product_id is not None:
                before = self._flash_sale(was_session, line.product_id, was_at)
            line.dirty = True
            line.product_id = skus.get(line.sku) or self._lineup_skus(None).get(line.sku)
            line.segment_id = None
            line.oversold = False
            if order.session_id is not None and line.product_id is not None:
                line.segment_id = self.attributor.segment_for(
                    order.session_id, line.product_id, order.ordered_at
                )
            now = self._gate(order, line) if self._gating else None
            if before is not None and self.gate is not None and now != before.id:
                self.gate.give_back(before.id, self._gate_key(order, line), line.quantity)

    def _gate(self, order: OrderRow, line: LineRow) -> int | None:
        """Pass a line through the stock gate of the flash sale it falls in, if any: oversold
        when the sale's stock is gone. The sale's id, or None."""
        if order.session_id is None or line.product_id is None:
            return None
        sale = self._flash_sale(order.session_id, line.product_id, order.ordered_at)
        if sale is None or self.gate is None:
            return None
        taken = self.gate.take(sale.id, sale.quantity, self._gate_key(order, line), line.quantity)
        line.oversold = not taken
        return int(sale.id)

    @staticmethod
    def _gate_key(order: OrderRow, line: LineRow) -> str:
        return f"{order.platform}:{order.platform_order_id}:{line.line_no}"

    def _prefetch(self, codes: set[str]) -> None:
        """What placing the batch's orders needs, a query per kind for all the sessions its
        codes name (line-ups, featured periods, flash sales), not four per session. Sessions
        reached otherwise (by channel, or an order's stored session) are looked up as met."""
        sessions = sorted(self.attributor.prefetch(codes) - self._skus.keys())
        if not sessions:
            return
        for session_id in sessions:
            self._skus[session_id] = {}
            self._flash[session_id] = []
        for session_id, sku, product_id in self.db.execute(
            select(Segment.session_id, Product.sku, Product.id)
            .join(Segment, Segment.product_id == Product.id)
            .where(Segment.session_id.in_(sessions))
            .order_by(Segment.session_id, Segment.id)
        ):
            self._skus[session_id][sku] = product_id
        for sale in self.db.scalars(
            select(FlashSale).where(FlashSale.session_id.in_(sessions)).order_by(FlashSale.id)
        ):
            self._flash[sale.session_id].append(sale)

    def _lineup_skus(self, session_id: int | None) -> dict[str, int]:
        """SKU -> product: the session's line-up first (SKUs are unique per supplier only),
        then SKUs that are unique across the catalog."""
        if session_id not in self._skus:
            if session_id is None:
                pairs = self.db.execute(select(Product.sku, Product.id)).all()
                counts: dict[str, int] = defaultdict(int)
                for sku, _id in pairs:
                    counts[sku] += 1
                self._skus[None] = {sku: pid for sku, pid in pairs if counts[sku] == 1}
            else:
                self._skus[session_id] = dict(
                    self.db.execute(
                        select(Product.sku, Product.id)
                        .join(Segment, Segment.product_id == Product.id)
                        .where(Segment.session_id == session_id)
                    ).all()
                )
        return self._skus[session_id]

    def _flash_sale(self, session_id: int, product_id: int, at: datetime) -> FlashSale | None:
        if session_id not in self._flash:
            self._flash[session_id] = list(
                self.db.scalars(select(FlashSale).where(FlashSale.session_id == session_id))
            )
        for sale in self._flash[session_id]:
            end = min(sale.ends_at, sale.ended_at) if sale.ended_at else sale.ends_at
            if sale.product_id == product_id and sale.started_at <= at <= end:
                return sale
        return None

    def _add_to_totals(self, deltas: dict[Grain, list[int]]) -> None:
        """Atomic increments (INSERT … ON CONFLICT DO UPDATE), one executemany for the batch:
        concurrent workers can't lose each other's counts. Sorted, so two workers take the
        rows' locks in the same order and never deadlock."""
        if not deltas:
            return
        now = utcnow()
        if self._postgres:
            bulk.insert(
                self.db,
                "sales_totals",
                TOTAL_COLUMN_TYPES,
                [(*grain, 0, now, *counters) for grain, counters in sorted(deltas.items())],
                on_conflict=(
                    "ON CONFLICT (session_key, segment_key, product_id, platform, province) "
                    "DO UPDATE SET updated_at = excluded.updated_at, "
                    + ", ".join(
                        f"{name} = sales_totals.{name} + excluded.{name}" for name in COUNTERS
                    )
                ),
            )
            return
        stmt = self._insert(TOTALS)
        stmt = stmt.on_conflict_do_update(
            index_elements=["session_key", "segment_key", "product_id", "platform", "province"],
            set_={
                **{name: TOTALS.c[name] + stmt.excluded[name] for name in COUNTERS},
                "updated_at": stmt.excluded.updated_at,
            },
        )
        rows = []
        for grain, counters in sorted(deltas.items()):
            session_key, segment_key, product_id, platform, province = grain
            rows.append(
                {
                    "session_key": session_key,
                    "segment_key": segment_key,
                    "product_id": product_id,
                    "platform": platform,
                    "province": province,
                    "orders": 0,
                    "updated_at": now,
                    **dict(zip(COUNTERS, counters, strict=True)),
                }
            )
        self.db.execute(stmt, rows)


def take_off(lines: Sequence[LineRow], given: Sequence[EventLine | QueuedLine]) -> bool:
    """Take off the units of each line the event says were cancelled or returned on their own
    while the order goes on; True if any line changed.

    Lines are set once (by the first event with lines), so a later partial cancellation can't
    reach the figures by sending fewer lines: it names the units off on the line itself. Units
    off only ever grow — each kind is the most any event said, the returned ones capped by
    what is not cancelled — so any delivery order of the same events ends the same. A line
    is matched by its place, SKU, quantity and price: one that differs is not this line."""
    changed = False
    for line, said in zip(lines, given, strict=False):
        cancelled, returned = said.cancelled_quantity or 0, said.returned_quantity or 0
        if not (cancelled or returned):
            continue
        if (line.sku, line.quantity, line.unit_price) != (said.sku, said.quantity, said.unit_price):
            continue
        cancelled = max(line.cancelled_quantity, cancelled)
        returned = min(max(line.returned_quantity, returned), line.quantity - cancelled)
        if (cancelled, returned) != (line.cancelled_quantity, line.returned_quantity):
            line.cancelled_quantity, line.returned_quantity = cancelled, returned
            line.dirty = True
            changed = True
    return changed


def new_order(platform: str, order_id: str, first_seen: datetime) -> OrderRow:
    """The row an order gets before any event is applied: rank 0, so any event is newer."""
    return OrderRow(
        platform=platform,
        platform_order_id=order_id,
        state=SaleState.placed,
        rank=0,
        delivered=False,
        session_id=None,
        campaign_id=None,
        attribution=Attribution.none,
        rehearsal=False,
        live_code=None,
        channel=None,
        buyer_province=None,
        ordered_at=first_seen,
        last_event_at=first_seen,
        total=0,
        updated_at=utcnow(),
    )


def _order_values(order: OrderRow, *, keys: bool = True) -> dict[str, Any]:
    values = {name: getattr(order, name) for name in ORDER_COLUMNS}
    if keys:
        values.update(
            platform=order.platform,
            platform_order_id=order.platform_order_id,
            created_at=order.updated_at,
        )
    return values


def _order_row(order: OrderRow) -> tuple[Any, ...]:
    """The order as `ORDER_INSERT_COLUMNS` lists its values (enums as their text)."""
    return (
        order.platform,
        order.platform_order_id,
        order.state.value,
        order.rank,
        order.delivered,
        order.session_id,
        order.campaign_id,
        order.attribution.value,
        order.rehearsal,
        order.live_code,
        order.channel,
        order.buyer_province,
        order.ordered_at,
        order.last_event_at,
        order.total,
        order.updated_at,
        order.updated_at,  # created_at
    )


def _difference(
    after: dict[Grain, list[int]], before: dict[Grain, list[int]]
) -> dict[Grain, list[int]]:
    result = {}
    for grain in after.keys() | before.keys():
        a = after.get(grain, [0] * len(COUNTERS))
        b = before.get(grain, [0] * len(COUNTERS))
        diff = [x - y for x, y in zip(a, b, strict=True)]
        if any(diff):
            result[grain] = diff
    return result
