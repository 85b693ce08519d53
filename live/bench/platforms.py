"""`sieulive bench platforms`: platform pushes, one a request as platforms send them, from the
platform simulator into a real `sieulive serve` and `sieulive worker`s — against a bare ASGI
endpoint answering 200 under the same server, in the same run.

Phases:

1. **floor** — the storm's pushes to `live.bench.bare` (uvicorn, read the body, 200): what one
   push costs with no application.
2. **sieulive** — the same pushes to `/push/{shop}` of four simulated shops (TikTok Shop,
   Shopee, Lazada, Shopify), the simulator serving their detail APIs; a campaign dashboard
   websocket watches the campaign's gross units (one unit an order) to time the lag from an
   order's first answered push to the dashboard showing it.

Targets (same run): pushes accepted a second ≥ 0.5× the floor's; answer p99 < 300 ms (inside
Lazada's 500 ms); detail calls ≤ 1 per 20 orders; dashboard lag p99 ≤ 2 s; every order exact.
The backfill poll is off here (it would fetch every order again on its own schedule): the
tests prove it; this measures the push path and the fetches it causes.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from live.bench.harness import free_port, percentile, ratio, wait_http
from live.bench.orders import bench_settings, check_redis_is_ours, processes
from live.bench.seeding import bench_products, producer_token, seeding
from live.platforms.sim import pusher
from live.platforms.sim.run import ID_BASES, connect, make_shop, serving, shop_body
from live.platforms.sim.server import SimState
from live.platforms.sim.world import SimOrder, expected, make_orders
from live.settings import Secret, Settings
from live.terminal import bench_report

PLATFORMS = ("tiktok_shop", "shopee", "lazada", "shopify")
STATE = {"created": "placed", "paid": "paid", "delivered": "paid", "cancelled": "cancelled",
         "returned": "returned"}  # fmt: skip


def add_command(bench_sub: Any) -> None:
    p = bench_sub.add_parser(
        "platforms", help="platform pushes through sieulive vs a bare ASGI endpoint"
    )
    p.set_defaults(func=main)
    p.add_argument("--orders", type=int, default=2000, help="orders, spread over four shops")
    p.add_argument("--threads", type=int, default=8, help="push connections")
    p.add_argument("--repeat", type=float, default=0.2, help="share of pushes sent twice")
    p.add_argument("--workers", type=int, help="default: 1 on SQLite, 2 on PostgreSQL")
    p.add_argument("--seed", type=int, default=5)
    p.add_argument("--json", action="store_true", help="one JSON object on one line")


def seed(settings: Settings) -> tuple[int, str, list[tuple[str, int]], str]:
    """Products, a campaign of one session a platform, live now on each shop's channel."""
    from live.schedule import service as schedule
    from live.schedule.schemas import SegmentIn

    stamp = str(os.getpid())
    now = datetime.now(UTC).replace(microsecond=0)
    with seeding(settings) as s:
        products = bench_products(
            s, stamp, 6, sku=f"BP{stamp}-{{i}}", name="Trà sen Tây Hồ {i}", list_price=150_000,
            live_price=120_000, price_step=5_000, stock=10_000_000, talking_points="",
            buy_link=None,
        )  # fmt: skip
        campaign = schedule.save_campaign(
            s,
            {"name": f"Bench platforms {stamp}", "starts_on": now.date(),
             "ends_on": now.date() + timedelta(days=1)},
        )  # fmt: skip
        for platform in PLATFORMS:
            creator_id = _creator(s, f"Bench host {platform} {stamp}")
            schedule.save_session(
                s,
                {
                    "campaign_id": campaign.id,
                    "code": f"BP{stamp}-{PLATFORMS.index(platform)}",
                    "title": f"Bench {platform}",
                    "host_creator_id": creator_id,
                    "platform": platform,
                    "channel": f"bench-{platform}-{stamp}",
                    "studio": f"bench-{platform}-{stamp}",
                    "scheduled_start": now - timedelta(hours=1),
                    "scheduled_end": now + timedelta(hours=1),
                    "segments": [
                        SegmentIn.model_validate(
                            {"kind": "product", "title": p.name, "planned_seconds": 600,
                             "product_id": p.id}
                        )
                        for p in products
                    ],
                },
            )  # fmt: skip
        token = producer_token(s, f"bench platforms {stamp}")
        skus = [(p.sku, p.live_price) for p in products]
        return campaign.id, token, skus, stamp


def _creator(s: Any, name: str) -> int:
    from live.catalog import service as catalog

    creator_id: int = catalog.save_creator(s, {"name": name, "handles": {}}).id
    return creator_id


def floor_phase(deliveries: list[pusher.Delivery], threads: int) -> dict[str, Any]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "live.bench.bare", str(port)],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/", proc)
        bare = [
            pusher.Delivery(f"http://127.0.0.1:{port}/push", d.headers, d.body, d.order_id)
            for d in deliveries
        ]
        return pusher.send(bare, threads=threads).summary()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class Watcher(threading.Thread):
    """The campaign dashboard's websocket: when each gross_units value arrived."""

    def __init__(self, url: str, target: int) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.target = target
        self.seen: list[tuple[float, int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        from websockets.sync.client import connect as ws_connect

        with ws_connect(self.url, max_size=None, compression=None) as ws:
            while not self.stop.is_set():
                try:
                    frame = json.loads(ws.recv(timeout=0.5))
                except TimeoutError:
                    continue
                totals = (frame.get("data") or {}).get("totals")
                if totals is not None:
                    self.seen.append((time.time(), int(totals.get("gross_units", 0))))
                    if self.seen[-1][1] >= self.target:
                        return


def lags_ms(first_push: list[float], seen: list[tuple[float, int]]) -> list[float]:
    """The k-th order (by its first answered push) shows at the first snapshot counting k."""
    lags, j = [], 0
    for k, at in enumerate(sorted(first_push), start=1):
        while j < len(seen) and seen[j][1] < k:
            j += 1
        lags.append((seen[j][0] - at) * 1000 if j < len(seen) else float("inf"))
    return lags


def exactness(settings: Settings, orders: list[SimOrder]) -> dict[str, Any]:
    from sqlalchemy import func, select
    from sqlalchemy.orm import selectinload

    from live.db import Database
    from live.sales.models import Order, SalesTotal

    db = Database(settings)
    wrong = 0
    try:
        with db.reading() as s:
            stored = {
                (o.platform, o.platform_order_id): o
                for o in s.scalars(select(Order).options(selectinload(Order.lines)))
            }
            for order in orders:
                want = expected(order)
                got = stored.get((order.shop.platform, order.order_id))
                lines = sorted((x.sku, x.quantity, x.unit_price) for x in got.lines) if got else []
                if got is None or (got.state.value, lines) != (STATE[want["kind"]], want["lines"]):
                    wrong += 1
            units = s.scalar(select(func.coalesce(func.sum(SalesTotal.gross_units), 0)))
    finally:
        db.dispose()
    want_units = sum(q for o in orders for _, q, _ in expected(o)["lines"])
    return {
        "orders": len(orders),
        "stored": len(stored),
        "wrong": wrong,
        "aggregated_units": int(units or 0),
        "units": want_units,
        "exact": wrong == 0 and len(stored) == len(orders) and units == want_units,
    }


def run(
    orders: int, *, threads: int, repeat: float, workers: int | None, seed_: int
) -> dict[str, Any]:
    from live.redis_conn import connect as redis_connect
    from live.shops.secrets import dev_key

    with bench_settings() as settings:
        redis = redis_connect(settings)
        try:
            check_redis_is_ours(redis)
            # The served processes take these through their environment like any setting.
            settings = settings.with_overrides(
                shop_key=Secret(dev_key(settings.data_dir)), shop_poll_seconds=0
            )
            campaign_id, token, skus, stamp = seed(settings)
            crew = workers or (2 if settings.database_url else 1)
            state = SimState()
            rng = random.Random(seed_)
            with serving(state) as sim_url, processes(settings, "unused", 1, crew, "simple") as (
                urls, _restart
            ):  # fmt: skip
                base = urls[0]
                sim_orders = _shops_and_orders(
                    base, token, state, sim_url, skus, stamp, orders, rng
                )
                plan = pusher.plan(sim_orders, state, rng, repeat_rate=repeat)
                floor = floor_phase(plan.deliveries, threads)
                ws = base.replace("http://", "ws://")
                watcher = Watcher(f"{ws}/ws/campaigns/{campaign_id}?token={token}", len(sim_orders))
                watcher.start()
                time.sleep(1.0)
                report, first = _send_timed(plan.deliveries, threads)
                deadline = time.monotonic() + 180
                while watcher.is_alive() and time.monotonic() < deadline:
                    time.sleep(0.2)
                watcher.stop.set()
                _settle(redis, deadline)
                exact = exactness(settings, sim_orders)
                with state.lock:
                    calls = sum(v for k, v in state.calls.items() if k.endswith(".detail"))
            lags = lags_ms(list(first.values()), watcher.seen)
        finally:
            # What the run left in Redis (it held no counters or inbox of anyone's at the
            # start: `check_redis_is_ours`), so the next run starts as clean.
            for pattern in ("sieulive:shops:*", "sieulive:sales:*", "sieulive:orders:*"):
                for key in redis.scan_iter(pattern):
                    redis.delete(key)
            redis.close()
    push = report.summary()
    p99_lag = percentile(lags, 0.99)
    result: dict[str, Any] = {
        "database": "postgresql" if settings.database_url else "sqlite",
        "orders": len(sim_orders),
        "pushes": len(plan.deliveries),
        "workers": crew,
        "floor": floor,
        "sieulive": push,
        "detail_calls": calls,
        "detail_calls_per_order": round(calls / len(sim_orders), 4),
        "lag_p50_ms": _ms(percentile(lags, 0.5)),
        "lag_p99_ms": _ms(p99_lag),
        "exact": exact,
        "ratios": {"pushes_per_s_vs_floor": ratio(push["per_second"], floor["per_second"])},
        "note": "2 shared cores: figures are indicative; compare within a run",
    }
    result["targets_met"] = {
        "pushes_half_floor": (result["ratios"]["pushes_per_s_vs_floor"] or 0) >= 0.5,
        "answer_p99_lt_300ms": push["p99_ms"] < 300,
        "every_push_answered_200": set(push["answers"]) == {"200"},
        "detail_calls_le_1_per_20_orders": calls * 20 <= len(sim_orders),
        "lag_p99_le_2000ms": p99_lag <= 2000,
        "counts_exact": bool(exact["exact"]),
    }
    return result


def _shops_and_orders(
    base: str, token: str, state: SimState, sim_url: str, skus: list[tuple[str, int]],
    stamp: str, orders: int, rng: random.Random,
) -> list[SimOrder]:  # fmt: skip
    import httpx2 as httpx

    made: list[SimOrder] = []
    start = datetime.now(UTC) - timedelta(minutes=30)
    with httpx.Client(timeout=10, headers={"Authorization": f"Bearer {token}"}) as http:
        for n, platform in enumerate(PLATFORMS):
            shop = make_shop(platform, sim_url, rng, n + 1)
            state.shops.append(shop)
            body = shop_body(shop, f"bench-{platform}-{stamp}") | {"calls_per_second": 10}
            answer = http.post(base + "/api/shops", json=body)
            answer.raise_for_status()
            created = answer.json()
            connect(shop, base, created["id"], created["callback_url"])
            made += make_orders(
                shop, orders // len(PLATFORMS), skus, start, 25, rng, ID_BASES[platform],
                single_unit=True,
            )  # fmt: skip
    return made


def _send_timed(
    deliveries: list[pusher.Delivery], threads: int
) -> tuple[pusher.SendReport, dict[str, float]]:
    """Send, noting when each order's first push was answered (the lag's start)."""
    first: dict[str, float] = {}
    lock = threading.Lock()

    def answered(delivery: pusher.Delivery, status: int) -> None:
        if status == 200:
            with lock:
                first.setdefault(delivery.order_id, time.time())

    report = pusher.send(deliveries, threads=threads, on_answer=answered)
    return report, first


def _settle(redis: Any, deadline: float) -> None:
    """Until the pushes are read, the fetches done and the inbox drained (or the deadline)."""
    from live.sales.intake import inbox

    while time.monotonic() < deadline:
        busy = inbox.Inbox(redis).depth() or redis.zcard(inbox.IN_FLIGHT)
        for key in redis.scan_iter("sieulive:shops:pending:*"):
            busy = busy or redis.zcard(key)
        for key in redis.scan_iter("sieulive:shops:pushes:*"):
            busy = busy or redis.llen(key)
        if not busy:
            time.sleep(0.5)
            return
        time.sleep(0.2)


def _ms(value: float) -> float | None:
    return None if value != value or value == float("inf") else round(value, 1)


def main(args: Any) -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    result = run(
        args.orders, threads=args.threads, repeat=args.repeat, workers=args.workers,
        seed_=args.seed,
    )  # fmt: skip
    print(json.dumps(result, ensure_ascii=False) if args.json else bench_report(result))
    return 0 if all(result["targets_met"].values()) else 1
