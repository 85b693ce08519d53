"""The whole current state of a show, as every overlay and console receives it first.

Changes carry whole objects (the whole state), so duplicates and reordering are harmless.
Times are ISO timestamps in the campaign's offset (+07:00), as every other response gives them;
clients draw countdowns from them and the server time they are sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from live.api.fields import web_url
from live.catalog.models import Product
from live.schedule.models import LiveSession, Segment
from live.shows.models import FlashSale, Phase, SegmentRun, Show
from live.shows.on_air import SALES


def elapsed_seconds(show: Show, now: datetime) -> float:
    """Seconds the current segment has been on air, holds not counted."""
    if show.segment_started_at is None:
        return 0.0
    until = show.held_at or now
    return max(0.0, (until - show.segment_started_at).total_seconds() - show.held_seconds)


def product_card(product: Product | None, stock_left: dict[int, int]) -> dict[str, Any] | None:
    """The product as the overlay's card and the consoles show it; `stock_left` from sales
    (`SalesOnAir.stock_left`), the figure every dashboard shows too."""
    if product is None:
        return None
    return {
        "id": product.id,
        "sku": product.sku,
        "name": product.name,
        "supplier_name": product.supplier.name,
        "province": product.province,
        "ocop_stars": product.ocop_stars,
        "list_price": product.list_price,
        "live_price": product.live_price,
        "campaign_stock": product.campaign_stock,
        "stock_left": stock_left.get(product.id, product.campaign_stock),
        "talking_points": product.talking_points,
        # Only http(s) goes on air (a stored `javascript:` link would be a QR code on stream).
        "image_url": web_url(product.image_url),
        "buy_link": web_url(product.buy_link),
        "category": product.category,
    }


def _load_product(db: Session, product_id: int | None) -> Product | None:
    if product_id is None:
        return None
    return db.scalar(
        select(Product).options(selectinload(Product.supplier)).where(Product.id == product_id)
    )


def show_state(db: Session, session: LiveSession, show: Show, now: datetime) -> dict[str, Any]:
    """The session, the show's clock, the run-of-show with its timings, what is featured and
    on flash sale, and the session's sales."""
    segments = _segments(db, session, show, now)
    sales = SALES.get()
    featured = _load_product(db, show.featured_product_id)
    flash = dict(show.flash_sale) if show.flash_sale else None
    flash_product = _load_product(db, flash.get("product_id")) if flash is not None else None
    # Campaign stock less what sold, flash-sale units included (they are counted sales); the
    # flash sale's own units left come from its gate below.
    left = sales.stock_left(db, {p for p in (featured, flash_product) if p is not None})
    if flash is not None:
        for key in FLASH_TIMES:
            if isinstance(flash.get(key), str):
                flash[key] = datetime.fromisoformat(flash[key])
        flash["product"] = product_card(flash_product, left)
        flash["remaining"] = flash_left(db, flash)
        flash["sold"] = max(0, int(flash["quantity"]) - flash["remaining"])
        flash["sold_out"] = flash["remaining"] == 0
    state = {
        "session": _session_facts(session),
        "show": _show_clock(show, _projected_end(show, session, segments, now)),
        "segments": segments,
        "featured": product_card(featured, left),
        "featured_since": show.featured_since,
        "flash_sale": flash,
        "sales": sales.session_sales(db, session.id),
        "recent_purchases": sales.recent_purchases(db, session.id),
    }
    return in_campaign_time(state, ZoneInfo(session.campaign.timezone or "Asia/Ho_Chi_Minh"))


# The flash sale is kept as JSON on the show row: its times are ISO strings there.
FLASH_TIMES = ("started_at", "ends_at")


def in_campaign_time(value: Any, zone: ZoneInfo) -> Any:
    """Every instant of the state in the campaign's offset: the same instant, written as the
    schedule's and the sales' responses write theirs."""
    if isinstance(value, datetime):
        return value.astimezone(zone)
    if isinstance(value, list):
        return [in_campaign_time(v, zone) for v in value]
    if not isinstance(value, dict):
        return value
    return {k: in_campaign_time(v, zone) for k, v in value.items()}


def _session_facts(session: LiveSession) -> dict[str, Any]:
    campaign = session.campaign
    return {
        "id": session.id,
        "code": session.code,
        "title": session.title,
        "campaign_id": session.campaign_id,
        "host_name": session.host.name,
        "platform": session.platform.value,
        "channel": session.channel,
        "studio": session.studio,
        "status": session.status.value,
        "scheduled_start": session.scheduled_start,
        "scheduled_end": session.scheduled_end,
        # The campaign's goal shared evenly between its sessions.
        "sales_goal": campaign.sales_goal // max(1, len(campaign.sessions))
        if campaign.sales_goal
        else 0,
    }


def _show_clock(show: Show, projected_end: datetime) -> dict[str, Any]:
    return {
        "revision": show.revision,
        "phase": show.phase.value,
        "rehearsal": show.rehearsal,
        "auto_advance": show.auto_advance,
        "started_at": show.started_at,
        "ended_at": show.ended_at,
        "current_position": show.current_position,
        "segment_started_at": show.segment_started_at,
        "held_at": show.held_at,
        "held_seconds": show.held_seconds,
        "projected_end": projected_end,
        "updated_at": show.updated_at,
    }


def _segments(db: Session, session: LiveSession, show: Show, now: datetime) -> list[dict[str, Any]]:
    """The run-of-show: each segment planned from the show's real start (the slot's before
    it), with its actual times in this run — a rehearsal's runs never show in the real one."""
    runs = db.scalars(
        select(SegmentRun)
        .where(SegmentRun.session_id == session.id, SegmentRun.rehearsal == show.rehearsal)
        .order_by(SegmentRun.id)
    ).all()
    if show.started_at is not None:
        runs = [r for r in runs if r.started_at >= show.started_at]
    last_run = {r.position: r for r in runs}
    segments = []
    planned_at = show.started_at or session.scheduled_start
    for seg in session.segments:
        segments.append(_segment(seg, last_run.get(seg.position), planned_at, show, now))
        planned_at = planned_at + timedelta(seconds=seg.planned_seconds)
    return segments


def _segment(
    seg: Segment, run: SegmentRun | None, planned_at: datetime, show: Show, now: datetime
) -> dict[str, Any]:
    actual_seconds: float | None = None
    if run is not None and run.ended_at is not None:
        actual_seconds = (run.ended_at - run.started_at).total_seconds() - run.held_seconds
    elif seg.position == show.current_position and show.phase in (Phase.live, Phase.held):
        actual_seconds = elapsed_seconds(show, now)
    return {
        "id": seg.id,
        "position": seg.position,
        "kind": seg.kind.value,
        "title": seg.title,
        "planned_seconds": seg.planned_seconds,
        "product_id": seg.product_id,
        "flash_price": seg.flash_price,
        "flash_quantity": seg.flash_quantity,
        "notes": seg.notes,
        "obs_scene": seg.obs_scene,
        "planned_start": planned_at,
        "actual_start": run.started_at if run else None,
        "actual_end": run.ended_at if run else None,
        "actual_seconds": actual_seconds,
        "over_under_seconds": None
        if actual_seconds is None
        else round(actual_seconds - seg.planned_seconds),
    }


def flash_left(db: Session, flash: dict[str, Any]) -> int:
    """Units left in the running flash sale: the DB's count of the orders it granted (the
    stock gate in Redis answers first; the DB is the truth and what a restart sees)."""
    sale = db.get(FlashSale, flash.get("id")) if flash.get("id") else None
    if sale is None:
        return int(flash["quantity"])
    return max(0, sale.quantity - SALES.get().flash_sold(db, sale))


def _projected_end(
    show: Show, session: LiveSession, segments: list[dict[str, Any]], now: datetime
) -> datetime:
    """When the show will end if every remaining segment runs as planned."""
    if show.phase is Phase.ended and show.ended_at is not None:
        return show.ended_at
    if show.current_position is None or show.phase is Phase.standby:
        start = max(now, session.scheduled_start) if show.phase is Phase.standby else now
        return start + timedelta(seconds=sum(s["planned_seconds"] for s in segments))
    current = next((s for s in segments if s["position"] == show.current_position), None)
    later = sum(s["planned_seconds"] for s in segments if s["position"] > show.current_position)
    if current is None:
        return now + timedelta(seconds=later)
    left = max(0.0, current["planned_seconds"] - elapsed_seconds(show, now))
    return now + timedelta(seconds=left + later)
