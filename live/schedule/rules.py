"""The scheduling rules. Every edit of a session, its segments, a product it sells or its
campaign runs them all again; errors refuse the edit (409), warnings are shown beside it.

Cancelled sessions don't take up creators, studios, channels or stock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, literal, or_, select, text
from sqlalchemy.orm import Session, selectinload

from live.catalog.models import Creator, Product, QualityStatus
from live.errors import Conflict
from live.schedule.models import (
    Campaign,
    LiveSession,
    Segment,
    SegmentKind,
    SessionStatus,
    session_cohosts,
)

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    rule: str
    severity: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _local(when: datetime, tz: str) -> str:
    return when.astimezone(ZoneInfo(tz)).strftime("%d/%m %H:%M")


def _describe(s: LiveSession, tz: str) -> str:
    return f"{s.code} “{s.title}” {_local(s.scheduled_start, tz)}–{_local(s.scheduled_end, tz)}"


def _active() -> Any:
    return LiveSession.status != SessionStatus.cancelled


def _overlapping(s: LiveSession, pad: timedelta = timedelta(0)) -> Any:
    """Other active sessions within `pad` of this one. Touching ends are not an overlap."""
    return and_(
        LiveSession.id != s.id,
        _active(),
        LiveSession.scheduled_start < s.scheduled_end + pad,
        LiveSession.scheduled_end > s.scheduled_start - pad,
    )


def _same_text(column: Any, value: str) -> Any:
    """Case-insensitive equality, lower-cased by the database on both sides: SQLite's lower()
    knows only ASCII, so comparing it with Python's lower() missed "Phòng Đỏ" == "Phòng Đỏ"."""
    return func.lower(column) == func.lower(literal(value))


def creator_overlaps(db: Session, s: LiveSession) -> list[Problem]:
    tz = s.campaign.timezone
    buffer = timedelta(minutes=s.campaign.changeover_buffer_minutes)
    problems = []
    for creator_id in sorted(s.creator_ids):
        cohosting = select(session_cohosts.c.session_id).where(
            session_cohosts.c.creator_id == creator_id
        )
        others = db.scalars(
            select(LiveSession)
            .where(
                _overlapping(s, buffer),
                or_(LiveSession.host_creator_id == creator_id, LiveSession.id.in_(cohosting)),
            )
            .order_by(LiveSession.scheduled_start)
        )
        creator = db.get(Creator, creator_id)
        name = creator.name if creator else f"#{creator_id}"
        for other in others:
            problems.append(
                Problem(
                    "creator_overlap",
                    ERROR,
                    f"{name} is already in session {_describe(other, tz)}"
                    f" (changeover {s.campaign.changeover_buffer_minutes} min)",
                    {
                        "creator_id": creator_id,
                        "session_id": other.id,
                        "session_code": other.code,
                        "buffer_minutes": s.campaign.changeover_buffer_minutes,
                    },
                )
            )
    return problems


def studio_overlaps(db: Session, s: LiveSession) -> list[Problem]:
    tz = s.campaign.timezone
    others = db.scalars(
        select(LiveSession)
        .where(_overlapping(s), _same_text(LiveSession.studio, s.studio))
        .order_by(LiveSession.scheduled_start)
    )
    return [
        Problem(
            "studio_overlap",
            ERROR,
            f"studio {s.studio} is taken by session {_describe(o, tz)}",
            {"studio": s.studio, "session_id": o.id, "session_code": o.code},
        )
        for o in others
    ]


def channel_overlaps(db: Session, s: LiveSession) -> list[Problem]:
    tz = s.campaign.timezone
    others = db.scalars(
        select(LiveSession)
        .where(
            _overlapping(s),
            LiveSession.platform == s.platform,
            _same_text(LiveSession.channel, s.channel),
        )
        .order_by(LiveSession.scheduled_start)
    )
    return [
        Problem(
            "channel_overlap",
            ERROR,
            f"channel {s.platform.value}/{s.channel} is on air with session {_describe(o, tz)}",
            {
                "platform": s.platform.value,
                "channel": s.channel,
                "session_id": o.id,
                "session_code": o.code,
            },
        )
        for o in others
    ]


def product_problems(db: Session, s: LiveSession) -> list[Problem]:
    tz = ZoneInfo(s.campaign.timezone)
    last_day = s.scheduled_end.astimezone(tz).date()
    problems = []
    for seg in s.segments:
        if seg.product_id is None:
            continue
        product = db.get(Product, seg.product_id)
        where = {
            "session_id": s.id,
            "session_code": s.code,
            "segment_position": seg.position,
            "product_id": seg.product_id,
        }
        if product is None:
            problems.append(
                Problem("unknown_product", ERROR, f"product {seg.product_id} does not exist", where)
            )
            continue
        where["product_name"] = product.name
        if product.qc_status != QualityStatus.approved:
            problems.append(
                Problem(
                    "product_not_approved",
                    ERROR,
                    f"{product.name} is not quality-approved ({product.qc_status.value})",
                    {**where, "qc_status": product.qc_status.value},
                )
            )
        for cert in product.certifications:
            # A certificate is valid through its expiry day, so it must reach the session's end.
            if cert.expires_on is not None and cert.expires_on < last_day:
                problems.append(
                    Problem(
                        "certificate_expired",
                        ERROR,
                        f"{product.name}: {cert.name} expires {cert.expires_on:%d/%m/%Y},"
                        f" before the session",
                        {**where, "certificate": cert.name, "expires_on": str(cert.expires_on)},
                    )
                )
    return problems


def flash_stock(db: Session, product_ids: Iterable[int]) -> list[Problem]:
    """Flash-sale quantities planned over all active sessions must fit the campaign stock."""
    problems = []
    for product_id in sorted(set(product_ids)):
        product = db.get(Product, product_id)
        if product is None:
            continue
        rows = db.execute(
            select(LiveSession.id, LiveSession.code, func.sum(Segment.flash_quantity))
            .join(LiveSession, Segment.session_id == LiveSession.id)
            .where(
                Segment.product_id == product_id,
                Segment.kind == SegmentKind.flash_sale,
                _active(),
            )
            .group_by(LiveSession.id, LiveSession.code)
            .order_by(LiveSession.id)
        ).all()
        planned = sum(int(qty or 0) for _id, _code, qty in rows)
        if planned > product.campaign_stock:
            problems.append(
                Problem(
                    "flash_stock_exceeded",
                    ERROR,
                    f"{product.name}: flash sales plan {planned} units,"
                    f" campaign stock is {product.campaign_stock}"
                    f" ({', '.join(f'{code}: {qty}' for _id, code, qty in rows)})",
                    {
                        "product_id": product_id,
                        "product_name": product.name,
                        "planned": planned,
                        "campaign_stock": product.campaign_stock,
                        "sessions": [
                            {"session_id": sid, "session_code": code, "quantity": int(qty or 0)}
                            for sid, code, qty in rows
                        ],
                    },
                )
            )
    return problems


def outside_campaign(s: LiveSession) -> list[Problem]:
    """A session that starts on a day outside its campaign's dates (in the campaign's
    timezone; a session belongs to the day it starts, so a late show may run past midnight of
    the last day). A warning, not an error: a teaser the evening before a fair happens; a
    typo in the date (2024 for 2025) is what this catches."""
    campaign = s.campaign
    day = s.scheduled_start.astimezone(ZoneInfo(campaign.timezone)).date()
    if campaign.starts_on <= day <= campaign.ends_on:
        return []
    return [
        Problem(
            "outside_campaign",
            WARNING,
            f"the session is outside the campaign's dates"
            f" ({campaign.starts_on:%d/%m/%Y}–{campaign.ends_on:%d/%m/%Y})",
            {
                "campaign_id": campaign.id,
                "starts_on": campaign.starts_on.isoformat(),
                "ends_on": campaign.ends_on.isoformat(),
            },
        )
    ]


def warnings_for(db: Session, s: LiveSession) -> list[Problem]:
    problems = outside_campaign(s)
    slot = int((s.scheduled_end - s.scheduled_start).total_seconds())
    planned = sum(seg.planned_seconds for seg in s.segments)
    if planned > slot:
        problems.append(
            Problem(
                "segments_overrun",
                WARNING,
                f"the run-of-show lasts {planned // 60} min, the slot {slot // 60} min",
                {"planned_seconds": planned, "slot_seconds": slot},
            )
        )
    for creator_id in sorted(s.creator_ids):
        creator = db.get(Creator, creator_id)
        if creator is None or not creator.availability:
            continue
        inside = any(
            a.starts_at <= s.scheduled_start and s.scheduled_end <= a.ends_at
            for a in creator.availability
        )
        if not inside:
            problems.append(
                Problem(
                    "outside_availability",
                    WARNING,
                    f"{creator.name} has not said they are available then",
                    {"creator_id": creator_id},
                )
            )
    return problems


def check_session(db: Session, s: LiveSession) -> list[Problem]:
    """All rules for one session, as it stands in the (flushed) transaction."""
    db.flush()
    if s.status == SessionStatus.cancelled:
        return warnings_for(db, s)
    return [
        *creator_overlaps(db, s),
        *studio_overlaps(db, s),
        *channel_overlaps(db, s),
        *product_problems(db, s),
        *flash_stock(db, (seg.product_id for seg in s.segments if seg.product_id)),
        *warnings_for(db, s),
    ]


def refuse_errors(problems: list[Problem], what: str = "the schedule") -> list[Problem]:
    """Raise 409 naming every conflict; return the warnings that remain."""
    errors = [p for p in problems if p.severity == ERROR]
    if errors:
        raise Conflict(
            f"{what} conflicts: " + "; ".join(p.message for p in errors),
            code="schedule_conflict",
            details={
                "conflicts": [p.as_dict() for p in errors],
                "warnings": [p.as_dict() for p in problems if p.severity == WARNING],
            },
        )
    return problems


def lock_schedule(db: Session) -> None:
    """Serialise schedule writes so two concurrent edits can't both pass the rules.

    PostgreSQL: a transaction-scoped advisory lock, taken before the rules read (each statement
    then sees what the previous holder committed). SQLite: a unit of work begins IMMEDIATE, so
    writers are serialised already.
    """
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(7240915)"))


def sessions_query() -> Any:
    return select(LiveSession).options(
        selectinload(LiveSession.segments).selectinload(Segment.product),
        selectinload(LiveSession.cohosts),
        selectinload(LiveSession.campaign),
    )


def recheck_sessions_using(db: Session, product_id: int) -> None:
    """A product edit (quality, certificate, stock) must not break a planned session."""
    lock_schedule(db)
    db.flush()
    using = select(Segment.session_id).where(Segment.product_id == product_id)
    sessions = db.scalars(sessions_query().where(LiveSession.id.in_(using), _active()))
    problems: list[Problem] = []
    for s in sessions:
        problems += [
            Problem(p.rule, p.severity, f"session {s.code}: {p.message}", p.details)
            for p in product_problems(db, s)
            if p.details["product_id"] == product_id
        ]
    problems += flash_stock(db, [product_id])
    refuse_errors(problems, "this product change")


def recheck_campaign(db: Session, campaign: Campaign) -> None:
    """Every rule again for the campaign's sessions: a longer changeover buffer, or another
    timezone (which moves the local day certificates are checked against), may break them."""
    db.flush()
    problems: list[Problem] = []
    seen: set[Any] = set()
    for s in db.scalars(sessions_query().where(LiveSession.campaign_id == campaign.id, _active())):
        for p in check_session(db, s):
            if p.severity != ERROR:
                continue
            # A clash between two sessions shows up from both sides, a stock overrun from each
            # session planning the product: name each once.
            d = p.details
            if p.rule == "flash_stock_exceeded":
                key: Any = (p.rule, d["product_id"])
            elif p.rule.endswith("_overlap"):
                key = (p.rule, d.get("creator_id"), frozenset({s.id, d["session_id"]}))
            else:
                key = (p.rule, s.id, d.get("segment_position"), d.get("certificate"))
            if key in seen:
                continue
            seen.add(key)
            details = {**d, "with_session_id": s.id, "with_session_code": s.code}
            problems.append(Problem(p.rule, p.severity, f"{s.code}: {p.message}", details))
    refuse_errors(problems, "this campaign change")
