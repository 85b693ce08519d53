"""Auto-advance: take the next segment when the current one's planned duration is over.

Every web process runs this loop; they can't double-advance because each advance is a normal
command carrying the revision it saw and a command id derived from it (`auto-<rev>`): the
first process applies it, the others find it already applied.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from live.db import Database, utcnow
from live.errors import DomainError
from live.hub.publish import Publisher
from live.schedule.models import Segment
from live.shows.commands import CommandName
from live.shows.models import Phase, Show
from live.shows.service import Actor, run_command
from live.shows.state import elapsed_seconds

log = logging.getLogger(__name__)
TICK_SECONDS = 1.0


def due_shows(db: Database, now: datetime) -> list[tuple[int, int]]:
    """(session id, revision) of shows whose current segment ran its planned time."""
    due = []
    with db.reading() as session:
        rows = session.execute(
            select(Show, Segment.planned_seconds, Segment.position)
            .join(Segment, Segment.session_id == Show.session_id)
            .where(
                Show.auto_advance.is_(True),
                Show.phase == Phase.live,
                Segment.position == Show.current_position,
            )
        ).all()
        for show, planned, position in rows:
            has_next = session.scalar(
                select(Segment.id).where(
                    Segment.session_id == show.session_id, Segment.position == position + 1
                )
            )
            if has_next and elapsed_seconds(show, now) >= planned:
                due.append((show.session_id, show.revision))
    return due


def advance(db: Database, publisher: Publisher, now: datetime) -> int:
    advanced = 0
    for session_id, revision in due_shows(db, now):
        try:
            with db.unit_of_work() as session:
                _state, applied = run_command(
                    session,
                    publisher,
                    session_id,
                    CommandName.next,
                    revision,
                    f"auto-{revision}",
                    {},
                    Actor(name="auto-advance"),
                )
            advanced += int(applied)
        except DomainError:
            pass  # a producer moved first: the revision is stale, nothing to do
    return advanced


async def run_forever(db: Database, publisher: Publisher) -> None:
    while True:
        await asyncio.sleep(TICK_SECONDS)
        try:
            await run_in_threadpool(advance, db, publisher, utcnow())
        except Exception:
            log.exception("auto-advance tick failed")
