"""The storm phases of `sieulive bench orders`: the production storm's shape, checked exactly.

`live/bench/storm.py` (`make_storm`) builds a seeded storm and its ground truth: 1–4 lines an
order, a lifecycle of several distinct events each (created, paid, delivered, returned,
cancelled), each event delivered 1–3 times, shuffled, in requests of 1–100 events; the
cancellations of ~5 % of orders in an `early` list; copies of earlier low-rank events in a
`late` list. A phase sends it as a platform would, over signed HTTP to the real web process:

1. `early`, from one connection, then waits until it is applied (cancel before create);
2. `main`, from the client processes as fast as they can (429s retried) — the timed part;
3. `late`, once everything else is applied (a late `created`/`paid` after `cancelled`).

Then it compares every figure with the ground truth (`check`): order rows, line rows (each
order's lines, none doubled), each order's state and session, the aggregates per session,
product and province (`sales_totals`), the Redis live counters of every session and of the
campaign, the distinct events kept in `order_events`, RQ's failed registry, the dead-letter
list; once every round is done, `reconcile(repair=False)` over the whole DB.

The same storm (same seed, same shape; each round its own campaign and order ids) runs in
rounds, on one worker and on N in the Thue–Morse order — 1, N, N, 1, N, 1, 1, N … (`schedule`).
A shared machine drifts over minutes; in that order a steady drift, and a curving one, weigh
on both worker counts alike, and each pair of rounds (1 and N side by side) gives a ratio of
its own, so the spread shows how far to trust the overall one.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import defaultdict
from typing import Any

from live.bench.harness import rate
from live.bench.orders import PLATFORM, PRICE, Campaign, Seed, failed_jobs, send_bodies
from live.bench.storm import FIGURES, SessionSpec, Storm, make_storm
from live.settings import Settings

DRAIN_TIMEOUT = 300  # seconds a part of the storm may take to be applied after its last 202


def specs(campaign: Campaign, skus: list[str]) -> list[SessionSpec]:
    """The campaign's sessions as the storm names them: each sells every bench product, at
    prices that differ by SKU (so revenue figures check more than units)."""
    lineup = tuple((sku, PRICE + 1_000 * i) for i, sku in enumerate(skus))
    return [SessionSpec(code, lineup) for code in campaign.codes]


def build(campaign: Campaign, skus: list[str], orders: int, prefix: str, seed: int) -> Storm:
    return make_storm(specs(campaign, skus), orders, seed=seed, platform=PLATFORM, prefix=prefix)


def client_process(
    urls: list[str],
    secret: str,
    storm_args: tuple[Campaign, list[str], int, str, int],
    part: int,
    parts: int,
    threads: int,
    ready: Any,
    go: Any,
    results: Any,
) -> None:
    """Build the same storm again (it is deterministic: nothing big crosses the process
    boundary), take every `parts`-th body of its main part and send them."""
    from live.sales.tools.client import encode

    storm = build(*storm_args)
    bodies = [(len(body), encode({"events": body})) for body in storm.main[part::parts]]
    ready.set()
    go.wait()
    results.put(send_bodies(urls, secret, bodies, threads))


def send_serially(url: str, secret: str, bodies: list[list[dict[str, Any]]]) -> tuple[int, int]:
    """Post bodies one after the other on one connection, 429s retried; (refused, 429s)."""
    from live.sales.tools.client import encode

    done = send_bodies([url], secret, [(len(b), encode({"events": b})) for b in bodies], 1)
    refused = sum(count for _t, count, status, _ in done if status != 202)
    return refused, sum(t for *_, t in done)


def idle(redis: Any) -> bool:
    """Nothing waits in the inbox and no batch is in flight (read together). A batch leaves
    the in-flight set only after its commit and its live counters."""
    from live.sales.intake import inbox

    pipe = redis.pipeline(transaction=True)
    pipe.llen(inbox.INBOX)
    pipe.zcard(inbox.IN_FLIGHT)
    depth, flying = pipe.execute()
    return int(depth) == 0 and int(flying) == 0


def wait_idle(redis: Any, timeout: float = DRAIN_TIMEOUT) -> float | None:
    """When the pipeline had applied everything accepted so far; None past the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if idle(redis):
            return time.time()
        time.sleep(0.005)
    return None


def schedule(per_phase: int) -> list[tuple[str, str]]:
    """(phase, round) in the Thue–Morse order: `per_phase` rounds on one worker and as many on
    N, each consecutive pair one of each. Round keys name the rounds' campaigns."""
    order: list[tuple[str, str]] = []
    done = {"storm_1": 0, "storm_n": 0}
    for i in range(2 * per_phase):
        phase = "storm_n" if bin(i).count("1") % 2 else "storm_1"
        order.append((phase, f"{phase}_{done[phase] + 1}"))
        done[phase] += 1
    return order


def pair_ratios(done: list[dict[str, Any]]) -> list[float | None]:
    """N workers' rate over one worker's, for each consecutive pair of rounds."""
    ratios: list[float | None] = []
    for first, second in zip(done[::2], done[1::2], strict=False):
        by = {r["phase"]: rate(r["main_events"], r["seconds"]) for r in (first, second)}
        one, many = by.get("storm_1"), by.get("storm_n")
        ratios.append(round(many / one, 2) if one and many else None)
    return ratios


def storm_round(
    phase: str,
    key: str,
    settings: Settings,
    redis: Any,
    data: Seed,
    urls: list[str],
    secret: str,
    orders: int,
    seed: int,
    client_procs: int,
    threads: int,
) -> dict[str, Any]:
    """One storm, sent and checked (everything but `reconcile`, run once after every round)."""
    from live.sales.intake import inbox

    campaign = data.campaigns[key]
    prefix = key.removeprefix("storm_").upper() + "-"  # 1_1-, N_1-, …
    storm_args = (campaign, data.skus, orders, prefix, seed)
    storm = build(*storm_args)
    failed_before = failed_jobs(redis)
    dead_before = int(redis.llen(inbox.DEAD))

    # 1. Cancellations of orders that don't exist yet, applied before anything else.
    refused, throttled = send_serially(urls[0], secret, storm.early)
    early_idle = wait_idle(redis)

    # 2. The storm proper, from the client processes: the timed part.
    ctx = multiprocessing.get_context("spawn")
    results: Any = ctx.Queue()
    go = ctx.Event()
    readies = [ctx.Event() for _ in range(client_procs)]
    procs = [
        ctx.Process(
            target=client_process,
            args=(urls, secret, storm_args, p, client_procs, threads, readies[p], go, results),
            daemon=True,
        )
        for p in range(client_procs)
    ]
    for p in procs:
        p.start()
    for r in readies:
        r.wait(timeout=120)
    time.sleep(0.3)
    started = time.time()
    go.set()
    sent: list[tuple[float, int, int, int]] = []
    for _ in procs:
        sent += results.get(timeout=900)
    for p in procs:
        p.join(timeout=30)
    processed_at = wait_idle(redis)
    batches, batched_events = batches_between(settings, started, processed_at)
    refused += sum(count for _t, count, status, _ in sent if status != 202)
    throttled += sum(t for *_, t in sent)
    last_accept = max((t for t, *_ in sent), default=started)

    # 3. Late copies of low-rank events, after the higher statuses: they must change nothing.
    late_refused, late_throttled = send_serially(urls[0], secret, storm.late)
    refused += late_refused
    throttled += late_throttled
    late_idle = wait_idle(redis)

    checked = time.perf_counter()
    expected, found = check(settings, redis, storm, campaign, prefix)
    found["failed_jobs"] = len(failed_jobs(redis) - failed_before)
    found["dead_events"] = int(redis.llen(inbox.DEAD)) - dead_before
    found["refused"] = refused
    found["not_applied_in_time"] = sum(
        1 for at in (early_idle, processed_at, late_idle) if at is None
    )
    return {
        "phase": phase,
        "round": key,
        "orders": orders,
        "lines": storm.lines,
        "distinct_events": storm.distinct_events,
        "deliveries": storm.deliveries,
        "early_events": sum(len(body) for body in storm.early),
        "main_events": sum(len(body) for body in storm.main),
        "main_requests": len(storm.main),
        "late_events": sum(len(body) for body in storm.late),
        "throttled": throttled,
        "accept_seconds": last_accept - started,
        "batches": batches,
        "batched_events": batched_events,
        "seconds": (processed_at - started) if processed_at else None,
        "check_seconds": time.perf_counter() - checked,
        "expected": expected,
        "found": found,
    }


def batches_between(settings: Settings, started: float, ended: float | None) -> tuple[int, int]:
    """Batches the workers committed in the timed part, and their events: how full the
    batches ran (each costs a fixed share of work whatever its size)."""
    from datetime import UTC, datetime

    from sqlalchemy import func, select

    from live.db import Database
    from live.sales.models import OrderBatch

    since = datetime.fromtimestamp(started, UTC)
    until = datetime.fromtimestamp(ended or time.time(), UTC)
    db = Database(settings)
    try:
        with db.reading() as s:
            count, events = s.execute(
                select(func.count(), func.coalesce(func.sum(OrderBatch.events), 0)).where(
                    OrderBatch.applied_at >= since, OrderBatch.applied_at <= until
                )
            ).one()
    finally:
        db.dispose()
    return int(count), int(events)


def summary(
    workers: int, rounds: list[dict[str, Any]], reconciled: int, reconcile_seconds: float
) -> dict[str, Any]:
    """A phase: its rounds added up. Rates are its events over its rounds' seconds; the
    reconcile count is the one `reconcile --check` after every round, over the whole DB."""
    total = {
        name: sum(r[name] for r in rounds)
        for name in (
            "orders",
            "lines",
            "distinct_events",
            "deliveries",
            "early_events",
            "main_events",
            "main_requests",
            "late_events",
            "throttled",
        )
    }
    expected: dict[str, int] = {"reconcile_differences": 0}
    found: dict[str, int] = {"reconcile_differences": reconciled}
    for r in rounds:
        for name, value in r["expected"].items():
            expected[name] = expected.get(name, 0) + value
        for name, value in r["found"].items():
            found[name] = found.get(name, 0) + value
    inexact = sorted(name for name in expected if found.get(name) != expected[name])
    timed = all(r["seconds"] for r in rounds)
    seconds = sum(r["seconds"] or 0 for r in rounds)
    accept = sum(r["accept_seconds"] for r in rounds)
    return {
        "workers": workers,
        **total,
        "accepted_events_per_s": rate(total["main_events"], accept),
        # The main part of each round, from its first request until the pipeline is idle.
        "processed_events_per_s": rate(total["main_events"], seconds) if timed else None,
        "processed_orders_per_s": rate(total["orders"], seconds) if timed else None,
        "seconds": round(seconds, 2) if timed else None,
        "rounds": [
            {
                "round": r["round"],
                "orders": r["orders"],
                "seconds": round(r["seconds"], 2) if r["seconds"] else None,
                "processed_events_per_s": rate(r["main_events"], r["seconds"]),
                "batches": r["batches"],
                "events_per_batch": rate(r["batched_events"], r["batches"]),
            }
            for r in rounds
        ],
        "check_seconds": round(sum(r["check_seconds"] for r in rounds), 2),
        "reconcile_seconds": round(reconcile_seconds, 2),
        "exact": not inexact,
        "inexact": inexact,
        "expected": expected,
        "found": found,
    }


def reconcile_differences(settings: Settings, redis: Any) -> int:
    """How many differences `sieulive reconcile --check` finds (every kind it reports)."""
    from live.db import Database
    from live.sales.pipeline.reconcile import reconcile

    db = Database(settings)
    try:
        report = reconcile(db, redis, repair=False)
    finally:
        db.dispose()
    total = sum(len(value) for value in vars(report).values() if isinstance(value, list))
    return total if total or report.clean else 1


def check(
    settings: Settings, redis: Any, storm: Storm, campaign: Campaign, prefix: str
) -> tuple[dict[str, int], dict[str, int]]:
    """(expected, found): every count the ground truth fixes, read from the DB and Redis.
    Counts of wrong things are expected to be 0."""
    from sqlalchemy import func, select

    from live.catalog.models import Product
    from live.db import Database
    from live.sales.models import Attribution, Order, OrderLine, SalesTotal
    from live.sales.models import OrderEvent as KeptEvent
    from live.sales.pipeline import counters

    session_of = dict(zip(campaign.codes, campaign.session_ids, strict=True))
    code_of = {sid: code for code, sid in session_of.items()}
    pattern = f"{prefix}%"
    db = Database(settings)
    try:
        with db.reading() as s:
            rows = s.execute(
                select(
                    Order.platform_order_id,
                    Order.state,
                    Order.session_id,
                    Order.attribution,
                    Order.rehearsal,
                ).where(Order.platform == storm.platform, Order.platform_order_id.like(pattern))
            ).all()
            line_rows = s.execute(
                select(
                    Order.platform_order_id,
                    OrderLine.sku,
                    OrderLine.quantity,
                    OrderLine.unit_price,
                    OrderLine.product_id,
                    OrderLine.oversold,
                )
                .join(Order, Order.id == OrderLine.order_id)
                .where(Order.platform == storm.platform, Order.platform_order_id.like(pattern))
            ).all()
            sku_of = dict(s.execute(select(Product.id, Product.sku)).all())
            grains = s.execute(
                select(
                    SalesTotal.session_key,
                    SalesTotal.product_id,
                    SalesTotal.province,
                    *(func.sum(getattr(SalesTotal, n)) for n in FIGURES),
                )
                .where(SalesTotal.session_key.in_(campaign.session_ids))
                .group_by(SalesTotal.session_key, SalesTotal.product_id, SalesTotal.province)
            ).all()
            kept = s.scalar(
                select(func.count())
                .select_from(KeptEvent)
                .where(KeptEvent.platform == storm.platform, KeptEvent.order_id.like(pattern))
            )
    finally:
        db.dispose()

    truth = storm.orders
    states_wrong = sum(
        1
        for r in rows
        if r.platform_order_id in truth and r.state.value != truth[r.platform_order_id].state
    )
    sessions_wrong = sum(
        1
        for r in rows
        if r.platform_order_id in truth
        and (
            code_of.get(r.session_id) != truth[r.platform_order_id].live_code
            or r.attribution is not Attribution.code
            or r.rehearsal
        )
    )
    per_session: dict[str, int] = defaultdict(int)
    for r in rows:
        per_session[code_of.get(r.session_id, "")] += 1
    session_orders_wrong = sum(
        1 for code, want in storm.sessions.items() if per_session.get(code, 0) != want.orders
    )
    lines: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    misplaced = 0
    for oid, sku, quantity, price, product_id, oversold in line_rows:
        lines[oid].append((sku, quantity, price))
        if oversold or product_id is None or sku_of.get(product_id) != sku:
            misplaced += 1
    lines_wrong = misplaced + sum(
        1
        for oid, order in truth.items()
        if sorted(lines.get(oid, ()))
        != sorted((line.sku, line.quantity, line.unit_price) for line in order.lines)
    )

    # Aggregates at the grain (session, product, province), segments summed; and per session.
    want_grains = storm.grains()
    have_grains = {
        (code_of[session_key], sku_of[product_id], province): [int(v) for v in values]
        for session_key, product_id, province, *values in grains
        if any(values)
    }
    grains_wrong = sum(
        1
        for grain in want_grains.keys() | have_grains.keys()
        if want_grains.get(grain) != have_grains.get(grain)
    )
    have_sessions: dict[str, list[int]] = defaultdict(lambda: [0] * len(FIGURES))
    for (code, _sku, _province), values in have_grains.items():
        have_sessions[code] = [a + b for a, b in zip(have_sessions[code], values, strict=True)]
    session_totals_wrong = sum(
        1
        for code, want in storm.sessions.items()
        if have_sessions[code] != [want.counters()[n] for n in FIGURES]
    )

    counters_wrong = sum(
        1
        for code, want in storm.sessions.items()
        if counters.read(redis, f"{counters.SESSION}{session_of[code]}") != want.counters()
    )
    if counters.read(redis, f"{counters.CAMPAIGN}{campaign.id}") != storm.totals().counters():
        counters_wrong += 1

    expected = {
        "orders": len(truth),
        "lines": storm.lines,
        "events_kept": storm.distinct_events,
        "states_wrong": 0,
        "sessions_wrong": 0,
        "session_orders_wrong": 0,
        "orders_with_wrong_lines": 0,
        "aggregate_rows_wrong": 0,
        "session_totals_wrong": 0,
        "live_counters_wrong": 0,
        "failed_jobs": 0,
        "dead_events": 0,
        "refused": 0,
        "not_applied_in_time": 0,
    }
    found = {
        "orders": len(rows),
        "lines": len(line_rows),
        "events_kept": int(kept or 0),
        "states_wrong": states_wrong,
        "sessions_wrong": sessions_wrong,
        "session_orders_wrong": session_orders_wrong,
        "orders_with_wrong_lines": lines_wrong,
        "aggregate_rows_wrong": grains_wrong,
        "session_totals_wrong": session_totals_wrong,
        "live_counters_wrong": counters_wrong,
    }
    return expected, found
