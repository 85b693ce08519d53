"""POST /push/{shop_id}: a platform's own push, answered as the platform expects.

The request path verifies the platform's signature over the raw bytes, reads just enough of
the body to dedupe it, and appends it to the shop's push list in Redis — nothing else: no
database (the shop's keys are cached per process for a few seconds), no detail call, no
parsing of the order. The answer is 200 with an empty body, well inside every platform's
deadline (Lazada's 500 ms is the shortest). It is never 429: platforms retry minutes to hours
later and turn off pushes that keep failing, so a burst queues in Redis and the workers catch
up. Unknown shop → 404, bad signature → 401, nothing stored; Redis down → 503.

A deactivated shop's push is verified and answered 200 like any other, and dropped — counted,
nothing stored (`activation.py` says why, and how its backfill catches up on reactivation).
"""

from __future__ import annotations

import logging
import time

import redis
from starlette.responses import Response

from live.access.roles import Ctx
from live.api.jsonparse import parse_json
from live.api.routing import PUBLIC, ApiRouter
from live.errors import BadRequest, NotFound, ServiceUnavailable, Unauthorized
from live.platforms.adapters import adapter as adapter_for
from live.shops import pushes
from live.shops.service import Keyring
from live.shops.tasks import enqueue_work

router = ApiRouter(tag="shops")
log = logging.getLogger(__name__)

# The headers a worker needs to read a push later (Shopify's topic and shop live there).
KEPT_HEADERS = ("x-shopify-topic", "x-shopify-shop-domain", "x-shopify-webhook-id")


def keyring(ctx: Ctx) -> Keyring:
    state = ctx.request.app.state
    ring: Keyring | None = getattr(state, "shop_keyring", None)
    if ring is None:
        ring = state.shop_keyring = Keyring()
    return ring


@router.route(
    "POST",
    "/push/{shop_id:int}",
    access=PUBLIC,
    upload=True,
    limit="body",
    # The platforms read only the status: the answer has no body, hence no content type.
    produces=(),
    summary="A platform's push for one shop, in the platform's own format and signature "
    "(docs/platforms.md); 200 with an empty body",
    errors={
        "401": "the platform's signature does not match",
        "404": "no such shop",
        "503": "Redis is unavailable: the platform retries",
    },
)
def receive_push(ctx: Ctx, shop_id: int, upload: bytes) -> Response:
    shop = keyring(ctx).get(ctx.db, ctx.settings, shop_id)
    if shop is None:
        raise NotFound("shop", shop_id)
    adapter = adapter_for(shop.platform)
    headers = ctx.request.headers
    if not adapter.verify(shop.keys, headers, upload, str(ctx.request.url)):
        raise Unauthorized(
            f"the {shop.platform} signature does not match the body", code="bad_signature"
        )
    if not shop.active:
        return _ignored(ctx, shop_id)
    data = parse_json(upload)
    if not isinstance(data, dict):
        raise BadRequest("a push is a JSON object", code="malformed_json")
    try:
        body = upload.decode()
    except UnicodeDecodeError as exc:
        raise BadRequest("a push is UTF-8 JSON", code="malformed_json") from exc
    now = time.time()
    item = pushes.record({h: headers[h] for h in KEPT_HEADERS if h in headers}, body.encode(), now)
    connection = ctx.request.app.state.redis
    try:
        fresh = pushes.receive(
            connection, shop_id, adapter.dedupe_id(headers, data, upload), item, now
        )
        if fresh == 1:
            enqueue_work(connection, shop_id)
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise ServiceUnavailable(
            "the push queue is unavailable; retry later", code="push_queue_unavailable"
        ) from exc
    return Response(status_code=200)


def _ignored(ctx: Ctx, shop_id: int) -> Response:
    """A deactivated shop: answered as the platform wants, nothing stored. The count is for
    the producer to see; it is not worth a retry when Redis is away."""
    try:
        pushes.ignored(ctx.request.app.state.redis, shop_id, time.time())
    except (redis.ConnectionError, redis.TimeoutError):
        log.warning("could not count a deactivated shop's push", extra={"shop": shop_id})
    return Response(status_code=200)
