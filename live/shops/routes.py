"""Producers' shop API: register a platform account, list shops with their health, rotate a
secret, start a backfill, deactivate and reactivate. Secrets go in and never come out."""

from __future__ import annotations

from pydantic import Field
from redis import ConnectionError as RedisConnectionError
from redis import TimeoutError as RedisTimeoutError
from sqlalchemy import select

from live.access.roles import PRODUCERS, Ctx
from live.api.fields import Schema, When
from live.api.routing import ApiRouter
from live.errors import ServiceUnavailable
from live.shops import pushes
from live.shops.activation import set_active
from live.shops.models import Shop
from live.shops.schemas import BackfillQueued, ShopList, ShopOut, ShopWithHealth
from live.shops.service import (
    RotateIn,
    ShopIn,
    ShopPatch,
    add_shop,
    change_shop,
    get_shop,
    require_active,
    rotate,
    shop_out,
    with_health,
)
from live.shops.tasks import enqueue_poll

router = ApiRouter(tag="shops")


class BackfillIn(Schema):
    since: When | None = Field(None, description="from when (default: since the last poll)")


def _with_health(ctx: Ctx, shop: Shop) -> ShopWithHealth:
    health = pushes.health(ctx.request.app.state.redis, shop.id)
    return with_health(shop_out(ctx.settings, shop), health)


@router.route("GET", "/api/shops", access=PRODUCERS, summary="Shops, with pushes, polls, fetches")
def list_shops(ctx: Ctx) -> ShopList:
    with ctx.db.reading() as db:
        shops = db.scalars(select(Shop).order_by(Shop.id)).all()
        items = [_with_health(ctx, s) for s in shops]
    return ShopList(items=items, redis_memory_bytes=pushes.memory(ctx.request.app.state.redis))


@router.route(
    "POST",
    "/api/shops",
    access=PRODUCERS,
    status=201,
    summary="Register a platform shop; its secrets are stored encrypted and never shown again",
)
def create_shop(ctx: Ctx, body: ShopIn) -> ShopOut:
    with ctx.db.unit_of_work() as db:
        shop = add_shop(db, ctx.settings, body)
        db.flush()
        out = shop_out(ctx.settings, shop)
    ctx.request.app.state.redis.sadd(pushes.KNOWN, out.id)
    return out


@router.route("GET", "/api/shops/{shop_id:int}", access=PRODUCERS, summary="One shop, its health")
def read_shop(ctx: Ctx, shop_id: int) -> ShopWithHealth:
    with ctx.db.reading() as db:
        return _with_health(ctx, get_shop(db, shop_id))


@router.route(
    "PATCH",
    "/api/shops/{shop_id:int}",
    access=PRODUCERS,
    summary="Change a shop: its name, channel, API base, callback URL, TikTok shop cipher, "
    "rate, access token; or deactivate it (its pushes answered 200 and dropped, its polls "
    "stopped) or reactivate it (a backfill poll reaches back to when it was deactivated)",
    errors={"503": "saved, but Redis is unavailable: send it again once Redis is back"},
)
def edit_shop(ctx: Ctx, shop_id: int, body: ShopPatch) -> ShopWithHealth:
    redis = ctx.request.app.state.redis
    try:
        with ctx.db.unit_of_work() as db:
            shop = change_shop(ctx.settings, get_shop(db, shop_id), body)
            if body.active is not None:
                shop = set_active(db, redis, shop, body.active)
            db.flush()
            out = shop_out(ctx.settings, shop)
        _forget_keys(ctx)
        return with_health(out, pushes.health(redis, shop_id))
    except (RedisConnectionError, RedisTimeoutError) as exc:
        raise ServiceUnavailable(
            "the change is saved but Redis is unavailable, so the workers don't know of it "
            "yet: send it again once Redis is back",
            code="shops_redis_unavailable",
        ) from exc


def _forget_keys(ctx: Ctx) -> None:
    """This process sees the change at once; the others within their cache's few seconds."""
    ring = getattr(ctx.request.app.state, "shop_keyring", None)
    if ring is not None:
        ring.forget()


@router.route(
    "POST",
    "/api/shops/{shop_id:int}/rotate",
    access=PRODUCERS,
    summary="A new app secret; the previous one verifies pushes for the grace period",
)
def rotate_shop(ctx: Ctx, shop_id: int, body: RotateIn) -> ShopOut:
    with ctx.db.unit_of_work() as db:
        shop = rotate(db, ctx.settings, get_shop(db, shop_id), body)
        db.flush()
        out = shop_out(ctx.settings, shop)
    # The previous secret still verifies meanwhile.
    _forget_keys(ctx)
    return out


@router.route(
    "POST",
    "/api/shops/{shop_id:int}/backfill",
    access=PRODUCERS,
    status=202,
    summary="Poll the shop's orders updated since a time now (a worker runs it); 409 "
    "shop_inactive for a deactivated shop",
)
def backfill_shop(ctx: Ctx, shop_id: int, body: BackfillIn) -> BackfillQueued:
    with ctx.db.reading() as db:
        require_active(get_shop(db, shop_id))
    since = body.since.isoformat() if body.since else None
    enqueue_poll(ctx.request.app.state.redis, shop_id, since)
    return BackfillQueued(shop=shop_id, since=body.since, queued=True)
