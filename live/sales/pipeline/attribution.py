"""Which session and segment an order belongs to.

An order goes to the session named by its live-room or session code; otherwise to the session
on air on that platform channel at the order time, with the campaign's grace period after the
end (late checkouts). Each line goes to the segment that featured its product at that time.
Orders that match nothing are kept and listed, never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from live.schedule.models import Campaign, LiveSession, SessionStatus
from live.shows.models import FeaturedPeriod, Phase, Show

Window = tuple[LiveSession, datetime, datetime | None, Show | None]


@dataclass(frozen=True)
class Match:
    session_id: int
    campaign_id: int
    by: str  # "code" or "channel"
    rehearsal: bool


class Attributor:
    """Looks sessions up once per batch: a batch holds thousands of orders of few sessions."""

    def __init__(self, db: Session) -> None:
        self.db = db
        self._by_code: dict[str, tuple[LiveSession, Show | None] | None] = {}
        self._windows: dict[
            str, list[tuple[LiveSession, datetime, datetime | None, Show | None]]
        ] = {}
        self._featured: dict[int, list[FeaturedPeriod]] = {}

    def session_for(
        self, platform: str, live_code: str | None, channel: str | None, at: datetime
    ) -> Match | None:
        if live_code:
            found = self._code(live_code)
            if found is not None:
                session, show = found
                return Match(session.id, session.campaign_id, "code", _rehearsing(show, at))
        return self._channel(platform, channel, at)

    def prefetch(self, codes: Iterable[str]) -> set[int]:
        """Look the batch's codes up in one query (not one per code), and the featured periods
        of the sessions they name in another; the sessions found. A storm's batch names ~19
        sessions: per-session queries were 14 % of its time (profiled)."""
        keys = sorted({code.strip().lower() for code in codes} - self._by_code.keys())
        if keys:
            for key in keys:
                self._by_code[key] = None
            rows = self.db.execute(
                select(func.lower(LiveSession.code), LiveSession, Show)
                .outerjoin(Show, Show.session_id == LiveSession.id)
                .where(func.lower(LiveSession.code).in_(keys))
                .order_by(LiveSession.id)
            ).all()
            for key, session, show in rows:
                if self._by_code.get(key) is None:
                    self._by_code[key] = (session, show)
        found = {entry[0].id for entry in self._by_code.values() if entry is not None}
        self.prefetch_featured(found)
        return found

    def prefetch_featured(self, session_ids: Iterable[int]) -> None:
        wanted = sorted(set(session_ids) - self._featured.keys())
        if not wanted:
            return
        for session_id in wanted:
            self._featured[session_id] = []
        for period in self.db.scalars(
            select(FeaturedPeriod)
            .where(FeaturedPeriod.session_id.in_(wanted))
            .order_by(FeaturedPeriod.started_at, FeaturedPeriod.id)
        ):
            self._featured[period.session_id].append(period)

    def _code(self, code: str) -> tuple[LiveSession, Show | None] | None:
        key = code.strip().lower()
        if key not in self._by_code:
            row = self.db.execute(
                select(LiveSession, Show)
                .outerjoin(Show, Show.session_id == LiveSession.id)
                .where(func.lower(LiveSession.code) == key)
            ).first()
            self._by_code[key] = (row[0], row[1]) if row is not None else None
        return self._by_code[key]

    def _channel(self, platform: str, channel: str | None, at: datetime) -> Match | None:
        if platform not in self._windows:
            rows = self.db.execute(
                select(LiveSession, Show, Campaign.attribution_grace_minutes)
                .join(Campaign, Campaign.id == LiveSession.campaign_id)
                .outerjoin(Show, Show.session_id == LiveSession.id)
                .where(
                    LiveSession.platform == platform,
                    LiveSession.status != SessionStatus.cancelled,
                )
            ).all()
            windows: list[Window] = []
            for session, show, grace in rows:
                # A show that ran is on air from go-live to its end; one that didn't, by plan.
                start = show.started_at if show and show.started_at else session.scheduled_start
                if show and show.phase in (Phase.live, Phase.held):
                    end = None
                else:
                    end = show.ended_at if show and show.ended_at else session.scheduled_end
                    end = end + timedelta(minutes=grace)
                windows.append((session, start, end, show))
            self._windows[platform] = windows
        candidates = [
            (session, show)
            for session, start, end, show in self._windows[platform]
            if start <= at
            and (end is None or at <= end)
            and (channel is None or session.channel.lower() == channel.strip().lower())
        ]
        if len(candidates) != 1:
            return None  # none, or ambiguous without a channel: listed for producers
        found, found_show = candidates[0]
        return Match(found.id, found.campaign_id, "channel", _rehearsing(found_show, at))

    def segment_for(self, session_id: int, product_id: int, at: datetime) -> int | None:
        if session_id not in self._featured:
            self._featured[session_id] = list(
                self.db.scalars(
                    select(FeaturedPeriod)
                    .where(FeaturedPeriod.session_id == session_id)
                    .order_by(FeaturedPeriod.started_at)
                )
            )
        best = None
        for period in self._featured[session_id]:
            if period.product_id != product_id or period.started_at > at:
                continue
            if period.ended_at is None or at <= period.ended_at:
                best = period
        return best.segment_id if best else None


def _rehearsing(show: Show | None, at: datetime) -> bool:
    """Whether an order placed at `at` belongs to a rehearsal: anything while one is on air,
    and, once it has ended (the show back in standby, ready for the real run), orders placed
    during it — a batch applied after the rehearsal must not turn its orders into sales."""
    if show is None or not show.rehearsal:
        return False
    if show.phase in (Phase.live, Phase.held):
        return True
    return bool(
        show.phase is Phase.standby
        and show.started_at is not None
        and show.ended_at is not None
        and show.started_at <= at <= show.ended_at
    )
