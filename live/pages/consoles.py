"""The producer console and the creator console: what each page needs at first paint.

The server owns the show; the consoles only render it. A console page carries the whole current
state (the same object the websocket's first frame carries), the session's products (the state
names products by id) and the words the script draws with, so it is complete before the socket
opens. From then on every state from the hub replaces it whole; the producer's commands go to
the show API with the revision on screen.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from starlette.responses import Response

from live import jsontext
from live.access.roles import PRODUCERS, Principal, Role
from live.catalog.models import Product, QualityStatus
from live.errors import Forbidden, NotFound
from live.i18n import MESSAGES, Translator
from live.pages.access import PageCtx, page, page_csrf
from live.schedule.models import LiveSession, SegmentKind
from live.schedule.rules import sessions_query
from live.shows import service as shows


@dataclass
class ConsoleView:
    session_id: int
    code: str
    title: str
    when: str
    studio: str
    platform_label: str
    channel: str
    host: str
    cohosts: list[str]
    timezone: str
    products: list[dict[str, Any]]
    state: dict[str, Any]
    overlay_url_issued: bool = False
    preview_src: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _session(db: Session, session_id: int) -> LiveSession:
    session: LiveSession | None = db.scalar(
        sessions_query().options(selectinload(LiveSession.host)).where(LiveSession.id == session_id)
    )
    if session is None:
        raise NotFound("session", session_id)
    return session


def session_products(db: Session, session: LiveSession) -> list[dict[str, Any]]:
    """The products of the run-of-show, in the order they first come up: their names for the
    table and the creator's "up next", and the producer's picker (approved ones only)."""
    order: list[int] = []
    for seg in session.segments:
        if seg.product_id is not None and seg.product_id not in order:
            order.append(seg.product_id)
    if not order:
        return []
    rows = {
        p.id: p
        for p in db.scalars(
            select(Product).options(selectinload(Product.supplier)).where(Product.id.in_(order))
        )
    }
    return [
        {
            "id": p.id,
            "name": p.name,
            "supplier_name": p.supplier.name,
            "province": p.province,
            "list_price": p.list_price,
            "live_price": p.live_price,
            "approved": p.qc_status == QualityStatus.approved,
        }
        for p in (rows[i] for i in order if i in rows)
    ]


def _view(db: Session, session: LiveSession, t: Translator) -> ConsoleView:
    tz = ZoneInfo(session.campaign.timezone or "Asia/Ho_Chi_Minh")
    starts, ends = session.scheduled_start.astimezone(tz), session.scheduled_end.astimezone(tz)
    return ConsoleView(
        session_id=session.id,
        code=session.code,
        title=session.title,
        when=f"{t.short_day(starts.date())} · {t.time(starts)}–{t.time(ends)}",
        studio=session.studio,
        platform_label=t(f"platform_{session.platform.value}"),
        channel=session.channel,
        host=session.host.name,
        cohosts=[c.name for c in session.cohosts],
        timezone=str(tz.key),
        products=session_products(db, session),
        state=shows.current_state(db, session.id),
    )


def preview_src(session_id: int, t: Translator) -> str:
    """The overlay as the producer's preview frame shows it: relative (it is the same server
    whatever the public URL says), following the session through the console's socket with
    the page cookie (the overlay token is shown once, when made, and never kept), marked as a
    preview, and named so the list of connected overlays doesn't mistake it for one on air."""
    query = urlencode(
        {"session": session_id, "preview": "1", "lang": t.lang, "name": t("console_preview_name")}
    )
    return f"/overlays/overlay.html?{query}"


def producer_console(db: Session, session_id: int, t: Translator) -> ConsoleView:
    session = _session(db, session_id)
    show = shows.ensure_show(db, session_id)
    view = _view(db, session, t)
    view.overlay_url_issued = shows.overlay_url_issued(show)
    view.preview_src = preview_src(session_id, t)
    return view


def creator_console(
    db: Session, session_id: int, t: Translator, viewer: Principal | None
) -> ConsoleView:
    """A creator sees only the sessions they host or co-host; producers see every one."""
    session = _session(db, session_id)
    if (
        viewer is not None
        and viewer.role is Role.creator
        and viewer.creator_id not in session.creator_ids
    ):
        raise Forbidden(
            f"you neither host nor co-host session {session.code}",
            code="not_your_session",
            details={"code": session.code},
        )
    return _view(db, session, t)


def words(t: Translator) -> dict[str, str]:
    """The messages the console scripts draw with, in the page's language; placeholders such
    as {s} are filled in by the script."""
    wanted = [k for k in MESSAGES["vi"] if k.startswith("console_")]
    wanted += [f"segment_{kind.value}" for kind in SegmentKind]
    return {key: MESSAGES[t.lang].get(key) or MESSAGES["vi"][key] for key in wanted}


def script_data(view: ConsoleView, t: Translator, **extra: Any) -> Markup:
    """The page's data as JSON inside <script type="application/json">: `<`, `>` and `&`
    escaped so no product name can close the element."""
    data = {
        "session_id": view.session_id,
        "code": view.code,
        "lang": t.lang,
        "timezone": view.timezone,
        "products": view.products,
        "state": view.state,
        "server_time": int(time.time() * 1000),
        "words": words(t),
        **extra,
    }
    return Markup(jsontext.for_script(data))


# The pages. The creator console is open to producers too (they check what the host sees).
HOSTS = frozenset({Role.producer, Role.creator})


@page(PRODUCERS)
def producer_console_page(ctx: PageCtx, session_id: int) -> Response:
    with ctx.db.unit_of_work() as db:
        view = producer_console(db, session_id, ctx.t)
    data = script_data(
        view,
        ctx.t,
        csrf_token=page_csrf(ctx.request),
        overlay_url_issued=view.overlay_url_issued,
        preview_src=view.preview_src,
    )
    return ctx.render("producer.html", console=view, data=data)


@page(HOSTS)
def creator_console_page(ctx: PageCtx, session_id: int) -> Response:
    with ctx.db.unit_of_work() as db:
        view = creator_console(db, session_id, ctx.t, ctx.principal)
    return ctx.render("creator.html", console=view, data=script_data(view, ctx.t))
