"""The simulator's pushes: each order's notifications in its platform's body and signature,
with repeats, reordering and losses, sent one a request to a running sieulive as platforms
send them — and retried as they retry when the answer is not a 2xx."""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx

from live.platforms.adapters import adapter
from live.platforms.sim.server import SimState
from live.platforms.sim.world import SimOrder


@dataclass
class Delivery:
    url: str
    headers: dict[str, str]
    body: bytes
    order_id: str


@dataclass
class Plan:
    deliveries: list[Delivery] = field(default_factory=list)
    lost_pushes: int = 0
    lost_orders: set[str] = field(default_factory=set)  # every push of these was lost


def plan(
    orders: list[SimOrder],
    state: SimState,
    rng: random.Random,
    *,
    repeat_rate: float = 0.2,
    lose_rate: float = 0.0,
    lose_orders: float = 0.0,
) -> Plan:
    """Each order's pushes, signed; `repeat_rate` of them sent twice (a third of those three
    times), `lose_rate` of them never sent, `lose_orders` of the orders with none sent; the
    whole shuffled. Shopee keeps its lost pushes for the lost-push API."""
    result = Plan()
    for order in orders:
        lost_whole = rng.random() < lose_orders
        if lost_whole:
            result.lost_orders.add(order.order_id)
        shop = order.shop
        for extra, data in order.pushes():
            if lost_whole or rng.random() < lose_rate:
                result.lost_pushes += 1
                if shop.platform == "shopee":
                    with state.lock:
                        state.lost.setdefault(shop.keys.app_key, []).append(data)
                continue
            body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
            signed_url = shop.keys.callback_url or shop.push_url  # Shopee signs the console's URL
            signer = adapter(shop.platform)
            headers = {**signer.push_headers(shop.keys, body, signed_url), **extra}
            copies = 1 + (rng.random() < repeat_rate) + (rng.random() < repeat_rate / 3)
            for _ in range(copies):
                result.deliveries.append(Delivery(shop.push_url, headers, body, order.order_id))
    rng.shuffle(result.deliveries)
    return result


@dataclass
class SendReport:
    sent: int = 0
    answers: Counter[int] = field(default_factory=Counter)
    retries: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds, each answer
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)

        def pct(p: float) -> float:
            return (
                round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)
                if ordered
                else 0.0
            )

        return {
            "sent": self.sent,
            "answers": {str(k): v for k, v in sorted(self.answers.items())},
            "retries": self.retries,
            "seconds": round(self.seconds, 3),
            "per_second": round(self.sent / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
            "max_ms": round(ordered[-1] * 1000, 1) if ordered else 0.0,
        }


def send(
    deliveries: list[Delivery],
    *,
    threads: int = 8,
    retries: int = 5,
    retry_pause: float = 1.0,
    timeout: float = 10.0,
    on_answer: Callable[[Delivery, int], None] | None = None,
) -> SendReport:
    """One push a request from `threads` connections; a non-2xx or a timeout is retried
    after `retry_pause` (platforms wait minutes; a rehearsal can't)."""
    report = SendReport()
    lock = threading.Lock()
    local = threading.local()
    clients: list[httpx.Client] = []

    def client() -> httpx.Client:
        if not hasattr(local, "http"):
            local.http = httpx.Client(timeout=timeout)
            with lock:
                clients.append(local.http)
        http: httpx.Client = local.http
        return http

    def one(delivery: Delivery) -> None:
        for attempt in range(retries + 1):
            started = time.perf_counter()
            try:
                status = (
                    client()
                    .post(delivery.url, content=delivery.body, headers=delivery.headers)
                    .status_code
                )
            except httpx.HTTPError:
                status = 0
            took = time.perf_counter() - started
            with lock:
                report.sent += 1
                report.answers[status] += 1
                report.latencies.append(took)
            if on_answer is not None:
                on_answer(delivery, status)
            if 200 <= status < 300 or status in (401, 404):
                return
            if attempt < retries:
                with lock:
                    report.retries += 1
                time.sleep(retry_pause)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, deliveries))
    report.seconds = time.perf_counter() - started
    for http in clients:
        http.close()
    return report
