"""`sieulive bench fanout`: the hub against the naive way and the machine's floor.

It starts real servers — the app (`sieulive serve`), the app with the naive per-connection
`await send` loop (SIEULIVE_HUB_MODE=naive), and a bare `websockets` broadcast server —
connects N websocket clients to each from separate processes over loopback, then sends
feature-product commands through the HTTP API, alternating between the three every round so
machine drift cancels out. Then the reconnect storm (`live/bench/reconnect.py`): ONE web
process, the demo's session, 10,000 clients at once against the app and the floor. It prints
one JSON object.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx
from websockets.sync.client import connect as sync_connect

from live.bench import clients as bench_clients
from live.bench.harness import free_port, median, percentile, ratio, rss_kib, spread, wait_http
from live.bench.seeding import (
    bench_campaign,
    bench_products,
    bench_session,
    producer_token,
    seeding,
)
from live.limits import raise_file_limit
from live.settings import Settings, child_environment, load_settings
from live.terminal import bench_report


@dataclass
class Target:
    name: str
    ports: list[int]
    procs: list[subprocess.Popen[bytes]]
    ws_urls: list[str]
    session_id: int | None = None
    revision: int = 0
    sent: dict[int, float] = field(default_factory=dict)  # seq -> time the command left
    fanout_ms: list[float] = field(default_factory=list)
    fanout_cpu_ms: list[float] = field(default_factory=list)
    command_ms: list[float] = field(default_factory=list)  # command sent -> fan-out starts
    rss_idle_kib: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.ports[0]}"

    def rss_kib(self) -> int:
        return sum(rss_kib(p.pid) for p in self.procs)


def prepare(settings: Settings) -> tuple[str, list[int], list[int], int]:
    """A campaign with two sessions (app and baseline must not share a channel)."""
    stamp = f"{os.getpid()}-{int(time.time())}"
    with seeding(settings) as s:
        products = bench_products(
            s,
            stamp,
            3,
            sku=f"B{stamp}-{{i}}",
            name="Kẹo dừa Bến Tre sầu riêng {i} – hộp quà 500g",
            list_price=85_000,
            live_price=65_000,
            price_step=1000,
            stock=10_000,
            talking_points="Dừa sáp Trà Vinh chính gốc, cơm dày dẻo. " * 3,
            buy_link="https://sieulive.example/p/b{i}",
        )
        campaign = bench_campaign(s, f"Bench {stamp}")
        sessions = [
            bench_session(
                s,
                campaign_id=campaign.id,
                code=f"B{stamp}-{n}",
                title="Bench",
                products=products,
            )
            for n in range(2)
        ]
        token = producer_token(s, f"bench {stamp}")
        product_ids = [p.id for p in products]
    return token, sessions, product_ids, campaign.id


@contextmanager
def servers(settings: Settings, redis_url: str, web_processes: int) -> Iterator[dict[str, Target]]:
    """The app on `web_processes` processes (fan-out through Redis, as in production), the
    naive baseline on one process, and the bare floor server."""
    env = child_environment(
        settings.with_overrides(database_url=settings.effective_database_url, redis_url=redis_url)
    )
    started: dict[str, Target] = {}
    try:
        for name, mode, count in (("app", "fast", web_processes), ("baseline", "naive", 1)):
            target = started[name] = Target(name, [], [], [])
            for _ in range(count):
                port = free_port()
                target.ports.append(port)
                target.procs.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "live.cli",
                            "serve",
                            "--port",
                            str(port),
                            "--log-level",
                            "warning",
                        ],
                        env={**env, "SIEULIVE_HUB_MODE": mode},
                        stdout=subprocess.DEVNULL,
                    )
                )
            for port, proc in zip(target.ports, target.procs, strict=True):
                wait_http(f"http://127.0.0.1:{port}/healthz", proc)
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "live.bench.floor", str(port)], stdout=subprocess.PIPE
        )
        assert proc.stdout is not None
        proc.stdout.readline()  # "ready"
        started["floor"] = Target("floor", [port], [proc], [f"ws://127.0.0.1:{port}/ws"])
        yield started
    finally:
        procs = [p for t in started.values() for p in t.procs]
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()


def run(
    clients: int, rounds: int, client_procs: int, web_processes: int, settings: Settings
) -> dict[str, Any]:
    from live.redis_conn import resolve_url

    raise_file_limit()
    redis_url = resolve_url(settings)
    token, sessions, products, _campaign = prepare(settings)
    headers = {"Authorization": f"Bearer {token}"}
    with servers(settings, redis_url, web_processes) as targets:
        http = httpx.Client(timeout=60, headers=headers)
        for target, session_id in zip((targets["app"], targets["baseline"]), sessions, strict=True):
            target.session_id = session_id
            state = http.get(f"{target.base}/api/sessions/{session_id}/show").json()
            made = http.post(f"{target.base}/api/sessions/{session_id}/show/overlay-token")
            overlay_token = made.json()["overlay_url"].split("token=")[1]
            target.ws_urls = [
                f"ws://127.0.0.1:{port}/ws/overlay?token={overlay_token}" for port in target.ports
            ]
            target.revision = _command(http, target.base, session_id, "go_live", 0, {})
        frame_size = len(json.dumps(state, ensure_ascii=False).encode()) + 150
        for target in targets.values():
            target.rss_idle_kib = target.rss_kib()

        ctx = multiprocessing.get_context("spawn")
        reports: Any = ctx.Queue()
        orders = [ctx.Queue() for _ in range(client_procs)]
        share = spread(clients, client_procs)
        procs = [
            ctx.Process(
                target=bench_clients.run,
                args=(
                    [(t.name, t.ws_urls[i % len(t.ws_urls)], share[i]) for t in targets.values()],
                    reports,
                    orders[i],
                    i,
                ),
                daemon=True,
            )
            for i in range(client_procs)
        ]
        connect_started = time.monotonic()
        for p in procs:
            p.start()
        for _ in procs:
            kind, *_rest = reports.get(timeout=600)
            assert kind == "ready"
        connect_seconds = time.monotonic() - connect_started
        time.sleep(1.0)
        rss = {t.name: t.rss_kib() - t.rss_idle_kib for t in targets.values()}

        floor = targets["floor"]
        control = sync_connect(f"ws://127.0.0.1:{floor.ports[0]}/control", max_size=None)
        seq = {name: 0 for name in targets}
        order = ["app", "baseline", "floor"]
        for r in range(rounds):
            for name in order[r % 3 :] + order[: r % 3]:
                target = targets[name]
                seq[name] += 1
                target.sent[seq[name]] = time.time()
                if name == "floor":
                    control.send(json.dumps({"seq": seq[name], "size": frame_size}))
                    answer = json.loads(control.recv())
                    target.fanout_ms.append(answer["fanout_ms"])
                    target.fanout_cpu_ms.append(answer["cpu_ms"])
                else:
                    assert target.session_id is not None
                    target.revision = _command(
                        http,
                        target.base,
                        target.session_id,
                        "feature",
                        target.revision,
                        {"product_id": products[r % len(products)]},
                    )
                waiting = client_procs
                deadline = time.monotonic() + 60
                while waiting and time.monotonic() < deadline:
                    try:
                        kind, _proc, tname, tseq = reports.get(timeout=1)
                    except Exception:
                        continue
                    if kind == "arrived" and tname == name and tseq == seq[name]:
                        waiting -= 1
                time.sleep(0.2)
        control.close()
        for name in ("app", "baseline"):
            _fanout_figures(http, targets[name])
        for q in orders:
            q.put("stop")
        latencies: dict[str, list[float]] = {name: [] for name in targets}
        received: dict[str, int] = {name: 0 for name in targets}
        for _ in procs:
            while True:
                message = reports.get(timeout=120)
                if message[0] == "done":
                    break
            _kind, _proc, times, got = message
            for name, arrivals in times.items():
                sent = targets[name].sent
                latencies[name] += [(at - sent[s]) * 1000 for s, at in arrivals if s in sent]
                received[name] += sum(1 for n in got[name] if n >= rounds)
        for p in procs:
            p.join(timeout=30)
        http.close()

    def figures(name: str) -> dict[str, Any]:
        t = targets[name]
        return {
            "clients": clients,
            "received": received[name],
            "p50_ms": round(percentile(latencies[name], 0.50), 1),
            "p99_ms": round(percentile(latencies[name], 0.99), 1),
            # CPU time of the serving process while it hands one change to every client (the
            # steady figure on a shared box); wall time, preemption included, beside it.
            "fanout_ms": median(t.fanout_cpu_ms),
            "fanout_wall_ms": median(t.fanout_ms),
            "command_to_fanout_ms": median(t.command_ms),
            "kib_per_connection": round(rss[name] / max(clients, 1), 1),
        }

    result = figures("app")
    result["baseline"] = figures("baseline")
    result["floor"] = figures("floor")
    base, floor_ = result["baseline"], result["floor"]
    result["rounds"] = rounds
    result["web_processes"] = web_processes
    result["client_processes"] = client_procs
    result["connect_seconds"] = round(connect_seconds, 1)
    result["frame_bytes"] = frame_size
    result["ratios"] = {
        "fanout_vs_baseline": ratio(base["fanout_ms"], result["fanout_ms"]),
        "p50_vs_floor": ratio(result["p50_ms"], floor_["p50_ms"]),
        "p99_vs_floor": ratio(result["p99_ms"], floor_["p99_ms"]),
    }
    ratios = result["ratios"]
    result["targets_met"] = {
        "fanout_3x_faster_than_baseline": (ratios["fanout_vs_baseline"] or 0) >= 3,
        "p50_within_1_5x_floor": (ratios["p50_vs_floor"] or 99) <= 1.5,
        "p99_within_1_5x_floor": (ratios["p99_vs_floor"] or 99) <= 1.5,
        "every_client_got_every_change": result["received"] == clients,
        "kib_per_idle_connection_le_32": result["kib_per_connection"] <= 32,
    }
    return result


def _fanout_figures(http: httpx.Client, target: Target) -> None:
    """Per round, the slowest process's fan-out: every client had it only then."""
    per_process = []
    for port in target.ports:
        stats = http.get(f"http://127.0.0.1:{port}/api/hub/stats").json()
        per_process.append([f for f in stats["fanouts"] if f["clients"] > 0])
    sent = sorted(target.sent.values())
    for round_fanouts, at in zip(zip(*per_process, strict=False), sent, strict=False):
        target.fanout_ms.append(max(f["ms"] for f in round_fanouts))
        target.fanout_cpu_ms.append(max(f["cpu_ms"] for f in round_fanouts))
        started = min(f["at"] - f["ms"] / 1000 for f in round_fanouts)
        target.command_ms.append((started - at) * 1000)


def _command(
    http: httpx.Client, base: str, session_id: int, name: str, revision: int, args: dict[str, Any]
) -> int:
    body = {
        "command": name,
        "revision": revision,
        "command_id": f"bench-{name}-{revision}-{time.time_ns()}",
        **args,
    }
    response = http.post(f"{base}/api/sessions/{session_id}/show/commands", json=body)
    response.raise_for_status()
    return int(response.json()["state"]["show"]["revision"])


def main(
    clients: int,
    rounds: int,
    client_procs: int,
    web_processes: int,
    as_json: bool,
    *,
    storm_clients: int = 10_000,
    command_every: float = 1.0,
    phases: str = "all",
) -> int:
    from live.bench import reconnect
    from live.redis_conn import resolve_url

    settings = load_settings()
    if settings.database_url is None or settings.redis_url is None:
        # Embedded defaults in a throwaway folder: the benchmark never touches dev data.
        folder = Path(tempfile.mkdtemp(prefix="sieulive-bench-"))
        settings = settings.with_overrides(data_dir=folder)
    result: dict[str, Any] = {}
    if phases in ("all", "fanout"):
        result = run(clients, rounds, client_procs, web_processes, settings)
    if phases in ("all", "storm"):
        raise_file_limit()
        result["reconnect_storm"] = reconnect.run(
            settings, resolve_url(settings), storm_clients, client_procs, rounds, command_every
        )
    print(json.dumps(result) if as_json else bench_report(result))
    return 0
