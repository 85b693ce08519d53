"""Campaigns and sessions: every write runs the rules in the same transaction."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from live.access.roles import Principal, Role
from live.api.crud import LIKE_ESCAPE, fitted, get_or_404, like_literal, matching, paginate
from live.api.fields import as_utc
from live.api.routing import validation_fields
from live.catalog.models import Creator, Product
from live.errors import Conflict, Forbidden, RuleBroken, ValidationFailed
from live.schedule.models import (
    Campaign,
    LiveSession,
    Segment,
    SessionStatus,
    session_cohosts,
)
from live.schedule.on_air import keep_taken_segments
from live.schedule.rules import (
    check_session,
    lock_schedule,
    recheck_campaign,
    refuse_errors,
    sessions_query,
    warnings_for,
)
from live.schedule.schemas import (
    CampaignOut,
    CampaignQuery,
    Problem,
    SegmentIn,
    SessionOut,
    SessionQuery,
    known_timezones,
)
from live.text import search_key

# Show control (go live, end) moves sessions to live and ended; editing may not.
EDITABLE_STATUSES = {SessionStatus.draft, SessionStatus.scheduled, SessionStatus.cancelled}


# Campaigns


def campaign_out(db: Session, c: Campaign) -> CampaignOut:
    count = db.scalar(select(func.count()).where(LiveSession.campaign_id == c.id)) or 0
    return CampaignOut.model_validate(c).model_copy(update={"session_count": count})


def list_campaigns(db: Session, q: CampaignQuery) -> tuple[list[Campaign], int]:
    stmt = select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id)
    if q.q:
        stmt = stmt.where(Campaign.name.ilike(f"%{like_literal(q.q)}%", escape=LIKE_ESCAPE))
    return paginate(db, stmt, q)


def save_campaign(db: Session, data: dict[str, Any], campaign: Campaign | None = None) -> Campaign:
    if "timezone" in data and data["timezone"] not in known_timezones():
        # ZoneInfo() itself would open "America" (a folder) or "../x" and fail with an OSError.
        raise ValidationFailed.one("timezone", "unknown timezone, e.g. Asia/Ho_Chi_Minh")
    lock_schedule(db)
    is_new = campaign is None
    campaign = campaign or Campaign()
    for key, value in data.items():
        setattr(campaign, key, value)
    if campaign.ends_on < campaign.starts_on:
        raise RuleBroken.one("ends_on", "must not be before starts_on")
    db.add(campaign)
    db.flush()
    if not is_new:
        recheck_campaign(db, campaign)
    return campaign


def delete_campaign(db: Session, campaign_id: int) -> None:
    campaign = get_or_404(db, Campaign, campaign_id)
    if db.scalar(select(LiveSession.id).where(LiveSession.campaign_id == campaign_id).limit(1)):
        raise Conflict("the campaign still has sessions", code="in_use")
    db.delete(campaign)


# Sessions


def session_out(db: Session, s: LiveSession) -> SessionOut:
    """The session as its campaign's people read it: times in the campaign's timezone, with
    the warnings the schedule's rules give today."""
    zone = ZoneInfo(s.campaign.timezone)
    local = {
        "scheduled_start": s.scheduled_start.astimezone(zone),
        "scheduled_end": s.scheduled_end.astimezone(zone),
        "warnings": [Problem.model_validate(p) for p in warnings_for(db, s)],
    }
    return SessionOut.model_validate(s).model_copy(update=local)


def list_sessions(db: Session, q: SessionQuery) -> tuple[list[LiveSession], int]:
    stmt = sessions_query().order_by(LiveSession.scheduled_start, LiveSession.id)
    if q.campaign_id:
        stmt = stmt.where(LiveSession.campaign_id == q.campaign_id)
    if q.creator_id:
        cohosting = select(session_cohosts.c.session_id).where(
            session_cohosts.c.creator_id == q.creator_id
        )
        stmt = stmt.where(
            or_(LiveSession.host_creator_id == q.creator_id, LiveSession.id.in_(cohosting))
        )
    if q.status:
        stmt = stmt.where(LiveSession.status == q.status)
    if q.platform:
        stmt = stmt.where(LiveSession.platform == q.platform)
    if q.studio:
        stmt = stmt.where(func.lower(LiveSession.studio) == q.studio.lower())
    if q.starts_after:
        stmt = stmt.where(LiveSession.scheduled_start >= as_utc(q.starts_after))
    if q.starts_before:
        stmt = stmt.where(LiveSession.scheduled_start < as_utc(q.starts_before))
    if q.q:
        stmt = stmt.where(matching(LiveSession.search_key, q.q))
    return paginate(db, stmt, q)


def _creator(db: Session, creator_id: int, field: str) -> Creator:
    creator = db.get(Creator, creator_id)
    if creator is None:
        raise RuleBroken.one(field, f"creator {creator_id} does not exist")
    return creator


def _segment_in(i: int, item: SegmentIn | dict[str, Any]) -> SegmentIn:
    # Routes hand over validated segments; imports and factories hand over plain dicts.
    if isinstance(item, SegmentIn):
        return item
    try:
        return SegmentIn.model_validate(item)
    except ValidationError as exc:
        raise ValidationFailed(validation_fields(exc, f"segments.{i}.")) from exc


def _segments(
    db: Session, s: LiveSession, items: Sequence[SegmentIn | dict[str, Any]]
) -> list[Segment]:
    """The new run-of-show, in the given order; segments named by id keep their identity."""
    existing = {g.id: g for g in s.segments}
    result = []
    # Positions set here are parked by `_set_positions` before any flush: a product look-up
    # autoflushing a half-renumbered run-of-show would fail on (session_id, position).
    with db.no_autoflush:
        for i, raw in enumerate(items):
            item = _segment_in(i, raw)
            data = item.model_dump(exclude={"id"})
            if item.product_id is not None and db.get(Product, item.product_id) is None:
                raise RuleBroken.one(
                    f"segments.{i}.product_id", f"product {item.product_id} does not exist"
                )
            seg = existing.pop(item.id, None) if item.id is not None else None
            seg = seg or Segment()
            for key, value in data.items():
                setattr(seg, key, value)
            seg.position = i + 1
            result.append(seg)
    return result


def _set_positions(db: Session, s: LiveSession, segments: list[Segment]) -> None:
    # (session_id, position) is unique: park kept segments on negative positions first, so
    # reordering never collides with itself mid-flush.
    for seg in s.segments:
        if seg.id is not None:
            seg.position = -seg.id
    db.flush()
    s.segments = segments
    for i, seg in enumerate(segments):
        seg.position = i + 1


def save_session(
    db: Session, data: dict[str, Any], session: LiveSession | None = None
) -> tuple[LiveSession, list[dict[str, Any]]]:
    """Create or edit a session and its run-of-show; 409 if any rule breaks. Returns warnings."""
    lock_schedule(db)
    s = session or LiveSession()
    campaign_id = data.get("campaign_id", s.campaign_id)
    campaign = db.get(Campaign, campaign_id) if campaign_id else None
    if campaign is None:
        raise RuleBroken.one("campaign_id", f"campaign {campaign_id} does not exist")
    if "status" in data and data["status"] != s.status:
        if data["status"] not in EDITABLE_STATUSES:
            raise ValidationFailed.one(
                "status", "live and ended are set by show control, not by editing"
            )
        if s.status in (SessionStatus.live, SessionStatus.ended):
            raise Conflict(f"the session is {s.status.value}", code="session_not_editable")
    for field in ("scheduled_start", "scheduled_end"):
        if field in data and data[field] is not None:
            data[field] = as_utc(data[field], campaign.timezone)
    if "host_creator_id" in data:
        _creator(db, data["host_creator_id"], "host_creator_id")
    cohost_ids = data.pop("cohost_ids", None)
    segments = data.pop("segments", None)
    if not data.get("code", s.code or None):
        data.pop("code", None)
    if data.get("code") and data["code"] != s.code:
        _check_code_free(db, data["code"])
    cohosts = [_creator(db, cid, f"cohost_ids.{i}") for i, cid in enumerate(cohost_ids or [])]
    # Nothing reaches the database until the session is whole: an early autoflush (a lookup
    # below) would insert it half-filled and fail on a NOT NULL column.
    with db.no_autoflush:
        for key, value in data.items():
            setattr(s, key, value)
        s.campaign = campaign
        if s.scheduled_end <= s.scheduled_start:
            raise RuleBroken.one("scheduled_end", "must be after scheduled_start")
        if cohost_ids is not None:
            s.cohosts = [c for c in dict.fromkeys(cohosts) if c.id != s.host_creator_id]
        made_up_code = not s.code
        if made_up_code:
            # A placeholder until the id is known; no one can type a control character.
            s.code = f"\x01{secrets.token_hex(8)}"
        db.add(s)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError as exc:
        raise Conflict(
            "another session already has this code", code="duplicate", details={"field": "code"}
        ) from exc
    if made_up_code:
        s.code = _free_code(db, f"S{s.id:03d}")
    if segments is not None:
        items = [_segment_in(i, raw) for i, raw in enumerate(segments)]
        keep_taken_segments(db, s, items)
        _set_positions(db, s, _segments(db, s, items))
    # Segments' products load once they are flushed: the search key names them.
    db.flush()
    db.refresh(s, ["host", "cohosts"])
    s.search_key = session_search_key(s)
    problems = refuse_errors(check_session(db, s), f"session {s.code}")
    return s, [p.as_dict() for p in problems]


def session_search_key(s: LiveSession) -> str:
    """What `q` finds a session by: code, title, studio, channel, creators and products."""
    return fitted(
        LiveSession.search_key,
        search_key(
            s.code,
            s.title,
            s.studio,
            s.channel,
            s.host.name,
            *(c.name for c in s.cohosts),
            *(seg.product.name for seg in s.segments if seg.product is not None),
        ),
    )


def reindex_sessions(db: Session, which: Any) -> None:
    """Sessions' search keys name creators and products: renaming one rewrites the keys."""
    db.flush()
    stmt = select(LiveSession).where(which)
    stmt = stmt.options(
        selectinload(LiveSession.host),
        selectinload(LiveSession.cohosts),
        selectinload(LiveSession.segments).selectinload(Segment.product),
    )
    for s in db.scalars(stmt):
        s.search_key = session_search_key(s)


def _check_code_free(db: Session, code: str) -> None:
    if db.scalar(select(LiveSession.id).where(LiveSession.code == code)) is not None:
        raise Conflict(
            f"another session already has the code {code}",
            code="duplicate",
            details={"field": "code", "value": code},
        )


def _free_code(db: Session, code: str) -> str:
    """The made-up code, or with a suffix when someone already typed it for another session."""
    prefix = LiveSession.code.like(f"{like_literal(code)}%", escape=LIKE_ESCAPE)
    taken = set(db.scalars(select(LiveSession.code).where(prefix)))
    n = 1
    candidate = code
    while candidate in taken:
        n += 1
        candidate = f"{code}-{n}"
    return candidate


def edit_session(
    db: Session, who: Principal, session_id: int, changes: dict[str, Any]
) -> LiveSession:
    s = db.scalar(sessions_query().where(LiveSession.id == session_id))
    if s is None:
        from live.errors import NotFound

        raise NotFound("session", session_id)
    if who.role is Role.creator:
        allow_creator_notes(who, s, changes)
        s.notes = changes["notes"]
        return s
    save_session(db, changes, s)
    return s


def allow_creator_notes(who: Principal, s: LiveSession, changes: dict[str, Any]) -> None:
    """A creator may edit the notes of its own sessions, nothing else."""
    if who.creator_id is None or who.creator_id not in s.creator_ids:
        raise Forbidden("creators may edit only their own sessions", code="not_your_session")
    others = sorted(set(changes) - {"notes"})
    if others or "notes" not in changes:
        raise Forbidden(
            "creators may edit notes only", code="notes_only", details={"fields": others}
        )


def edit_segment(
    db: Session, who: Principal, session_id: int, segment_id: int, changes: dict[str, Any]
) -> LiveSession:
    s = db.scalar(sessions_query().where(LiveSession.id == session_id))
    seg = next((g for g in s.segments if g.id == segment_id), None) if s else None
    if s is None or seg is None:
        from live.errors import NotFound

        raise NotFound("segment", segment_id)
    if who.role is Role.creator:
        allow_creator_notes(who, s, changes)
        seg.notes = changes["notes"]
        return s
    items = [
        SegmentIn.model_validate(
            {
                "id": g.id,
                "kind": g.kind,
                "title": g.title,
                "planned_seconds": g.planned_seconds,
                "product_id": g.product_id,
                "flash_price": g.flash_price,
                "flash_quantity": g.flash_quantity,
                "notes": g.notes,
                "obs_scene": g.obs_scene,
                **(changes if g.id == segment_id else {}),
            }
        )
        for g in s.segments
    ]
    save_session(db, {"segments": items}, s)
    return s


def delete_session(db: Session, session_id: int) -> None:
    s = get_or_404(db, LiveSession, session_id, "session")
    if s.status in (SessionStatus.live, SessionStatus.ended):
        raise Conflict(f"the session is {s.status.value}; cancel it instead", code="in_use")
    db.delete(s)
