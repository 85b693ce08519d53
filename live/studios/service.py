"""Studios and their OBS: the records, the bridge's token, what the bridge reports, and the
studio's whole state as the producer console's studio panel shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from live.db import utcnow
from live.errors import Conflict, NotFound
from live.schedule.models import LiveSession
from live.shows.models import Phase, Show
from live.studios.models import ActionStatus, Studio, StudioAction, name_key
from live.studios.schemas import StudioActionOut, StudioOut
from live.tokens import new_secret, secret_hash

CHANNEL_KIND = "studio"
TOKEN_PREFIX = "slb_"
RECENT_ACTIONS = 12


def studio_channel(studio_id: int) -> str:
    """The hub channel the studio's bridge and the producers' studio panels follow."""
    return f"{CHANNEL_KIND}:{studio_id}"


def get_studio(db: Session, studio_id: int) -> Studio:
    studio = db.get(Studio, studio_id)
    if studio is None:
        raise NotFound("studio", studio_id)
    return studio


def studio_named(db: Session, name: str, *, create: bool = True) -> Studio | None:
    """The studio of that name; made on first use (a session may name a new studio), by any
    number of processes at once: the one that loses the race reads the winner's row."""
    key = name_key(name)
    if not key:
        return None
    stmt = select(Studio).where(Studio.name_key == key)
    studio = db.scalar(stmt)
    if studio is None and create:
        studio = Studio(name=" ".join(name.split()), name_key=key)
        try:
            with db.begin_nested():
                db.add(studio)
                db.flush()
        except IntegrityError:
            studio = db.scalars(stmt).one()
    return studio


def studio_of(db: Session, session: LiveSession) -> Studio | None:
    return studio_named(db, session.studio)


def ensure_studios(db: Session) -> None:
    """Every studio a session names is a record (names typed since the upgrade included)."""
    known = set(db.scalars(select(Studio.name_key)))
    for name in db.scalars(select(LiveSession.studio).distinct()):
        if name_key(name) not in known:
            studio_named(db, name)
            known.add(name_key(name))


def list_studios(db: Session) -> list[Studio]:
    ensure_studios(db)
    return list(db.scalars(select(Studio).order_by(Studio.name_key)))


def create_studio(db: Session, data: dict[str, Any]) -> Studio:
    key = name_key(data["name"])
    if db.scalar(select(Studio.id).where(Studio.name_key == key)) is not None:
        raise Conflict(
            f"a studio named {data['name']} exists", code="studio_exists", details={"field": "name"}
        )
    studio = Studio(name=" ".join(data["name"].split()), name_key=key)
    for field in ("standby_scene", "hold_scene", "ended_scene"):
        setattr(studio, field, data.get(field) or None)
    db.add(studio)
    db.flush()
    return studio


def edit_studio(db: Session, studio: Studio, changes: dict[str, Any]) -> Studio:
    """Scenes may be cleared with null or ""; a new name renames it in every session too."""
    for field in ("standby_scene", "hold_scene", "ended_scene"):
        if field in changes:
            setattr(studio, field, changes[field] or None)
    if changes.get("name"):
        new_name = " ".join(changes["name"].split())
        key = name_key(new_name)
        taken = db.scalar(select(Studio.id).where(Studio.name_key == key, Studio.id != studio.id))
        if taken is not None:
            raise Conflict(
                f"a studio named {new_name} exists",
                code="studio_exists",
                details={"field": "name", "studio_id": taken},
            )
        for session in db.scalars(select(LiveSession)):
            if name_key(session.studio) == studio.name_key:
                session.studio = new_name
        studio.name, studio.name_key = new_name, key
    db.flush()
    return studio


def new_bridge_token(db: Session, studio: Studio) -> tuple[str, bool]:
    """Make the studio's bridge token: returned this once, only its hash kept. Returns the
    token and whether an older one was revoked (its bridge is disconnected after the commit)."""
    token = new_secret(TOKEN_PREFIX, 32)
    revoked = studio.bridge_token_hash is not None
    studio.bridge_token_hash = secret_hash(token)
    studio.bridge_token_prefix = token[:10]
    studio.bridge_token_issued_at = utcnow()
    return token, revoked


def revoke_bridge_token(db: Session, studio: Studio) -> bool:
    revoked = studio.bridge_token_hash is not None
    studio.bridge_token_hash = None
    studio.bridge_token_prefix = None
    studio.bridge_token_issued_at = None
    studio.bridge_seen_at = None
    return revoked


def studio_for_bridge(db: Session, token: str) -> int | None:
    """The studio a bridge token opens (nothing else: it is no API token)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    return db.scalar(select(Studio.id).where(Studio.bridge_token_hash == secret_hash(token)))


def bridge_online(studio: Studio, now: datetime | None = None) -> bool:
    return studio.bridge_online(now)


# What the bridge reports.

HEALTH_FIELDS: dict[str, type | tuple[type, ...]] = {
    "obs_connected": bool,
    "obs_version": str,
    "program_scene": str,
    "streaming": bool,
    "stream_reconnecting": bool,
    "stream_duration_ms": int,
    "stream_skipped_frames": int,
    "stream_total_frames": int,
    "recording": bool,
    "record_duration_ms": int,
    "render_skipped_frames": int,
    "render_total_frames": int,
    "output_skipped_frames": int,
    "output_total_frames": int,
    "cpu_usage": (int, float),
    "active_fps": (int, float),
    "last_error": str,
    "last_error_kind": str,
    "last_error_at": str,
    "bridge_version": str,
}


def clean_health(raw: dict[str, Any]) -> dict[str, Any]:
    """Only the known fields of the right types, strings bounded: a bridge's report is shown
    to every producer and must not carry anything else."""
    health: dict[str, Any] = {}
    for field, kind in HEALTH_FIELDS.items():
        value = raw.get(field)
        if isinstance(value, bool) and kind is not bool:
            continue
        if isinstance(value, kind):
            health[field] = value[:300] if isinstance(value, str) else value
    scenes = raw.get("scenes")
    if isinstance(scenes, list):
        health["scenes"] = [s[:256] for s in scenes if isinstance(s, str)][:100]
    return health


def record_health(db: Session, studio_id: int, raw: dict[str, Any]) -> None:
    studio = get_studio(db, studio_id)
    studio.bridge_seen_at = utcnow()
    studio.obs_health = clean_health(raw)


def bridge_connected(db: Session, studio_id: int) -> None:
    """A bridge (re)connected. Actions still waiting for an answer were sent while it was
    away (a web process killed under it, a network cut): they never reached OBS, and are not
    replayed now — a scene switch seconds late would be wrong on air. They fail, saying why."""
    studio = get_studio(db, studio_id)
    studio.bridge_seen_at = utcnow()
    waiting = db.scalars(
        select(StudioAction).where(
            StudioAction.studio_id == studio_id, StudioAction.status == ActionStatus.sent
        )
    ).all()
    for action in waiting:
        action.status = ActionStatus.failed
        action.comment = "no answer: the bridge was reconnecting when this was sent"
        action.answered_at = studio.bridge_seen_at


def bridge_gone(db: Session, studio_id: int) -> None:
    studio = db.get(Studio, studio_id)
    if studio is not None:
        studio.bridge_seen_at = None


def record_result(db: Session, studio_id: int, raw: dict[str, Any]) -> bool:
    """The bridge's answer to an action: done, or failed with OBS's comment. Only an action of
    this studio still waiting for its answer is changed (a repeat changes nothing)."""
    action_id = raw.get("id")
    if not isinstance(action_id, int) or isinstance(action_id, bool):
        return False
    action = db.get(StudioAction, action_id)
    if action is None or action.studio_id != studio_id or action.status != ActionStatus.sent:
        return False
    action.status = ActionStatus.done if raw.get("ok") is True else ActionStatus.failed
    comment = raw.get("comment")
    action.comment = comment[:500] if isinstance(comment, str) else ""
    pressed = raw.get("pressed")
    if isinstance(pressed, list):
        action.detail = {"pressed": [p[:256] for p in pressed if isinstance(p, str)][:50]}
    action.answered_at = utcnow()
    action.took_ms = int((action.answered_at - action.sent_at).total_seconds() * 1000)
    return True


def record_manual_switch(db: Session, studio_id: int, scene: Any) -> bool:
    """Someone switched the program scene in OBS by hand: reported on the console and kept in
    the show's history, never switched back (the technician may have a reason)."""
    if not isinstance(scene, str):
        return False
    studio = get_studio(db, studio_id)
    on_air = _on_air(db, studio)
    db.add(
        StudioAction(
            studio_id=studio_id,
            session_id=on_air[0]["session_id"] if on_air else None,
            action="manual",
            scene=scene[:256],
            status=ActionStatus.reported,
            comment="",
            sent_at=utcnow(),
        )
    )
    db.flush()
    return True


# The studio's whole state.


def _on_air(db: Session, studio: Studio) -> list[dict[str, Any]]:
    """The shows of this studio on air now (live or held)."""
    rows = db.execute(
        select(LiveSession.id, LiveSession.code, LiveSession.studio, Show.phase, Show.rehearsal)
        .join(Show, Show.session_id == LiveSession.id)
        .where(Show.phase.in_((Phase.live, Phase.held)))
        .order_by(LiveSession.scheduled_start)
    ).all()
    return [
        {"session_id": r.id, "code": r.code, "phase": r.phase.value, "rehearsal": r.rehearsal}
        for r in rows
        if name_key(r.studio) == studio.name_key
    ]


def studio_out(studio: Studio) -> StudioOut:
    return StudioOut.model_validate(studio)


def studio_state(db: Session, studio: Studio, now: datetime | None = None) -> dict[str, Any]:
    """Bridge and OBS health, the shows on air here, what was last asked of OBS, and the
    warning a producer must not miss: a show live on air while this studio isn't streaming."""
    now = now or utcnow()
    online = bridge_online(studio, now)
    health = dict(studio.obs_health or {}) if online else None
    on_air = _on_air(db, studio)
    actions = db.scalars(
        select(StudioAction)
        .where(StudioAction.studio_id == studio.id)
        .order_by(StudioAction.id.desc())
        .limit(RECENT_ACTIONS)
    ).all()
    live_for_real = [s for s in on_air if not s["rehearsal"]]
    streaming = bool(health and health.get("obs_connected") and health.get("streaming"))
    return {
        "studio": studio_out(studio).model_dump(),
        "bridge": {"connected": online, "seen_at": studio.bridge_seen_at},
        "obs": health,
        "on_air": on_air,
        "warning": "live_not_streaming" if live_for_real and not streaming else None,
        "actions": [StudioActionOut.model_validate(a).model_dump() for a in actions],
        "at": now,
    }


def studio_state_by_id(db: Session, studio_id: int) -> dict[str, Any]:
    return studio_state(db, get_studio(db, studio_id))


def session_studio(db: Session, session_id: int) -> Studio:
    session = db.get(LiveSession, session_id)
    if session is None:
        raise NotFound("session", session_id)
    studio = studio_of(db, session)
    if studio is None:  # a session always names a studio; kept for an emptied legacy row
        raise NotFound("studio of session", session_id)
    return studio


def count_actions(db: Session, studio_id: int) -> int:
    return db.scalar(select(func.count()).where(StudioAction.studio_id == studio_id)) or 0
