"""A show on air keeps the segments it has taken: the schedule asks the shows which.

The shows read the schedule's run-of-show (they import it), so the schedule can't import them
back: the shows lend `ShowsOnAir` at start-up (`live/assembly.py`). While a session's show is
on air (live or on hold, a rehearsal too) the segments up to the one on air — done, or on air
now — are what the show, its history and its sales attribution stand on: an edit that removes,
moves or changes one of them is refused (409 `show_on_air`, naming the show). Later segments
may change freely, and so may every segment's notes (what the host reads next).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from live.errors import Conflict
from live.registry import Slot
from live.schedule.models import LiveSession, Segment
from live.schedule.schemas import SegmentIn

# What makes a segment the one the show took; notes are words for the host, editable any time.
FIXED_FIELDS = (
    "kind",
    "title",
    "planned_seconds",
    "product_id",
    "flash_price",
    "flash_quantity",
)


@dataclass(frozen=True)
class OnAir:
    position: int  # the furthest segment taken (on air now, or left by `previous`)
    rehearsal: bool


class ShowsOnAir(Protocol):
    def on_air(self, db: Session, session_id: int) -> OnAir | None:
        """Where the session's show is, if it is on air; locks the show for the transaction so
        no command moves it while the edit is checked and written."""
        ...


# Filled by the shows (`live.shows.service.ShowPositions`).
SHOWS: Slot[ShowsOnAir] = Slot("where a show on air is")


def keep_taken_segments(db: Session, s: LiveSession, items: Sequence[SegmentIn]) -> None:
    """Refuse a new run-of-show that removes, moves or changes a segment the show on air has
    already taken (409 `show_on_air`)."""
    if s.id is None:
        return
    on_air = SHOWS.get().on_air(db, s.id)
    if on_air is None:
        return
    taken: list[Segment] = [g for g in s.segments if g.position <= on_air.position]
    for i, seg in enumerate(taken):
        item = items[i] if i < len(items) else None
        if item is None or item.id != seg.id:
            problem = "removed or moved"
        else:
            changed = [f for f in FIXED_FIELDS if getattr(item, f) != getattr(seg, f)]
            if not changed:
                continue
            problem = f"changed ({', '.join(changed)})"
        what = "a rehearsal" if on_air.rehearsal else "live"
        raise Conflict(
            f"session {s.code} is on air ({what}): segments 1–{on_air.position} have been"
            f" taken, so segment {seg.position} “{seg.title}” can't be {problem}; segments"
            f" after {on_air.position} may change",
            code="show_on_air",
            details={
                "session": s.code,
                "taken_through": on_air.position,
                "rehearsal": on_air.rehearsal,
                "field": f"segments.{i}",
                "segment_id": seg.id,
            },
        )
