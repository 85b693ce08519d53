"""The show's commands and what each does to the state. Pure rules on the loaded rows; the
service (service.py) owns locking, revisions, idempotency, storage and publishing."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from live.catalog.models import Product, QualityStatus
from live.errors import Conflict, RuleBroken
from live.schedule.models import LiveSession, Segment, SegmentKind, SessionStatus
from live.shows.models import FeaturedPeriod, FlashSale, Phase, SegmentRun, Show


class CommandName(enum.StrEnum):
    go_live = "go_live"
    next = "next"
    previous = "previous"
    jump = "jump"
    feature = "feature"
    flash_sale_start = "flash_sale.start"
    flash_sale_end = "flash_sale.end"
    hold = "hold"
    resume = "resume"
    end = "end"
    auto_advance = "auto_advance"


ON_AIR = (Phase.live, Phase.held)


@dataclass
class ShowContext:
    db: Session
    session: LiveSession
    show: Show
    now: datetime


def _not_allowed(ctx: ShowContext, name: str) -> Conflict:
    return Conflict(
        f"can't {name} while the show is {ctx.show.phase.value}",
        code="invalid_command",
        details={"phase": ctx.show.phase.value, "command": name},
    )


def _require_on_air(ctx: ShowContext, name: str) -> None:
    if ctx.show.phase not in ON_AIR:
        raise _not_allowed(ctx, name)


def _segment_at(ctx: ShowContext, position: int) -> Segment:
    for seg in ctx.session.segments:
        if seg.position == position:
            return seg
    raise Conflict(
        f"there is no segment {position}",
        code="no_such_segment",
        details={"position": position, "segments": len(ctx.session.segments)},
    )


def _close_segment(ctx: ShowContext) -> None:
    run = ctx.db.scalar(
        select(SegmentRun)
        .where(SegmentRun.session_id == ctx.session.id, SegmentRun.ended_at.is_(None))
        .order_by(SegmentRun.id.desc())
    )
    if run is not None:
        held = ctx.show.held_seconds
        if ctx.show.held_at is not None:
            held += int((ctx.now - ctx.show.held_at).total_seconds())
        run.ended_at = ctx.now
        run.held_seconds = held


def _set_featured(ctx: ShowContext, product_id: int | None, segment_id: int | None) -> None:
    show = ctx.show
    if show.featured_product_id == product_id:
        return
    open_period = ctx.db.scalar(
        select(FeaturedPeriod).where(
            FeaturedPeriod.session_id == ctx.session.id, FeaturedPeriod.ended_at.is_(None)
        )
    )
    if open_period is not None:
        open_period.ended_at = ctx.now
    show.featured_product_id = product_id
    show.featured_since = ctx.now if product_id else None
    if product_id is not None:
        ctx.db.add(
            FeaturedPeriod(
                session_id=ctx.session.id,
                product_id=product_id,
                segment_id=segment_id,
                rehearsal=show.rehearsal,
                started_at=ctx.now,
            )
        )


def _start_flash_sale(
    ctx: ShowContext,
    product_id: int,
    price: int,
    quantity: int,
    seconds: int,
    segment_id: int | None,
) -> None:
    _end_flash_sale(ctx)
    ends_at = ctx.now + timedelta(seconds=seconds)
    sale = FlashSale(
        session_id=ctx.session.id,
        product_id=product_id,
        segment_id=segment_id,
        price=price,
        quantity=quantity,
        rehearsal=ctx.show.rehearsal,
        started_at=ctx.now,
        ends_at=ends_at,
    )
    ctx.db.add(sale)
    ctx.db.flush()
    ctx.show.flash_sale = {
        "id": sale.id,
        "product_id": product_id,
        "price": price,
        "quantity": quantity,
        "segment_id": segment_id,
        "started_at": ctx.now.isoformat(),
        "ends_at": ends_at.isoformat(),
    }


def _end_flash_sale(ctx: ShowContext) -> None:
    current = ctx.show.flash_sale
    if current and current.get("id"):
        sale = ctx.db.get(FlashSale, current["id"])
        if sale is not None and sale.ended_at is None:
            sale.ended_at = min(ctx.now, sale.ends_at)
    ctx.show.flash_sale = None


def take_segment(ctx: ShowContext, position: int) -> None:
    """Put a segment on air: its product is featured and its flash sale starts by itself."""
    seg = _segment_at(ctx, position)
    show = ctx.show
    _close_segment(ctx)
    if show.flash_sale and show.flash_sale.get("segment_id") is not None:
        _end_flash_sale(ctx)  # a segment's own flash sale ends with the segment
    show.current_position = position
    show.segment_started_at = ctx.now
    show.held_seconds = 0
    show.held_at = None
    show.phase = Phase.live
    ctx.db.add(
        SegmentRun(
            session_id=ctx.session.id,
            segment_id=seg.id,
            position=position,
            rehearsal=show.rehearsal,
            started_at=ctx.now,
        )
    )
    if seg.kind in (SegmentKind.product, SegmentKind.flash_sale):
        _set_featured(ctx, seg.product_id, seg.id)
    if seg.kind is SegmentKind.flash_sale and seg.product_id and seg.flash_price:
        _start_flash_sale(
            ctx,
            seg.product_id,
            seg.flash_price,
            seg.flash_quantity or 0,
            seg.planned_seconds,
            seg.id,
        )


def campaign_product(ctx: ShowContext, product_id: int, field: str) -> Product:
    """Only quality-approved products of the campaign's line-ups may go on screen."""
    product = ctx.db.get(Product, product_id)
    in_campaign = ctx.db.scalar(
        select(Segment.id)
        .join(LiveSession, Segment.session_id == LiveSession.id)
        .where(
            Segment.product_id == product_id,
            LiveSession.campaign_id == ctx.session.campaign_id,
        )
        .limit(1)
    )
    if product is None or in_campaign is None:
        raise RuleBroken.one(field, f"product {product_id} is not in this campaign")
    if product.qc_status != QualityStatus.approved:
        raise RuleBroken.one(field, f"{product.name} is not quality-approved")
    return product


# One handler per command, found through COMMANDS. Each checks the phase it needs and changes
# the loaded rows; `args` were validated by the command's schema (schemas.py).

Handler = Callable[[ShowContext, dict[str, Any]], None]


def go_live(ctx: ShowContext, args: dict[str, Any]) -> None:
    show = ctx.show
    if show.phase is not Phase.standby:
        raise _not_allowed(ctx, CommandName.go_live.value)
    if ctx.session.status is SessionStatus.cancelled:
        raise Conflict("the session is cancelled", code="invalid_command")
    if ctx.session.status is SessionStatus.ended and not args.get("rehearsal"):
        raise Conflict("the session has ended", code="invalid_command")
    show.rehearsal = bool(args.get("rehearsal", False))
    show.started_at = ctx.now
    show.ended_at = None
    show.phase = Phase.live
    if not show.rehearsal:
        ctx.session.status = SessionStatus.live
    if ctx.session.segments:
        take_segment(ctx, ctx.session.segments[0].position)


def next_segment(ctx: ShowContext, args: dict[str, Any]) -> None:
    _require_on_air(ctx, CommandName.next.value)
    take_segment(ctx, (ctx.show.current_position or 0) + 1)


def previous_segment(ctx: ShowContext, args: dict[str, Any]) -> None:
    _require_on_air(ctx, CommandName.previous.value)
    take_segment(ctx, (ctx.show.current_position or 2) - 1)


def jump_to_segment(ctx: ShowContext, args: dict[str, Any]) -> None:
    _require_on_air(ctx, CommandName.jump.value)
    take_segment(ctx, int(args["position"]))


def feature_product(ctx: ShowContext, args: dict[str, Any]) -> None:
    _require_on_air(ctx, CommandName.feature.value)
    product_id = args.get("product_id")
    if product_id is not None:
        campaign_product(ctx, int(product_id), "product_id")
    _set_featured(ctx, product_id, None)


def start_flash_sale(ctx: ShowContext, args: dict[str, Any]) -> None:
    _require_on_air(ctx, CommandName.flash_sale_start.value)
    product_id = args.get("product_id") or ctx.show.featured_product_id
    if product_id is None:
        raise RuleBroken.one("product_id", "feature a product or name one")
    campaign_product(ctx, int(product_id), "product_id")
    _set_featured(ctx, int(product_id), None)
    _start_flash_sale(
        ctx,
        int(product_id),
        int(args["price"]),
        int(args["quantity"]),
        int(args["duration_seconds"]),
        None,
    )


def end_flash_sale(ctx: ShowContext, args: dict[str, Any]) -> None:
    _require_on_air(ctx, CommandName.flash_sale_end.value)
    if ctx.show.flash_sale is None:
        raise Conflict("no flash sale is running", code="invalid_command")
    _end_flash_sale(ctx)


def hold(ctx: ShowContext, args: dict[str, Any]) -> None:
    show = ctx.show
    if show.phase is not Phase.live:
        raise _not_allowed(ctx, CommandName.hold.value)
    show.phase = Phase.held
    show.held_at = ctx.now


def resume(ctx: ShowContext, args: dict[str, Any]) -> None:
    show = ctx.show
    if show.phase is not Phase.held:
        raise _not_allowed(ctx, CommandName.resume.value)
    assert show.held_at is not None
    show.held_seconds += int((ctx.now - show.held_at).total_seconds())
    show.held_at = None
    show.phase = Phase.live


def end_show(ctx: ShowContext, args: dict[str, Any]) -> None:
    _require_on_air(ctx, CommandName.end.value)
    show = ctx.show
    _close_segment(ctx)
    _set_featured(ctx, None, None)
    _end_flash_sale(ctx)
    show.held_at = None
    show.ended_at = ctx.now
    if show.rehearsal:
        # A rehearsal leaves the show ready for the real run.
        show.phase = Phase.standby
        show.current_position = None
        show.segment_started_at = None
    else:
        show.phase = Phase.ended
        ctx.session.status = SessionStatus.ended


def set_auto_advance(ctx: ShowContext, args: dict[str, Any]) -> None:
    ctx.show.auto_advance = bool(args.get("enabled", True))


COMMANDS: dict[CommandName, Handler] = {
    CommandName.go_live: go_live,
    CommandName.next: next_segment,
    CommandName.previous: previous_segment,
    CommandName.jump: jump_to_segment,
    CommandName.feature: feature_product,
    CommandName.flash_sale_start: start_flash_sale,
    CommandName.flash_sale_end: end_flash_sale,
    CommandName.hold: hold,
    CommandName.resume: resume,
    CommandName.end: end_show,
    CommandName.auto_advance: set_auto_advance,
}


def apply(ctx: ShowContext, name: CommandName, args: dict[str, Any]) -> None:
    COMMANDS[name](ctx, args)
