"""The production shape, for real: one `sieulive serve`, two `sieulive worker` processes, a
storm of orders over signed HTTP, one worker killed with SIGKILL mid-storm and replaced — and
every figure exact afterwards.

The storm (`live/bench/storm.py`, seeded) has several lines an order, each event delivered
1–3 times, shuffled, in requests of 1–100 events; the cancellations of ~5 % of orders sent and
applied before anything else (cancel before create); then the rest from several client
threads (429s retried as platforms do); then copies of earlier created/paid events sent once
everything else is applied (late low-rank). Afterwards: order rows, line rows (no doubles),
each order's state and session, the aggregates per session, product and province, the Redis
live counters, the API's figures, the event log (`order_events`, one row per distinct event),
RQ's failed registry and a clean `reconcile`.

PostgreSQL (TEST_DATABASE_URL) is the production shape; on SQLite and the embedded Redis the
same test runs with a smaller storm. Every wait has a deadline and fails with the processes'
logs; nothing asserts a duration.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rq import Queue, Worker
from rq.registry import FailedJobRegistry
from sqlalchemy import func, select

from live.bench.storm import FIGURES, SessionSpec, Storm, make_storm
from live.catalog.models import Product
from live.db import Database
from live.sales.intake import inbox
from live.sales.models import Attribution, Order, OrderLine, SalesTotal
from live.sales.pipeline import counters
from live.sales.pipeline.reconcile import reconcile
from live.sales.tools.client import Http, post_events
from live.settings import Settings
from tests import factories
from tests.conftest import PG_URL, WEBHOOK_SECRET
from tests.hub.test_processes import free_port

PLATFORM = "tiktok_shop"
ORDERS = 3000 if PG_URL else 2000
SENDERS = 3
SESSIONS = 4
PRODUCTS_PER_SESSION = 4
QUEUES = ("orders", "imports", "default")


# --- processes -------------------------------------------------------------------------------


class Cluster:
    """The real processes on the test's database and Redis, each logging to its own file, each
    in its own process group (SIGKILL of the group takes everything it started with it)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.folder = settings.data_dir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.web: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("SIEULIVE_") and k not in ("DATABASE_URL", "REDIS_URL")
        }
        env.update(
            DATABASE_URL=settings.effective_database_url,
            REDIS_URL=settings.redis_url or "",
            SIEULIVE_DATA_DIR=str(settings.data_dir),
            SIEULIVE_WEBHOOK_SECRET_DEFAULT=WEBHOOK_SECRET,
            # Smaller batches than the default 500: more of them, more overlap between workers.
            SIEULIVE_ORDER_BATCH_SIZE="200",
            PYTHONUNBUFFERED="1",
        )
        self.env = env

    def _spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        path = self.folder / f"{name}.log"
        self.logs.append(path)
        log = open(path, "ab")  # noqa: SIM115 - the child owns it
        try:
            return subprocess.Popen(
                [sys.executable, "-m", "live.cli", *args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()

    def start_web(self) -> None:
        self.web = self._spawn("web", "serve", "--port", str(self.port), "--log-level", "warning")
        http = Http(self.base, timeout=2)
        try:
            self.wait(
                "the web process answers /healthz",
                lambda: _healthy(http),
                timeout=40,
            )
        finally:
            http.close()

    def start_worker(self) -> subprocess.Popen[bytes]:
        proc = self._spawn(f"worker-{len(self.workers) + 1}", "worker")
        self.workers.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL its whole process group: no cleanup, no goodbye."""
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop(self) -> None:
        procs = [p for p in [*self.workers, self.web] if p is not None]
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        for proc in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.kill(proc)

    def dump(self) -> str:
        parts = []
        for proc in [self.web, *self.workers]:
            if proc is not None and proc.poll() is not None:
                parts.append(f"pid {proc.pid} exited with {proc.returncode}")
        for path in self.logs:
            text = path.read_text(errors="replace") if path.exists() else "(no log)"
            # SQL errors print whole parameter sets: the last lines, each cut short.
            tail = [line[:300] for line in text.splitlines()[-40:]]
            parts.extend([f"----- {path.name} (last 40 lines) -----", *tail])
        return "\n".join(parts)

    def wait(
        self,
        what: str,
        check: Callable[[], bool],
        timeout: float,
        detail: Callable[[], str] = lambda: "",
    ) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.1)
        raise AssertionError(f"not within {timeout:.0f} s: {what}\n{detail()}\n{self.dump()}")


def _healthy(http: Http) -> bool:
    try:
        return http.get_json("/healthz")[0] == 200
    except OSError:
        http.close()
        return False


@pytest.fixture
def cluster(settings: Settings) -> Iterator[Cluster]:
    running = Cluster(settings)
    try:
        yield running
    finally:
        running.stop()


# --- the scene -------------------------------------------------------------------------------


def seed_sessions(db: Database) -> tuple[int, dict[str, int], list[SessionSpec]]:
    """A campaign of four sessions, each selling four products at live prices; one product
    is sold by the first two sessions (a line goes to the session its code names)."""
    with db.unit_of_work() as s:
        campaign = factories.campaign(s)
        shared = factories.product(s, live_price=79_000)
        session_ids: dict[str, int] = {}
        specs = []
        for n in range(SESSIONS):
            products = [
                factories.product(s, live_price=25_000 + 15_000 * n + 5_000 * k)
                for k in range(PRODUCTS_PER_SESSION - (1 if n < 2 else 0))
            ]
            if n < 2:
                products.append(shared)
            row = factories.session(
                s,
                campaign_id=campaign.id,
                segments=[
                    {"kind": "product", "planned_seconds": 600, "product_id": p.id}
                    for p in products
                ],
            )
            session_ids[row.code] = row.id
            specs.append(
                SessionSpec(
                    row.code,
                    tuple((p.sku, p.live_price) for p in products),
                    channel=row.channel,
                )
            )
        return campaign.id, session_ids, specs


# --- sending ---------------------------------------------------------------------------------


class Senders:
    """Client threads, each on its own kept-alive connection, posting bodies in turn."""

    def __init__(self, base: str, bodies: list[list[dict[str, Any]]], threads: int) -> None:
        self.base = base
        self.bodies = bodies
        self.next = 0
        self.sent = 0
        self.lock = threading.Lock()
        self.errors: list[str] = []
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def start(self) -> Senders:
        for thread in self.threads:
            thread.start()
        return self

    def _run(self) -> None:
        http = Http(self.base, timeout=30)
        try:
            while True:
                with self.lock:
                    if self.next >= len(self.bodies) or self.errors:
                        return
                    body = self.bodies[self.next]
                    self.next += 1
                status, answer = post_events(
                    http, PLATFORM, WEBHOOK_SECRET, {"events": body}, retry_for=60
                )
                with self.lock:
                    if status != 202 or answer != {"accepted": len(body)}:
                        self.errors.append(f"{status}: {answer!r}"[:500])
                    self.sent += 1
        except Exception as exc:  # reported by the test, not lost in a thread
            with self.lock:
                self.errors.append(repr(exc))
        finally:
            http.close()

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.1, deadline - time.monotonic()))

    @property
    def alive(self) -> bool:
        return any(t.is_alive() for t in self.threads)


def send_all(cluster: Cluster, bodies: list[list[dict[str, Any]]], what: str) -> None:
    senders = Senders(cluster.base, bodies, 1).start()
    senders.join(timeout=90)
    assert not senders.alive, f"{what}: still sending after 90 s\n{cluster.dump()}"
    assert not senders.errors, f"{what}: {senders.errors[:5]}\n{cluster.dump()}"
    assert senders.sent == len(bodies)


def queue_health(http: Http, token: str) -> dict[str, Any]:
    status, answer = http.get_json("/api/queues", token)
    assert status == 200, answer
    return dict(answer)


def wait_applied(cluster: Cluster, token: str, what: str, timeout: float = 120) -> None:
    """Until the inbox is empty and no batch is in flight, twice in a row (every event sent
    got its 202 before this is called, so nothing can come back)."""
    http = Http(cluster.base, timeout=10)
    quiet = [0]
    last: dict[str, Any] = {}

    def drained() -> bool:
        last.update(queue_health(http, token))
        box = last["inbox"]
        quiet[0] = quiet[0] + 1 if box["depth"] == 0 and box["batches_in_flight"] == 0 else 0
        return quiet[0] >= 2

    def health() -> str:
        queues = [
            {
                **{k: q[k] for k in ("name", "depth", "started", "scheduled", "failed")},
                "errors": sorted({j["error"][:200] for j in q["failed_jobs"]}),
            }
            for q in last.get("queues", [])
        ]
        return f"inbox: {last.get('inbox')}\nqueues: {json.dumps(queues)[:2000]}"

    try:
        cluster.wait(f"{what}: inbox drained, no batch in flight", drained, timeout, health)
    finally:
        http.close()


def foreign_workers(redis: Any, cluster: Cluster) -> list[str]:
    """RQ workers on this Redis database that are not ours: another run shares it, takes our
    jobs and gives us its own (TEST_REDIS_URL=redis://…/N gives test process k database N+k,
    so two runs with the same N collide)."""
    ours = {p.pid for p in cluster.workers}
    return [f"{w.name} (pid {w.pid})" for w in Worker.all(connection=redis) if w.pid not in ours]


def holds_batch(redis: Any, pid: int) -> bool:
    """A batch in flight is leased to the worker process `pid` (the drain runs in the worker
    process itself: `sieulive worker` is a simple worker)."""
    return any(
        b["worker_alive"] and str(b["worker"] or "").endswith(f":{pid}")
        for b in inbox.Inbox(redis).batches()
    )


def rq_worker(redis: Any, pid: int) -> Any:
    for worker in Worker.all(connection=redis):
        if worker.pid == pid:
            return worker
    return None


# --- what must be true -----------------------------------------------------------------------


def _sample(items: dict[Any, Any], n: int = 5) -> str:
    return ", ".join(f"{k}: {v}" for k, v in list(items.items())[:n])


def check_database(
    db: Database, storm: Storm, session_ids: dict[str, int], problems: list[str]
) -> None:
    code_of = {sid: code for code, sid in session_ids.items()}
    with db.reading() as s:
        orders = {
            r.platform_order_id: r
            for r in s.execute(
                select(
                    Order.platform,
                    Order.platform_order_id,
                    Order.state,
                    Order.session_id,
                    Order.attribution,
                    Order.rehearsal,
                )
            )
        }
        order_rows = s.scalar(select(func.count()).select_from(Order))
        line_rows = s.execute(
            select(
                Order.platform_order_id,
                OrderLine.sku,
                OrderLine.quantity,
                OrderLine.unit_price,
                OrderLine.product_id,
                OrderLine.oversold,
            ).join(Order, Order.id == OrderLine.order_id)
        ).all()
        line_count = s.scalar(select(func.count()).select_from(OrderLine))
        sku_of = dict(s.execute(select(Product.id, Product.sku)).all())
        grains = s.execute(
            select(
                SalesTotal.session_key,
                SalesTotal.product_id,
                SalesTotal.province,
                *(func.sum(getattr(SalesTotal, name)) for name in FIGURES),
            ).group_by(SalesTotal.session_key, SalesTotal.product_id, SalesTotal.province)
        ).all()

    # Orders: exactly the storm's, one row each, in the right state and session.
    if order_rows != len(storm.orders):
        problems.append(f"{order_rows} order rows for {len(storm.orders)} orders sent")
    missing = sorted(set(storm.orders) - set(orders))
    if missing:
        problems.append(f"{len(missing)} orders missing: {missing[:10]}")
    unknown = sorted(set(orders) - set(storm.orders))
    if unknown:
        problems.append(f"{len(unknown)} orders nobody sent: {unknown[:10]}")
    wrong_state = {
        oid: f"{row.state.value}, not {storm.orders[oid].state} {storm.orders[oid].events}"
        for oid, row in orders.items()
        if oid in storm.orders and row.state.value != storm.orders[oid].state
    }
    if wrong_state:
        problems.append(f"{len(wrong_state)} orders in the wrong state: {_sample(wrong_state)}")
    wrong_session = {
        oid: f"{code_of.get(row.session_id)} by {row.attribution.value}, not "
        f"{storm.orders[oid].live_code} (rehearsal {row.rehearsal}, {row.platform})"
        for oid, row in orders.items()
        if oid in storm.orders
        and (
            code_of.get(row.session_id) != storm.orders[oid].live_code
            or row.attribution is not Attribution.code
            or row.rehearsal
            or row.platform != PLATFORM
        )
    }
    if wrong_session:
        problems.append(f"{len(wrong_session)} orders misattributed: {_sample(wrong_session)}")

    # Lines: each order's lines once, none doubled, none missing, none oversold, each product
    # found by its SKU.
    if line_count != storm.lines:
        problems.append(f"{line_count} line rows for {storm.lines} lines sent")
    lines: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    misplaced = {}
    for oid, sku, quantity, price, product_id, oversold in line_rows:
        lines[oid].append((sku, quantity, price))
        if product_id is None or sku_of[product_id] != sku or oversold:
            misplaced[f"{oid}/{sku}"] = f"product {product_id}, oversold {oversold}"
    if misplaced:
        problems.append(f"{len(misplaced)} lines misplaced: {_sample(misplaced)}")
    wrong_lines = {}
    for oid, truth in storm.orders.items():
        want = sorted((line.sku, line.quantity, line.unit_price) for line in truth.lines)
        have = sorted(lines.get(oid, []))
        if have != want:
            wrong_lines[oid] = f"{have}, not {want}"
    if wrong_lines:
        doubled = sum(
            1 for oid in wrong_lines if len(lines.get(oid, [])) > len(storm.orders[oid].lines)
        )
        problems.append(
            f"{len(wrong_lines)} orders with wrong lines ({doubled} with more lines than sent): "
            f"{_sample(wrong_lines, 3)}"
        )

    # Aggregates at the grain (session, product, buyer province), segments summed.
    stored = {
        (code_of.get(session_key, f"session {session_key}"), sku_of[product_id], province): [
            int(v) for v in values
        ]
        for session_key, product_id, province, *values in grains
        if any(values)
    }
    want_grains = storm.grains()
    differ = {
        grain: f"{stored.get(grain)}, not {want_grains.get(grain)}"
        for grain in sorted(stored.keys() | want_grains.keys())
        if stored.get(grain) != want_grains.get(grain)
    }
    if differ:
        problems.append(
            f"{len(differ)} of {len(want_grains)} aggregate rows (session, SKU, province) differ "
            f"({', '.join(FIGURES)}): {_sample(differ, 3)}"
        )


def check_event_log(db: Database, storm: Storm, problems: list[str]) -> None:
    """Issue 7 keeps every distinct event (order_events): exactly the storm's, once each."""
    with db.reading() as s:
        if not sa.inspect(s.connection()).has_table("order_events"):
            problems.append("no order_events table (the event log of issue 7)")
            return
        count = s.scalar(sa.text("SELECT count(*) FROM order_events"))
    if count != storm.distinct_events:
        problems.append(f"{count} events kept for {storm.distinct_events} distinct events sent")


def check_counters(
    redis: Any, storm: Storm, session_ids: dict[str, int], campaign: int, problems: list[str]
) -> None:
    for code, truth in storm.sessions.items():
        have = counters.read(redis, f"{counters.SESSION}{session_ids[code]}")
        if have != truth.counters():
            problems.append(f"live counters of {code}: {have}, not {truth.counters()}")
    have = counters.read(redis, f"{counters.CAMPAIGN}{campaign}")
    if have != storm.totals().counters():
        problems.append(f"the campaign's live counters: {have}, not {storm.totals().counters()}")


def check_api(
    http: Http,
    token: str,
    storm: Storm,
    session_ids: dict[str, int],
    campaign: int,
    problems: list[str],
) -> None:
    status, answer = http.get_json(f"/api/campaigns/{campaign}/sales", token)
    assert status == 200, answer
    rows = {row["code"]: row for row in answer["sessions"]}
    assert set(rows) == set(storm.sessions)
    for code, truth in storm.sessions.items():
        want = {**truth.figures(), "orders": truth.orders}
        got = {name: rows[code][name] for name in want}
        if got != want:
            problems.append(f"GET /api/campaigns/{campaign}/sales, {code}: {got}, not {want}")
        status, report = http.get_json(f"/api/sessions/{session_ids[code]}/sales", token)
        assert status == 200, report
        got = {**report["totals"], "orders": report["orders"]}
        if got != want:
            problems.append(f"GET /api/sessions/{session_ids[code]}/sales: {got}, not {want}")
    total = storm.totals()
    want = {**total.figures(), "orders": total.orders}
    if answer["totals"] != want:
        problems.append(f"the campaign's totals: {answer['totals']}, not {want}")


def check_failed_jobs(redis: Any, killed_worker: str | None, problems: list[str]) -> None:
    """Nothing failed — a conflict is retried inside the job — except, perhaps, the drain the
    killed worker abandoned."""
    for name in QUEUES:
        queue = Queue(name, connection=redis)
        for job_id in FailedJobRegistry(queue=queue).get_job_ids():
            job = queue.fetch_job(job_id)
            result = job.latest_result() if job is not None else None
            error = (result.exc_string or "") if result is not None else ""
            if (
                job is not None
                and "AbandonedJobError" in error
                and job.worker_name == killed_worker
            ):
                continue
            last = error.strip().splitlines()[-1:] or ["?"]
            problems.append(f"RQ failed registry: {name}/{job_id}: {last[0][:300]}")


# --- the test --------------------------------------------------------------------------------


@pytest.mark.usefixtures("alone_with_the_heaviest")
def test_a_storm_through_real_web_and_workers_with_a_worker_killed_is_exact(
    cluster: Cluster, db: Database, redis: Any, tokens: dict[str, str]
) -> None:
    campaign, session_ids, specs = seed_sessions(db)
    storm = make_storm(specs, ORDERS, seed=20_241_126, platform=PLATFORM, prefix="SW")
    token = tokens["producer"]
    cluster.start_web()
    first = cluster.start_worker()
    cluster.start_worker()

    # 1. Cancellations before their orders exist, applied before anything else.
    send_all(cluster, storm.early, "early cancellations")
    wait_applied(cluster, token, "early cancellations", timeout=60)

    # 2. The storm from several clients; one worker killed mid-storm, a replacement started.
    senders = Senders(cluster.base, storm.main, SENDERS).start()
    cluster.wait(
        "a third of the storm sent",
        lambda: senders.sent >= len(storm.main) // 3 or not senders.alive,
        timeout=90,
    )
    # Kill it while it holds a batch (its lease names its pid), so the batch must be taken
    # again; if it holds none within 20 s, kill it anyway (mid-storm all the same).
    victim = rq_worker(redis, first.pid)
    mid_batch = False
    deadline = time.monotonic() + 20
    while not mid_batch and time.monotonic() < deadline and senders.alive:
        mid_batch = holds_batch(redis, first.pid)
        if not mid_batch:
            time.sleep(0.005)
    cluster.kill(first)
    killed_name = victim.name if victim is not None else None
    print(f"worker {first.pid} killed {'holding' if mid_batch else 'not holding'} a batch")
    cluster.start_worker()
    senders.join(timeout=120)
    assert not senders.alive, f"the storm is still being sent after 120 s\n{cluster.dump()}"
    assert not senders.errors, f"requests refused: {senders.errors[:5]}\n{cluster.dump()}"
    assert senders.sent == len(storm.main)
    wait_applied(cluster, token, "the storm", timeout=90)

    # 3. Late copies of low-rank events, after the higher statuses: they change nothing.
    send_all(cluster, storm.late, "late low-rank events")
    wait_applied(cluster, token, "late low-rank events", timeout=60)

    problems: list[str] = []
    strangers = foreign_workers(redis, cluster)
    if strangers:
        problems.append(
            f"THE REDIS DATABASE IS SHARED with another run's workers {strangers}: they take "
            "this test's jobs and bring their own; nothing below can be trusted. Use another "
            "TEST_REDIS_URL database."
        )
    check_database(db, storm, session_ids, problems)
    check_event_log(db, storm, problems)
    check_counters(redis, storm, session_ids, campaign, problems)
    http = Http(cluster.base, timeout=30)
    try:
        check_api(http, token, storm, session_ids, campaign, problems)
        box = queue_health(http, token)["inbox"]
    finally:
        http.close()
    print(f"requests refused with 429 and retried: {box.get('throttled_requests')}")
    if box["dead_events"]:
        problems.append(f"dead-lettered events: {box}")
    check_failed_jobs(redis, killed_name, problems)
    report = reconcile(db, redis, repair=False)
    if not report.clean:
        problems.append(f"reconcile --check is not clean: {report.__dict__!r:.3000}")
    assert not problems, (
        f"{len(storm.orders)} orders, {storm.distinct_events} distinct events, "
        f"{storm.deliveries} deliveries; the worker was killed holding a batch: {mid_batch}\n"
        + "\n".join(problems)
    )
