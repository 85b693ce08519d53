"""`sieulive rehearse`: a simulated order storm into a session in rehearsal, through the real
pipeline (signed webhooks to the running server), so a team can rehearse a flash sale.

It refuses unless the session's show is live in rehearsal mode: the pipeline attributes orders
to the session by its code and marks them rehearsal, so nothing counts as sales. It stops as
soon as the rehearsal ends. Bounded in rate, time and count; loopback only unless told.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO
from urllib.parse import quote

from live.sales.tools.client import Http, is_loopback, order_event, post_events

MAX_RATE = 2000  # orders a second
MAX_SECONDS = 3600
TICK = 0.1  # one signed request per tick carries the orders due
POLL_SHOW = 2.0  # how often the show is re-read (flash sale started? rehearsal ended?)
MAX_EVENTS = 1000  # the webhook's limit per request

# Where buyers are: the two big cities most, then a long tail (weights, not statistics).
PROVINCES = [
    ("TP. Hồ Chí Minh", 30),
    ("Hà Nội", 22),
    ("Đà Nẵng", 6),
    ("Hải Phòng", 5),
    ("Cần Thơ", 5),
    ("Đồng Nai", 4),
    ("Bình Dương", 4),
    ("Khánh Hòa", 3),
    ("Bến Tre", 3),
    ("Lâm Đồng", 3),
    ("Thừa Thiên Huế", 3),
    ("Nghệ An", 3),
    ("Quảng Ninh", 2),
    ("An Giang", 2),
    ("Đắk Lắk", 2),
    ("Thanh Hóa", 2),
    ("Kiên Giang", 1),
]
QUANTITIES = [(1, 70), (2, 20), (3, 7), (5, 3)]
PAID_SHARE = 0.7
CANCEL_SHARE = 0.06


class Refused(Exception):
    """The storm can't start; the message says why (nothing was sent)."""


@dataclass
class Product:
    id: int
    sku: str
    price: int


@dataclass
class Plan:
    session_id: int
    code: str
    platform: str
    channel: str
    products: list[Product]
    featured_id: int | None = None
    flash: Product | None = None  # the flash-sale product at the flash price, while one runs


@dataclass
class Summary:
    session_id: int
    orders: int = 0
    events: int = 0
    requests: int = 0
    accepted: int = 0
    refused_requests: int = 0
    cancelled: int = 0
    flash_orders: int = 0
    seconds: float = 0.0
    stopped_because: str = "done"
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return round(self.orders / self.seconds, 1) if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "rate_achieved": self.rate}


def resolve_session(http: Http, token: str, ref: str) -> int:
    """SESSION is an id or a session code."""
    if ref.isdigit():
        return int(ref)
    status, answer = http.get_json(f"/api/sessions?q={quote(ref)}&limit=100", token)
    if status != 200:
        raise Refused(f"can't look sessions up ({status}): {_message(answer)}")
    for item in answer.get("items", []):
        if str(item.get("code", "")).lower() == ref.strip().lower():
            return int(item["id"])
    raise Refused(f"no session with the code {ref!r}")


def read_plan(http: Http, token: str, session_id: int, products: dict[int, Product]) -> Plan:
    """The show as it stands; refuses unless it is live (or held) in rehearsal mode."""
    status, state = http.get_json(f"/api/sessions/{session_id}/show", token)
    if status in (401, 403):
        raise Refused(f"the token was refused ({status}): a producer token is needed")
    if status != 200:
        raise Refused(f"can't read session {session_id}'s show ({status}): {_message(state)}")
    show = state["show"]
    if not show["rehearsal"] or show["phase"] not in ("live", "held"):
        raise Refused(
            f"session {state['session']['code']} is not in a rehearsal "
            f"(phase {show['phase']}, rehearsal {str(show['rehearsal']).lower()}): start one "
            "(go live with rehearsal) so these orders don't count as sales; nothing was sent"
        )
    for seg in state["segments"]:
        pid = seg.get("product_id")
        if pid and pid not in products:
            status, product = http.get_json(f"/api/products/{pid}", token)
            if status == 200:
                products[pid] = Product(pid, product["sku"], int(product["live_price"]))
    if not products:
        raise Refused(f"session {state['session']['code']} has no products in its run-of-show")
    session = state["session"]
    plan = Plan(
        session_id,
        session["code"],
        session["platform"],
        session["channel"],
        list(products.values()),
        featured_id=(state.get("featured") or {}).get("id"),
    )
    sale = state.get("flash_sale")
    if sale and not sale.get("sold_out") and _running(sale):
        base = products.get(int(sale["product_id"]))
        if base is not None:
            plan.flash = Product(base.id, base.sku, int(sale["price"]))
    return plan


def _running(sale: dict[str, Any]) -> bool:
    ends = sale.get("ends_at")
    if not ends:
        return True
    return datetime.fromisoformat(ends) > datetime.now(UTC)


def _message(answer: Any) -> str:
    if isinstance(answer, dict) and "error" in answer:
        return str(answer["error"].get("message"))
    return str(answer)[:200]


class Storm:
    """Makes the orders: mostly the flash-sale product while one runs, else the featured one
    more than the rest; buyers across provinces; some paid, some cancelled a little later."""

    def __init__(self, plan: Plan, run_id: str, rng: random.Random) -> None:
        self.plan = plan
        self.run_id = run_id
        self.rng = rng
        self.count = 0
        self.later: list[tuple[float, dict[str, Any]]] = []  # (due, follow-up event)

    def _pick(self) -> tuple[Product, bool]:
        plan = self.plan
        if plan.flash is not None and self.rng.random() < 0.7:
            return plan.flash, True
        featured = [p for p in plan.products if p.id == plan.featured_id]
        if featured and self.rng.random() < 0.5:
            return featured[0], False
        return self.rng.choice(plan.products), False

    def order(self, now: float, summary: Summary) -> dict[str, Any]:
        self.count += 1
        product, flash = self._pick()
        order_id = f"RH-{self.plan.session_id}-{self.run_id}-{self.count:06d}"
        at = datetime.now(UTC)
        quantity = _weighted(self.rng, QUANTITIES)
        event = order_event(
            "created",
            order_id,
            sku=product.sku,
            quantity=quantity,
            price=product.price,
            at=at.isoformat(timespec="milliseconds"),
            live_code=self.plan.code,
            channel=self.plan.channel,
            province=_weighted(self.rng, PROVINCES),
        )
        summary.flash_orders += flash
        roll = self.rng.random()
        if roll < CANCEL_SHARE:
            kind = "cancelled"
            summary.cancelled += 1
        elif roll < CANCEL_SHARE + PAID_SHARE:
            kind = "paid"
        else:
            return event
        delay = self.rng.uniform(1.0, 5.0)
        follow = order_event(
            kind,
            order_id,
            at=(at + timedelta(seconds=delay)).isoformat(timespec="milliseconds"),
        )
        self.later.append((now + delay, follow))
        return event

    def due(self, now: float, limit: int) -> list[dict[str, Any]]:
        ready = [e for due, e in self.later if due <= now][:limit]
        if ready:
            taken = {id(e) for e in ready}
            self.later = [(d, e) for d, e in self.later if id(e) not in taken]
        return ready


def _weighted(rng: random.Random, choices: list[tuple[Any, int]]) -> Any:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _refuse_unsafe(url: str, rate: float, seconds: float, allow_remote: bool) -> None:
    if not 0 < rate <= MAX_RATE:
        raise Refused(f"--rate must be above 0 and at most {MAX_RATE} orders a second")
    if not 0 < seconds <= MAX_SECONDS:
        raise Refused(f"--seconds must be above 0 and at most {MAX_SECONDS}")
    if not allow_remote and not is_loopback(url):
        raise Refused(f"{url} is not this machine: add --allow-remote to storm another server")


def _send(
    http: Http, platform: str, secret: str, events: list[dict[str, Any]], summary: Summary
) -> bool:
    """Post one body of events and count the answer; False when the storm must stop."""
    status, answer = post_events(http, platform, secret, {"events": events}, retry_for=TICK * 4)
    summary.requests += 1
    summary.events += len(events)
    if status == 202:
        summary.accepted += int(answer.get("accepted", 0))
        return True
    summary.refused_requests += 1
    if len(summary.errors) < 5:
        summary.errors.append(f"{status}: {_message(answer)}")
    if status in (401, 404):  # a wrong secret or platform won't get better
        summary.stopped_because = f"the server refused the orders ({status})"
        return False
    return True


def run(
    url: str,
    token: str,
    session_ref: str,
    secret_for: Callable[[str], str | None],
    rate: float,
    seconds: float,
    *,
    allow_remote: bool = False,
    seed: int | None = None,
    out: TextIO | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Summary:
    out = out or sys.stderr
    _refuse_unsafe(url, rate, seconds, allow_remote)
    http = Http(url)
    try:
        session_id = resolve_session(http, token, session_ref)
        products: dict[int, Product] = {}
        plan = read_plan(http, token, session_id, products)
        secret = secret_for(plan.platform)
        if not secret:
            raise Refused(
                f"no webhook secret for {plan.platform}: give --secret, set "
                "SIEULIVE_WEBHOOK_SECRET_DEFAULT, or point --data-dir at `sieulive dev`'s folder"
            )
        summary = Summary(session_id)
        rng = random.Random(seed)
        storm = Storm(plan, f"{int(time.time()) % 100000:05d}{rng.randrange(100):02d}", rng)
        total = int(rate * seconds)
        started = clock()
        next_poll = started + POLL_SHOW
        next_report = started + 1.0
        last_order_at = started
        print(
            f"rehearsal storm → session {plan.code} (#{session_id}) on {plan.platform}: "
            f"{total} orders at {rate:g}/s for {seconds:g} s",
            file=out,
            flush=True,
        )
        while True:
            now = clock()
            elapsed = now - started
            if storm.count >= total and not storm.later:
                break
            if elapsed > seconds + 10:  # follow-ups may trail the last order by a few seconds
                break
            if now >= next_poll:
                try:
                    storm.plan = plan = read_plan(http, token, session_id, products)
                except Refused:
                    summary.stopped_because = "the rehearsal ended"
                    break
                next_poll = now + POLL_SHOW
            want = min(total, int(rate * min(elapsed, seconds)) + 1)
            events = [storm.order(now, summary) for _ in range(min(want - storm.count, MAX_EVENTS))]
            if events:
                last_order_at = now
            summary.orders += len(events)
            events += storm.due(now, MAX_EVENTS - len(events))
            if events and not _send(http, plan.platform, secret, events, summary):
                break
            if now >= next_report:
                flash = " · flash sale on" if plan.flash else ""
                print(
                    f"  {elapsed:5.1f} s  sent {summary.orders} orders "
                    f"({summary.events} events), accepted {summary.accepted}{flash}",
                    file=out,
                    flush=True,
                )
                next_report += 1.0
            time.sleep(max(0.0, TICK - (clock() - now)))
        # The rate achieved is over the time the orders took to send (ticks are TICK apart).
        summary.seconds = round(max(last_order_at - started, TICK), 2)
        return summary
    finally:
        http.close()
