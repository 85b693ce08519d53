"""Shopee (Open Platform v2): pushes signed over the callback URL and the body; orders by
`v2.order.get_order_detail` (up to 50 order_sn), `v2.order.get_order_list` and the lost-push
API.

Push: `{"data":{"ordersn":"…","status":"PROCESSED","update_time":…},"shop_id":727720655,
"code":3,"timestamp":…}` (`shop_id` a number, `msg_id` sometimes). Header `Authorization` =
hex HMAC-SHA256(key = partner key, message = the callback URL exactly as Shopee called it +
"|" + raw body): the URL is the one configured for the shop, never rebuilt from proxy headers.
The console's URL check pushes `{"code":0,"data":{"verify_info":"…"}}` and wants a 2xx.
Code 3 is an order status change, 4 a tracking number: both name an order.

API calls: `partner_id`, `timestamp`, `access_token`, `shop_id` and `sign` = hex
HMAC-SHA256(partner key, partner id + path + timestamp + access token + shop id) in the query
(partner id + path + timestamp for the partner-level lost-push calls).
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

import httpx2 as httpx

from live.platforms.common import (
    ApiFailed,
    Headers,
    Keys,
    Notice,
    PlatformOrder,
    StatusMap,
    at_seconds,
    body_hash,
    check_answer,
    dong,
    hmac_hex,
    matches,
    merge_lines,
)

DETAIL_PATH = "/api/v2/order/get_order_detail"
LIST_PATH = "/api/v2/order/get_order_list"
LOST_PATH = "/api/v2/push/get_lost_push_message"
CONFIRM_PATH = "/api/v2/push/confirm_consumed_lost_push_message"
ORDER_CODES = {3: "order_status", 4: "tracking_no"}
LIST_WINDOW_SECONDS = 15 * 24 * 3600  # the order list's longest time range

# IN_CANCEL: the buyer asked to cancel a paid order, not yet granted — still paid. TO_RETURN:
# a return or refund under way — taken off net as returned. Received or completed: delivered.
STATUSES = StatusMap(
    {
        "UNPAID": "created",
        "READY_TO_SHIP": "paid",
        "PROCESSED": "paid",
        "RETRY_SHIP": "paid",
        "SHIPPED": "paid",
        "IN_CANCEL": "paid",
        "TO_CONFIRM_RECEIVE": "delivered",
        "COMPLETED": "delivered",
        "CANCELLED": "cancelled",
        "TO_RETURN": "returned",
    }
)


def push_signature(partner_key: str, url: str, body: bytes) -> str:
    return hmac_hex(partner_key, url.encode() + b"|" + body)


def api_signature(partner_key: str, partner_id: str, path: str, timestamp: int, *rest: str) -> str:
    return hmac_hex(partner_key, f"{partner_id}{path}{timestamp}{''.join(rest)}".encode())


class Shopee:
    platform = "shopee"
    batch_limit = 50

    def verify(self, keys: Keys, headers: Headers, body: bytes, url: str) -> bool:
        given = headers.get("authorization")
        # The configured URL, exactly: Shopee signs the URL it called, which the operator set.
        signed_url = keys.callback_url or url
        return any(
            matches(push_signature(secret, signed_url, body), given) for secret in keys.app_secrets
        )

    def push_headers(self, keys: Keys, body: bytes, url: str) -> dict[str, str]:
        return {
            "Authorization": push_signature(keys.app_secret, url, body),
            "Content-Type": "application/json",
        }

    def dedupe_id(self, headers: Headers, data: Any, body: bytes) -> str:
        ident = data.get("msg_id") if isinstance(data, dict) else None
        return f"m:{ident}" if ident else f"b:{body_hash(body)}"

    def read_push(self, headers: Headers, data: Any) -> Notice:
        code = data.get("code")
        inner = data.get("data") or {}
        order_sn = inner.get("ordersn") or inner.get("order_sn")
        ids = (str(order_sn),) if order_sn and code in ORDER_CODES else ()
        shop = data.get("shop_id")
        return Notice(
            order_ids=ids,
            shop_ref=str(shop) if shop is not None else None,
            kind=ORDER_CODES.get(code, "verify" if code == 0 else f"code {code}"),
            updated=inner["update_time"] if isinstance(inner.get("update_time"), int) else None,
        )

    def _call(
        self,
        http: httpx.Client,
        keys: Keys,
        path: str,
        query: dict[str, str],
        *,
        shop_level: bool = True,
        body: dict[str, Any] | None = None,
    ) -> Any:
        now = int(time.time())
        params = {"partner_id": keys.app_key, "timestamp": str(now), **query}
        if shop_level:
            params |= {"access_token": keys.access_token, "shop_id": keys.shop_ref}
            sign = api_signature(
                keys.app_secret, keys.app_key, path, now, keys.access_token, keys.shop_ref
            )
        else:
            sign = api_signature(keys.app_secret, keys.app_key, path, now)
        params["sign"] = sign
        url = keys.api_base.rstrip("/") + path
        if body is None:
            response = http.get(url, params=params)
        else:
            response = http.post(url, params=params, content=json.dumps(body).encode())
        answer = check_answer(response)
        if answer.get("error"):
            raise ApiFailed(f"Shopee {answer.get('error')}: {answer.get('message')}")
        return answer.get("response") or {}

    def fetch(self, http: httpx.Client, keys: Keys, ids: list[str]) -> list[PlatformOrder]:
        data = self._call(
            http,
            keys,
            DETAIL_PATH,
            {
                "order_sn_list": ",".join(ids),
                "response_optional_fields": "item_list,recipient_address",
            },
        )
        return [read_order(o) for o in data.get("order_list") or []]

    def updated(
        self, http: httpx.Client, keys: Keys, since: datetime, until: datetime
    ) -> list[str]:
        """Orders updated in the window, walked 15 days at a time (the order list's longest
        range): a shop reactivated after weeks catches up on all of them."""
        ids: list[str] = []
        end = int(until.timestamp())
        start = int(since.timestamp())
        while start < end:
            stop = min(end, start + LIST_WINDOW_SECONDS)
            ids += self._listed(http, keys, start, stop)
            start = stop
        return ids

    def _listed(self, http: httpx.Client, keys: Keys, start: int, stop: int) -> list[str]:
        ids: list[str] = []
        cursor = ""
        for _ in range(1000):
            data = self._call(
                http,
                keys,
                LIST_PATH,
                {
                    "time_range_field": "update_time",
                    "time_from": str(start),
                    "time_to": str(stop),
                    "page_size": "100",
                    "cursor": cursor,
                },
            )
            ids += [str(o["order_sn"]) for o in data.get("order_list") or []]
            cursor = data.get("next_cursor") or ""
            if not data.get("more") or not cursor:
                break
        return ids

    def lost(self, http: httpx.Client, keys: Keys) -> list[dict[str, Any]]:
        """Pushes Shopee could not deliver in the last 3 days, as push bodies, each page
        confirmed as consumed once read (Shopee then hands out the next)."""
        bodies: list[dict[str, Any]] = []
        for _ in range(100):
            data = self._call(http, keys, LOST_PATH, {}, shop_level=False)
            for message in data.get("push_message_list") or []:
                inner = message.get("data")
                bodies.append(
                    {
                        "shop_id": message.get("shop_id"),
                        "code": message.get("code"),
                        "timestamp": message.get("timestamp"),
                        "data": json.loads(inner) if isinstance(inner, str) else inner or {},
                    }
                )
            last = data.get("last_message_id")
            if last:
                self._call(
                    http, keys, CONFIRM_PATH, {}, shop_level=False, body={"last_message_id": last}
                )
            if not data.get("has_next_page"):
                break
        return bodies


def read_order(order: dict[str, Any]) -> PlatformOrder:
    status = str(order["order_status"])
    lines = merge_lines(
        [
            (
                str(item.get("model_sku") or item.get("item_sku")),
                int(item["model_quantity_purchased"]),
                dong(item["model_discounted_price"]),
            )
            for item in order.get("item_list") or []
        ]
    )
    address = order.get("recipient_address") or {}
    return PlatformOrder(
        order_id=str(order["order_sn"]),
        status=status,
        kind=STATUSES.kind(status),
        created_at=at_seconds(order["create_time"]),
        updated_at=at_seconds(order["update_time"]),
        lines=lines,
        province=address.get("state") or None,
    )


ADAPTER = Shopee()
