"""TikTok Shop: pushes signed with the app secret over app key + body; orders by Get Order
Detail (`GET /order/202309/orders?ids=…`, up to 50) and Search Orders.

Push: `{"type":1,"tts_notification_id":"…","shop_id":"…","timestamp":…,"data":{"order_id":…,
"order_status":"UNPAID","update_time":…}}`, header `Authorization` = lowercase hex
HMAC-SHA256(key = app secret, message = app key + raw body), no "Bearer". Answer 200, empty,
within 3 s. Type 1 is an order status change and 11 a cancellation: each names an order to
fetch. Type 12 is a return's status change (`data`: order_id, return_id, return_status,
return_type, update_time): the order API never says an order was returned (its status stays
DELIVERED or COMPLETED), so the push itself is the news — a return completed or granted takes
the order off net at the push's update time; any other return status changes nothing. Other
types name no order. The return search (`POST /return_refund/202309/returns/search` by update
time) gives the backfill the returns whose pushes were lost.

API calls are signed too: HMAC-SHA256(app secret, secret + path + the sorted query parameters
(without `sign` and `access_token`) as key+value + body + secret), the access token in the
`x-tts-access-token` header.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

import httpx2 as httpx

from live.platforms.common import (
    ApiFailed,
    AppKeySignedPushes,
    Headers,
    Keys,
    Notice,
    PlatformOrder,
    StatusMap,
    app_key_signature,
    at_seconds,
    body_hash,
    check_answer,
    dong,
    hmac_hex,
    merge_lines,
)

DETAIL_PATH = "/order/202309/orders"
SEARCH_PATH = "/order/202309/orders/search"
RETURNS_PATH = "/return_refund/202309/returns/search"
ORDER_TYPES = {1: "order_status", 11: "cancellation"}
RETURN_TYPE = 12
# A return's statuses (TikTok's Return Status Change push). Granted or completed: the goods
# come back or the money goes back — the order is off net. Asked for, awaiting or in transit:
# not yet. Refused, cancelled, or the parcel refused at the warehouse: it never was.
RETURN_DONE = frozenset({"RETURN_OR_REFUND_REQUEST_SUCCESS", "RETURN_OR_REFUND_REQUEST_COMPLETE"})
RETURN_NOT_YET = frozenset(
    {"RETURN_OR_REFUND_REQUEST_PENDING", "AWAITING_BUYER_SHIP", "BUYER_SHIPPED_ITEM"}
)
RETURN_REFUSED = frozenset(
    {
        "RETURN_OR_REFUND_REQUEST_REJECT",
        "RETURN_OR_REFUND_REQUEST_REJECTED",
        "RETURN_OR_REFUND_REQUEST_CANCEL",
        "REJECT_RECEIVE_PACKAGE",
    }
)
# A replacement sends other goods for the same money: the sale stands.
KEEPS_THE_SALE = frozenset({"REPLACEMENT"})

# Pushes say CANCEL where the order API says CANCELLED: both are cancelled. ON_HOLD is a paid
# order in its remorse period; everything between payment and delivery counts as paid.
STATUSES = StatusMap(
    {
        "UNPAID": "created",
        "ON_HOLD": "paid",
        "AWAITING_SHIPMENT": "paid",
        "AWAITING_COLLECTION": "paid",
        "PARTIALLY_SHIPPING": "paid",
        "IN_TRANSIT": "paid",
        "DELIVERED": "delivered",
        "COMPLETED": "delivered",
        "CANCEL": "cancelled",
        "CANCELLED": "cancelled",
    }
)


push_signature = app_key_signature  # the documents' name for it


def api_signature(app_secret: str, path: str, params: dict[str, str], body: bytes = b"") -> str:
    text = path + "".join(
        k + v for k, v in sorted(params.items()) if k not in ("sign", "access_token")
    )
    return hmac_hex(app_secret, (app_secret + text).encode() + body + app_secret.encode())


class TikTokShop(AppKeySignedPushes):
    platform = "tiktok_shop"
    batch_limit = 50

    def dedupe_id(self, headers: Headers, data: Any, body: bytes) -> str:
        ident = data.get("tts_notification_id") if isinstance(data, dict) else None
        return f"n:{ident}" if ident else f"b:{body_hash(body)}"

    def read_push(self, headers: Headers, data: Any) -> Notice:
        if data.get("type") == RETURN_TYPE:
            return read_return(data)
        kind = ORDER_TYPES.get(data.get("type"), f"type {data.get('type')}")
        inner = data.get("data") or {}
        order_id = inner.get("order_id")
        ids = (str(order_id),) if order_id and data.get("type") in ORDER_TYPES else ()
        shop = data.get("shop_id")
        updated = inner.get("update_time")
        return Notice(
            order_ids=ids,
            shop_ref=str(shop) if shop else None,
            kind=kind,
            updated=int(updated) if isinstance(updated, int) else None,
        )

    def _call(
        self,
        http: httpx.Client,
        keys: Keys,
        method: str,
        path: str,
        query: dict[str, str],
        body: bytes = b"",
    ) -> Any:
        params = {"app_key": keys.app_key, "timestamp": str(int(time.time())), **query}
        if keys.shop_cipher:
            params["shop_cipher"] = keys.shop_cipher
        params["sign"] = api_signature(keys.app_secret, path, params, body)
        response = http.request(
            method,
            keys.api_base.rstrip("/") + path,
            params=params,
            content=body or None,
            headers={"x-tts-access-token": keys.access_token, "content-type": "application/json"},
        )
        answer = check_answer(response)
        if answer.get("code") != 0:
            raise ApiFailed(f"TikTok code {answer.get('code')}: {answer.get('message')}")
        return answer.get("data") or {}

    def fetch(self, http: httpx.Client, keys: Keys, ids: list[str]) -> list[PlatformOrder]:
        data = self._call(http, keys, "GET", DETAIL_PATH, {"ids": ",".join(ids)})
        return [read_order(o) for o in data.get("orders") or []]

    def updated(
        self, http: httpx.Client, keys: Keys, since: datetime, until: datetime
    ) -> list[str]:
        ids: list[str] = []
        token = ""
        body = json.dumps(
            {"update_time_ge": int(since.timestamp()), "update_time_lt": int(until.timestamp())}
        ).encode()
        for _ in range(1000):  # pages; a bound, not a limit a shop reaches
            query = {"page_size": "100", **({"page_token": token} if token else {})}
            data = self._call(http, keys, "POST", SEARCH_PATH, query, body)
            ids += [str(o["id"]) for o in data.get("orders") or []]
            token = data.get("next_page_token") or ""
            if not token:
                break
        return ids

    def returns(
        self, http: httpx.Client, keys: Keys, since: datetime, until: datetime
    ) -> list[dict[str, Any]]:
        """Returns updated in the window, as the bodies of the type-12 pushes that tell them:
        the backfill reads them like pushes, so a return whose every push was lost still
        takes its order off net."""
        bodies: list[dict[str, Any]] = []
        token = ""
        body = json.dumps(
            {"update_time_ge": int(since.timestamp()), "update_time_lt": int(until.timestamp())}
        ).encode()
        for _ in range(1000):
            query = {"page_size": "50", **({"page_token": token} if token else {})}
            data = self._call(http, keys, "POST", RETURNS_PATH, query, body)
            for record in data.get("return_orders") or []:
                bodies.append(
                    {
                        "type": RETURN_TYPE,
                        "shop_id": keys.shop_ref,
                        "timestamp": record.get("update_time"),
                        "data": {
                            name: record.get(name)
                            for name in (
                                "order_id",
                                "return_id",
                                "return_status",
                                "return_type",
                                "create_time",
                                "update_time",
                            )
                        },
                    }
                )
            token = data.get("next_page_token") or ""
            if not token:
                break
        return bodies


def read_return(data: dict[str, Any]) -> Notice:
    """A type-12 push: the order off net at the push's update time when its return was
    granted or completed (a replacement keeps the sale); nothing to fetch either way."""
    inner = data.get("data") or {}
    shop = data.get("shop_id")
    order_id = inner.get("order_id")
    status = inner.get("return_status")
    updated = inner.get("update_time")
    if not (order_id and status in RETURN_DONE) or inner.get("return_type") in KEEPS_THE_SALE:
        return Notice(shop_ref=str(shop) if shop else None, kind="return")
    # Unix seconds, a number or a string of digits; anything else is an unreadable push
    # (kept aside and counted by the worker), never a return silently missed.
    return Notice(
        shop_ref=str(shop) if shop else None,
        kind="return",
        returned=(str(order_id), at_seconds(int(str(updated)))),
    )


def read_order(order: dict[str, Any]) -> PlatformOrder:
    status = str(order["status"])
    province = None
    for level in (order.get("recipient_address") or {}).get("district_info") or []:
        if level.get("address_level") == "L1":
            province = level.get("address_name")
    # One line item per unit: the same seller SKU at the same price becomes one line.
    lines = merge_lines(
        [(str(i["seller_sku"]), 1, dong(i["sale_price"])) for i in order.get("line_items") or []]
    )
    return PlatformOrder(
        order_id=str(order["id"]),
        status=status,
        kind=STATUSES.kind(status),
        created_at=at_seconds(order["create_time"]),
        updated_at=at_seconds(order["update_time"]),
        lines=lines,
        province=province,
    )


ADAPTER = TikTokShop()
