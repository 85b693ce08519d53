"""Nothing lost, nothing counted twice: a worker killed mid-batch, and reconcile."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from live.sales.intake import inbox
from live.sales.models import Order, SalesTotal
from live.sales.pipeline.reconcile import reconcile
from live.settings import Settings
from tests.sales.conftest import event, post_events
from tests.sales.pipeline.test_processing import AT, code, skus, totals
from tests.sales.scene import build_sales_scene


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Every order queued before a worker starts: more than the inbox's default limit.
    return settings.with_overrides(inbox_limit=10_000)


def _worker(settings: Settings, *args: str) -> subprocess.Popen[bytes]:
    log = open(settings.data_dir / "worker.log", "ab")  # noqa: SIM115 - the child owns it
    env = {
        **os.environ,
        "DATABASE_URL": settings.effective_database_url,
        "REDIS_URL": settings.redis_url or "",
        "SIEULIVE_DATA_DIR": str(settings.data_dir),
    }
    # Its own process group, so SIGKILL takes the RQ work horse (the forked child running the
    # batch) down with the worker.
    return subprocess.Popen(
        [sys.executable, "-m", "live.cli", "worker", *args],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def test_a_worker_killed_mid_batch_loses_nothing_and_counts_nothing_twice(
    client: Any, db: Any, redis: Any, settings: Settings, show_session: Any
) -> None:
    sku = skus(db, show_session)[0]
    live = code(db, show_session)
    orders = 3000
    for start in range(0, orders, 250):
        batch = [
            event("created", f"K{n:06d}", AT, [(sku, 1, 65_000)], live_code=live)
            for n in range(start, start + 250)
        ]
        # Every tenth delivery comes twice, as platforms do.
        assert post_events(client, {"events": batch + batch[::10]}).status_code == 202

    worker = _worker(settings)
    try:
        deadline = time.monotonic() + 60
        while not redis.zcard(inbox.IN_FLIGHT) and time.monotonic() < deadline:
            time.sleep(0.005)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # mid-batch: no cleanup, no goodbye
        worker.wait()
        killed_at = time.monotonic()
    assert redis.zcard(inbox.IN_FLIGHT) >= 1, "the killed worker's batch is still in flight"
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Order)) < orders

    # Its lease runs out by itself (no one renews it): the batch is anyone's within seconds.
    box = inbox.Inbox(redis)
    while not box.orphans() and time.monotonic() < killed_at + 30:
        time.sleep(0.1)
    orphaned_after = time.monotonic() - killed_at
    assert box.orphans() >= 1
    # The bound (10 s from death to reapplied) is the lease, not the machine's speed.
    assert orphaned_after <= inbox.LEASE_SECONDS + 3, orphaned_after
    restarted = _worker(settings, "--burst")
    try:
        restarted.wait(timeout=180)
    finally:
        if restarted.poll() is None:
            os.killpg(restarted.pid, signal.SIGKILL)
    worker_log = (settings.data_dir / "worker.log").read_text(errors="replace")[-4000:]
    assert redis.llen(inbox.INBOX) == 0, worker_log
    assert redis.zcard(inbox.IN_FLIGHT) == 0, worker_log
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Order)) == orders
    assert totals(db)["gross_units"] == orders
    assert reconcile(db, redis, repair=False).clean


def test_reconcile_finds_and_repairs_a_tampered_counter(client, db, redis, drain, show_session):
    sku = skus(db, show_session)[0]
    live = code(db, show_session)
    post_events(
        client,
        {
            "events": [
                event("created", f"R{n}", AT, [(sku, 2, 65_000)], live_code=live) for n in range(5)
            ]
        },
    )
    drain()
    assert reconcile(db, redis).clean
    sid = show_session["id"]
    redis.hincrby(f"sieulive:sales:session:{sid}", "gross_units", 1000)  # tampered
    with db.unit_of_work() as s:
        row = s.scalar(select(SalesTotal))
        row.gross_revenue += 1  # and a tampered aggregate
    report = reconcile(db, redis, repair=False)
    assert not report.clean
    assert [c["key"] for c in report.counters_repaired] == [f"sieulive:sales:session:{sid}"]
    assert report.aggregates_repaired[0]["stored"]["gross_revenue"] == 650_001
    assert not reconcile(db, redis).clean, "the repairing run reports what it fixed"
    assert reconcile(db, redis, repair=False).clean
    assert totals(db)["gross_revenue"] == 650_000
    assert int(redis.hget(f"sieulive:sales:session:{sid}", "gross_units")) == 10


def test_a_batch_whose_worker_is_gone_is_named_stuck_and_then_applied(
    client, db, redis, drain, show_session
):
    sku = skus(db, show_session)[0]
    post_events(
        client, event("created", "S1", AT, [(sku, 1, 65_000)], live_code=code(db, show_session))
    )
    producer = build_sales_scene(db).auth("producer")
    box = inbox.Inbox(redis)
    with inbox.Lease(redis, "may-quay-1:4242") as lease:
        claimed = box.claim(10, lease)
        assert claimed is not None
        (batch,) = client.get("/api/queues", headers=producer).json()["inbox"]["batches"]
        assert batch["state"] == "applying" and batch["worker"] == "may-quay-1:4242"
        assert batch["events"] == 1 and batch["attempts"] == 1 and batch["why"] is None
        assert box.orphans() == 0
    # Its worker is gone (the lease ended without the batch being done).
    health = client.get("/api/queues", headers=producer).json()["inbox"]
    (batch,) = health["batches"]
    assert health["stuck_batches"] == 1 and batch["state"] == "stuck"
    assert "gone" in batch["why"] and batch["worker_alive"] is False
    assert box.orphans() == 1

    report = drain()
    assert report.reclaimed == 1 and report.batches == 1
    assert client.get("/api/queues", headers=producer).json()["inbox"]["batches"] == []
    assert totals(db)["gross_units"] == 1


def test_a_batch_given_back_after_an_error_says_why_and_waits_its_turn(client, db, redis):
    box = inbox.Inbox(redis)
    inbox.append(redis, [inbox.envelope("tiktok_shop", {"type": "paid"}, time.time())], 100)
    with inbox.Lease(redis) as lease:
        key, _raw = box.claim(10, lease)
        box.release(key, "OperationalError: deadlock detected", rest_seconds=30)
    (batch,) = box.batches()
    assert batch["last_error"] == "OperationalError: deadlock detected"
    assert batch["retry_in_seconds"] > 25
    assert box.orphans() == 0, "resting: not taken again before its time"
