"""`sieulive send-order`, `sieulive rehearse` and `sieulive bench orders` against a real server
(`sieulive serve` in a subprocess) on the test's database and Redis."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import select

from live.cli import main
from live.sales.models import Order, OrderLine
from live.sales.tools.client import dev_secret, find_secret
from live.settings import Settings, load_settings
from tests.conftest import PG_URL, WEBHOOK_SECRET
from tests.sales.pipeline.test_processing import code, skus, totals
from tests.shows.test_commands import ok


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    """`sieulive serve` on the test's DB and Redis, with the tests' webhook secret."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIEULIVE_WEBHOOK_SECRET_")}
    env.update(
        DATABASE_URL=settings.effective_database_url,
        REDIS_URL=settings.redis_url or "",
        SIEULIVE_DATA_DIR=str(settings.data_dir),
        SIEULIVE_WEBHOOK_SECRET_DEFAULT=WEBHOOK_SECRET,
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "live.cli", "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, "the server exited"
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def orders(db: Any) -> list[SimpleNamespace]:
    columns = ("platform", "platform_order_id", "state", "session_id", "rehearsal")
    with db.reading() as s:
        rows = s.scalars(select(Order).order_by(Order.platform_order_id))
        return [
            SimpleNamespace(**{c: getattr(o, c) for c in (*columns, "buyer_province")})
            for o in rows
        ]


def test_send_order_signs_and_posts_one_event_that_a_drain_applies(
    server, db, drain, show_session, capsys, monkeypatch
):
    monkeypatch.delenv("SIEULIVE_WEBHOOK_SECRET_DEFAULT", raising=False)
    sku = skus(db, show_session)[0]
    args = ["send-order", "--url", server, "--order-id", "CLI-0001", "--sku", sku]
    args += ["--quantity", "2", "--price", "65000", "--live-code", code(db, show_session)]
    args += ["--province", "Cần Thơ", "--at", "2024-09-26T19:05:00+07:00"]
    assert main([*args, "--secret", WEBHOOK_SECRET]) == 0
    out = capsys.readouterr().out
    assert out == "HTTP 202: 1 event(s) accepted\n", out

    assert main([*args, "--secret", "not-the-secret"]) == 1
    assert capsys.readouterr().out.startswith("HTTP 401")

    drain()
    [order] = orders(db)
    assert order.platform_order_id == "CLI-0001"
    assert order.session_id == show_session["id"]
    assert order.buyer_province == "Cần Thơ"
    assert totals(db)["gross_units"] == 2


def test_send_order_posts_a_file_of_events_with_the_dev_secret(
    server, db, drain, tmp_path, capsys, monkeypatch
):
    monkeypatch.delenv("SIEULIVE_WEBHOOK_SECRET_DEFAULT", raising=False)
    # `sieulive dev` keeps its secret in the data folder; the server here has the tests' one.
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev" / "webhook_secret").write_text(WEBHOOK_SECRET + "\n")
    events = [
        {"type": "created", "order_id": "F1", "occurred_at": "2024-09-26T19:05:00+07:00"},
        {"type": "paid", "order_id": "F1", "occurred_at": "2024-09-26T19:06:00+07:00"},
    ]
    path = tmp_path / "events.json"
    path.write_text(json.dumps(events))
    argv = ["--data-dir", str(tmp_path / "dev"), "send-order", "--url", server]
    assert main([*argv, "--file", str(path), "--platform", "shopee", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"status": 202, "answer": {"accepted": 2}}
    drain()
    [order] = orders(db)
    assert (order.platform, order.state.value) == ("shopee", "paid")
    # A file that is not JSON we read is said so, before anything is sent.
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert main([*argv, "--file", str(path), "--platform", "shopee"]) == 2
    assert "nested too deeply" in capsys.readouterr().err


def test_the_dev_secret_is_made_once_and_found_by_send_order(tmp_path):
    secret = dev_secret(tmp_path)
    assert secret == dev_secret(tmp_path), "made on the first start, then kept"
    assert (tmp_path / "webhook_secret").stat().st_mode & 0o077 == 0, "only the owner reads it"
    folder = {"SIEULIVE_DATA_DIR": str(tmp_path)}
    assert find_secret("shopee", None, load_settings(folder)) == secret
    configured = load_settings({**folder, "SIEULIVE_WEBHOOK_SECRET_SHOPEE": "from-env"})
    assert find_secret("shopee", None, configured) == "from-env"
    assert find_secret("shopee", "given", configured) == "given"


def test_rehearse_refuses_a_session_that_is_not_rehearsing(
    server, db, tokens, show_session, capsys
):
    argv = ["rehearse", "--url", server, "--token", tokens["producer"], "--secret", WEBHOOK_SECRET]
    assert main([*argv, "--rate", "10", "--seconds", "1", str(show_session["id"])]) == 1
    assert "not in a rehearsal" in capsys.readouterr().err
    assert orders(db) == []
    # Another machine needs saying so.
    remote = ["rehearse", "--url", "http://192.0.2.1:8000", "--token", tokens["producer"]]
    assert main([*remote, "--secret", "x", str(show_session["id"])]) == 1
    assert "--allow-remote" in capsys.readouterr().err


def test_rehearse_storms_a_rehearsal_through_the_pipeline_and_counts_nothing(
    server, producer, db, drain, tokens, show_session, capsys
):
    sid = show_session["id"]
    state = ok(producer, sid, "go_live", 0, rehearsal=True)
    assert state["show"]["rehearsal"] is True
    flash_product = show_session["products"][1]
    state = ok(
        producer,
        sid,
        "flash_sale.start",
        state["show"]["revision"],
        product_id=flash_product,
        price=49_000,
        quantity=10,
        duration_seconds=120,
    )
    live = code(db, show_session)
    argv = ["rehearse", "--url", server, "--token", tokens["producer"], "--secret", WEBHOOK_SECRET]
    assert main([*argv, "--rate", "40", "--seconds", "1", "--seed", "7", live, "--json"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["session_id"] == sid
    assert summary["orders"] == 40
    assert summary["accepted"] == summary["events"] > summary["orders"], "paid and cancelled too"
    assert summary["cancelled"] >= 1
    assert summary["flash_orders"] > 10, "most orders take the flash sale while it runs"
    assert "sent" in captured.err, "progress is printed"

    drain()
    stored = orders(db)
    assert len(stored) == 40
    assert all(o.session_id == sid and o.rehearsal for o in stored)
    assert {o.state.value for o in stored} >= {"paid", "cancelled"}
    assert len({o.buyer_province for o in stored}) > 3
    assert totals(db)["gross_units"] == 0, "rehearsal orders count nothing"
    with db.reading() as s:
        lines = s.scalars(
            select(OrderLine).join(Order).where(OrderLine.product_id == flash_product)
        ).all()
        assert {line.unit_price for line in lines} >= {49_000}, "at the flash price"
        assert any(line.oversold for line in lines), "the rehearsal runs the stock gate too"


@pytest.mark.bench
def test_bench_orders_smoke(settings, redis_url, monkeypatch):
    """A tiny run of the whole benchmark: the JSON's keys and exact counts, no timings."""
    from live.bench.orders import run

    if PG_URL:
        monkeypatch.setenv("DATABASE_URL", PG_URL)
    else:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("REDIS_URL", redis_url)
    result = run(
        120,
        per_request=20,
        baseline_orders=6,
        workers=1,
        client_procs=1,
        threads=2,
        storm_orders=60,
        storm_workers=2,
        storm_rounds=2,
    )
    for key in ("orders", "accepted_per_s", "processed_per_s", "lag_p99_ms", "stored"):
        assert key in result
        assert key in result["batched"] and key in result["one_per_request"]
    assert {"baseline", "floor", "ratios", "targets_met"} <= set(result)
    for phase in ("batched", "one_per_request"):
        assert result[phase]["stored"] == result[phase]["aggregated"] == 120
        assert result[phase]["exact"], result[phase]
    assert result["baseline"]["stored"] == result["baseline"]["aggregated"] == 6
    assert result["baseline"]["exact"], result["baseline"]
    assert result["floor"]["stored"] == 120
    assert result["targets_met"]["stored_eq_aggregated_eq_orders"]

    # The storm, on one worker and on two: every count as the storm's ground truth says.
    assert result["storm_workers"] == 2
    for phase, workers in (("storm_1", 1), ("storm_n", 2)):
        storm = result[phase]
        assert storm["workers"] == workers
        assert storm["orders"] == 60 and storm["deliveries"] > storm["distinct_events"] > 60
        assert storm["main_events"] > 0
        assert {"processed_events_per_s", "processed_orders_per_s", "seconds"} <= set(storm)
        assert [r["orders"] for r in storm["rounds"]] == [30, 30]
        assert [r["round"] for r in storm["rounds"]] == [f"{phase}_1", f"{phase}_2"]
        assert storm["found"] == storm["expected"], storm
        assert storm["expected"]["orders"] == 60
        assert storm["expected"]["lines"] == storm["found"]["lines"] > 60
        assert storm["expected"]["events_kept"] == storm["distinct_events"]
        assert storm["found"]["reconcile_differences"] == 0
        assert storm["exact"] and storm["inexact"] == []
    assert "storm_n_vs_storm_1" in result["ratios"]
    assert len(result["ratios"]["storm_n_vs_storm_1_by_pair"]) == 2
    assert "storm_n_workers_not_slower_than_1" in result["targets_met"]
    assert result["targets_met"]["exact_every_phase"]
