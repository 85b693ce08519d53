"""`sieulive bench orders`: the order pipeline end to end, against the naive way and the floor.

It starts real processes — `sieulive serve` and `sieulive worker`(s) — on the configured DB and
Redis (a temporary SQLite file and embedded Redis when DATABASE_URL / REDIS_URL are unset; a
schema of its own, dropped at the end, on PostgreSQL), seeds a campaign per phase, and sends
signed orders over HTTP from several client processes on kept-alive connections:

- `batched`: 100 events a request; `one_per_request`: one order a request;
- `baseline`: one RQ job per order on the default forking worker (enqueued straight into RQ,
  no HTTP: the baseline's best case), a smaller N;
- `floor`: the same orders bulk-inserted straight into the DB (Core executemany), no HTTP, no
  queue: the limit the pipeline sits on.

Every order has one unit, so a campaign's `gross_units` counts its orders. Lag is from the
order's 202 to the dashboard snapshot (the campaign websocket) whose `gross_units` covers it.
It prints one JSON object.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from live.bench.harness import free_port, percentile, rate, ratio, wait_http
from live.bench.seeding import (
    bench_campaign,
    bench_products,
    bench_session,
    producer_token,
    seeding,
)
from live.settings import Secret, Settings, child_environment, load_settings
from live.terminal import bench_report

PLATFORM = "tiktok_shop"
PRICE = 65_000
PROVINCES = ["TP. Hồ Chí Minh", "Hà Nội", "Đà Nẵng", "Cần Thơ", "Hải Phòng", "Bến Tre"]
PHASES = ("batched", "one_per_request", "baseline")  # a campaign each, and each storm round
SESSIONS_PER_CAMPAIGN = 4
STORM_SESSIONS = 19  # as the campaign the storm shape comes from (docs/orders.md)
PRODUCTS = 6
FLOOR_CHUNK = 1000  # orders a transaction for the floor (the drain's batch is as large)
MAX_RETRIES = 2000  # 429s a request may meet before the bench gives up on it (~1 min)


@dataclass
class Campaign:
    id: int
    session_ids: list[int]
    codes: list[str]


@dataclass
class Seed:
    token: str
    skus: list[str]
    product_ids: list[int]
    campaigns: dict[str, Campaign] = field(default_factory=dict)


# --- the bench's own database and Redis ------------------------------------------------------


@contextmanager
def bench_settings() -> Iterator[Settings]:
    """Settings of a fresh database: a temp SQLite file, or a PostgreSQL schema of its own
    (created here, dropped at the end); Redis: REDIS_URL or an embedded one in the temp folder."""
    import sqlalchemy as sa

    configured = load_settings()
    with tempfile.TemporaryDirectory(prefix="sieulive-bench-orders-") as tmp:
        folder = Path(tmp)
        url = configured.database_url
        schema = None
        engine = None
        if url and url.startswith("postgresql"):
            schema = f"bench_orders_{os.getpid()}"
            engine = sa.create_engine(url)
            with engine.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            url = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
        else:
            url = None  # SQLite: always a fresh file in the temp folder
        settings = Settings(data_dir=folder, database_url=url, redis_url=configured.redis_url)
        embedded = None
        if not settings.redis_url:
            from live.redis_conn import embedded_url, start_embedded

            embedded = start_embedded(settings)
            settings = settings.with_overrides(redis_url=embedded_url(embedded))
        try:
            yield settings
        finally:
            if embedded is not None:
                embedded.shutdown()
            if engine is not None:
                with engine.begin() as conn:
                    conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                engine.dispose()


def check_redis_is_ours(redis: Any) -> None:
    """A shared Redis database would mix the bench's orders and counters with someone else's:
    refuse when another pipeline is using it."""
    from rq import Worker

    from live.sales.intake import inbox
    from live.sales.pipeline import counters

    busy = []
    if redis.llen(inbox.INBOX) or redis.zcard(inbox.IN_FLIGHT):
        busy.append("its order inbox holds events")
    if Worker.all(connection=redis):
        busy.append("RQ workers are registered on it")
    # Live counters left by someone else: the bench's sessions (ids from 1 in a new schema)
    # would add to theirs and every count would read wrong.
    if next(redis.scan_iter(match=f"{counters.SESSION}*", count=1000), None) is not None:
        busy.append("it holds live sales counters")
    if busy:
        raise SystemExit(
            "the benchmark needs a Redis database of its own (REDIS_URL=redis://host:6379/N): "
            + " and ".join(busy)
        )


def seed(settings: Settings, storm_rounds: list[str] | tuple[str, ...] = ()) -> Seed:
    """A supplier, products, and per phase (and storm round) a campaign of sessions
    (attribution by code)."""
    stamp = f"{os.getpid()}"
    with seeding(settings) as s:
        products = bench_products(
            s,
            stamp,
            PRODUCTS,
            sku=f"BO{stamp}-{{i}}",
            name="Kẹo dừa Bến Tre {i} – hộp 500g",
            list_price=85_000,
            live_price=PRICE,
            stock=1_000_000,
            talking_points="Dừa sáp Trà Vinh, cơm dày dẻo.",
            buy_link=None,
        )
        result = Seed("", [p.sku for p in products], [p.id for p in products])
        for n, phase in enumerate((*PHASES, *storm_rounds)):
            campaign = bench_campaign(s, f"Bench orders {phase} {stamp}")
            ids, codes = [], []
            sessions = STORM_SESSIONS if phase.startswith("storm") else SESSIONS_PER_CAMPAIGN
            for k in range(sessions):
                code = f"BO{stamp}-{n}-{k}"
                ids.append(
                    bench_session(
                        s,
                        campaign_id=campaign.id,
                        code=code,
                        title=f"Bench {phase} {k}",
                        products=products,
                    )
                )
                codes.append(code)
            result.campaigns[phase] = Campaign(campaign.id, ids, codes)
        result.token = producer_token(s, f"bench orders {stamp}")
    return result


# --- the orders ------------------------------------------------------------------------------


def make_event(prefix: str, i: int, codes: list[str], skus: list[str], at: str) -> dict[str, Any]:
    """Order i of a phase: one unit, so a campaign's gross_units counts its orders."""
    return {
        "type": "created",
        "order_id": f"{prefix}{i:07d}",
        "occurred_at": at,
        "lines": [{"sku": skus[i % len(skus)], "quantity": 1, "unit_price": PRICE}],
        "live_code": codes[i % len(codes)],
        "buyer_province": PROVINCES[i % len(PROVINCES)],
    }


def client_process(
    urls: list[str],
    secret: str,
    prefix: str,
    codes: list[str],
    skus: list[str],
    requests: list[tuple[int, int]],  # (first order index, count) of each request
    threads: int,
    ready: Any,
    go: Any,
    results: Any,
) -> None:
    """Send this process's requests from `threads` kept-alive connections; report each
    request's end time, size and status."""
    from live.sales.tools.client import encode

    at = datetime.now(UTC).isoformat(timespec="milliseconds")
    bodies = []
    for first, count in requests:
        events = [make_event(prefix, i, codes, skus, at) for i in range(first, first + count)]
        bodies.append((count, encode(events[0] if count == 1 else {"events": events})))
    ready.set()
    go.wait()
    results.put(send_bodies(urls, secret, bodies, threads))


def send_bodies(
    urls: list[str], secret: str, bodies: list[tuple[int, bytes]], threads: int
) -> list[tuple[float, int, int, int]]:
    """Post (event count, body) pairs from `threads` kept-alive connections, each thread
    every `threads`-th body in turn, 429s retried; (end time, count, status, 429s met) of
    each request."""
    from live.sales.tools.client import Http, signed_headers

    done: list[tuple[float, int, int, int]] = []
    lock = threading.Lock()

    def send(index: int) -> None:
        http = Http(urls[index % len(urls)], timeout=120)
        mine = []
        try:
            for count, body in bodies[index::threads]:
                throttled = 0
                while True:
                    status, _ = http.request(
                        "POST", f"/webhooks/orders/{PLATFORM}", body, signed_headers(secret, body)
                    )
                    if status != 429 or throttled >= MAX_RETRIES:
                        break
                    # A full inbox: retry soon. Sooner than Retry-After (a whole second), so
                    # the pipeline stays saturated: this measures it, not a platform's patience.
                    throttled += 1
                    time.sleep(random.uniform(0.01, 0.05))
                mine.append((time.time(), count, status, throttled))
        finally:
            http.close()
            with lock:
                done.extend(mine)

    workers = [threading.Thread(target=send, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return done


class Watcher(threading.Thread):
    """The dashboard's view: a campaign websocket, noting when each `gross_units` arrived."""

    def __init__(self, ws_url: str, target: int) -> None:
        super().__init__(daemon=True)
        self.ws_url = ws_url
        self.target = target
        self.seen: list[tuple[float, int]] = []
        self.connected = threading.Event()
        self.stop = threading.Event()

    def run(self) -> None:
        from websockets.sync.client import connect

        with connect(self.ws_url, max_size=None, compression=None) as ws:
            while not self.stop.is_set():
                try:
                    raw = ws.recv(timeout=0.5)
                except TimeoutError:
                    continue
                now = time.time()
                frame = json.loads(raw)
                totals = (frame.get("data") or {}).get("totals")
                if totals is None:
                    continue
                self.seen.append((now, int(totals.get("gross_units", 0))))
                self.connected.set()
                if self.seen[-1][1] >= self.target:
                    return


def lag_ms(accepted: list[float], seen: list[tuple[float, int]], total: int) -> list[float]:
    """Order k (in acceptance order) is visible at the first snapshot whose gross_units ≥ k:
    the inbox is first in, first out, so counts map to orders."""
    accepted = sorted(accepted)
    lags = []
    j = 0
    for k, at in enumerate(accepted, start=1):
        while j < len(seen) and seen[j][1] < k:
            j += 1
        if j == len(seen):
            lags += [float("inf")] * (total - k + 1)
            break
        lags.append(max(0.0, (seen[j][0] - at) * 1000))
    return lags


# --- phases ----------------------------------------------------------------------------------


def counter(redis: Any, campaign_id: int) -> int:
    from live.sales.pipeline.counters import CAMPAIGN

    return int(redis.hget(f"{CAMPAIGN}{campaign_id}", "gross_units") or 0)


def wait_processed(redis: Any, campaign_id: int, total: int, timeout: float) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if counter(redis, campaign_id) >= total:
            return time.time()
        time.sleep(0.005)
    return None


def counts(settings: Settings, prefix: str, campaign: Campaign | None) -> tuple[int, int]:
    """(orders stored with the phase's prefix, units in the campaign's aggregates)."""
    found = kept(settings, prefix, campaign)
    return found["stored"], found["aggregated"]


def kept(settings: Settings, prefix: str, campaign: Campaign | None) -> dict[str, int]:
    """What a phase of one-unit, one-line, one-event orders left: order rows with its prefix,
    their line rows, the units in the campaign's aggregates and the events kept."""
    from sqlalchemy import func, select

    from live.db import Database
    from live.sales.models import Order, OrderLine, SalesTotal
    from live.sales.models import OrderEvent as KeptEvent

    db = Database(settings)
    try:
        with db.reading() as s:
            mine = Order.platform_order_id.like(f"{prefix}%")
            stored = s.scalar(select(func.count()).select_from(Order).where(mine))
            lines = s.scalar(
                select(func.count())
                .select_from(OrderLine)
                .join(Order, Order.id == OrderLine.order_id)
                .where(mine)
            )
            events = s.scalar(
                select(func.count())
                .select_from(KeptEvent)
                .where(KeptEvent.order_id.like(f"{prefix}%"))
            )
            aggregated: int | None = 0
            if campaign is not None:
                aggregated = s.scalar(
                    select(func.coalesce(func.sum(SalesTotal.gross_units), 0)).where(
                        SalesTotal.session_key.in_(campaign.session_ids)
                    )
                )
    finally:
        db.dispose()
    return {
        "stored": int(stored or 0),
        "lines": int(lines or 0),
        "aggregated": int(aggregated or 0),
        "events_kept": int(events or 0),
    }


def exactness(found: dict[str, int], orders: int) -> dict[str, Any]:
    """Every count of a phase of one-unit orders is its number of orders (and nothing failed)."""
    expected = {name: (0 if name in ZERO else orders) for name in found}
    inexact = sorted(name for name in found if found[name] != expected[name])
    return {"exact": not inexact, "inexact": inexact, "found": found}


ZERO = ("failed_jobs",)


def http_phase(
    name: str,
    settings: Settings,
    redis: Any,
    data: Seed,
    urls: list[str],
    ws_base: str,
    secret: str,
    orders: int,
    per_request: int,
    client_procs: int,
    threads: int,
) -> dict[str, Any]:
    campaign = data.campaigns[name]
    prefix = {"batched": "PB-", "one_per_request": "P1-"}[name]
    failed_before = failed_jobs(redis)
    requests = [(i, min(per_request, orders - i)) for i in range(0, orders, per_request)]
    ctx = multiprocessing.get_context("spawn")
    results: Any = ctx.Queue()
    go = ctx.Event()
    readies = [ctx.Event() for _ in range(client_procs)]
    procs = [
        ctx.Process(
            target=client_process,
            args=(
                urls,
                secret,
                prefix,
                campaign.codes,
                data.skus,
                requests[p::client_procs],
                threads,
                readies[p],
                go,
                results,
            ),
            daemon=True,
        )
        for p in range(client_procs)
    ]
    for p in procs:
        p.start()
    for r in readies:
        r.wait(timeout=120)
    watcher = Watcher(f"{ws_base}/ws/campaigns/{campaign.id}?token={data.token}", orders)
    watcher.start()
    watcher.connected.wait(timeout=30)
    time.sleep(0.3)
    started = time.time()
    go.set()
    sent: list[tuple[float, int, int, int]] = []
    for _ in procs:
        sent += results.get(timeout=600)
    for p in procs:
        p.join(timeout=30)
    processed_at = wait_processed(redis, campaign.id, orders, timeout=max(60, orders / 200))
    watcher.join(timeout=5)
    watcher.stop.set()
    found = kept(settings, prefix, campaign)
    found["live_counter"] = counter(redis, campaign.id)
    found["failed_jobs"] = len(failed_jobs(redis) - failed_before)
    stored, aggregated = found["stored"], found["aggregated"]
    accepted = [t for t, count, status, _ in sent if status == 202 for _ in range(count)]
    refused = sum(count for _t, count, status, _ in sent if status != 202)
    lags = lag_ms(accepted, watcher.seen, len(accepted))
    last_accept = max((t for t, *_ in sent), default=started)
    return {
        "orders": orders,
        "per_request": per_request,
        "requests": len(requests),
        "refused": refused,
        "throttled": sum(t for *_, t in sent),  # 429 answers (a full inbox), each retried
        "accepted_per_s": rate(len(accepted), last_accept - started),
        "processed_per_s": rate(orders, processed_at - started) if processed_at else None,
        "lag_p50_ms": _ms(percentile(lags, 0.50)),
        "lag_p99_ms": _ms(percentile(lags, 0.99)),
        "snapshots": len(watcher.seen),
        "seconds": round((processed_at or time.time()) - started, 2),
        "stored": stored,
        "aggregated": aggregated,
        **exactness(found, orders),
    }


def baseline_phase(
    settings: Settings, redis: Any, data: Seed, ws_base: str, orders: int, timeout: float
) -> dict[str, Any]:
    from rq import Queue

    campaign = data.campaigns["baseline"]
    prefix = "NV-"
    at = datetime.now(UTC).isoformat(timespec="milliseconds")
    queue = Queue("default", connection=redis)
    jobs = [
        Queue.prepare_data(
            "live.bench.naive.apply_one",
            args=(PLATFORM, make_event(prefix, i, campaign.codes, data.skus, at)),
            result_ttl=0,
            failure_ttl=3600,
        )
        for i in range(orders)
    ]
    watcher = Watcher(f"{ws_base}/ws/campaigns/{campaign.id}?token={data.token}", orders)
    watcher.start()
    watcher.connected.wait(timeout=30)
    time.sleep(0.3)
    started = time.time()
    accepted: list[float] = []
    for first in range(0, orders, 100):
        chunk = jobs[first : first + 100]
        queue.enqueue_many(chunk)
        accepted += [time.time()] * len(chunk)
    enqueued = time.time()
    processed_at = wait_processed(redis, campaign.id, orders, timeout)
    done = counter(redis, campaign.id)
    finished = processed_at or time.time()
    watcher.stop.set()
    watcher.join(timeout=5)
    if processed_at is None:
        queue.empty()  # past the time limit: the rest would only slow the phases after
        # A job running when the time ran out still finishes (on a loaded machine, well after
        # a second): wait for it, so the checks below see a settled database.
        settle = time.time() + 30
        while queue.started_job_registry.count and time.time() < settle:
            time.sleep(0.2)
        time.sleep(0.5)
    found = kept(settings, prefix, campaign)
    found["live_counter"] = counter(redis, campaign.id)
    # Past the time limit the phase is held to what it applied, the running job included.
    applied = orders if processed_at is not None else found["live_counter"]
    stored, aggregated = found["stored"], found["aggregated"]
    lags = lag_ms(accepted[:done], watcher.seen, done)
    return {
        "orders": orders,
        "processed": done,
        "applied": applied,  # what the checks hold it to (`processed` + a job that was running)
        "accepted_per_s": rate(orders, enqueued - started),
        "processed_per_s": rate(done, finished - started),
        "lag_p50_ms": _ms(percentile(lags, 0.50)),
        "lag_p99_ms": _ms(percentile(lags, 0.99)),
        "seconds": round(finished - started, 2),
        "stored": stored,
        "aggregated": aggregated,
        # Past its time limit the baseline's queue is emptied: exact against what it did.
        **exactness(found, applied),
    }


def floor_phase(settings: Settings, data: Seed, orders: int) -> dict[str, Any]:
    """The same orders straight into the DB: executemany of orders, then of their lines."""
    from sqlalchemy import Table, insert, select

    from live.db import Database, utcnow
    from live.sales.models import Order, OrderLine

    orders_table = cast(Table, Order.__table__)
    lines_table = cast(Table, OrderLine.__table__)

    campaign = data.campaigns["batched"]
    prefix = "FL-"
    db = Database(settings)
    now = utcnow()
    rows = []
    for i in range(orders):
        k = i % len(campaign.session_ids)
        rows.append(
            {
                "platform": PLATFORM,
                "platform_order_id": f"{prefix}{i:07d}",
                "state": "placed",
                "rank": 1,
                "delivered": False,
                "session_id": campaign.session_ids[k],
                "campaign_id": campaign.id,
                "attribution": "code",
                "rehearsal": False,
                "live_code": campaign.codes[k],
                "channel": None,
                "buyer_province": PROVINCES[i % len(PROVINCES)],
                "ordered_at": now,
                "last_event_at": now,
                "total": PRICE,
                "created_at": now,
                "updated_at": now,
            }
        )
    started = time.perf_counter()
    try:
        for first in range(0, orders, FLOOR_CHUNK):
            chunk = rows[first : first + FLOOR_CHUNK]
            with db.unit_of_work() as s:
                # executemany (psycopg pipelines it; SQLite loops in C), then the ids by key:
                # RETURNING in parameter order goes row by row on both databases.
                s.execute(insert(orders_table), chunk)
                keys = [row["platform_order_id"] for row in chunk]
                by_key = dict(
                    s.execute(
                        select(orders_table.c.platform_order_id, orders_table.c.id).where(
                            orders_table.c.platform_order_id.in_(keys)
                        )
                    ).all()
                )
                ids = [by_key[key] for key in keys]
                s.execute(
                    insert(lines_table),
                    [
                        {
                            "order_id": order_id,
                            "line_no": 0,
                            "sku": data.skus[(first + n) % len(data.skus)],
                            "product_id": data.product_ids[(first + n) % len(data.product_ids)],
                            "segment_id": None,
                            "quantity": 1,
                            "unit_price": PRICE,
                            "oversold": False,
                        }
                        for n, order_id in enumerate(ids)
                    ],
                )
        seconds = time.perf_counter() - started
    finally:
        db.dispose()
    stored, _ = counts(settings, prefix, None)
    return {
        "orders": orders,
        "chunk": FLOOR_CHUNK,
        "inserted_per_s": rate(orders, seconds),
        "seconds": round(seconds, 2),
        "stored": stored,
    }


# --- processes -------------------------------------------------------------------------------


@contextmanager
def processes(
    settings: Settings, secret: str, web_processes: int, workers: int, worker_class: str
) -> Iterator[tuple[list[str], Any]]:
    """`sieulive serve` × web_processes and `sieulive worker` × workers; yields the web URLs
    and a function that restarts the workers with another class (and count)."""
    env = child_environment(
        settings.with_overrides(
            database_url=settings.effective_database_url,
            webhook_secrets={"default": Secret(secret)},
        ),
        keep_webhook_secrets=False,
    )
    cli = [sys.executable, "-m", "live.cli"]
    webs: list[subprocess.Popen[bytes]] = []
    crew: list[subprocess.Popen[bytes]] = []

    def start_workers(cls: str, count: int = workers) -> None:
        stop(crew)
        crew.clear()
        for _ in range(count):
            crew.append(
                subprocess.Popen(
                    [*cli, "worker", "--worker-class", cls],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
        time.sleep(1.5)  # registered and listening

    try:
        urls = []
        for _ in range(web_processes):
            port = free_port()
            urls.append(f"http://127.0.0.1:{port}")
            webs.append(
                subprocess.Popen(
                    [*cli, "serve", "--port", str(port), "--log-level", "warning"],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
        for url, proc in zip(urls, webs, strict=True):
            wait_http(f"{url}/healthz", proc)
        start_workers(worker_class)
        yield urls, start_workers
    finally:
        stop(crew)
        stop(webs)


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            # Workers run in their own process group: take a forked work horse down too.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.kill()
            p.wait()


# --- the run ---------------------------------------------------------------------------------


def run(
    orders: int,
    *,
    per_request: int = 100,
    baseline_orders: int | None = None,
    workers: int | None = None,
    worker_class: str = "simple",
    web_processes: int = 1,
    client_procs: int = 2,
    threads: int = 4,
    baseline_seconds: float = 90,
    storm_orders: int | None = None,
    storm_workers: int | None = None,
    storm_seed: int = 7,
    storm_rounds: int = 4,
) -> dict[str, Any]:
    from live.bench.orders_storm import (
        pair_ratios,
        reconcile_differences,
        schedule,
        storm_round,
        summary,
    )
    from live.redis_conn import connect

    # The naive way manages a few jobs a second here: N/20, capped so it ends within its limit.
    baseline_n = baseline_orders or max(10, min(orders // 20, 150))
    secret = secrets.token_urlsafe(24)
    with bench_settings() as settings:
        redis = connect(settings)
        try:
            check_redis_is_ours(redis)
            # SQLite has one writer: a second drain only waits on the lock (with SQLite's
            # backoff sleeps), measured slower; PostgreSQL gains from two.
            workers = workers or (2 if settings.database_url else 1)
            crew_n = storm_workers or max(2, workers)
            storm_n = orders if storm_orders is None else storm_orders
            plan = schedule(storm_rounds) if storm_n else []
            data = seed(settings, [key for _phase, key in plan])
            with processes(settings, secret, web_processes, workers, worker_class) as (
                urls,
                start_workers,
            ):
                ws_base = urls[0].replace("http://", "ws://")
                common = (settings, redis, data, urls, ws_base, secret)
                batched = http_phase("batched", *common, orders, per_request, client_procs, threads)
                single = http_phase("one_per_request", *common, orders, 1, client_procs, threads)
                # The same storm on one worker and on N, in rounds in the Thue–Morse order
                # (1, N, N, 1, …): the machine's drift over the run weighs on both alike.
                storms: dict[str, dict[str, Any]] = {}
                done: list[dict[str, Any]] = []
                crews = {"storm_1": 1, "storm_n": crew_n}
                for phase, key in plan:
                    start_workers(worker_class, crews[phase])
                    done.append(
                        storm_round(
                            phase,
                            key,
                            settings,
                            redis,
                            data,
                            urls,
                            secret,
                            max(1, storm_n // storm_rounds),
                            storm_seed,
                            client_procs,
                            threads,
                        )
                    )
                if done:
                    began = time.perf_counter()
                    differences = reconcile_differences(settings, redis)
                    spent = time.perf_counter() - began
                    for phase, crew in crews.items():
                        mine = [r for r in done if r["phase"] == phase]
                        storms[phase] = summary(crew, mine, differences, spent)
                start_workers("fork", workers)  # the baseline runs on RQ's default worker
                baseline = baseline_phase(
                    settings, redis, data, ws_base, baseline_n, baseline_seconds
                )
            floor = floor_phase(settings, data, orders)
            database = "postgresql" if settings.database_url else "sqlite"
            _cleanup(redis, data)
        finally:
            redis.close()
    result: dict[str, Any] = {
        **{k: batched[k] for k in ("orders", "accepted_per_s", "processed_per_s", "lag_p99_ms")},
        "stored": batched["stored"],
        "aggregated": batched["aggregated"],
        "database": database,
        "web_processes": web_processes,
        "workers": workers,
        "worker_class": worker_class,
        "inbox_limit": load_settings().inbox_limit,  # the web processes read the same env
        "client_processes": client_procs,
        "client_threads": threads,
        "storm_workers": crew_n,
        "batched": batched,
        "one_per_request": single,
        **storms,
        "baseline": baseline,
        "floor": floor,
    }
    base = baseline["processed_per_s"]
    ratios: dict[str, Any] = {
        "batched_vs_baseline": ratio(batched["processed_per_s"], base),
        "batched_vs_floor": ratio(batched["processed_per_s"], floor["inserted_per_s"]),
        "one_per_request_vs_baseline": ratio(single["processed_per_s"], base),
    }
    if storms:
        ratios["storm_n_vs_storm_1"] = ratio(
            storms["storm_n"]["processed_events_per_s"],
            storms["storm_1"]["processed_events_per_s"],
        )
        # Each pair of rounds side by side (one worker, N): the spread of the ratio.
        ratios["storm_n_vs_storm_1_by_pair"] = pair_ratios(done)
    result["ratios"] = ratios
    result["targets_met"] = {
        "batched_100x_baseline": (ratios["batched_vs_baseline"] or 0) >= 100,
        "batched_half_floor": (ratios["batched_vs_floor"] or 0) >= 0.5,
        "one_per_request_30x_baseline": (ratios["one_per_request_vs_baseline"] or 0) >= 30,
        "lag_p99_le_1000ms": all(
            (p["lag_p99_ms"] or float("inf")) <= 1000 for p in (batched, single)
        ),
        "stored_eq_aggregated_eq_orders": all(
            p["stored"] == p["aggregated"] == p.get("applied", p["orders"])
            for p in (batched, single, baseline)
        ),
        "exact_every_phase": all(p["exact"] for p in (batched, single, *storms.values(), baseline)),
    }
    if storms:
        result["targets_met"]["storm_n_workers_not_slower_than_1"] = (
            ratios["storm_n_vs_storm_1"] or 0
        ) >= 1.0
    return result


def failed_jobs(redis: Any) -> set[str]:
    """The jobs in RQ's failed registries of the workers' queues."""
    from rq import Queue
    from rq.registry import FailedJobRegistry

    ids: set[str] = set()
    for name in ("orders", "imports", "default"):
        registry = FailedJobRegistry(queue=Queue(name, connection=redis))
        ids.update(f"{name}/{job_id}" for job_id in registry.get_job_ids())
    return ids


def _cleanup(redis: Any, data: Seed) -> None:
    """The bench's own live counters and dashboard marks (the DB goes with its schema)."""
    from live.sales.pipeline.counters import CAMPAIGN, DIRTY, DIRTY_CAMPAIGNS, SESSION

    keys = [f"{CAMPAIGN}{c.id}" for c in data.campaigns.values()]
    sessions = [sid for c in data.campaigns.values() for sid in c.session_ids]
    keys += [f"{SESSION}{sid}" for sid in sessions]
    redis.delete(*keys)
    if sessions:
        redis.srem(DIRTY, *sessions)
    redis.srem(DIRTY_CAMPAIGNS, *(c.id for c in data.campaigns.values()))


def _ms(value: float) -> float | None:
    return None if value != value or value == float("inf") else round(value, 1)


def main(args: Any) -> int:
    # Stopped from outside: still stop the servers and drop the bench's schema.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    result = run(
        args.orders,
        per_request=args.per_request,
        baseline_orders=args.baseline_orders,
        workers=args.workers,
        worker_class=args.worker_class,
        web_processes=args.web_processes,
        client_procs=args.client_procs,
        threads=args.threads,
        baseline_seconds=args.baseline_seconds,
        storm_orders=args.storm_orders,
        storm_workers=args.storm_workers,
        storm_seed=args.storm_seed,
        storm_rounds=args.storm_rounds,
    )
    print(json.dumps(result, ensure_ascii=False) if args.json else bench_report(result))
    return 0 if all(result["targets_met"].values()) else 1
