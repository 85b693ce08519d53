"""Deactivating and reactivating a shop (API, page and CLI share this).

Deactivated, a shop's pushes are still verified and answered 200 with an empty body, and
dropped: nothing stored but a count. Not a 503 the platform would retry: TikTok stops after
four retries (about 15 hours), Lazada after six hours, Shopee within about three, and Shopee
and Shopify turn off a push URL that keeps failing — for every shop of the app, which share
one URL. What the pushes would have said is not lost: the platforms' order lists keep it, and
when the shop is reactivated its backfill poll reaches back to when it was deactivated (or to
its last poll, if earlier). Its backfill poll stops meanwhile; pushes it stored before and the
fetches they were waiting for stay in Redis and are worked again on reactivation.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from live.db import after_commit, utcnow
from live.shops import pushes
from live.shops.backfill import OVERLAP_SECONDS
from live.shops.models import Shop
from live.shops.tasks import enqueue_poll


def set_active(db: Session, redis: Any, shop: Shop, active: bool) -> Shop:
    """Deactivate or reactivate. Redis follows the commit: the watchdogs skip a deactivated
    shop; a reactivated one gets its catch-up poll. The same again changes nothing but says
    it to Redis once more — so a change whose Redis part failed (Redis down: the caller says
    so) is finished by trying again."""
    shop_id = shop.id
    if shop.active == active:
        after_commit(db, lambda: _mark(redis, shop_id, active))
        return shop
    if not active:
        shop.active = False
        shop.deactivated_at = utcnow()
        after_commit(db, lambda: _deactivated(redis, shop_id))
        return shop
    since = catch_up_since(redis, shop)
    shop.active = True
    shop.deactivated_at = None
    after_commit(db, lambda: _reactivated(redis, shop_id, since))
    return shop


def catch_up_since(redis: Any, shop: Shop) -> datetime | None:
    """Where a reactivated shop's poll starts: the earlier of when it was deactivated and the
    end of its last poll, less the usual overlap."""
    moments = [shop.deactivated_at] if shop.deactivated_at else []
    last = redis.hget(pushes.stats_key(shop.id), "last_poll_until")
    if last:
        moments.append(datetime.fromtimestamp(float(last), UTC))
    return min(moments) - timedelta(seconds=OVERLAP_SECONDS) if moments else None


def _mark(redis: Any, shop_id: int, active: bool) -> None:
    """Whether the watchdogs look at the shop."""
    pipe = redis.pipeline(transaction=True)
    if active:
        pipe.srem(pushes.INACTIVE, shop_id)
        pipe.sadd(pushes.KNOWN, shop_id)
    else:
        pipe.sadd(pushes.INACTIVE, shop_id)
        pipe.srem(pushes.KNOWN, shop_id)
    pipe.execute()


def _deactivated(redis: Any, shop_id: int) -> None:
    _mark(redis, shop_id, False)


def _reactivated(redis: Any, shop_id: int, since: datetime | None) -> None:
    _mark(redis, shop_id, True)
    enqueue_poll(redis, shop_id, since.isoformat() if since else None)
