"""One logging set-up: JSON or text lines with the ids of what they concern, and never a
secret, a token or a buyer's data in a line — whoever logs it."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
import redis as redis_lib
from starlette.testclient import TestClient

from live.app import create_app
from live.logs import configure_logging, log_context, scrub
from live.sales.pipeline import service
from live.settings import Secret, Settings
from tests.conftest import WEBHOOK_SECRET, auth
from tests.sales.conftest import event, post_events, signed

BUYER_PROVINCE = "Tỉnh Bí Mật Thử Nghiệm"
METRICS_TOKEN = "metrics-token-9f8e7d6c"


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    """Where the lines go; the suite's logging is put back after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield io.StringIO()
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def logged(settings: Settings, output: io.StringIO) -> Settings:
    """JSON lines at DEBUG."""
    configured = settings.with_overrides(
        log_format="json", log_level="DEBUG", metrics_token=Secret(METRICS_TOKEN)
    )
    configure_logging(configured, "web", output)
    return configured


def lines(text: str) -> list[dict[str, str]]:
    found = []
    for line in text.splitlines():
        try:
            found.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"not JSON: {line!r}") from None
    return found


def test_a_request_and_a_batch_leave_json_lines_with_their_ids_and_no_secret(
    logged, output, tokens, db
):
    producer = tokens["producer"]
    with TestClient(create_app(logged)) as client:
        missing = client.get("/api/sessions/987654", headers=auth(producer))
        assert missing.status_code == 404
        request_id = missing.headers["x-request-id"]
        assert missing.json()["error"]["request_id"] == request_id
        given = client.get("/healthz", headers={"X-Request-ID": "lb-0123456789abcdef"})
        assert given.headers["x-request-id"] == "lb-0123456789abcdef"
        # Tokens travel in query strings (pages, overlays) and calendar paths.
        client.get(f"/campaigns/1/calendar?token={producer}")
        client.get(f"/calendar/{producer}.ics")
        order = event(
            "created",
            "TT-LOG-1",
            "2024-09-26T19:05:00+07:00",
            [("SKU-LOG", 1, 65_000)],
            buyer_province=BUYER_PROVINCE,
        )
        assert post_events(client, order).status_code == 202
        body = json.dumps(order, ensure_ascii=False).encode()
        bad = client.post(
            "/webhooks/orders/shopee", content=body, headers=signed(body, secret="wrong-secret")
        )
        assert bad.status_code == 401
        # uvicorn logs each websocket's path with its query string (the overlay token).
        logging.getLogger("uvicorn.error").info(
            '%s - "WebSocket %s" [accepted]', "127.0.0.1:5000", f"/ws/show/1?token={producer}"
        )
        redis = redis_lib.Redis.from_url(logged.redis_url or "")
        try:
            service.drain(db, redis)
        finally:
            redis.close()
    text = output.getvalue()
    found = lines(text)
    assert found and len(found) == len([x for x in text.splitlines() if x.strip()]), text
    request_line = [x for x in found if x.get("request_id") == request_id]
    assert len(request_line) == 1, "one line a request"
    assert re.fullmatch(r"GET /api/sessions/987654 404 [\d.]+ ms", request_line[0]["message"])
    assert request_line[0]["process"] == "web" and request_line[0]["logger"] == "sieulive.http"
    assert any(x["message"].startswith("batch applied") and x.get("batch_id") for x in found)
    refused = [x for x in found if "refused: bad_signature" in x["message"]]
    assert refused and refused[0]["request_id"]
    for secret in (producer, WEBHOOK_SECRET, METRICS_TOKEN, BUYER_PROVINCE):
        assert secret not in text, f"{secret!r} was logged"
    assert "token=[redacted]" in text


def test_text_lines_are_readable_and_name_the_ids(settings, output):
    configure_logging(settings.with_overrides(log_format="text"), "worker", output)
    with log_context(batch_id="b-1", order_ids="tiktok_shop:A,tiktok_shop:B"):
        logging.getLogger("sieulive.test").warning("batch failed")
    line = output.getvalue().strip().splitlines()[-1]
    assert re.match(
        r"^\d\d:\d\d:\d\d\.\d{3} WARNING worker sieulive\.test "
        r"\[order_ids=tiktok_shop:A,tiktok_shop:B batch_id=b-1\] batch failed$",
        line,
    ), line


@pytest.mark.parametrize(
    ("logged_text", "shown"),
    [
        ("GET /overlays/overlay.html?token=ov_abc123XYZ&x=1", "?token=[redacted]&x=1"),
        ("Authorization: Bearer sl_abcdefghijkl", "Bearer [redacted]"),
        ("postgresql://live:hunter22@db/live", "postgresql://live:[redacted]@db/live"),
        ("GET /calendar/cal_0123456789.ics 200", "/calendar/[redacted].ics"),
        ("x-sieulive-signature=sha256=abcdef0123", "signature=[redacted]"),
    ],
)
def test_scrub_takes_tokens_out_of_any_line(logged_text, shown):
    assert shown in scrub(logged_text)
