"""The simulator's orders: generated per shop, each with its steps (placed, paid, delivered,
cancelled, returned) and what each platform says of it — its detail answer and its pushes.

Two things happen to some orders on one platform only, as they do there: a Lazada order of
several lines can have one line cancelled while the others go on (Lazada keeps a status per
item); a delivered TikTok Shop order can be returned — or have its return refused — which
TikTok tells by return pushes (type 12) and its return search, never by the order's status.

Everything is seeded, so a storm is repeatable, and `expected()` gives what sieulive must end
with (status, lines, units off, province) from the orders themselves, not from the adapters
under test.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from live.platforms.common import Keys

# Each platform's word for each of sieulive's kinds, as the simulator writes them. TikTok's
# order API has no returned status: a returned order still reads COMPLETED.
WORDS: dict[str, dict[str, str]] = {
    "tiktok_shop": {
        "created": "UNPAID",
        "paid": "AWAITING_SHIPMENT",
        "delivered": "DELIVERED",
        "cancelled": "CANCELLED",
        "returned": "COMPLETED",
        "return_refused": "COMPLETED",
    },
    "shopee": {
        "created": "UNPAID",
        "paid": "READY_TO_SHIP",
        "delivered": "COMPLETED",
        "cancelled": "CANCELLED",
        "returned": "TO_RETURN",
    },
    "lazada": {
        "created": "unpaid",
        "paid": "pending",
        "delivered": "delivered",
        "cancelled": "canceled",
        "returned": "returned",
    },
    "shopify": {"created": "", "paid": "", "delivered": "", "cancelled": "", "returned": ""},
}
PROVINCES = ("Hà Nội", "TP Hồ Chí Minh", "Cần Thơ", "Đà Nẵng", "Hải Phòng", "Lâm Đồng")
LAZADA_TIME = "%Y-%m-%d %H:%M:%S %z"
KINDS = ("created", "paid", "delivered", "cancelled", "returned")
# A TikTok step that is no status of the order: a return asked for and refused.
RETURN_REFUSED = "return_refused"
RETURN_DONE, RETURN_REJECTED = (
    "RETURN_OR_REFUND_REQUEST_COMPLETE",
    "RETURN_OR_REFUND_REQUEST_REJECT",
)
# TikTok updates the order after a return's refund: its update time moves past the return
# (its status still COMPLETED), which must not put the order back on net.
TIKTOK_AFTER_RETURN = timedelta(seconds=90)
PARTIAL_CANCEL_RATE = 0.25  # Lazada orders of several lines with one line cancelled alone


@dataclass
class SimShop:
    platform: str
    keys: Keys
    push_url: str = ""
    orders: dict[str, SimOrder] = field(default_factory=dict)


@dataclass
class SimOrder:
    order_id: str
    shop: SimShop
    lines: list[tuple[str, int, int]]  # sku, quantity, unit price
    province: str
    steps: list[tuple[str, datetime]]  # (kind, when), in platform time order
    # Lazada: lines cancelled on their own while the order goes on, line index -> when.
    line_cancelled: dict[int, datetime] = field(default_factory=dict)

    @property
    def created_at(self) -> datetime:
        return self.steps[0][1]

    @property
    def final(self) -> str:
        """sieulive's kind for the order: its last step that is a status (a refused return
        leaves it as it was)."""
        return [kind for kind, _ in self.steps if kind in KINDS][-1]

    @property
    def updated_at(self) -> datetime:
        last = self.steps[-1]
        if self.shop.platform == "tiktok_shop" and last[0] == "returned":
            return last[1] + TIKTOK_AFTER_RETURN
        return max([last[1], *self.line_cancelled.values()])

    def unit_kinds(self) -> list[list[str]]:
        """Each line's units' final kinds (a line cancelled alone: its units cancelled)."""
        return [
            ["cancelled" if n in self.line_cancelled else self.final] * quantity
            for n, (_sku, quantity, _price) in enumerate(self.lines)
        ]

    # --- the detail API's view --------------------------------------------------------

    def detail(self) -> dict[str, Any]:
        platform = self.shop.platform
        word = WORDS[platform].get(self.final, "")
        created, updated = int(self.created_at.timestamp()), int(self.updated_at.timestamp())
        if platform == "tiktok_shop":
            return {
                "id": self.order_id,
                "status": word,
                "create_time": created,
                "update_time": updated,
                "line_items": [
                    {
                        "id": f"{self.order_id}{n}{u}",
                        "seller_sku": sku,
                        "sale_price": str(price),
                        "currency": "VND",
                    }
                    for n, (sku, quantity, price) in enumerate(self.lines)
                    for u in range(quantity)
                ],
                "recipient_address": {
                    "district_info": [
                        {"address_level": "L0", "address_name": "Vietnam"},
                        {"address_level": "L1", "address_name": self.province},
                    ]
                },
            }
        if platform == "shopee":
            return {
                "order_sn": self.order_id,
                "order_status": word,
                "create_time": created,
                "update_time": updated,
                "item_list": [
                    {
                        "item_sku": sku,
                        "model_sku": "",
                        "model_quantity_purchased": quantity,
                        "model_discounted_price": float(price),
                    }
                    for sku, quantity, price in self.lines
                ],
                "recipient_address": {"state": self.province},
            }
        if platform == "lazada":
            words = WORDS["lazada"]
            return {
                "order_id": int(self.order_id),
                "order_items": [
                    {
                        "order_item_id": int(f"{self.order_id}{n}{u}"),
                        "sku": sku,
                        "item_price": float(price),
                        "status": words["cancelled"] if n in self.line_cancelled else word,
                        "created_at": _lazada_time(self.created_at),
                        "updated_at": _lazada_time(self.line_cancelled.get(n, self.steps[-1][1])),
                    }
                    for n, (sku, quantity, price) in enumerate(self.lines)
                    for u in range(quantity)
                ],
            }
        return self.shopify_at(len(self.steps) - 1)

    def shopify_at(self, step: int) -> dict[str, Any]:
        kind, when = self.steps[step]
        financial, fulfilment, cancelled = {
            "created": ("pending", None, None),
            "paid": ("paid", None, None),
            "delivered": ("paid", "fulfilled", None),
            "cancelled": ("voided", None, when),
            "returned": ("refunded", "fulfilled", None),
        }[kind]
        return {
            "id": int(self.order_id),
            "name": f"#{self.order_id[-6:]}",
            "currency": "VND",
            "created_at": self.created_at.isoformat(),
            "updated_at": when.isoformat(),
            "financial_status": financial,
            "fulfillment_status": fulfilment,
            "cancelled_at": cancelled.isoformat() if cancelled else None,
            "line_items": [
                {
                    "id": int(f"{self.order_id}{n}"),
                    "sku": sku,
                    "quantity": quantity,
                    "price": f"{price}.00",
                    "title": sku,
                }
                for n, (sku, quantity, price) in enumerate(self.lines)
            ],
            "shipping_address": {"province": self.province, "country": "Vietnam"},
        }

    # --- its pushes -------------------------------------------------------------------

    def pushes(self) -> list[tuple[dict[str, str], dict[str, Any]]]:
        """(extra headers, body) for each push the platform sends about this order."""
        platform = self.shop.platform
        out: list[tuple[dict[str, str], dict[str, Any]]] = []
        for step, (kind, when) in enumerate(self.steps):
            at = int(when.timestamp())
            word = WORDS[platform].get(kind, "")
            tag = f"{self.order_id}-{step}"
            if platform == "tiktok_shop" and kind in ("returned", RETURN_REFUSED):
                out += self.tiktok_return_pushes(step, kind, when)
            elif platform == "tiktok_shop":
                out.append(
                    (
                        {},
                        {
                            "type": 11 if kind == "cancelled" else 1,
                            "tts_notification_id": str(
                                int(hashlib.sha256(tag.encode()).hexdigest()[:15], 16)
                            ),
                            "shop_id": self.shop.keys.shop_ref,
                            "timestamp": at,
                            "data": {
                                "order_id": self.order_id,
                                "order_status": "CANCEL" if kind == "cancelled" else word,
                                "is_on_hold_order": False,
                                "update_time": at,
                            },
                        },
                    )
                )
            elif platform == "shopee":
                out.append(
                    (
                        {},
                        {
                            "data": {
                                "items": [],
                                "ordersn": self.order_id,
                                "status": word,
                                "completed_scenario": "",
                                "update_time": at,
                            },
                            "shop_id": int(self.shop.keys.shop_ref),
                            "code": 3,
                            "timestamp": at,
                        },
                    )
                )
            elif platform == "lazada":
                for n, _line in enumerate(self.lines):  # one push per order line
                    cancelled = self.line_cancelled.get(n)
                    if cancelled is None or when < cancelled:  # a line cancelled is done
                        out.append(self._lazada_push(n, word, at))
            else:
                topic = {
                    "created": "orders/create",
                    "paid": "orders/paid",
                    "delivered": "orders/fulfilled",
                    "cancelled": "orders/cancelled",
                    "returned": "orders/updated",
                }[kind]
                headers = {"X-Shopify-Topic": topic, "X-Shopify-Webhook-Id": f"wh-{tag}"}
                out.append((headers, self.shopify_at(step)))
        for n, cancelled in self.line_cancelled.items():  # Lazada: the line's own push
            stamp = int(cancelled.timestamp())
            out.append(self._lazada_push(n, WORDS["lazada"]["cancelled"], stamp))
        return out

    def _lazada_push(self, line: int, word: str, at: int) -> tuple[dict[str, str], dict[str, Any]]:
        return (
            {},
            {
                "seller_id": self.shop.keys.shop_ref,
                "message_type": 0,
                "data": {
                    "order_status": word,
                    "trade_order_id": self.order_id,
                    "trade_order_line_id": f"{self.order_id}{line}",
                    "status_update_time": at,
                },
                "timestamp": at * 1000 + line,
                "site": "lazada_vn",
            },
        )

    def tiktok_return_pushes(
        self, step: int, kind: str, when: datetime
    ) -> list[tuple[dict[str, str], dict[str, Any]]]:
        """A return's pushes (type 12): asked for a minute before it ends, then completed (or
        refused) — the order's own status never says it."""
        asked = when - timedelta(seconds=60)
        final = RETURN_DONE if kind == "returned" else RETURN_REJECTED
        out: list[tuple[dict[str, str], dict[str, Any]]] = []
        for n, (status, at) in enumerate(
            (("RETURN_OR_REFUND_REQUEST_PENDING", asked), (final, when))
        ):
            tag = f"{self.order_id}-{step}-return-{n}"
            out.append(({}, self.tiktok_return_body(status, at, tag)))
        return out

    def tiktok_return_body(self, status: str, when: datetime, tag: str = "") -> dict[str, Any]:
        at = int(when.timestamp())
        body: dict[str, Any] = {
            "type": 12,
            "shop_id": self.shop.keys.shop_ref,
            "timestamp": at,
            "data": {
                "order_id": self.order_id,
                "return_id": f"4{self.order_id[-12:]}",
                "return_role": "BUYER",
                "return_type": "RETURN_AND_REFUND",
                "return_status": status,
                "create_time": at - 60,
                "update_time": at,
            },
        }
        if tag:
            body["tts_notification_id"] = str(
                int(hashlib.sha256(tag.encode()).hexdigest()[:15], 16)
            )
        return body

    def tiktok_return_record(self) -> dict[str, Any] | None:
        """The return as TikTok's return search lists it, if the order has one."""
        for kind, when in self.steps:
            if kind in ("returned", RETURN_REFUSED):
                return {
                    "return_id": f"4{self.order_id[-12:]}",
                    "order_id": self.order_id,
                    "return_type": "RETURN_AND_REFUND",
                    "return_status": RETURN_DONE if kind == "returned" else RETURN_REJECTED,
                    "create_time": int(when.timestamp()) - 60,
                    "update_time": int(when.timestamp()),
                }
        return None


def _lazada_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime(LAZADA_TIME)


PATHS: dict[str, list[list[str]]] = {
    # Each platform's ways an order goes; weights below.
    "tiktok_shop": [
        ["created", "paid"],
        ["created", "paid", "delivered"],
        ["created", "cancelled"],
        ["created", "paid", "cancelled"],
        ["created", "paid", "delivered", "returned"],
        ["created", "paid", "delivered", RETURN_REFUSED],
    ],
    "shopee": [
        ["created", "paid"],
        ["created", "paid", "delivered"],
        ["created", "cancelled"],
        ["created", "paid", "delivered", "returned"],
    ],
    "lazada": [
        ["created", "paid"],
        ["created", "paid", "delivered"],
        ["created", "cancelled"],
        ["created", "paid", "delivered", "returned"],
    ],
    "shopify": [
        ["created", "paid"],
        ["created", "paid", "delivered"],
        ["created", "cancelled"],
        ["created", "paid", "delivered", "returned"],
    ],
}
WEIGHTS = (50, 30, 12, 8, 8, 4)  # the last two: TikTok's returns, completed and refused


def make_orders(
    shop: SimShop,
    count: int,
    skus: list[tuple[str, int]],
    start: datetime,
    minutes: float,
    rng: random.Random,
    id_base: int,
    *,
    single_unit: bool = False,
    until: datetime | None = None,
) -> list[SimOrder]:
    """`count` orders placed between `start` and `start + minutes`, 1–3 lines each (one line
    of one unit with `single_unit`: a dashboard's gross units then count orders). Each next
    step comes 5–600 s after the one before; with `until`, an order's steps are drawn closer
    so that none is later (a platform never lists what hasn't happened yet: a backfill poll
    up to now finds every step)."""
    orders = []
    for n in range(count):
        placed = start + timedelta(seconds=rng.uniform(0, minutes * 60))
        placed = placed.replace(microsecond=0)
        chosen = rng.sample(skus, k=min(len(skus), rng.choice((1, 1, 2, 3))))
        lines = [(sku, rng.choice((1, 1, 2, 3)), price) for sku, price in chosen]
        if single_unit:
            lines = [(lines[0][0], 1, lines[0][2])]
        paths = PATHS[shop.platform]
        path = rng.choices(paths, weights=WEIGHTS[: len(paths)])[0]
        offsets, at = [], 0
        for _kind in path:
            offsets.append(at)
            at += rng.randint(5, 600)
        room = (until - placed).total_seconds() if until is not None else float("inf")
        scale = min(1.0, max(0.0, room) / offsets[-1]) if offsets[-1] else 1.0
        steps = [
            (kind, placed + timedelta(seconds=int(offset * scale)))
            for kind, offset in zip(path, offsets, strict=True)
        ]
        order = SimOrder(str(id_base + n), shop, lines, rng.choice(PROVINCES), steps)
        if (
            shop.platform == "lazada"
            and len(lines) > 1
            and path[-1] != "cancelled"
            and rng.random() < PARTIAL_CANCEL_RATE
        ):
            # One line cancelled alone after payment, before the order's next step.
            paid = steps[1][1]
            before = steps[2][1] if len(steps) > 2 else paid + timedelta(seconds=300)
            if until is not None:
                before = min(before, until)
            gap = int((before - paid).total_seconds())
            if gap >= 2:
                order.line_cancelled[rng.randrange(len(lines))] = paid + timedelta(
                    seconds=rng.randint(1, gap - 1)
                )
        shop.orders[order.order_id] = order
        orders.append(order)
    return orders


def expected(order: SimOrder) -> dict[str, Any]:
    """What sieulive must hold for an order: its final kind, lines, province, and the units
    off on their own line by line as (sku, price, cancelled, returned) — Lazada names every
    item's status, so its cancelled and returned items are off on their own lines whatever
    the order's status."""
    merged: dict[tuple[str, int], list[int]] = {}
    per_item = order.shop.platform == "lazada"
    for (sku, _quantity, price), kinds in zip(order.lines, order.unit_kinds(), strict=True):
        counts = merged.setdefault((sku, price), [0, 0, 0])
        counts[0] += len(kinds)
        if per_item:
            counts[1] += kinds.count("cancelled")
            counts[2] += kinds.count("returned")
    return {
        "kind": order.final,
        "lines": sorted((sku, q, p) for (sku, p), (q, _c, _r) in merged.items()),
        "off": sorted((sku, p, c, r) for (sku, p), (_q, c, r) in merged.items() if c or r),
        # Lazada's batched item call carries no address: no province for its orders.
        "province": None if order.shop.platform == "lazada" else order.province,
    }


def net_units(want: dict[str, Any], counted: Any = lambda sku: True) -> int:
    """The units of an expected order (`expected`) that count in net: none of an order
    cancelled or returned, otherwise every line's units less those off on their own;
    `counted(sku)` leaves out lines the aggregates don't hold (no product)."""
    if want["kind"] in ("cancelled", "returned"):
        return 0
    off = {(sku, p): c + r for sku, p, c, r in want["off"]}
    return sum(q - off.get((sku, p), 0) for sku, q, p in want["lines"] if counted(sku))
