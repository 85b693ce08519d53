"""The reconnect storm of `sieulive bench fanout`: a web process restarts and every overlay
redials at once.

ONE web process (`sieulive serve`) serves the demo's real session (SLHV-01, its real run-of-show
and products, live); N websocket clients connect to its overlay URL all at once, and, in the
same run, N to a bare `websockets` server whose first frame is as big as the app's first state
(the floor). For each it reports the time until every client had its first state; during the
app's storm a producer sends `feature` commands (one a second by default) and their latency is
measured (control must not starve behind websocket work). After both storms, changes alternate
between the app and the floor, and their latency to every client is compared.

Each command is a whole-state change the app writes to every client connected so far: work the
floor's storm doesn't carry. One a second is a busy producer (a show features a product every
few minutes); at one every 200 ms the app's storm is mostly those writes (10,000 clients: 2.3–2.7×
the floor's time, commands still answered within 1 s) — and a bare `websockets` server made to
broadcast on that schedule during its own storm did not get every client connected in 180 s.
`--command-every` sets the schedule (docs/benchmarks.md).

The producer keeps a schedule, one command a slot, and sends one at a time (each carries
the revision the previous answer gave, as the console does). A slot whose time comes while the
previous command is unanswered is sent the moment that answer arrives, so slow answers never
thin the sample: the report gives the slots of the storm's duration, the commands sent and
answered, and every latency. A command that gets no answer within the client's timeout counts
at that timeout and fails the target.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from typing import Any

import httpx2 as httpx
from websockets.sync.client import connect as sync_connect

from live.bench import clients as bench_clients
from live.bench.harness import free_port, percentile, ratio, spread, wait_http
from live.settings import Settings, child_environment

COMMAND_EVERY_S = 1.0


def say(text: str) -> None:
    print(f"[storm {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def demo_session(settings: Settings) -> tuple[int, str]:
    """The demo campaign (seeded if missing) and its first session; a producer token."""
    from live.bench.seeding import producer_token, seeding
    from live.db import Database
    from live.demo.seed import seed_demo
    from live.schedule.models import LiveSession

    with seeding(settings) as s:
        token = producer_token(s, f"bench storm {os.getpid()}")
    db = Database(settings)
    try:
        seed_demo(db)
        from sqlalchemy import select

        with db.reading() as s:
            session_id = s.scalar(select(LiveSession.id).order_by(LiveSession.id).limit(1))
    finally:
        db.dispose()
    assert session_id is not None
    return session_id, token


class Producer:
    """Sends show commands and times each answer."""

    def __init__(
        self, base: str, token: str, session_id: int, every: float = COMMAND_EVERY_S
    ) -> None:
        self.every = every
        self.http = httpx.Client(timeout=60, headers={"Authorization": f"Bearer {token}"})
        self.url = f"{base}/api/sessions/{session_id}/show"
        state = self.http.get(self.url).json()
        self.revision = int(state["show"]["revision"])
        self.products = sorted({s["product_id"] for s in state["segments"] if s["product_id"]})
        self.latencies_ms: list[float] = []
        self.sent = 0
        self.failed = 0
        self.turn = 0
        if state["show"]["phase"] in ("standby", "ended"):
            self.command("go_live", {})

    def command(self, name: str, args: dict[str, Any]) -> float:
        body = {
            "command": name,
            "revision": self.revision,
            "command_id": f"storm-{name}-{time.time_ns()}",
            **args,
        }
        started = time.perf_counter()
        response = self.http.post(f"{self.url}/commands", json=body)
        elapsed = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        self.revision = int(response.json()["state"]["show"]["revision"])
        return elapsed

    def feature_next(self) -> float:
        self.turn += 1
        product = self.products[self.turn % len(self.products)]
        return self.command("feature", {"product_id": product})

    def keep_commanding(self, stop: threading.Event) -> None:
        """A `feature` at every slot (every `self.every` s) until `stop`; one at a time, so a
        slot that came during a slow answer is sent as soon as that answer arrives."""
        slot = time.perf_counter()
        while not stop.is_set():
            started = time.perf_counter()
            self.sent += 1
            try:
                self.latencies_ms.append(self.feature_next())
            except httpx.HTTPError:
                # Unanswered within the client's timeout: counted as that long, not dropped.
                self.latencies_ms.append((time.perf_counter() - started) * 1000)
                self.failed += 1
                with contextlib.suppress(httpx.HTTPError):
                    self.revision = int(self.http.get(self.url).json()["show"]["revision"])
            slot = max(slot + self.every, time.perf_counter())
            stop.wait(slot - time.perf_counter())


def run(
    settings: Settings,
    redis_url: str,
    clients: int,
    client_procs: int,
    rounds: int,
    command_every: float = COMMAND_EVERY_S,
) -> dict[str, Any]:
    session_id, token = demo_session(settings)
    env = child_environment(
        settings.with_overrides(
            database_url=settings.effective_database_url, redis_url=redis_url, hub_mode="fast"
        )
    )
    port = free_port()
    procs: list[subprocess.Popen[bytes]] = []
    app = subprocess.Popen(
        [sys.executable, "-m", "live.cli", "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        # The server's own lines go to stderr (SIEULIVE_LOG_LEVEL=DEBUG shows every request).
        stdout=subprocess.DEVNULL,
    )
    procs.append(app)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/healthz", app)
        say(f"app up (pid {app.pid})")
        producer = Producer(base, token, session_id, command_every)
        producer.feature_next()
        made = producer.http.post(f"{producer.url}/overlay-token").json()
        app_url = f"ws://127.0.0.1:{port}/ws/overlay?token={made['overlay_url'].split('token=')[1]}"
        with sync_connect(app_url, max_size=None) as probe:
            first = probe.recv()
        first_bytes = len(first.encode() if isinstance(first, str) else first)
        floor_port = free_port()
        floor = subprocess.Popen(
            [sys.executable, "-m", "live.bench.floor", str(floor_port), str(first_bytes)],
            stdout=subprocess.PIPE,
        )
        procs.append(floor)
        assert floor.stdout is not None
        floor.stdout.readline()  # "ready"
        floor_url = f"ws://127.0.0.1:{floor_port}/ws"
        return _storms(
            producer, app_url, floor_url, floor_port, clients, client_procs, rounds, first_bytes
        )
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()


def _storms(
    producer: Producer,
    app_url: str,
    floor_url: str,
    floor_port: int,
    clients: int,
    client_procs: int,
    rounds: int,
    first_bytes: int,
) -> dict[str, Any]:
    import json

    ctx = multiprocessing.get_context("spawn")
    reports: Any = ctx.Queue()
    orders = [ctx.Queue() for _ in range(client_procs)]
    share = spread(clients, client_procs)
    procs = [
        ctx.Process(
            target=bench_clients.run,
            args=(
                [("app", app_url, share[i]), ("floor", floor_url, share[i])],
                reports,
                orders[i],
                i,
                True,
            ),
            daemon=True,
        )
        for i in range(client_procs)
    ]
    for p in procs:
        p.start()

    early: list[tuple[Any, ...]] = []  # reports of a later step, heard while waiting for another

    def collect(kind: str) -> list[tuple[Any, ...]]:
        """One `kind` report from each client process; arrivals of storm-time changes skipped."""
        got = [m for m in early if m[0] == kind]
        early[:] = [m for m in early if m[0] != kind]
        while len(got) < len(procs):
            message = reports.get(timeout=600)
            if message[0] == kind:
                got.append(message)
            elif message[0] != "arrived":
                early.append(message)
        return got

    collect("spawned")
    say(f"{client_procs} client processes ready")

    storm: dict[str, dict[str, Any]] = {}
    for name in ("app", "floor"):
        stop = threading.Event()
        sampler = threading.Thread(target=producer.keep_commanding, args=(stop,), daemon=True)
        if name == "app":
            producer.latencies_ms.clear()
            producer.sent = producer.failed = 0
            sampler.start()
        started = time.time()
        for q in orders:
            q.put(("go", name))
        lasts, got = [], 0
        for _kind, _proc, target, last, count in collect("stormed"):
            assert target == name
            lasts.append(last)
            got += count
        stop.set()
        if name == "app":
            sampler.join(timeout=60)
        say(f"{name}: {got} clients had their first state")
        storm[name] = {
            "clients": clients,
            "got_first_state": got,
            "seconds_to_last_first_state": round(max(lasts) - started, 2),
        }
        if name == "app":
            during = producer.latencies_ms
            seconds = storm[name]["seconds_to_last_first_state"]
            storm[name]["command_every_s"] = producer.every
            storm[name]["command_slots"] = int(seconds / producer.every) + 1
            storm[name]["commands_sent"] = producer.sent
            storm[name]["commands_answered"] = producer.sent - producer.failed
            storm[name]["commands_unanswered"] = producer.failed
            # With fewer than 100 commands the p99 is the slowest one.
            storm[name]["command_p50_ms"] = round(percentile(during, 0.5), 1)
            storm[name]["command_p99_ms"] = round(percentile(during, 0.99), 1)
            storm[name]["command_max_ms"] = round(max(during, default=0.0), 1)
            storm[name]["command_ms"] = [round(ms) for ms in during]
        time.sleep(1.0)
    collect("ready")

    say("changes after the storm")
    # After the storm: changes to every client, app and floor alternating.
    control = sync_connect(f"ws://127.0.0.1:{floor_port}/control", max_size=None)
    sent: dict[str, dict[int, float]] = {"app": {}, "floor": {}}
    seq = {"floor": 0}
    app_seq = [0]
    for r in range(rounds):
        for name in ("app", "floor") if r % 2 == 0 else ("floor", "app"):
            at = time.time()
            if name == "floor":
                seq["floor"] += 1
                sent["floor"][seq["floor"]] = at
                control.send(json.dumps({"seq": seq["floor"], "size": first_bytes}))
                control.recv()
                wanted = seq["floor"]
            else:
                producer.feature_next()
                wanted = -1  # the app's seq is the channel's: learnt from the arrivals
            waiting = client_procs
            deadline = time.monotonic() + 60
            while waiting and time.monotonic() < deadline:
                try:
                    kind, _proc, tname, tseq = reports.get(timeout=1)
                except Exception:
                    continue
                if kind != "arrived" or tname != name:
                    continue
                if name == "app":
                    if wanted == -1:
                        wanted = tseq
                        sent["app"][tseq] = at
                        app_seq[0] = tseq
                    if tseq != wanted:
                        continue
                elif tseq != wanted:
                    continue
                waiting -= 1
            time.sleep(0.2)
    control.close()
    for q in orders:
        q.put("stop")
    latencies: dict[str, list[float]] = {"app": [], "floor": []}
    for _ in procs:
        while True:
            message = reports.get(timeout=120)
            if message[0] == "done":
                break
        _kind, _proc, times, _got = message
        for name, arrivals in times.items():
            latencies[name] += [(t - sent[name][s]) * 1000 for s, t in arrivals if s in sent[name]]
    for p in procs:
        p.join(timeout=30)
    producer.http.close()

    def ms(values: list[float], q: float) -> float | None:
        return round(percentile(values, q), 1) if values else None

    after = {
        name: {
            "changes": len(sent[name]),
            "p50_ms": ms(latencies[name], 0.5),
            "p99_ms": ms(latencies[name], 0.99),
        }
        for name in ("app", "floor")
    }
    # A storm that left clients without their first state has no time to compare.
    complete = all(storm[n]["got_first_state"] == clients for n in ("app", "floor"))
    storm_ratio = (
        ratio(
            storm["app"]["seconds_to_last_first_state"],
            storm["floor"]["seconds_to_last_first_state"],
        )
        if complete
        else None
    )
    p99_ratio = ratio(after["app"]["p99_ms"], after["floor"]["p99_ms"])
    return {
        "web_processes": 1,
        "clients": clients,
        "client_processes": client_procs,
        "first_state_bytes": first_bytes,
        "storm": storm,
        "after_storm": after,
        "ratios": {"storm_vs_floor": storm_ratio, "p99_change_vs_floor": p99_ratio},
        "targets_met": {
            "every_client_back": storm["app"]["got_first_state"] == clients,
            "storm_within_2x_floor": (storm_ratio or 99) <= 2,
            "command_p99_le_1s": storm["app"]["command_p99_ms"] <= 1000 and producer.failed == 0,
            "p99_change_within_1_5x_floor": (p99_ratio or 99) <= 1.5,
        },
    }
