"""Running a show: commands under a row lock, a revision check, idempotency by command id,
and the new state published to the hub after the commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from live.db import after_commit, utcnow
from live.errors import Conflict, NotFound
from live.hub.publish import Publisher
from live.schedule.models import LiveSession
from live.schedule.rules import sessions_query
from live.shows import commands
from live.shows.commands import CommandName, ShowContext
from live.shows.mixer import MIXER
from live.shows.models import Show, ShowCommand
from live.shows.state import show_state
from live.tokens import new_secret, secret_hash

CHANNEL_KIND = "show"


def show_channel(session_id: int) -> str:
    """The hub channel overlays and consoles of the session follow."""
    return f"{CHANNEL_KIND}:{session_id}"


@dataclass(frozen=True)
class Actor:
    name: str
    token_id: int | None = None


def _session(db: Session, session_id: int) -> LiveSession:
    session = db.scalar(sessions_query().where(LiveSession.id == session_id))
    if session is None:
        raise NotFound("session", session_id)
    return session


def ensure_show(db: Session, session_id: int, *, lock: bool = False) -> Show:
    """The show row of a session, created on first use; locked for the transaction if asked.

    Any number of processes may get here first at once (requests, ticks, the hub's state
    loader). On PostgreSQL the second insert waits for the first to commit and fails on the
    key: only its savepoint is rolled back, and the row the other made is read (and locked).
    On SQLite a unit of work holds the write lock from BEGIN, so the look-up sees the row.
    """
    stmt = select(Show).where(Show.session_id == session_id)
    if lock:
        stmt = stmt.with_for_update()
    show = db.scalar(stmt)
    if show is None:
        # No overlay URL yet: a producer makes one (`new_overlay_token`) and sees it then.
        show = Show(session_id=session_id, revision=0)
        try:
            with db.begin_nested():
                db.add(show)
                db.flush()
        except IntegrityError:
            # Another process created it first: use (and lock) theirs. None there: the insert
            # failed on the session's foreign key, the session was deleted meanwhile.
            found = db.scalars(stmt).one_or_none()
            if found is None:
                raise NotFound("session", session_id) from None
            show = found
    return show


def current_state(db: Session, session_id: int, now: datetime | None = None) -> dict[str, Any]:
    session = _session(db, session_id)
    show = ensure_show(db, session_id)
    return show_state(db, session, show, now or utcnow())


def run_command(
    db: Session,
    publisher: Publisher,
    session_id: int,
    name: CommandName,
    revision: int,
    command_id: str,
    args: dict[str, Any],
    actor: Actor,
) -> tuple[dict[str, Any], bool]:
    """Apply one command; returns (state, applied). A repeated command id applies nothing."""
    session = _session(db, session_id)
    show = ensure_show(db, session_id, lock=True)
    now = utcnow()
    seen = db.scalar(
        select(ShowCommand).where(
            ShowCommand.session_id == session_id, ShowCommand.command_id == command_id
        )
    )
    if seen is not None:
        return show_state(db, session, show, now), False
    if revision != show.revision:
        raise Conflict(
            f"the show is at revision {show.revision}, not {revision}",
            code="stale_revision",
            details={"state": show_state(db, session, show, now)},
        )
    commands.apply(ShowContext(db=db, session=session, show=show, now=now), name, args)
    show.revision += 1
    show.updated_at = now
    db.add(
        ShowCommand(
            session_id=session_id,
            command_id=command_id,
            name=name.value,
            args=args,
            actor=actor.name,
            actor_token_id=actor.token_id,
            revision=show.revision,
            at=now,
        )
    )
    db.flush()
    # The studio's OBS follows (a scene per segment, hold and end): asked after the commit.
    MIXER.get().command_applied(db, publisher, session, show, name.value, command_id)
    state = show_state(db, session, show, now)
    after_commit(db, lambda: publisher.publish(show_channel(session_id), "show", state))
    return state, True


def new_overlay_token(db: Session, publisher: Publisher, session_id: int) -> str:
    """Make the session's overlay token and return it: the only time it is seen, since only
    its hash is kept. One made before is revoked: overlays on it are told to go away."""
    _session(db, session_id)
    show = ensure_show(db, session_id, lock=True)
    token = new_secret()
    revoked = show.overlay_token_hash is not None
    show.overlay_token_hash = secret_hash(token)
    if revoked:
        after_commit(db, lambda: publisher.publish(show_channel(session_id), "revoke_overlays", {}))
    return token


def overlay_url_issued(show: Show) -> bool:
    return show.overlay_token_hash is not None


def session_for_overlay(db: Session, token: str) -> int | None:
    if not 0 < len(token) <= 64:
        return None
    return db.scalar(select(Show.session_id).where(Show.overlay_token_hash == secret_hash(token)))


def session_exists(db: Session, session_id: int) -> bool:
    return db.get(LiveSession, session_id) is not None


def hosts(db: Session, session_id: int, creator_id: int | None) -> bool:
    """Whether the creator hosts or co-hosts the session."""
    session = _session(db, session_id)
    return creator_id is not None and creator_id in session.creator_ids
