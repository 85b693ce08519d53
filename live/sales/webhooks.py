"""POST /webhooks/orders/{platform}: signed order events in, 202 once durably queued.

Nothing is written to the DB on the request path: platforms want an answer within a second or
two and retry for hours, so the answer waits only for Redis. Redis down → 503, the platform
retries, nothing accepted is ever lost. The inbox is bounded (`SIEULIVE_INBOX_LIMIT` waiting
events): past it, 429 with Retry-After, so a storm waits at the platform instead of piling up
minutes of lag behind the dashboards.
"""

from __future__ import annotations

import logging
import time

import redis
from pydantic import BaseModel, Field, ValidationError

from live import metrics
from live.access.roles import Ctx
from live.api.jsonparse import parse_json
from live.api.routing import PUBLIC, ApiRouter, validation_fields
from live.errors import (
    BadRequest,
    DomainError,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    ValidationFailed,
)
from live.platforms import Platform
from live.sales.intake import inbox, signing
from live.sales.intake.events import parse_body
from live.sales.tasks import enqueue_drain

log = logging.getLogger(__name__)
router = ApiRouter(tag="sales")


class Accepted(BaseModel):
    accepted: int = Field(description="how many events were queued")


PLATFORMS = {p.value for p in Platform}
PRECHECK_BYTES = 4096  # about ten events


@router.route(
    "POST",
    "/webhooks/orders/{platform}",
    access=PUBLIC,
    upload=True,
    limit="body",  # read up to SIEULIVE_MAX_BODY_BYTES, not the upload limit: 413 past it
    status=202,
    summary='Order events (one or {"events": [...]}), HMAC-signed; see docs/orders.md',
    errors={
        "401": "bad signature, or timestamp more than 5 minutes off",
        "429": "the order inbox is full: retry after Retry-After seconds",
        "503": "the order inbox (Redis) is unavailable: retry after Retry-After seconds",
    },
)
def receive_orders(ctx: Ctx, platform: str, upload: bytes) -> Accepted:
    if platform not in PLATFORMS:
        raise NotFound("platform", platform)
    try:
        answer = _receive(ctx, platform, upload)
    except DomainError as exc:
        metrics.WEBHOOK_REFUSED.labels(platform, exc.code).inc()
        if exc.status_code >= 500:
            metrics.BACKEND_ERRORS.labels("redis", "webhook").inc()
        log.info("order webhook from %s refused: %s", platform, exc.code)
        raise
    metrics.WEBHOOK_EVENTS_ACCEPTED.labels(platform).inc(answer.accepted)
    return answer


def _receive(ctx: Ctx, platform: str, upload: bytes) -> Accepted:
    settings = ctx.settings
    headers = ctx.request.headers
    secret = settings.webhook_secrets.get(platform) or settings.webhook_secrets.get("default")
    signing.verify(
        secret, headers.get(signing.TIMESTAMP_HEADER), headers.get(signing.SIGNATURE_HEADER), upload
    )
    connection = ctx.request.app.state.redis
    try:
        # A large body gets a cheap look first: while its events won't fit, a retried batch
        # costs no parsing. Its events are counted by their "order_id" keys (bytes.count, no
        # parse), so the look refuses what the append would (an empty inbox takes anything):
        # looking only for a full inbox let a batch that came while it held 1,401–1,499 of
        # 1,500 events be parsed and validated, then refused by the append. (A small body
        # isn't worth the round trip; the append below checks again, atomically, either way.)
        full = False
        if len(upload) > PRECHECK_BYTES:
            depth = inbox.Inbox(connection).depth()
            counted = max(1, upload.count(b'"order_id"'))
            full = depth > 0 and depth + counted > settings.inbox_limit
            if full:
                inbox.throttled(connection)
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise _unavailable() from exc
    if full:
        raise _inbox_full(settings.inbox_limit)
    data = parse_json(upload)
    try:
        events = parse_body(data)
    except ValidationError as exc:
        raise ValidationFailed(validation_fields(exc)) from exc
    except RecursionError as exc:
        raise BadRequest("the body is nested too deeply", code="malformed_json") from exc
    try:
        if inbox.accept(connection, platform, events, time.time(), settings.inbox_limit):
            enqueue_drain(connection)
    except inbox.InboxFull as exc:
        raise _inbox_full(exc.limit) from exc
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise _unavailable() from exc
    return Accepted(accepted=len(events))


def _inbox_full(limit: int) -> TooManyRequests:
    # Orders come faster than the workers apply them: the platform retries in a moment, and
    # what was accepted stays within a second of the dashboards.
    return TooManyRequests(
        "too many order events are waiting; retry in a second",
        code="inbox_full",
        details={"limit": limit},
    )


def _unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "the order inbox is unavailable; retry later", code="inbox_unavailable"
    )
