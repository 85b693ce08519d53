"""The campaign calendar as producers read it: local days, a column per studio, sessions placed
by time, and what the scheduling rules say about each of them.

Everyone on the campaign may read it (the same sessions `GET /api/sessions` gives every role);
it changes nothing, so it opens no unit of work. Conflicts are recomputed here with the rules'
own `check_session`, because data can change underneath a saved schedule (a product loses its
quality approval, a row is fixed by hand) and the calendar is where a producer must see that.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, selectinload

from live.access.roles import Principal, Role
from live.api.crud import get_or_404
from live.catalog.models import Creator
from live.i18n import Translator
from live.schedule.models import Campaign, LiveSession, Segment, SegmentKind
from live.schedule.rules import ERROR, Problem, check_session, sessions_query
from live.text import fold, search_key

# Vertical scale of the day grid: a two-hour session is 144 px tall, room for six lines.
PX_PER_MINUTE = 1.2
# Hours with no session at all are folded into a thin band, so a day of 09:00 and 22:00
# sessions isn't mostly empty paper; shorter gaps stay to scale.
FOLD_GAPS_FROM_MINUTES = 120
GAP_PX = 34
MIN_CARD_PX = 30
DAY_MINUTES = 24 * 60


@dataclass
class ProblemView:
    severity: str
    rule: str
    title: str
    text: str

    @property
    def is_conflict(self) -> bool:
        return self.severity == ERROR


@dataclass
class SegmentView:
    position: int
    kind: str
    kind_label: str
    content: str
    minutes: int
    price: str | None
    notes: str


@dataclass
class SessionView:
    id: int
    code: str
    title: str
    status: str
    status_label: str
    platform: str
    platform_label: str
    channel: str
    studio: str
    host: str
    cohosts: list[str]
    starts: datetime
    ends: datetime
    time_range: str
    when: str
    product_count: int
    flash_prices: list[str]
    segments: list[SegmentView]
    planned_minutes: int
    slot_minutes: int
    notes: str
    problems: list[ProblemView]
    search_key: str
    matches: bool = True
    yours: bool = False

    @property
    def anchor(self) -> str:
        return f"session-{self.id}"

    @property
    def conflicts(self) -> list[ProblemView]:
        return [p for p in self.problems if p.is_conflict]

    @property
    def warnings(self) -> list[ProblemView]:
        return [p for p in self.problems if not p.is_conflict]

    @property
    def overnight(self) -> bool:
        return self.ends.date() > self.starts.date() and self.ends.time() != time(0)


@dataclass
class Card:
    """A session's piece on one day (a session past midnight has two)."""

    session: SessionView
    start_minute: int
    end_minute: int
    from_previous_day: bool
    into_next_day: bool
    top: int = 0
    height: int = 0
    lane: int = 0
    lanes: int = 1


@dataclass
class Column:
    studio: str
    cards: list[Card] = field(default_factory=list)


@dataclass
class Band:
    """A stretch of the day's time axis: hours drawn to scale, or a folded gap."""

    folded: bool
    start_minute: int
    end_minute: int
    top: int
    height: int
    labels: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class DayView:
    day: date
    label: str
    columns: list[Column]
    bands: list[Band]
    height: int

    @property
    def cards(self) -> list[Card]:
        return [card for column in self.columns for card in column.cards]

    @property
    def matches(self) -> bool:
        return any(card.session.matches for card in self.cards)


@dataclass
class CalendarView:
    campaign_id: int
    name: str
    dates: str
    goal: str | None
    timezone_note: str
    studios: list[str]
    days: list[DayView]
    sessions: list[SessionView]
    q: str
    # Creators get a button that makes their feed URL; it is shown on the page that made it.
    feed_form: bool = False
    feed_url: str | None = None
    hour_px: float = PX_PER_MINUTE * 60

    @property
    def feed_subscribe_url(self) -> str | None:
        """webcal:// makes phones and Apple/Outlook calendars subscribe instead of importing."""
        if self.feed_url is None:
            return None
        return "webcal://" + self.feed_url.split("://", 1)[-1]

    @property
    def shown(self) -> int:
        return sum(1 for s in self.sessions if s.matches)

    @property
    def conflict_count(self) -> int:
        return sum(len(s.conflicts) for s in self.sessions)

    @property
    def warning_count(self) -> int:
        return sum(len(s.warnings) for s in self.sessions)

    @property
    def with_problems(self) -> list[SessionView]:
        return [s for s in self.sessions if s.problems]


def matches_query(key: str, q: str) -> bool:
    """What was typed, accents or not, appears in the session's folded key: the same rule as
    the API's `?q=`. Spaces are squeezed, so "ca  phe" still finds "cà phê"."""
    return " ".join(fold(q).split()) in key


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _natural(name: str) -> list[object]:
    # "Studio 2" before "Studio 10".
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name.casefold())]


def _problem_view(db: Session, p: Problem, t: Translator) -> ProblemView:
    key = f"rule_{p.rule}"
    if not t.has(key):
        return ProblemView(p.severity, p.rule, p.rule, p.message)
    values = dict(p.details)
    creator = db.get(Creator, values["creator_id"]) if "creator_id" in values else None
    values["creator"] = creator.name if creator else ""
    if "qc_status" in values and t.has(f"qc_{values['qc_status']}"):
        values["qc_status"] = t(f"qc_{values['qc_status']}")
    for day in ("expires_on", "starts_on", "ends_on"):
        if day in values:
            values[day] = date.fromisoformat(str(values[day])).strftime("%d/%m/%Y")
    if "platform" in values:
        values["channel"] = f"{t('platform_' + str(values['platform']))}/{values['channel']}"
    if "planned_seconds" in values:
        values["planned"] = values["planned_seconds"] // 60
        values["slot"] = values["slot_seconds"] // 60
    try:
        text = t(f"{key}_text", **values)
    except (KeyError, IndexError, ValueError):
        # A rule whose details changed shape still shows its own message, never an error page.
        text = p.message
    return ProblemView(p.severity, p.rule, t(key), text)


def _segment_view(seg: Segment, t: Translator) -> SegmentView:
    product = seg.product
    content = seg.title or (product.name if product is not None else t(f"segment_{seg.kind.value}"))
    if product is not None and seg.title and product.name not in seg.title:
        content = f"{seg.title} — {product.name}"
    price = None
    if seg.kind == SegmentKind.flash_sale and seg.flash_price is not None:
        price = t("flash_price", price=t.money(seg.flash_price), quantity=seg.flash_quantity or 0)
    elif product is not None:
        price = t("live_price", price=t.money(product.live_price))
    return SegmentView(
        position=seg.position,
        kind=seg.kind.value,
        kind_label=t(f"segment_{seg.kind.value}"),
        content=content,
        minutes=math.ceil(seg.planned_seconds / 60),
        price=price,
        notes=seg.notes,
    )


def session_view(
    db: Session, s: LiveSession, t: Translator, tz: ZoneInfo, viewer: Principal | None
) -> SessionView:
    starts, ends = s.scheduled_start.astimezone(tz), s.scheduled_end.astimezone(tz)
    products = [seg.product for seg in s.segments if seg.product is not None]
    platform_label = t(f"platform_{s.platform.value}")
    cohosts = [c.name for c in s.cohosts]
    next_day = " (+1)" if ends.date() > starts.date() else ""
    return SessionView(
        id=s.id,
        code=s.code,
        title=s.title,
        status=s.status.value,
        status_label=t(f"status_{s.status.value}"),
        platform=s.platform.value,
        platform_label=platform_label,
        channel=s.channel,
        studio=s.studio,
        host=s.host.name,
        cohosts=cohosts,
        starts=starts,
        ends=ends,
        time_range=f"{t.time(starts)}–{t.time(ends)}{next_day}",
        when=f"{t.day(starts.date())}, {t.time(starts)}–{t.time(ends)}{next_day}",
        product_count=len({p.id for p in products}),
        flash_prices=[
            t.money(seg.flash_price)
            for seg in s.segments
            if seg.kind == SegmentKind.flash_sale and seg.flash_price is not None
        ],
        segments=[_segment_view(seg, t) for seg in s.segments],
        planned_minutes=sum(seg.planned_seconds for seg in s.segments) // 60,
        slot_minutes=int((s.scheduled_end - s.scheduled_start).total_seconds()) // 60,
        notes=s.notes,
        problems=[_problem_view(db, p, t) for p in check_session(db, s)],
        search_key=search_key(
            s.code,
            s.title,
            s.studio,
            s.channel,
            platform_label,
            s.host.name,
            *cohosts,
            *(p.name for p in products),
            *(p.province for p in products),
        ),
        yours=viewer is not None
        and viewer.role is Role.creator
        and viewer.creator_id in s.creator_ids,
    )


def _local_days(view: SessionView) -> list[date]:
    last = (view.ends - timedelta(microseconds=1)).date()
    days, day = [], view.starts.date()
    while day <= last:
        days.append(day)
        day += timedelta(days=1)
    return days


def _cards_for(view: SessionView, day: date, tz: ZoneInfo) -> Card:
    midnight = datetime.combine(day, time(0), tz).astimezone(UTC)
    start = max(view.starts.astimezone(UTC), midnight)
    end = min(view.ends.astimezone(UTC), midnight + timedelta(days=1))
    return Card(
        session=view,
        start_minute=int((start - midnight).total_seconds() // 60),
        end_minute=math.ceil((end - midnight).total_seconds() / 60),
        from_previous_day=view.starts.astimezone(UTC) < midnight,
        into_next_day=view.ends.astimezone(UTC) > midnight + timedelta(days=1),
    )


def _bands(cards: list[Card]) -> list[Band]:
    """Whole hours around the sessions, drawn to scale; long empty stretches folded."""
    spans = sorted(
        (c.start_minute // 60 * 60, min(DAY_MINUTES, math.ceil(c.end_minute / 60) * 60))
        for c in cards
    )
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start - merged[-1][1] < FOLD_GAPS_FROM_MINUTES:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, max(end, start + 60)])
    bands: list[Band] = []
    top = 0
    for start, end in merged:
        if bands:
            bands.append(Band(True, bands[-1].end_minute, start, top, GAP_PX))
            top += GAP_PX
        height = round((end - start) * PX_PER_MINUTE)
        labels = [(round((m - start) * PX_PER_MINUTE), _hhmm(m)) for m in range(start, end + 1, 60)]
        bands.append(Band(False, start, end, top, height, labels))
        top += height
    return bands


def _y(bands: list[Band], minute: int) -> int:
    for band in bands:
        if not band.folded and band.start_minute <= minute <= band.end_minute:
            return band.top + round((minute - band.start_minute) * PX_PER_MINUTE)
    raise ValueError(f"minute {minute} is not on the drawn axis")


def _stack(cards: list[Card]) -> None:
    """Cards that overlap in one studio (a conflict) stand side by side, never on top."""
    min_minutes = math.ceil(MIN_CARD_PX / PX_PER_MINUTE)
    cluster: list[Card] = []
    lane_ends: list[int] = []
    cluster_end = 0
    for card in sorted(cards, key=lambda c: (c.start_minute, c.end_minute, c.session.id)):
        end = max(card.end_minute, card.start_minute + min_minutes)
        if cluster and card.start_minute >= cluster_end:
            for member in cluster:
                member.lanes = len(lane_ends)
            cluster, lane_ends, cluster_end = [], [], 0
        free = next((i for i, e in enumerate(lane_ends) if e <= card.start_minute), None)
        if free is None:
            lane_ends.append(end)
            free = len(lane_ends) - 1
        else:
            lane_ends[free] = end
        card.lane = free
        cluster.append(card)
        cluster_end = max(cluster_end, end)
    for member in cluster:
        member.lanes = len(lane_ends)


def _day_view(
    day: date, views: list[SessionView], studios: list[str], tz: ZoneInfo, t: Translator
) -> DayView:
    columns = {studio.casefold(): Column(studio) for studio in studios}
    cards = []
    for view in views:
        if day in _local_days(view):
            card = _cards_for(view, day, tz)
            columns[view.studio.casefold()].cards.append(card)
            cards.append(card)
    bands = _bands(cards) if cards else []
    for card in cards:
        card.top = _y(bands, card.start_minute)
        card.height = max(MIN_CARD_PX, _y(bands, card.end_minute) - card.top)
    for column in columns.values():
        _stack(column.cards)
    height = bands[-1].top + bands[-1].height if bands else 0
    return DayView(day, t.day(day), list(columns.values()), bands, height)


def build_calendar(
    db: Session,
    campaign_id: int,
    t: Translator,
    *,
    q: str = "",
    viewer: Principal | None = None,
    feed_url: str | None = None,
) -> CalendarView:
    campaign = get_or_404(db, Campaign, campaign_id)
    tz = ZoneInfo(campaign.timezone)
    sessions = db.scalars(
        sessions_query()
        .options(
            selectinload(LiveSession.segments).selectinload(Segment.product),
            selectinload(LiveSession.host),
        )
        .where(LiveSession.campaign_id == campaign_id)
        .order_by(LiveSession.scheduled_start, LiveSession.id)
    ).all()
    views = [session_view(db, s, t, tz, viewer) for s in sessions]
    for view in views:
        view.matches = matches_query(view.search_key, q)
    # One spelling per studio, compared the way the studio rule compares them (case only).
    studios = sorted({v.studio.casefold(): v.studio for v in views}.values(), key=_natural)
    days = {campaign.starts_on + timedelta(days=n) for n in range(_campaign_days(campaign))}
    days.update(day for view in views for day in _local_days(view))
    timezone_note = t("timezone_note")
    if campaign.timezone != "Asia/Ho_Chi_Minh":
        timezone_note = f"{campaign.timezone} (UTC{datetime.now(tz).strftime('%z')})"
    return CalendarView(
        campaign_id=campaign.id,
        name=campaign.name,
        dates=t.dates(campaign.starts_on, campaign.ends_on),
        goal=t.money(campaign.sales_goal) if campaign.sales_goal else None,
        timezone_note=timezone_note,
        studios=studios,
        days=[_day_view(day, views, studios, tz, t) for day in sorted(days)],
        sessions=views,
        q=q,
        feed_form=viewer is not None
        and viewer.role is Role.creator
        and viewer.creator_id is not None,
        feed_url=feed_url,
    )


def _campaign_days(campaign: Campaign) -> int:
    # A campaign typed with a year-long range still gets a readable page: empty days past the
    # first two months are left out (days with sessions always show).
    return min((campaign.ends_on - campaign.starts_on).days + 1, 62)
