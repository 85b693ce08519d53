"""What every platform adapter shares: the neutral shapes they produce, the keys of a shop,
the HMAC helpers, and the protocol an adapter meets.

Adapters know nothing of sieulive's pipeline: they give `PlatformOrder`s (an order with its
lines and its status already in sieulive's words) and `Notice`s (what a push names), and the
shops area turns those into order events.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, Protocol

import httpx2 as httpx

# sieulive's order vocabulary (live/sales/intake/events.py EventType), by value: adapters sit
# below sales and can't import it.
Kind = Literal["created", "paid", "delivered", "cancelled", "returned"]
KINDS: tuple[Kind, ...] = ("created", "paid", "delivered", "cancelled", "returned")


@dataclass(frozen=True)
class Line:
    sku: str  # the seller SKU: sieulive's product code
    quantity: int
    unit_price: int  # integer đồng
    # Units of the line cancelled or returned on their own while the order goes on (Lazada
    # keeps a status per item): they leave net whatever the order's status.
    cancelled: int = 0
    returned: int = 0


@dataclass(frozen=True)
class PlatformOrder:
    order_id: str  # always a string: Shopify's and TikTok's ids pass 2^53
    status: str  # the platform's own word
    kind: Kind  # what it means to sieulive
    created_at: datetime  # aware
    updated_at: datetime  # aware: the platform's update time orders the statuses
    lines: tuple[Line, ...] = ()
    province: str | None = None


@dataclass(frozen=True)
class Notice:
    """What one push says, read by a worker (the request path only verifies and queues it)."""

    order_ids: tuple[str, ...] = ()
    shop_ref: str | None = None  # the shop the body names, when it names one
    order: PlatformOrder | None = None  # the whole order, when the push carries it (Shopify)
    kind: str = ""  # the platform's notification type, for the producer's counts
    # The order's update time the push reports (Unix seconds), when it reports one: a push
    # no newer than the details already fetched needs no new fetch.
    updated: int | None = None
    # (order id, when): the push says the order was returned, which no fetch can tell
    # (TikTok's return pushes: its order API has no returned status).
    returned: tuple[str, datetime] | None = None


@dataclass(frozen=True)
class Keys:
    """A shop's credentials, decrypted, as the adapters need them. `app_secrets` holds the
    current secret first and, during a rotation's grace period, the previous one."""

    shop_ref: str  # TikTok shop id, Shopee shop id, Lazada seller id, Shopify shop domain
    app_key: str  # TikTok app key, Shopee partner id, Lazada app key, Shopify client id
    app_secrets: tuple[str, ...]
    access_token: str
    api_base: str
    callback_url: str = ""  # Shopee signs it: exactly the URL set in its console
    shop_cipher: str = ""  # TikTok's shop parameter of its shop APIs

    @property
    def app_secret(self) -> str:
        return self.app_secrets[0]


class ApiFailed(Exception):
    """A detail or list call that did not give orders: retried later with backoff."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


Headers = Mapping[str, str]


class Adapter(Protocol):
    platform: str
    batch_limit: int  # ids one detail call takes

    # A push's signature is checked over exactly these bytes; `url` is the one called.
    def verify(self, keys: Keys, headers: Headers, body: bytes, url: str) -> bool: ...
    def dedupe_id(self, headers: Headers, data: Any, body: bytes) -> str: ...
    def read_push(self, headers: Headers, data: Any) -> Notice: ...
    def fetch(self, http: httpx.Client, keys: Keys, ids: list[str]) -> list[PlatformOrder]: ...
    def updated(
        self, http: httpx.Client, keys: Keys, since: datetime, until: datetime
    ) -> list[str]: ...
    # Simulation and tests: the push as the platform signs it.
    def push_headers(self, keys: Keys, body: bytes, url: str) -> dict[str, str]: ...


def hmac_hex(key: str, message: bytes) -> str:
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def hmac_base64(key: str, message: bytes) -> str:
    return base64.b64encode(hmac.new(key.encode(), message, hashlib.sha256).digest()).decode()


def matches(expected: str, given: str | None) -> bool:
    """Constant time, so a caller can't learn the signature a byte at a time."""
    return given is not None and hmac.compare_digest(expected.encode(), given.strip().encode())


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def at_seconds(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value), UTC)


def dong(value: Any) -> int:
    """A price as the platform writes it ("120000", "120000.00", 120000.0) → integer đồng."""
    try:
        return int(Decimal(str(value)).to_integral_value())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not a price: {value!r}") from exc


def merge_lines(
    pairs: list[tuple[str, int, int]], off: list[Kind | None] | None = None
) -> tuple[Line, ...]:
    """Lines of the same SKU and price as one line, in the order they first appear:
    platforms that list one item per unit (TikTok, Lazada) become quantities. `off` gives,
    item by item, "cancelled" or "returned" for an item off on its own (Lazada)."""
    merged: dict[tuple[str, int], list[int]] = {}
    for n, (sku, quantity, price) in enumerate(pairs):
        counts = merged.setdefault((sku, price), [0, 0, 0])
        counts[0] += quantity
        kind = off[n] if off else None
        if kind == "cancelled":
            counts[1] += quantity
        elif kind == "returned":
            counts[2] += quantity
    return tuple(Line(sku, q, price, c, r) for (sku, price), (q, c, r) in merged.items())


@dataclass
class StatusMap:
    """A platform's status words → sieulive's; unknown words are an error the worker reports
    (a platform adding a status must not be guessed at)."""

    words: dict[str, Kind] = field(default_factory=dict)

    def kind(self, status: str) -> Kind:
        try:
            return self.words[status]
        except KeyError:
            raise ValueError(f"unknown order status {status!r}") from None


def check_answer(response: httpx.Response) -> Any:
    """The JSON of a 2xx; ApiFailed (with Retry-After) otherwise."""
    if response.status_code == 429 or response.status_code >= 500:
        retry = response.headers.get("retry-after")
        raise ApiFailed(
            f"HTTP {response.status_code}",
            retry_after=float(retry) if retry and retry.replace(".", "", 1).isdigit() else None,
        )
    if response.status_code >= 400:
        raise ApiFailed(f"HTTP {response.status_code}: {response.text[:200]}")
    try:
        return response.json()
    except ValueError as exc:
        raise ApiFailed("the answer is not JSON") from exc


def app_key_signature(app_key: str, app_secret: str, body: bytes) -> str:
    """TikTok Shop's and Lazada's push signature: lowercase hex HMAC-SHA256, key = the app
    secret, message = the app key + the raw body."""
    return hmac_hex(app_secret, app_key.encode() + body)


class AppKeySignedPushes:
    """Pushes signed the TikTok Shop and Lazada way: `Authorization` holds the bare signature
    (no "Bearer") over app key + raw body; during a secret's rotation either secret verifies."""

    def verify(self, keys: Keys, headers: Headers, body: bytes, url: str) -> bool:
        given = headers.get("authorization")
        return any(
            matches(app_key_signature(keys.app_key, secret, body), given)
            for secret in keys.app_secrets
        )

    def push_headers(self, keys: Keys, body: bytes, url: str) -> dict[str, str]:
        return {
            "Authorization": app_key_signature(keys.app_key, keys.app_secret, body),
            "Content-Type": "application/json",
        }
