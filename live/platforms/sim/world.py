"""The simulator's orders: generated per shop, each with its steps (placed, paid, delivered,
cancelled, returned) and what each platform says of it — its detail answer and its pushes.

Everything is seeded, so a storm is repeatable, and `expected()` gives what sieulive must end
with (status, lines, province) from the orders themselves, not from the adapters under test.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from live.platforms.common import Keys

# Each platform's word for each of sieulive's kinds, as the simulator writes them.
WORDS: dict[str, dict[str, str]] = {
    "tiktok_shop": {
        "created": "UNPAID",
        "paid": "AWAITING_SHIPMENT",
        "delivered": "DELIVERED",
        "cancelled": "CANCELLED",
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

    @property
    def created_at(self) -> datetime:
        return self.steps[0][1]

    @property
    def final(self) -> str:
        return self.steps[-1][0]

    @property
    def updated_at(self) -> datetime:
        return self.steps[-1][1]

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
            return {
                "order_id": int(self.order_id),
                "order_items": [
                    {
                        "order_item_id": int(f"{self.order_id}{n}{u}"),
                        "sku": sku,
                        "item_price": float(price),
                        "status": word,
                        "created_at": _lazada_time(self.created_at),
                        "updated_at": _lazada_time(self.updated_at),
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
            if platform == "tiktok_shop":
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
                    out.append(
                        (
                            {},
                            {
                                "seller_id": self.shop.keys.shop_ref,
                                "message_type": 0,
                                "data": {
                                    "order_status": word,
                                    "trade_order_id": self.order_id,
                                    "trade_order_line_id": f"{self.order_id}{n}",
                                    "status_update_time": at,
                                },
                                "timestamp": at * 1000 + n,
                                "site": "lazada_vn",
                            },
                        )
                    )
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
        return out


def _lazada_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime(LAZADA_TIME)


PATHS: dict[str, list[list[str]]] = {
    # Each platform's ways an order goes; weights below.
    "tiktok_shop": [
        ["created", "paid"],
        ["created", "paid", "delivered"],
        ["created", "cancelled"],
        ["created", "paid", "cancelled"],
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
WEIGHTS = (50, 30, 12, 8)


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
) -> list[SimOrder]:
    """`count` orders placed between `start` and `start + minutes`, 1–3 lines each (one line
    of one unit with `single_unit`: a dashboard's gross units then count orders)."""
    orders = []
    for n in range(count):
        placed = start + timedelta(seconds=rng.uniform(0, minutes * 60))
        placed = placed.replace(microsecond=0)
        chosen = rng.sample(skus, k=min(len(skus), rng.choice((1, 1, 2, 3))))
        lines = [(sku, rng.choice((1, 1, 2, 3)), price) for sku, price in chosen]
        if single_unit:
            lines = [(lines[0][0], 1, lines[0][2])]
        path = rng.choices(PATHS[shop.platform], weights=WEIGHTS)[0]
        steps, at = [], placed
        for kind in path:
            steps.append((kind, at))
            at = at + timedelta(seconds=rng.randint(5, 600))
        order = SimOrder(str(id_base + n), shop, lines, rng.choice(PROVINCES), steps)
        shop.orders[order.order_id] = order
        orders.append(order)
    return orders


def expected(order: SimOrder) -> dict[str, Any]:
    """What sieulive must hold for an order: its final kind, lines and province."""
    merged: dict[tuple[str, int], int] = {}
    for sku, quantity, price in order.lines:
        merged[(sku, price)] = merged.get((sku, price), 0) + quantity
    return {
        "kind": order.final,
        "lines": sorted((sku, q, p) for (sku, p), q in merged.items()),
        # Lazada's batched item call carries no address: no province for its orders.
        "province": None if order.shop.platform == "lazada" else order.province,
    }
