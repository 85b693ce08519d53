"""Coalesced dashboard snapshots: whole figures a few times a second, never one push per order.

Workers mark sessions and their campaigns dirty after each committed batch.

- Campaign dashboards: the whole sales snapshot (from the Redis counters: cheap) goes out on the
  campaign channel at most once a tick per campaign. The worker that committed a batch
  publishes it at once when the campaign's throttle allows (no tick to wait for); otherwise the
  campaign stays marked and the web processes' tick loop publishes it when the throttle lapses.
- Shows: every web process runs a tick loop, and a short Redis lock lets one of them publish
  per tick the whole show state (sales, stock left, flash stock, recent purchases) of each
  dirty session on its show channel — a session is dirty when it sold, or when a product it
  shows (featured or in its flash sale) sold anywhere, since its stock left moved. A loop of
  its own, so dashboards never wait on the show states' queries.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import or_, select
from starlette.concurrency import run_in_threadpool

from live.db import Database
from live.hub.publish import Publisher
from live.sales.pipeline.counters import CAMPAIGN, DIRTY, DIRTY_CAMPAIGNS, DIRTY_PRODUCTS, read
from live.shows.models import Phase, Show
from live.shows.service import current_state, show_channel

log = logging.getLogger(__name__)
TICK_SECONDS = 0.25  # at most four snapshots a second per session and per campaign
# One web process publishes the show states per tick (the lock outlives it by less than a tick).
SESSION_LOCK = "sieulive:sales:session-snapshot-lock"
LOCK_MS = int(TICK_SECONDS * 1000 * 0.9)
# A campaign's dashboard snapshot: at most one per tick, from whichever process gets there first.
THROTTLE = "sieulive:sales:campaign-snapshot:"
THROTTLE_MS = LOCK_MS
CHANNEL_KIND = "campaign"


def campaign_channel(campaign_id: int) -> str:
    """The hub channel a campaign's sales dashboards follow."""
    return f"{CHANNEL_KIND}:{campaign_id}"


def campaign_snapshot(redis: Any, campaign_id: int) -> dict[str, Any]:
    figures = read(redis, f"{CAMPAIGN}{campaign_id}")
    net_units = figures["gross_units"] - figures["cancelled_units"] - figures["returned_units"]
    net_revenue = (
        figures["gross_revenue"] - figures["cancelled_revenue"] - figures["returned_revenue"]
    )
    return {
        "campaign_id": campaign_id,
        "at": int(time.time() * 1000),
        "totals": {**figures, "net_units": net_units, "net_revenue": net_revenue},
    }


def publish_campaigns(
    redis: Any, publisher: Publisher, campaign_ids: list[int] | None = None
) -> int:
    """Publish the whole snapshot of each campaign marked dirty (or of `campaign_ids`, marked or
    not) that had none in the last tick: a per-campaign throttle key coalesces them to at most
    one per TICK_SECONDS, whoever publishes. A campaign still throttled stays marked, and the
    web processes' tick loop publishes it once the throttle lapses: no change is left out.

    Workers call this right after a batch's commit (the leading edge: no tick to wait for);
    the tick loop catches the rest (the trailing edge)."""
    if campaign_ids is None:
        campaign_ids = sorted(int(x) for x in redis.smembers(DIRTY_CAMPAIGNS))
    published = 0
    for campaign_id in campaign_ids:
        if not redis.set(f"{THROTTLE}{campaign_id}", 1, nx=True, px=THROTTLE_MS):
            continue
        # Unmarked before the counters are read: a batch counted after this read marks the
        # campaign again, so its figures go out in a later snapshot.
        redis.srem(DIRTY_CAMPAIGNS, campaign_id)
        publisher.publish(
            campaign_channel(campaign_id), "sales", campaign_snapshot(redis, campaign_id)
        )
        published += 1
    return published


def publish_sessions(db: Database, redis: Any, publisher: Publisher, holder: str) -> int:
    """One tick of the shows: each session marked since the last tick, and each show whose
    featured or flash-sale product sold anywhere, gets its whole show state (sales, stock left,
    flash stock, recent purchases) — several queries each, so on a loop of its own.

    Only sessions that have a show: every way of watching one (the producer's or creator's
    console, an overlay URL, the show socket) makes it first, so a session without one has
    nobody to tell, and whoever opens it later reads its state then. Sales keep coming to the
    past sessions of a fair (returns, late deliveries) and to those nobody has opened yet;
    building their states four times a second was a quarter of a web process's work in an
    order storm (docs/orders.md)."""
    if not redis.set(SESSION_LOCK, holder, nx=True, px=LOCK_MS):
        return 0
    raw = redis.spop(DIRTY, 500) or []
    products = {int(x) for x in redis.spop(DIRTY_PRODUCTS, 500) or []}
    marked = {int(x) for x in raw if int(x)}
    if not marked and not products:
        return 0
    with db.reading() as s:
        # One read of the shows a tick: the marked sessions' (whether they have one) and those
        # still on (whose featured or flash-sale product may have sold elsewhere).
        columns = (Show.session_id, Show.featured_product_id, Show.flash_sale, Show.phase)
        on_or_marked = or_(Show.phase != Phase.ended, Show.session_id.in_(sorted(marked)))
        shows: list[ShowRow] = [
            (r.session_id, r.featured_product_id, r.flash_sale, r.phase)
            for r in s.execute(select(*columns).where(on_or_marked))
        ]
    session_ids = sorted((marked | showing(shows, products)) & {row[0] for row in shows})
    published = 0
    for session_id in session_ids:
        with db.unit_of_work() as s:
            state = current_state(s, session_id)
        publisher.publish(show_channel(session_id), "show", state)
        published += 1
    return published


ShowRow = tuple[int, int | None, dict[str, Any] | None, Phase]


def showing(shows: Sequence[ShowRow], product_ids: set[int]) -> set[int]:
    """Sessions whose show (not ended) features one of the products or runs its flash sale:
    their stock left moves when the product sells in another session or in an order no session
    claimed, which marks no session of theirs. `shows`: (session, featured, flash sale, phase)."""
    if not product_ids:
        return set()
    return {
        session_id
        for session_id, featured, flash, phase in shows
        if phase != Phase.ended
        and (featured in product_ids or (flash and flash.get("product_id") in product_ids))
    }


# How often the web processes look for a campaign whose snapshot was held back by its throttle.
# The throttle, not this, caps the snapshots (four a second a campaign); looking every tick, a
# batch committed just after a snapshot waited up to the throttle plus a whole tick (~475 ms)
# for the next one, now up to the throttle plus this (~275 ms). A look is one SMEMBERS.
CAMPAIGN_LOOK_SECONDS = 0.05


async def _every_tick(step: Callable[[], int], what: str, period: float = TICK_SECONDS) -> None:
    """Run `step` on tick boundaries: the time a step takes doesn't stretch the period."""
    loop = asyncio.get_running_loop()
    next_tick = loop.time()
    while True:
        next_tick = max(next_tick + period, loop.time())
        await asyncio.sleep(next_tick - loop.time())
        try:
            await run_in_threadpool(step)
        except Exception:
            log.exception("publishing %s snapshots failed", what)


async def run_forever(db: Database, redis: Any, publisher: Publisher, holder: str) -> None:
    await asyncio.gather(
        _every_tick(lambda: publish_campaigns(redis, publisher), "campaign", CAMPAIGN_LOOK_SECONDS),
        _every_tick(lambda: publish_sessions(db, redis, publisher, holder), "show"),
    )
