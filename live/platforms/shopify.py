"""Shopify: the push is the whole Order, signed base64 HMAC-SHA256 of the raw body with the
app's client secret; orders by id through the Admin REST API for retries and the backfill.

Headers: `X-Shopify-Hmac-SHA256`, `X-Shopify-Webhook-Id` (the same on every retry of one
delivery: the dedupe key), `X-Shopify-Topic` (`orders/create`, `orders/updated`, …),
`X-Shopify-Shop-Domain`, `X-Shopify-API-Version`. Shopify waits 5 s, retries 8 times over 4
hours with the original payload, and can deliver a day late. Money comes as strings
("125000.00"), ids pass 2^53: every id is kept as a string.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx2 as httpx

from live.platforms.common import (
    Headers,
    Keys,
    Kind,
    Notice,
    PlatformOrder,
    body_hash,
    check_answer,
    dong,
    hmac_base64,
    matches,
    merge_lines,
)

API_VERSION = "2024-10"
ORDERS_PATH = f"/admin/api/{API_VERSION}/orders.json"

FINANCIAL = (
    "pending",
    "authorized",
    "partially_paid",
    "paid",
    "partially_refunded",
    "refunded",
    "voided",
)


def order_kind(order: dict[str, Any]) -> Kind:
    """Shopify has no one status: it is made of the cancellation, the money and the parcel.
    Cancelled or voided: cancelled; refunded after fulfilment: returned (before: cancelled);
    fulfilled: delivered (a cash-on-delivery order is paid at the door); paid or authorised:
    paid; otherwise (pending, e.g. cash on delivery not yet shipped): created."""
    financial = order.get("financial_status") or "pending"
    fulfilled = order.get("fulfillment_status") == "fulfilled"
    if financial not in FINANCIAL:
        raise ValueError(f"unknown financial status {financial!r}")
    if financial == "refunded":
        return "returned" if fulfilled else "cancelled"
    if order.get("cancelled_at") or financial == "voided":
        return "cancelled"
    if fulfilled:
        return "delivered"
    if financial in ("paid", "partially_paid", "partially_refunded", "authorized"):
        return "paid"
    return "created"


def push_signature(client_secret: str, body: bytes) -> str:
    return hmac_base64(client_secret, body)


class Shopify:
    platform = "shopify"
    batch_limit = 50  # orders.json takes 250 ids; 50 keeps one answer small

    def verify(self, keys: Keys, headers: Headers, body: bytes, url: str) -> bool:
        given = headers.get("x-shopify-hmac-sha256")
        return any(matches(push_signature(secret, body), given) for secret in keys.app_secrets)

    def push_headers(self, keys: Keys, body: bytes, url: str) -> dict[str, str]:
        return {
            "X-Shopify-Hmac-SHA256": push_signature(keys.app_secret, body),
            "X-Shopify-Shop-Domain": keys.shop_ref,
            "X-Shopify-API-Version": API_VERSION,
            "Content-Type": "application/json",
        }

    def dedupe_id(self, headers: Headers, data: Any, body: bytes) -> str:
        ident = headers.get("x-shopify-webhook-id")
        return f"w:{ident}" if ident else f"b:{body_hash(body)}"

    def read_push(self, headers: Headers, data: Any) -> Notice:
        topic = headers.get("x-shopify-topic") or ""
        shop = headers.get("x-shopify-shop-domain")
        if not topic.startswith("orders/") or "id" not in data:
            return Notice(shop_ref=shop, kind=topic)
        if "line_items" in data and "updated_at" in data:
            return Notice(shop_ref=shop, order=read_order(data), kind=topic)
        return Notice(order_ids=(str(data["id"]),), shop_ref=shop, kind=topic)

    def _get(self, http: httpx.Client, keys: Keys, url: str, params: dict[str, str]) -> Any:
        response = http.get(
            url, params=params, headers={"X-Shopify-Access-Token": keys.access_token}
        )
        return response, check_answer(response)

    def fetch(self, http: httpx.Client, keys: Keys, ids: list[str]) -> list[PlatformOrder]:
        url = keys.api_base.rstrip("/") + ORDERS_PATH
        _, answer = self._get(
            http, keys, url, {"ids": ",".join(ids), "status": "any", "limit": "250"}
        )
        return [read_order(o) for o in answer.get("orders") or []]

    def updated(
        self, http: httpx.Client, keys: Keys, since: datetime, until: datetime
    ) -> list[str]:
        ids: list[str] = []
        url: str | None = keys.api_base.rstrip("/") + ORDERS_PATH
        params = {
            "updated_at_min": since.isoformat(timespec="seconds"),
            "updated_at_max": until.isoformat(timespec="seconds"),
            "status": "any",
            "limit": "250",
            "fields": "id",
        }
        for _ in range(1000):
            if url is None:
                break
            response, answer = self._get(http, keys, url, params)
            ids += [str(o["id"]) for o in answer.get("orders") or []]
            # Cursor pagination: the next page's URL carries every parameter itself.
            url = response.links.get("next", {}).get("url")
            params = {}
        return ids


def read_order(order: dict[str, Any]) -> PlatformOrder:
    kind = order_kind(order)
    status = f"{order.get('financial_status')}/{order.get('fulfillment_status') or 'unfulfilled'}"
    if order.get("cancelled_at"):
        status += "/cancelled"
    address = order.get("shipping_address") or order.get("billing_address") or {}
    return PlatformOrder(
        order_id=str(order["id"]),
        status=status,
        kind=kind,
        created_at=datetime.fromisoformat(order["created_at"]),
        updated_at=datetime.fromisoformat(order["updated_at"]),
        lines=merge_lines(
            [
                (str(i.get("sku") or ""), int(i["quantity"]), dong(i["price"]))
                for i in order.get("line_items") or []
            ]
        ),
        province=address.get("province") or None,
    )


ADAPTER = Shopify()
