"""What the catalog asks the schedule: whether a product or a creator is planned, and what a
product or creator edit reruns. Lent to the catalog at start-up (`live/catalog/uses.py`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from live.schedule.models import LiveSession, Segment, session_cohosts
from live.schedule.rules import recheck_sessions_using
from live.schedule.service import reindex_sessions


def _sessions_using(product_id: int) -> Any:
    return select(Segment.session_id).where(Segment.product_id == product_id)


def _cohosting(creator_id: int) -> Any:
    return select(session_cohosts.c.session_id).where(session_cohosts.c.creator_id == creator_id)


class SchedulePlans:
    """The catalog's `Uses`, answered from the run-of-shows and the sessions' hosts."""

    def product_in_use(self, db: Session, product_id: int) -> bool:
        placed = db.scalar(select(Segment.id).where(Segment.product_id == product_id).limit(1))
        return bool(placed)

    def creator_in_use(self, db: Session, creator_id: int) -> bool:
        hosting = select(LiveSession.id).where(LiveSession.host_creator_id == creator_id).limit(1)
        return bool(db.scalar(hosting) or db.scalar(_cohosting(creator_id).limit(1)))

    def product_changed(self, db: Session, product_id: int, *, renamed: bool) -> None:
        recheck_sessions_using(db, product_id)
        if renamed:
            reindex_sessions(db, LiveSession.id.in_(_sessions_using(product_id)))

    def creator_renamed(self, db: Session, creator_id: int) -> None:
        reindex_sessions(
            db,
            or_(
                LiveSession.host_creator_id == creator_id,
                LiveSession.id.in_(_cohosting(creator_id)),
            ),
        )
