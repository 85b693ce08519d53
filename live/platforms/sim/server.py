"""The simulator's APIs: the four platforms' detail and list endpoints over its orders, each
checking the request's signature or token as the platform does, with injected faults — slow
answers, failures (HTTP 500), rate-limit answers (HTTP 429 with Retry-After).

Mounted under `/tiktok`, `/shopee`, `/lazada`, `/shopify`: a shop's API base URL in sieulive
is the simulator's address plus that prefix. `/sim/stats` counts the calls and orders served.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from live.platforms import lazada, shopee, tiktok_shop
from live.platforms.sim.world import SimOrder, SimShop


@dataclass
class Faults:
    slow_rate: float = 0.0  # share of calls answered after `slow_seconds`
    slow_seconds: float = 0.0
    fail_rate: float = 0.0  # share answered 500
    throttle_rate: float = 0.0  # share answered 429


@dataclass
class SimState:
    shops: list[SimShop] = field(default_factory=list)
    faults: Faults = field(default_factory=Faults)
    calls: Counter[str] = field(default_factory=Counter)
    lost: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # Shopee, per partner
    rng: random.Random = field(default_factory=lambda: random.Random(1))
    # While set and not released, every detail and list call waits: a detail API that hangs.
    hold: threading.Event | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def shop(self, platform: str, **match: str) -> SimShop | None:
        for shop in self.shops:
            if shop.platform == platform and all(
                getattr(shop.keys, k) == v for k, v in match.items()
            ):
                return shop
        return None


def _error(status: int, message: str, retry_after: float | None = None) -> Response:
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    return JSONResponse({"error": message}, status_code=status, headers=headers)


async def _faults(state: SimState, name: str) -> Response | None:
    with state.lock:
        state.calls[name] += 1
        roll = state.rng.random()
        slow = state.rng.random() < state.faults.slow_rate
    while state.hold is not None and not state.hold.is_set():
        await asyncio.sleep(0.05)
    faults = state.faults
    if slow and faults.slow_seconds:
        await asyncio.sleep(faults.slow_seconds)
    if roll < faults.throttle_rate:
        with state.lock:
            state.calls["throttled"] += 1
        return _error(429, "rate limited", retry_after=1)
    if roll < faults.throttle_rate + faults.fail_rate:
        with state.lock:
            state.calls["failed"] += 1
        return _error(500, "internal error")
    return None


def _in_range(order: SimOrder, start: float, end: float) -> bool:
    # Every step updates the order (and a line cancelled alone): a list by update time finds
    # it at any of them.
    times = [when for _, when in order.steps] + list(order.line_cancelled.values())
    return any(start <= when.timestamp() < end for when in times)


def build_app(state: SimState) -> Starlette:
    async def tiktok_detail(request: Request) -> Response:
        shop = _tiktok_shop(state, request, b"")
        if shop is None:
            return JSONResponse({"code": 106001, "message": "invalid signature"}, status_code=401)
        if (fault := await _faults(state, "tiktok_shop.detail")) is not None:
            return fault
        ids = request.query_params.get("ids", "").split(",")[:50]
        orders = [shop.orders[i].detail() for i in ids if i in shop.orders]
        return JSONResponse({"code": 0, "message": "Success", "data": {"orders": orders}})

    async def tiktok_search(request: Request) -> Response:
        body = await request.body()
        shop = _tiktok_shop(state, request, body)
        if shop is None:
            return JSONResponse({"code": 106001, "message": "invalid signature"}, status_code=401)
        if (fault := await _faults(state, "tiktok_shop.list")) is not None:
            return fault
        query = json.loads(body or b"{}")
        found = [
            o.order_id
            for o in shop.orders.values()
            if _in_range(o, query.get("update_time_ge", 0), query.get("update_time_lt", 1e12))
        ]
        start = int(request.query_params.get("page_token") or 0)
        size = int(request.query_params.get("page_size") or 100)
        page = found[start : start + size]
        token = str(start + size) if start + size < len(found) else ""
        return JSONResponse(
            {"code": 0, "data": {"orders": [{"id": i} for i in page], "next_page_token": token}}
        )

    async def tiktok_returns(request: Request) -> Response:
        body = await request.body()
        shop = _tiktok_shop(state, request, body)
        if shop is None:
            return JSONResponse({"code": 106001, "message": "invalid signature"}, status_code=401)
        if (fault := await _faults(state, "tiktok_shop.returns")) is not None:
            return fault
        query = json.loads(body or b"{}")
        start, end = query.get("update_time_ge", 0), query.get("update_time_lt", 1e12)
        found = [
            record
            for o in shop.orders.values()
            if (record := o.tiktok_return_record()) is not None
            and start <= record["update_time"] < end
        ]
        first = int(request.query_params.get("page_token") or 0)
        size = int(request.query_params.get("page_size") or 50)
        token = str(first + size) if first + size < len(found) else ""
        return JSONResponse(
            {
                "code": 0,
                "data": {"return_orders": found[first : first + size], "next_page_token": token},
            }
        )

    async def shopee_detail(request: Request) -> Response:
        shop = _shopee_shop(state, request, shopee.DETAIL_PATH)
        if shop is None:
            return JSONResponse({"error": "error_sign", "message": "wrong sign"}, status_code=403)
        if (fault := await _faults(state, "shopee.detail")) is not None:
            return fault
        ids = request.query_params.get("order_sn_list", "").split(",")[:50]
        orders = [shop.orders[i].detail() for i in ids if i in shop.orders]
        return JSONResponse({"error": "", "message": "", "response": {"order_list": orders}})

    async def shopee_list(request: Request) -> Response:
        shop = _shopee_shop(state, request, shopee.LIST_PATH)
        if shop is None:
            return JSONResponse({"error": "error_sign", "message": "wrong sign"}, status_code=403)
        if (fault := await _faults(state, "shopee.list")) is not None:
            return fault
        q = request.query_params
        found = [
            o.order_id
            for o in shop.orders.values()
            if _in_range(o, int(q["time_from"]), int(q["time_to"]) + 1)
        ]
        start = int(q.get("cursor") or 0)
        size = int(q.get("page_size") or 100)
        page = found[start : start + size]
        more = start + size < len(found)
        return JSONResponse(
            {
                "error": "",
                "response": {
                    "more": more,
                    "next_cursor": str(start + size) if more else "",
                    "order_list": [{"order_sn": i} for i in page],
                },
            }
        )

    async def shopee_lost(request: Request) -> Response:
        partner = _shopee_partner(state, request, shopee.LOST_PATH)
        if partner is None:
            return JSONResponse({"error": "error_sign", "message": "wrong sign"}, status_code=403)
        with state.lock:
            waiting = state.lost.get(partner, [])[:100]
        messages = [
            {
                "shop_id": b["shop_id"],
                "code": b["code"],
                "timestamp": b["timestamp"],
                "data": json.dumps(b["data"]),
            }
            for b in waiting
        ]
        return JSONResponse(
            {
                "error": "",
                "response": {
                    "push_message_list": messages,
                    "has_next_page": len(state.lost.get(partner, [])) > len(waiting),
                    "last_message_id": len(waiting) or None,
                },
            }
        )

    async def shopee_confirm(request: Request) -> Response:
        partner = _shopee_partner(state, request, shopee.CONFIRM_PATH)
        if partner is None:
            return JSONResponse({"error": "error_sign", "message": "wrong sign"}, status_code=403)
        last = int(json.loads(await request.body()).get("last_message_id") or 0)
        with state.lock:
            state.lost[partner] = state.lost.get(partner, [])[last:]
        return JSONResponse({"error": "", "response": {}})

    async def lazada_items(request: Request) -> Response:
        shop = _lazada_shop(state, request, lazada.ITEMS_PATH)
        if shop is None:
            return JSONResponse({"code": "IncompleteSignature", "message": "bad sign"})
        if (fault := await _faults(state, "lazada.detail")) is not None:
            return fault
        ids = [str(i) for i in json.loads(request.query_params.get("order_ids", "[]"))][:50]
        orders = [shop.orders[i].detail() for i in ids if i in shop.orders]
        return JSONResponse({"code": "0", "data": orders})

    async def lazada_orders(request: Request) -> Response:
        shop = _lazada_shop(state, request, lazada.ORDERS_PATH)
        if shop is None:
            return JSONResponse({"code": "IncompleteSignature", "message": "bad sign"})
        if (fault := await _faults(state, "lazada.list")) is not None:
            return fault
        q = request.query_params
        start = datetime.fromisoformat(q["update_after"]).timestamp()
        end = datetime.fromisoformat(q["update_before"]).timestamp() + 1
        found = [o.order_id for o in shop.orders.values() if _in_range(o, start, end)]
        offset, limit = int(q.get("offset") or 0), int(q.get("limit") or 100)
        page = found[offset : offset + limit]
        return JSONResponse(
            {
                "code": "0",
                "data": {"count": len(page), "orders": [{"order_id": int(i)} for i in page]},
            }
        )

    async def shopify_orders(request: Request) -> Response:
        token = request.headers.get("x-shopify-access-token", "")
        shop = state.shop("shopify", access_token=token) if token else None
        if shop is None:
            return JSONResponse({"errors": "[API] Invalid API key or access token"}, 401)
        q = request.query_params
        if "ids" in q:
            if (fault := await _faults(state, "shopify.detail")) is not None:
                return fault
            ids = q["ids"].split(",")[:250]
            return JSONResponse(
                {"orders": [shop.orders[i].detail() for i in ids if i in shop.orders]}
            )
        if (fault := await _faults(state, "shopify.list")) is not None:
            return fault
        start = datetime.fromisoformat(q["updated_at_min"]).timestamp()
        end = datetime.fromisoformat(q["updated_at_max"]).timestamp() + 1
        found = [o.order_id for o in shop.orders.values() if _in_range(o, start, end)]
        offset = int(q.get("page_info") or 0)
        limit = int(q.get("limit") or 250)
        page = found[offset : offset + limit]
        headers = {}
        if offset + limit < len(found):
            nxt = f"{request.url.replace(query='')}?page_info={offset + limit}&limit={limit}"
            # A real next link carries the filters in its cursor; ours carries them again.
            nxt += f"&updated_at_min={q['updated_at_min']}&updated_at_max={q['updated_at_max']}"
            headers["Link"] = f'<{nxt}>; rel="next"'
        return JSONResponse({"orders": [{"id": int(i)} for i in page]}, headers=headers)

    async def stats(request: Request) -> Response:
        with state.lock:
            return JSONResponse(dict(state.calls))

    return Starlette(
        routes=[
            Route("/tiktok" + tiktok_shop.DETAIL_PATH, tiktok_detail),
            Route("/tiktok" + tiktok_shop.SEARCH_PATH, tiktok_search, methods=["POST"]),
            Route("/tiktok" + tiktok_shop.RETURNS_PATH, tiktok_returns, methods=["POST"]),
            Route("/shopee" + shopee.DETAIL_PATH, shopee_detail),
            Route("/shopee" + shopee.LIST_PATH, shopee_list),
            Route("/shopee" + shopee.LOST_PATH, shopee_lost),
            Route("/shopee" + shopee.CONFIRM_PATH, shopee_confirm, methods=["POST"]),
            Route("/lazada" + lazada.ITEMS_PATH, lazada_items),
            Route("/lazada" + lazada.ORDERS_PATH, lazada_orders),
            Route("/shopify/admin/api/{version}/orders.json", shopify_orders),
            Route("/sim/stats", stats),
        ]
    )


PREFIXES = {
    "tiktok_shop": "/tiktok",
    "shopee": "/shopee",
    "lazada": "/lazada",
    "shopify": "/shopify",
}


def _tiktok_shop(state: SimState, request: Request, body: bytes) -> SimShop | None:
    params = dict(request.query_params)
    shop = state.shop("tiktok_shop", app_key=params.get("app_key", ""))
    if shop is None or request.headers.get("x-tts-access-token") != shop.keys.access_token:
        return None
    path = request.url.path.removeprefix("/tiktok")
    expected = tiktok_shop.api_signature(shop.keys.app_secret, path, params, body)
    return shop if params.get("sign") == expected else None


def _shopee_shop(state: SimState, request: Request, path: str) -> SimShop | None:
    q = request.query_params
    shop = state.shop("shopee", app_key=q.get("partner_id", ""), shop_ref=q.get("shop_id", ""))
    if shop is None or q.get("access_token") != shop.keys.access_token:
        return None
    expected = shopee.api_signature(
        shop.keys.app_secret,
        shop.keys.app_key,
        path,
        int(q["timestamp"]),
        shop.keys.access_token,
        shop.keys.shop_ref,
    )
    return shop if q.get("sign") == expected else None


def _shopee_partner(state: SimState, request: Request, path: str) -> str | None:
    q = request.query_params
    shop = state.shop("shopee", app_key=q.get("partner_id", ""))
    if shop is None:
        return None
    expected = shopee.api_signature(
        shop.keys.app_secret, shop.keys.app_key, path, int(q["timestamp"])
    )
    return shop.keys.app_key if q.get("sign") == expected else None


def _lazada_shop(state: SimState, request: Request, path: str) -> SimShop | None:
    params = dict(request.query_params)
    shop = state.shop("lazada", app_key=params.get("app_key", ""))
    if shop is None or params.get("access_token") != shop.keys.access_token:
        return None
    expected = lazada.api_signature(shop.keys.app_secret, path, params)
    return shop if params.get("sign") == expected else None
