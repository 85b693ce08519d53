"""The webhook: signature, timestamp, size and validation errors; 202 only once queued."""

from __future__ import annotations

import json
import time
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from starlette.testclient import TestClient

from live.app import create_app
from live.sales.intake import inbox
from live.sales.models import Order
from live.settings import Settings
from tests.sales.conftest import event, new_order_id, post_events, signed

AT = "2024-09-26T19:05:00+07:00"


def one() -> dict[str, Any]:
    return event("created", new_order_id(), AT, [("SKU-1", 2, 65_000)], live_code="S001")


def test_a_signed_event_is_queued_and_nothing_is_written_to_the_db(client, redis, db):
    response = post_events(client, one())
    assert response.status_code == 202, response.json()
    assert response.json() == {"accepted": 1}
    assert redis.llen(inbox.INBOX) == 1
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 0


def test_a_batch_is_queued_whole(client, redis):
    response = post_events(client, {"events": [one() for _ in range(50)]})
    assert response.status_code == 202
    assert redis.llen(inbox.INBOX) == 50


def test_bad_signatures_and_timestamps_are_refused(client, redis):
    body = json.dumps(one()).encode()
    url = "/webhooks/orders/shopee"
    bad = {**signed(body), "x-sieulive-signature": "sha256=" + "0" * 64}
    assert client.post(url, content=body, headers=bad).json()["error"]["code"] == "bad_signature"
    other_secret = signed(body, secret="not-the-secret")
    assert client.post(url, content=body, headers=other_secret).status_code == 401
    old = signed(body, at=int(time.time()) - 301)
    response = client.post(url, content=body, headers=old)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "stale_timestamp"
    future = signed(body, at=int(time.time()) + 301)
    assert client.post(url, content=body, headers=future).status_code == 401
    response = client.post(url, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "missing_signature"
    tampered = body.replace(b"65000", b"1")
    assert client.post(url, content=tampered, headers=signed(body)).status_code == 401
    assert redis.llen(inbox.INBOX) == 0


def test_unknown_platform_oversized_malformed_and_invalid_bodies(client, redis, settings):
    body = json.dumps(one()).encode()
    assert (
        client.post("/webhooks/orders/ebay", content=body, headers=signed(body)).status_code == 404
    )
    huge = json.dumps({"events": [one()] * 1}).encode() + b" " * settings.max_body_bytes
    assert (
        client.post("/webhooks/orders/shopee", content=huge, headers=signed(huge)).status_code
        == 413
    )
    garbage = b"{not json"
    response = client.post("/webhooks/orders/shopee", content=garbage, headers=signed(garbage))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"
    bad_line = event("created", "X1", AT, [("SKU-1", 0, 65_000)])
    response = post_events(client, {"events": [one(), bad_line]})
    assert response.status_code == 422
    fields = [f["field"] for f in response.json()["error"]["details"]["fields"]]
    assert fields == ["events.1.lines.0.quantity"]
    naive = event("paid", "X2", "2024-09-26T19:05:00")
    response = post_events(client, naive)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"][0]["field"] == "occurred_at"
    assert post_events(client, event("shipped", "X3", AT)).status_code == 422
    assert redis.llen(inbox.INBOX) == 0, "nothing half-queued"


def test_redis_unavailable_is_503_so_the_platform_retries(settings: Settings):
    down = settings.with_overrides(redis_url="redis://127.0.0.1:1/0")
    with TestClient(create_app(down)) as client:
        response = post_events(client, one())
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["error"]["code"] == "inbox_unavailable"


def test_a_full_inbox_is_429_refused_whole_and_nothing_lost(settings: Settings, redis):
    """Orders coming faster than the workers apply them wait at the platform, not in a queue
    minutes long behind the dashboards: past the limit a request is refused whole."""
    small = settings.with_overrides(inbox_limit=60)
    with TestClient(create_app(small)) as client:
        assert post_events(client, {"events": [one() for _ in range(50)]}).status_code == 202
        refused = post_events(client, {"events": [one() for _ in range(11)]})
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "1"
        error = refused.json()["error"]
        assert error["code"] == "inbox_full"
        assert error["details"] == {"limit": 60}
        assert redis.llen(inbox.INBOX) == 50, "nothing of the refused request was queued"
        assert int(redis.get(inbox.THROTTLED)) == 1
        # What still fits is taken.
        assert post_events(client, {"events": [one() for _ in range(10)]}).status_code == 202
        assert redis.llen(inbox.INBOX) == 60
        # A large batch meets the full inbox before its body is even parsed: same answer.
        large = post_events(client, {"events": [one() for _ in range(40)]})
        assert large.status_code == 429 and large.json()["error"]["code"] == "inbox_full"
        assert redis.llen(inbox.INBOX) == 60
        assert int(redis.get(inbox.THROTTLED)) == 2
        # …and so does one that would not fit, before the inbox is full (counted unparsed).
        redis.ltrim(inbox.INBOX, 0, 29)
        again = post_events(client, {"events": [one() for _ in range(40)]})
        assert again.status_code == 429 and again.json()["error"]["code"] == "inbox_full"
        assert int(redis.get(inbox.THROTTLED)) == 3
        assert redis.llen(inbox.INBOX) == 30
        # Once the workers catch up the retried request goes in whole.
        redis.delete(inbox.INBOX)
        assert post_events(client, {"events": [one() for _ in range(11)]}).status_code == 202
        assert redis.llen(inbox.INBOX) == 11


def test_an_empty_inbox_takes_a_request_larger_than_the_limit(settings: Settings, redis):
    """Else a platform's batch bigger than the limit would be refused for ever."""
    with TestClient(create_app(settings.with_overrides(inbox_limit=5))) as client:
        response = post_events(client, {"events": [one() for _ in range(20)]})
    assert response.status_code == 202
    assert redis.llen(inbox.INBOX) == 20


def test_hostile_json_in_a_correctly_signed_body_is_a_400(client, redis, db):
    """The webhook reads JSON with the API's one parser: depth and number limits hold for a
    body whose signature is right (a leaked secret, a buggy platform) just the same."""
    deep = "[" * 100_000 + "]" * 100_000
    bodies = [
        f'{{"events": {deep}}}'.encode(),
        deep.encode(),
        (
            '{"events": [' + json.dumps(one())[:-1] + ', "x": ' + "[" * 50 + "]" * 50 + "}]}"
        ).encode(),
        json.dumps(one()).replace('"quantity": 2', '"quantity": ' + "9" * 5_000).encode(),
        json.dumps(one()).replace('"quantity": 2', '"quantity": NaN').encode(),
        json.dumps(one()).replace("65000", "Infinity").encode(),
        b"\xff\xfe{}",
    ]
    for body in bodies:
        response = client.post("/webhooks/orders/shopee", content=body, headers=signed(body))
        assert response.status_code == 400, (body[:60], response.text)
        assert response.json()["error"]["code"] == "malformed_json"
    assert redis.llen(inbox.INBOX) == 0, "nothing queued"
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 0
    # A 4,000-digit quantity is JSON, and a 422 naming the field.
    body = json.dumps(one()).replace('"quantity": 2', '"quantity": ' + "9" * 4_000).encode()
    response = client.post("/webhooks/orders/shopee", content=body, headers=signed(body))
    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"][0]["field"] == "lines.0.quantity"
    assert redis.llen(inbox.INBOX) == 0


# Any JSON at all, and JSON shaped almost like an event: values of every type in every field.
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
EVENTISH = st.fixed_dictionaries(
    {},
    optional={
        field: ANY_JSON
        for field in (
            "kind",
            "order_id",
            "occurred_at",
            "lines",
            "live_code",
            "platform",
            "total",
        )
    },
)


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.one_of(ANY_JSON, st.fixed_dictionaries({"events": st.lists(EVENTISH)}), EVENTISH))
def test_any_correctly_signed_json_is_queued_or_a_4xx_never_a_500(client, redis, body):
    """A leaked secret or a buggy platform can send anything, correctly signed: it is queued
    whole (202) or refused whole with a clear 4xx naming the problem; never a server error."""
    raw = json.dumps(body).encode()
    before = redis.llen(inbox.INBOX)
    response = client.post("/webhooks/orders/shopee", content=raw, headers=signed(raw))
    assert response.status_code in (202, 400, 413, 422), (raw[:200], response.text)
    if response.status_code == 202:
        return
    assert response.json()["error"]["code"], response.text
    assert redis.llen(inbox.INBOX) == before, "a refused request queues nothing"
