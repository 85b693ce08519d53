"""Body limits hold while the body is read: a route stops reading at its limit and answers 413
naming it, without waiting for (or keeping) the rest. JSON bodies and the order webhook are
bounded by SIEULIVE_MAX_BODY_BYTES, uploaded files by SIEULIVE_MAX_UPLOAD_BYTES."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
import redis
from starlette.testclient import TestClient

from live.app import create_app
from live.sales.intake import inbox
from live.settings import Settings
from tests.api.test_bad_input import row_counts
from tests.conftest import auth

CHUNK = 64 * 1024
BODY_LIMIT = 256 * 1024
UPLOAD_LIMIT = 1024 * 1024


@dataclass
class Streamed:
    status: int = 0
    body: dict[str, Any] = field(default_factory=dict)
    pulled: int = 0  # bytes the app asked for before it answered


def stream(
    client: TestClient,
    path: str,
    *,
    chunks: int,
    headers: dict[str, str] | None = None,
    content_length: int | None = None,
) -> Streamed:
    """POST `chunks` chunks of 64 KiB straight into the app, counting how many it reads: the
    test client would read a generator whole before the app saw the first byte."""
    out = Streamed()
    sent = 0
    raw_headers = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    raw_headers.append((b"host", b"testserver"))
    if content_length is not None:
        raw_headers.append((b"content-length", str(content_length).encode()))
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": raw_headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent >= chunks:
            return {"type": "http.disconnect"}
        sent += 1
        out.pulled += CHUNK
        return {"type": "http.request", "body": b" " * CHUNK, "more_body": sent < chunks}

    parts: list[bytes] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out.status = message["status"]
        elif message["type"] == "http.response.body":
            parts.append(message.get("body", b""))

    async def run() -> None:
        await client.app(scope, receive, send)

    assert client.portal is not None
    client.portal.call(run)
    out.body = json.loads(b"".join(parts))
    return out


@pytest.fixture
def small(settings: Settings, tokens: dict[str, str]) -> Any:
    limits = settings.with_overrides(max_body_bytes=BODY_LIMIT, max_upload_bytes=UPLOAD_LIMIT)
    with TestClient(create_app(limits)) as client:
        yield client


def too_large(out: Streamed, limit: int) -> None:
    assert out.status == 413, out
    assert out.body["error"]["code"] == "payload_too_large"
    assert out.body["error"]["details"] == {"limit": limit}
    # Reading stopped at the limit: at most one chunk past it was taken off the socket.
    assert out.pulled <= limit + CHUNK, (out.pulled, limit)


def test_the_webhook_stops_reading_at_the_body_limit_not_the_upload_limit(
    small: TestClient, db: Any, settings: Settings
) -> None:
    before = row_counts(db)
    headers = {"content-type": "application/json", "x-sieulive-timestamp": "1"}
    out = stream(small, "/webhooks/orders/shopee", chunks=200, headers=headers)
    too_large(out, BODY_LIMIT)
    # Declared too long: refused before a byte is read.
    out = stream(
        small,
        "/webhooks/orders/shopee",
        chunks=200,
        headers=headers,
        content_length=BODY_LIMIT + 1,
    )
    too_large(out, BODY_LIMIT)
    assert out.pulled == 0
    assert redis.Redis.from_url(settings.redis_url or "").llen(inbox.INBOX) == 0
    assert row_counts(db) == before


def test_json_routes_stop_reading_at_the_body_limit(
    small: TestClient, tokens: dict[str, str], db: Any
) -> None:
    before = row_counts(db)
    headers = {"content-type": "application/json", **auth(tokens["producer"])}
    for path in ("/api/suppliers", "/api/campaigns", "/api/tokens"):
        too_large(stream(small, path, chunks=200, headers=headers), BODY_LIMIT)
    # Within the limit the body is read whole (and here, being blanks, isn't JSON).
    out = stream(small, "/api/suppliers", chunks=BODY_LIMIT // CHUNK, headers=headers)
    assert out.status == 400 and out.body["error"]["code"] == "malformed_json"
    assert out.pulled == BODY_LIMIT
    assert row_counts(db) == before


def test_uploads_stop_reading_at_the_upload_limit(
    small: TestClient, tokens: dict[str, str], db: Any
) -> None:
    before = row_counts(db)
    headers = {"content-type": "text/csv", **auth(tokens["producer"])}
    out = stream(small, "/api/imports?filename=a.csv", chunks=400, headers=headers)
    too_large(out, UPLOAD_LIMIT)
    assert out.pulled > BODY_LIMIT, "files may be larger than JSON bodies"
    assert row_counts(db) == before


def test_every_route_that_reads_a_body_has_its_limit_documented(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            if "requestBody" not in op:
                continue
            described = op["responses"]["413"]["description"]
            expected = "UPLOAD" if path == "/api/imports" else "BODY"
            assert described == f"body over SIEULIVE_MAX_{expected}_BYTES", (method, path)
