"""Lazada (Open Platform): one push per order line, signed with the app secret over app key +
body; orders through GetMultipleOrderItems (`/orders/items/get`, up to 50 orders a call) and
GetOrders (`/orders/get`) for the backfill.

Push: `{"seller_id":"1234567","message_type":0,"data":{"order_status":"unpaid",
"trade_order_id":"…","trade_order_line_id":"…","status_update_time":…},"timestamp":…,
"site":"lazada_vn"}` — `timestamp` in milliseconds, `status_update_time` in seconds. Header
`Authorization` = hex HMAC-SHA256(key = app secret, message = app key + raw body). Acknowledge
with 200 within 500 ms; Lazada retries every 30 minutes up to 12 times with the latest status.
Message type 0 is a trade order; it names the order to fetch.

Why `/orders/items/get` rather than `/order/get` + `/order/items/get` (one order each): it
takes 50 orders a call, and its items carry each line's status and update time, which is all
the order's status is made of. The buyer's province (only on `/order/get`) is left out.

API calls: `app_key`, `timestamp` (ms), `sign_method=sha256`, `access_token` and `sign` =
uppercase hex HMAC-SHA256(app secret, path + the sorted parameters as key+value).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import httpx2 as httpx

from live.platforms.common import (
    ApiFailed,
    AppKeySignedPushes,
    Headers,
    Keys,
    Kind,
    Notice,
    PlatformOrder,
    StatusMap,
    app_key_signature,
    body_hash,
    check_answer,
    dong,
    hmac_hex,
    merge_lines,
)

ITEMS_PATH = "/orders/items/get"
ORDERS_PATH = "/orders/get"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S %z"

# A line's status. Everything from payment to handing over to the carrier counts as paid;
# a delivery that came back (failed, lost, damaged, shipped back) is taken off as returned.
STATUSES = StatusMap(
    {
        "unpaid": "created",
        "pending": "paid",
        "topack": "paid",
        "packed": "paid",
        "repacked": "paid",
        "toship": "paid",
        "ready_to_ship": "paid",
        "ready_to_ship_pending": "paid",
        "shipped": "paid",
        "confirmed": "delivered",
        "delivered": "delivered",
        "canceled": "cancelled",
        "cancelled": "cancelled",
        "returned": "returned",
        "failed_delivery": "returned",
        "lost_by_3pl": "returned",
        "damaged_by_3pl": "returned",
        "shipped_back": "returned",
        "shipped_back_success": "returned",
        "shipped_back_failed": "returned",
        "package_scrapped": "returned",
    }
)
_ACTIVE: tuple[Kind, ...] = ("created", "paid", "delivered")


push_signature = app_key_signature  # the documents' name for it


def api_signature(app_secret: str, path: str, params: dict[str, str]) -> str:
    text = path + "".join(k + v for k, v in sorted(params.items()) if k != "sign")
    return hmac_hex(app_secret, text.encode()).upper()


def order_kind(line_kinds: list[Kind]) -> Kind:
    """An order's status from its lines': the least advanced of the lines still on; all
    lines off → cancelled, or returned when any line came back. The lines off while others
    go on are taken off on their own (`read_order`)."""
    active = [k for k in line_kinds if k in _ACTIVE]
    if active:
        return min(active, key=_ACTIVE.index)
    return "returned" if "returned" in line_kinds else "cancelled"


class Lazada(AppKeySignedPushes):
    platform = "lazada"
    batch_limit = 50

    def dedupe_id(self, headers: Headers, data: Any, body: bytes) -> str:
        # No message id: a retry with the same status is the same bytes; one with a newer
        # status is news (and names the same order, fetched once either way).
        return f"b:{body_hash(body)}"

    def read_push(self, headers: Headers, data: Any) -> Notice:
        inner = data.get("data") or {}
        order_id = inner.get("trade_order_id")
        ids = (str(order_id),) if order_id and data.get("message_type") == 0 else ()
        seller = data.get("seller_id")
        return Notice(
            order_ids=ids,
            shop_ref=str(seller) if seller is not None else None,
            kind="trade_order" if data.get("message_type") == 0 else "other",
            updated=updated
            if isinstance(updated := inner.get("status_update_time"), int)
            else None,
        )

    def _call(self, http: httpx.Client, keys: Keys, path: str, query: dict[str, str]) -> Any:
        params = {
            "app_key": keys.app_key,
            "timestamp": str(int(time.time() * 1000)),
            "sign_method": "sha256",
            "access_token": keys.access_token,
            **query,
        }
        params["sign"] = api_signature(keys.app_secret, path, params)
        answer = check_answer(http.get(keys.api_base.rstrip("/") + path, params=params))
        if str(answer.get("code")) != "0":
            retry = 1.0 if "ApiCallLimit" in str(answer.get("code")) else None
            raise ApiFailed(
                f"Lazada {answer.get('code')}: {answer.get('message')}", retry_after=retry
            )
        return answer.get("data")

    def fetch(self, http: httpx.Client, keys: Keys, ids: list[str]) -> list[PlatformOrder]:
        data = self._call(http, keys, ITEMS_PATH, {"order_ids": "[" + ",".join(ids) + "]"})
        return [read_order(o) for o in data or [] if o.get("order_items")]

    def updated(
        self, http: httpx.Client, keys: Keys, since: datetime, until: datetime
    ) -> list[str]:
        ids: list[str] = []
        offset = 0
        for _ in range(1000):
            data = self._call(
                http,
                keys,
                ORDERS_PATH,
                {
                    "update_after": since.astimezone(UTC).isoformat(timespec="seconds"),
                    "update_before": until.astimezone(UTC).isoformat(timespec="seconds"),
                    "sort_by": "updated_at",
                    "sort_direction": "ASC",
                    "limit": "100",
                    "offset": str(offset),
                },
            )
            page = (data or {}).get("orders") or []
            ids += [str(o["order_id"]) for o in page]
            offset += len(page)
            if len(page) < 100:
                break
        return ids


def read_order(order: dict[str, Any]) -> PlatformOrder:
    items = order["order_items"]
    statuses = [str(i["status"]) for i in items]
    kinds = [STATUSES.kind(s) for s in statuses]
    kind = order_kind(kinds)
    return PlatformOrder(
        order_id=str(order["order_id"]),
        status=",".join(sorted(set(statuses))),
        kind=kind,
        created_at=min(_when(i["created_at"]) for i in items),
        updated_at=max(_when(i["updated_at"]) for i in items),
        # One item per unit: the same SKU at the same price becomes one line, which counts
        # its items cancelled or returned on their own — a multi-line order with one line
        # cancelled and the rest delivered leaves exactly that line off net.
        lines=merge_lines(
            [(str(i["sku"]), 1, dong(i["item_price"])) for i in items],
            [k if k in ("cancelled", "returned") else None for k in kinds],
        ),
    )


def _when(text: str) -> datetime:
    return datetime.strptime(text, TIME_FORMAT)


ADAPTER = Lazada()
