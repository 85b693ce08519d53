"""Each creator's sessions as an iCalendar feed, to subscribe to from a phone.

Phone calendar apps can't send an Authorization header, so the secret token in the URL is the
credential, found by its hash (`Creator.calendar_token_hash`: the token itself is shown once,
when made); making a new one (POST /api/creators/{id}/calendar-token) kills the old URL.
Subscribed calendars re-download the whole feed, so a session that is cancelled or handed to
another host simply leaves it; UIDs are stable and SEQUENCE grows with each edit, so an
edited session moves in the phone's calendar instead of appearing twice.
"""

from __future__ import annotations

import math
from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vDuration
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from live.catalog.models import Creator
from live.errors import DomainError
from live.i18n import Translator
from live.schedule.models import (
    LiveSession,
    Segment,
    SegmentKind,
    SessionStatus,
    session_cohosts,
)
from live.tokens import secret_hash

# How often subscribers should fetch again. Apple and Outlook honour these hints; Google
# Calendar refreshes on its own schedule (several hours) whatever the feed says.
REFRESH = timedelta(hours=1)
REMIND_BEFORE = timedelta(hours=1)
MAX_SEQUENCE = 2**31 - 1


class UnknownFeed(DomainError):
    """404 that doesn't repeat the address back: the address is the secret."""

    status_code = 404
    code = "unknown_feed"


def feed_owner(db: Session, feed_token: str) -> Creator:
    creator = None
    if 0 < len(feed_token) <= 64:
        creator = db.scalar(
            select(Creator).where(Creator.calendar_token_hash == secret_hash(feed_token))
        )
    if creator is None:
        raise UnknownFeed("no calendar feed at this address; it may have been replaced")
    return creator


def hosted_sessions(db: Session, creator_id: int) -> list[LiveSession]:
    """Sessions the creator hosts or co-hosts, cancelled ones left out, in time order."""
    cohosting = select(session_cohosts.c.session_id).where(
        session_cohosts.c.creator_id == creator_id
    )
    return list(
        db.scalars(
            select(LiveSession)
            .options(
                selectinload(LiveSession.segments).selectinload(Segment.product),
                selectinload(LiveSession.cohosts),
                selectinload(LiveSession.host),
                selectinload(LiveSession.campaign),
            )
            .where(
                or_(LiveSession.host_creator_id == creator_id, LiveSession.id.in_(cohosting)),
                LiveSession.status != SessionStatus.cancelled,
            )
            .order_by(LiveSession.scheduled_start, LiveSession.id)
        )
    )


def sequence(s: LiveSession) -> int:
    """Seconds between creation and the last edit: grows with every edit, fits an INTEGER."""
    return max(0, min(MAX_SEQUENCE, int((s.updated_at - s.created_at).total_seconds())))


def _run_of_show(s: LiveSession, t: Translator) -> list[str]:
    lines = []
    for seg in s.segments:
        kind = t(f"segment_{seg.kind.value}")
        product = seg.product
        content = seg.title or (product.name if product is not None else "")
        if product is not None and product.name not in content:
            content = f"{content} — {product.name}" if content else product.name
        # Titles often say the kind already ("Flash sale: Quýt hồng"): don't say it twice.
        if content.casefold().startswith(kind.casefold()):
            kind, content = content, ""
        parts = [f"{seg.position}. {kind}" + (f": {content}" if content else "")]
        parts.append(t("minutes", n=math.ceil(seg.planned_seconds / 60)))
        if seg.kind == SegmentKind.flash_sale and seg.flash_price is not None:
            parts.append(
                t("flash_price", price=t.money(seg.flash_price), quantity=seg.flash_quantity or 0)
            )
        elif product is not None:
            parts.append(t("live_price", price=t.money(product.live_price)))
        lines.append(" · ".join(parts))
        if seg.notes:
            lines.append(f"   {seg.notes}")
    return lines


def _description(s: LiveSession, creator: Creator, t: Translator, public_url: str) -> str:
    role = t("ical_role_host") if s.host_creator_id == creator.id else t("ical_role_cohost")
    others = [c.name for c in [s.host, *s.cohosts] if c.id != creator.id]
    lines = [
        t("ical_platform", platform=t(f"platform_{s.platform.value}"), channel=s.channel),
        t("ical_role", role=role),
    ]
    if others:
        lines.append(t("ical_with", names=", ".join(others)))
    lines.append(t("ical_status", status=t(f"status_{s.status.value}")))
    run_of_show = _run_of_show(s, t)
    if run_of_show:
        lines += ["", t("ical_run_of_show"), *run_of_show]
    if s.notes:
        lines += ["", t("ical_notes"), s.notes]
    lines += ["", t("ical_page", url=f"{public_url}/campaigns/{s.campaign_id}/calendar")]
    return "\n".join(lines)


def session_event(s: LiveSession, creator: Creator, t: Translator, public_url: str) -> Event:
    tz = ZoneInfo(s.campaign.timezone)
    event = Event()
    event.add("uid", f"session-{s.id}@sieulive")
    event.add("dtstamp", s.updated_at)
    event.add("created", s.created_at)
    event.add("last-modified", s.updated_at)
    event.add("sequence", sequence(s))
    # Local times with their TZID: the phone shows 19:30 even while its owner travels.
    event.add("dtstart", s.scheduled_start.astimezone(tz))
    event.add("dtend", s.scheduled_end.astimezone(tz))
    event.add("summary", f"{s.code} · {s.title}")
    event.add("location", s.studio)
    event.add("description", _description(s, creator, t, public_url))
    event.add("status", "TENTATIVE" if s.status == SessionStatus.draft else "CONFIRMED")
    event.add("url", f"{public_url}/campaigns/{s.campaign_id}/calendar")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"{s.code} · {s.title}")
    alarm.add("trigger", -REMIND_BEFORE)
    event.add_component(alarm)
    return event


def creator_feed(db: Session, feed_token: str, *, public_url: str, t: Translator) -> bytes:
    """The .ics body for the creator owning `feed_token`; UnknownFeed (404) otherwise."""
    creator = feed_owner(db, feed_token)
    sessions = hosted_sessions(db, creator.id)
    cal = Calendar()
    cal.add("prodid", "-//sieulive//Lich live//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", t("ical_calname", name=creator.name))
    cal.add("name", t("ical_calname", name=creator.name))
    cal.add("x-wr-caldesc", t("ical_caldesc", name=creator.name))
    timezone = sessions[0].campaign.timezone if sessions else "Asia/Ho_Chi_Minh"
    cal.add("x-wr-timezone", timezone)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    for s in sessions:
        cal.add_component(session_event(s, creator, t, public_url))
    # VTIMEZONE blocks for every TZID used, so clients need no timezone database of their own.
    cal.add_missing_timezones()
    return cal.to_ical()
