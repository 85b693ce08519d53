"""Where a show on air is, lent to the schedule so it keeps a live show's taken segments
(`live/schedule/on_air.py`)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from live.schedule.on_air import OnAir
from live.shows.models import Phase, SegmentRun, Show


class ShowPositions:
    """The segments a show on air has taken: up to the one on air, or further if it went
    back with `previous` (the ones it left have been on air too)."""

    def on_air(self, db: Session, session_id: int) -> OnAir | None:
        # The same row lock every command takes: a `next` waits for the edit, or the edit
        # for the `next`, and each sees the other's result.
        show = db.scalar(select(Show).where(Show.session_id == session_id).with_for_update())
        if show is None or show.phase not in (Phase.live, Phase.held):
            return None
        # The furthest segment this run has taken: after `previous`, the one left is past too.
        furthest = db.scalar(
            select(func.max(SegmentRun.position)).where(
                SegmentRun.session_id == session_id,
                SegmentRun.rehearsal == show.rehearsal,
                SegmentRun.started_at >= show.started_at,
            )
        )
        position = max(show.current_position or 0, furthest or 0)
        if not position:
            return None  # on air before any segment was taken
        return OnAir(position=position, rehearsal=show.rehearsal)
