"""/metrics: the Prometheus text of the whole service — open, or behind its bearer token —
summed over several web processes and a worker sharing the metrics folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
import redis as redis_lib
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from live.app import create_app
from live.queueing import worker_seen
from live.settings import Secret, Settings, child_environment
from tests.conftest import WEBHOOK_SECRET, auth
from tests.sales.conftest import event, new_order_id, post_events, signed

EXPECTED = {
    "sieulive_http_requests",
    "sieulive_http_request_seconds",
    "sieulive_webhook_events_accepted",
    "sieulive_webhook_requests_refused",
    "sieulive_order_batch_apply_seconds",
    "sieulive_order_dashboard_lag_seconds",
    "sieulive_order_batches",
    "sieulive_websocket_connections",
    "sieulive_websocket_frames_sent",
    "sieulive_websocket_slow_client_drops",
    "sieulive_websocket_resyncs",
    "sieulive_show_command_seconds",
    "sieulive_backend_errors",
    "sieulive_inbox_events",
    "sieulive_inbox_oldest_event_age_seconds",
    "sieulive_order_batches_in_flight",
    "sieulive_order_batches_stuck",
    "sieulive_queue_jobs",
    "sieulive_workers_live",
    "sieulive_overlays",
    "sieulive_session_orders",
    "sieulive_redis_used_memory_bytes",
    "sieulive_redis_memory_limit_bytes",
}


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(text: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples whose labels include `labels`."""
    return sum(
        v for (n, ls), v in samples(text).items() if n == name and set(labels.items()) <= set(ls)
    )


def test_metrics_are_open_and_list_what_an_on_call_engineer_needs(client, tokens):
    worker_seen(client.app.state.redis, "host:1")
    client.get("/api/sessions/424242", headers=auth(tokens["producer"]))
    assert (
        post_events(
            client,
            event("created", new_order_id(), "2024-09-26T19:05:00+07:00", [("SKU-1", 1, 65_000)]),
        ).status_code
        == 202
    )
    body = b"{}"
    client.post("/webhooks/orders/shopee", content=body, headers=signed(body, secret="wrong"))
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    names = {family.name for family in text_string_to_metric_families(text)}
    assert names >= EXPECTED, EXPECTED - names
    # Routes are templates, never raw paths: ids don't make new series.
    assert (
        value(
            text,
            "sieulive_http_requests_total",
            route="/api/sessions/{session_id:int}",
            status="404",
        )
        >= 1
    )
    assert "424242" not in text
    assert value(text, "sieulive_webhook_events_accepted_total", platform="tiktok_shop") >= 1
    assert (
        value(
            text,
            "sieulive_webhook_requests_refused_total",
            platform="shopee",
            reason="bad_signature",
        )
        >= 1
    )
    assert value(text, "sieulive_inbox_events") == 1
    assert value(text, "sieulive_workers_live") == 1
    assert value(text, "sieulive_queue_jobs", queue="orders", state="waiting") == 1


def test_metrics_ask_for_the_bearer_token_when_one_is_set(settings: Settings):
    app = create_app(settings.with_overrides(metrics_token=Secret("scrape-me-please")))
    with TestClient(app) as client:
        assert client.get("/metrics").status_code == 401
        wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert wrong.json()["error"]["code"] == "unauthorized"
        good = client.get("/metrics", headers={"Authorization": "Bearer scrape-me-please"})
        assert good.status_code == 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def service(settings: Settings, tmp_path: Path) -> Iterator[list[str]]:
    """Two `sieulive serve` processes and one `sieulive worker` sharing a metrics folder, as
    `sieulive dev` and a multi-process host run them."""
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = child_environment(
        settings.with_overrides(
            database_url=settings.effective_database_url,
            metrics_dir=folder,
            worker_stale_seconds=30.0,
        ),
        keep_webhook_secrets=False,
    )
    procs, bases = [], []
    cli = [sys.executable, "-m", "live.cli"]
    try:
        for _ in range(2):
            port = _free_port()
            bases.append(f"http://127.0.0.1:{port}")
            procs.append(
                subprocess.Popen(
                    [*cli, "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL
                )
            )
        procs.append(subprocess.Popen([*cli, "worker"], env=env, stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 90
        for base in bases:
            while True:
                assert time.monotonic() < deadline, "the servers did not start"
                assert all(p.poll() is None for p in procs), "a process exited"
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
        yield bases
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_metrics_add_up_over_web_processes_and_the_worker(service, settings, db):
    first, second = service
    for _ in range(3):
        httpx.get(f"{first}/healthz")
    for _ in range(5):
        httpx.get(f"{second}/healthz")
    body = (
        b'{"type":"created","order_id":"MP-1","occurred_at":"2024-09-26T19:05:00+07:00",'
        b'"lines":[{"sku":"SKU-MP","quantity":1,"unit_price":1000}]}'
    )
    posted = httpx.post(
        f"{first}/webhooks/orders/tiktok_shop",
        content=body,
        headers=signed(body, secret=WEBHOOK_SECRET),
    )
    assert posted.status_code == 202, posted.text
    deadline = time.monotonic() + 60
    while True:
        text = httpx.get(f"{second}/metrics").text
        if value(text, "sieulive_order_batches_total", outcome="applied") >= 1:
            break
        assert time.monotonic() < deadline, "the worker's batch never showed in /metrics"
        time.sleep(0.3)
    # Each web process counted its own requests; either one answers the sum.
    assert value(text, "sieulive_http_requests_total", route="/healthz") >= 8
    assert value(text, "sieulive_webhook_events_accepted_total", platform="tiktok_shop") == 1
    assert value(text, "sieulive_order_batch_apply_seconds_count") >= 1
    assert value(text, "sieulive_order_dashboard_lag_seconds_count") >= 1
    assert value(text, "sieulive_workers_live") == 1
    assert value(text, "sieulive_worker_heartbeats_total") >= 1
    ready = httpx.get(f"{first}/readyz").json()
    assert ready["checks"]["workers"] == "ok", ready
    redis = redis_lib.Redis.from_url(settings.redis_url or "")
    try:
        assert redis.zcard("sieulive:workers:seen") == 1
    finally:
        redis.close()
    assert os.listdir(Path(settings.data_dir) / "metrics"), "samples are kept in the folder"
