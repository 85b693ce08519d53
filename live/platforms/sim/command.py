"""`sieulive platform-sim`: rehearse a campaign's platforms against a running sieulive.

It plays TikTok Shop, Shopee, Lazada and Shopify at once: makes up one shop on each (its
keys), registers them with sieulive (a producer token), serves their detail and list APIs,
and pushes a storm of signed notifications for orders placed over the last minutes — with
repeats, reordering, lost pushes, and, on request, slow, failing and rate-limited API calls.
Then it keeps serving (the workers' fetches and backfill polls) until Ctrl-C or
`--serve-seconds`. It only ever talks to a sieulive on this machine unless told otherwise.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx2 as httpx

from live.platforms.sim import pusher
from live.platforms.sim.run import ID_BASES, make_shop, register, serving
from live.platforms.sim.server import Faults, SimState
from live.platforms.sim.world import make_orders
from live.settings import load_settings

Add = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]
LOCAL = {"127.0.0.1", "localhost", "::1"}


def add_command(add: Add) -> None:
    sim = add("platform-sim", cmd_platform_sim, "simulate TikTok Shop, Shopee, Lazada, Shopify")
    sim.add_argument("--url", default="http://127.0.0.1:8000", help="the sieulive to push to")
    sim.add_argument("--token", help="a producer token (default: SIEULIVE_TOKEN)")
    sim.add_argument("--port", type=int, default=8900, help="the simulator's APIs' port")
    sim.add_argument("--platforms", default="tiktok_shop,shopee,lazada,shopify")
    sim.add_argument(
        "--channel",
        action="append",
        default=[],
        metavar="PLATFORM=CHANNEL",
        help="the channel each platform's shop stands for (default: sim-<platform>)",
    )
    sim.add_argument(
        "--sku",
        action="append",
        default=[],
        metavar="SKU=PRICE",
        help="products to sell (default: the first 20 of sieulive's catalogue)",
    )
    sim.add_argument("--orders", type=int, default=100, help="orders per shop")
    sim.add_argument("--minutes", type=float, default=30, help="placed over the last N minutes")
    sim.add_argument("--repeat", type=float, default=0.2, help="share of pushes sent twice")
    sim.add_argument("--lose", type=float, default=0.05, help="share of pushes never sent")
    sim.add_argument("--lose-orders", type=float, default=0.0, help="orders with no push at all")
    sim.add_argument("--slow-rate", type=float, default=0.0)
    sim.add_argument("--slow-seconds", type=float, default=0.0)
    sim.add_argument("--fail-rate", type=float, default=0.0, help="API calls answered 500")
    sim.add_argument("--throttle-rate", type=float, default=0.0, help="API calls answered 429")
    sim.add_argument("--threads", type=int, default=8, help="push connections")
    sim.add_argument("--seed", type=int, default=1)
    sim.add_argument("--serve-seconds", type=float, help="serve this long after the storm")
    sim.add_argument("--allow-remote", action="store_true")


def cmd_platform_sim(args: argparse.Namespace) -> int:
    token = args.token or load_settings().cli_token
    if not token:
        print("a producer token is needed: --token or SIEULIVE_TOKEN", file=sys.stderr)
        return 2
    if urlsplit(args.url).hostname not in LOCAL and not args.allow_remote:
        print(
            "platform-sim pushes to this machine only (--allow-remote to override)", file=sys.stderr
        )
        return 2
    rng = random.Random(args.seed)
    channels = dict(c.split("=", 1) for c in args.channel)
    try:
        skus = _skus(args, token)
    except (OSError, httpx.HTTPError, ValueError) as exc:
        print(f"can't read the catalogue at {args.url}: {exc}", file=sys.stderr)
        return 1
    if not skus:
        print("no products to sell: add --sku CODE=PRICE", file=sys.stderr)
        return 2
    state = SimState(
        faults=Faults(args.slow_rate, args.slow_seconds, args.fail_rate, args.throttle_rate)
    )
    with serving(state, args.port) as sim_url:
        orders = []
        start = datetime.now(UTC) - timedelta(minutes=args.minutes)
        for platform in args.platforms.split(","):
            shop = make_shop(platform, sim_url, rng, n=rng.randrange(1, 10**6))
            state.shops.append(shop)
            channel = channels.get(platform, f"sim-{platform}")
            shop_id = register(args.url, token, shop, channel)
            print(f"{platform}: shop {shop_id} ({shop.keys.shop_ref}) → {channel}", file=sys.stderr)
            base = ID_BASES[platform] + rng.randrange(10**6) * 10**4
            orders += make_orders(shop, args.orders, skus, start, args.minutes, rng, base)
        plan = pusher.plan(
            orders, state, rng, repeat_rate=args.repeat, lose_rate=args.lose,
            lose_orders=args.lose_orders,
        )  # fmt: skip
        report = pusher.send(plan.deliveries, threads=args.threads)
        summary: dict[str, Any] = {
            "orders": len(orders),
            "pushes_planned": len(plan.deliveries),
            "pushes_lost": plan.lost_pushes,
            "orders_with_every_push_lost": len(plan.lost_orders),
            "push": report.summary(),
        }
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        print("serving the platforms' APIs; Ctrl-C to stop", file=sys.stderr)
        deadline = time.monotonic() + args.serve_seconds if args.serve_seconds else None
        try:
            while deadline is None or time.monotonic() < deadline:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        with state.lock:
            print(json.dumps({"api_calls": dict(state.calls)}), file=sys.stderr)
    return 0


def _skus(args: argparse.Namespace, token: str) -> list[tuple[str, int]]:
    if args.sku:
        return [(s.split("=")[0], int(s.split("=")[1])) for s in args.sku]
    answer = httpx.get(
        args.url + "/api/products?limit=20",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    answer.raise_for_status()
    return [
        (p["sku"], int(p["live_price"] or p["list_price"] or 0)) for p in answer.json()["items"]
    ]
