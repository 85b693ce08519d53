"""Sending signed order events to a running server, as a platform would: `sieulive send-order`,
`sieulive rehearse` and the orders benchmark share it.

Plain `http.client` with one kept-alive connection: no extra dependency for the CLI, and the
benchmark's client processes pay no per-request connection set-up.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import random
import secrets
import socket
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from live.sales.intake import signing
from live.settings import WEBHOOK_SECRET_PREFIX, Settings

SECRET_FILE = "webhook_secret"
SECRET_ENV = WEBHOOK_SECRET_PREFIX


def dev_secret(data_dir: Path) -> str:
    """The dev setup's webhook secret: made on first start, kept in the data folder (only the
    owner may read it), so `sieulive dev` needs no configuration and `send-order` finds it."""
    path = data_dir / SECRET_FILE
    if path.exists():
        value = path.read_text().strip()
        if value:
            return value
    data_dir.mkdir(parents=True, exist_ok=True)
    value = "dev_" + secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    return value


def find_secret(platform: str, explicit: str | None, settings: Settings | None) -> str | None:
    """The secret the server checks for `platform`: given, else the settings the server
    reads too (the platform's, then the default), else the dev setup's file."""
    if explicit:
        return explicit
    if settings is None:
        return None
    for name in (platform, "default"):
        value = settings.webhook_secrets.get(name)
        if value:
            return str(value)
    if settings.data_dir is not None:
        path = settings.data_dir / SECRET_FILE
        if path.exists():
            return path.read_text().strip() or None
    return None


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def order_event(
    kind: str,
    order_id: str,
    *,
    sku: str | None = None,
    quantity: int = 1,
    price: int = 0,
    at: str | None = None,
    live_code: str | None = None,
    channel: str | None = None,
    province: str | None = None,
) -> dict[str, Any]:
    """One event in the webhook's shape (docs/orders.md)."""
    event: dict[str, Any] = {"type": kind, "order_id": order_id, "occurred_at": at or now_iso()}
    if sku:
        event["lines"] = [{"sku": sku, "quantity": quantity, "unit_price": price}]
    for key, value in (
        ("live_code", live_code),
        ("channel", channel),
        ("buyer_province", province),
    ):
        if value:
            event[key] = value
    return event


def encode(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signed_headers(secret: str, body: bytes, at: int | None = None) -> dict[str, str]:
    timestamp = str(int(time.time()) if at is None else at)
    return {
        signing.TIMESTAMP_HEADER: timestamp,
        signing.SIGNATURE_HEADER: signing.sign(secret, timestamp, body),
        "Content-Type": "application/json",
    }


class Http:
    """One kept-alive HTTP/1.1 connection to the server; reconnects once if it was closed."""

    def __init__(self, base_url: str, timeout: float = 30) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"not an http(s) URL: {base_url}")
        self.https = parts.scheme == "https"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if self.https else 80)
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self._conn: http.client.HTTPConnection | None = None
        self.retry_after: float | None = None  # the last answer's Retry-After, in seconds

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
            self._conn = cls(self.host, self.port, timeout=self.timeout)
            self._conn.connect()
            # Small requests back to back: don't let Nagle hold them for the delayed ACK.
            if self._conn.sock is not None:
                self._conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self._conn

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, self.prefix + path, body=body, headers=headers or {})
                response = conn.getresponse()
                raw = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server closed while idle: once more on a new one.
                self.close()
                if attempt == 2:
                    raise
                continue
            if response.getheader("connection", "").lower() == "close":
                self.close()
            try:
                self.retry_after = float(response.getheader("retry-after") or "")
            except ValueError:
                self.retry_after = None
            try:
                answer = json.loads(raw) if raw else None
            except ValueError:
                answer = raw.decode(errors="replace")
            return response.status, answer
        raise AssertionError("unreachable")

    def get_json(self, path: str, token: str | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.request("GET", path, headers=headers)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def post_events(
    http_: Http, platform: str, secret: str, payload: Any, *, retry_for: float = 0.0
) -> tuple[int, Any]:
    """Sign and POST one event or {"events": [...]}; returns the status and the answer.

    `retry_for`: seconds to keep retrying a 429 (inbox full) or 503 (inbox unavailable), as a
    platform does, waiting the server's Retry-After (capped, so a storm keeps its pace) and
    signing afresh each time."""
    body = encode(payload)
    deadline = time.monotonic() + retry_for
    while True:
        status, answer = http_.request(
            "POST", f"/webhooks/orders/{platform}", body, signed_headers(secret, body)
        )
        if status not in (429, 503) or time.monotonic() >= deadline:
            return status, answer
        wait = min(http_.retry_after or 1.0, 1.0, max(0.0, deadline - time.monotonic()))
        time.sleep(wait * random.uniform(0.5, 1.0))
