"""Page routes: the campaign list, the campaign calendar, creators' .ics feeds, static files.

Every endpoint carries `.access`. The calendar is open to every role: it shows what
`GET /api/sessions` already shows each of them, creators find their own sessions and their
phone feed on it, and retailers and suppliers plan around the show days.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from live.access.roles import EVERYONE, Role
from live.api.cookies import same_site
from live.api.crud import get_or_404
from live.api.routing import PUBLIC, public_base
from live.catalog import service as catalog
from live.errors import Forbidden
from live.i18n import Translator, pick_language
from live.pages.access import PageCtx, page
from live.pages.calendar import build_calendar
from live.pages.campaigns import campaign_cards
from live.pages.consoles import creator_console_page, producer_console_page
from live.pages.dashboards import producer_sales, retail_dashboard, supplier_dashboard
from live.pages.rendering import static_file
from live.pages.shops import add_shop_page, shop_active_page, shops_page
from live.schedule import ical
from live.schedule.models import Campaign


@page(EVERYONE)
def campaigns_page(ctx: PageCtx) -> Response:
    with ctx.db.reading() as db:
        cards = campaign_cards(db, ctx.t)
    return ctx.render("campaigns.html", campaigns=cards)


@page(EVERYONE)
def calendar_page(ctx: PageCtx, campaign_id: int) -> Response:
    q = ctx.request.query_params.get("q", "")[:200]
    with ctx.db.reading() as db:
        view = build_calendar(db, campaign_id, ctx.t, q=q, viewer=ctx.principal)
    return ctx.render("calendar.html", cal=view)


@page(frozenset({Role.creator}))
def calendar_feed_page(ctx: PageCtx, campaign_id: int) -> Response:
    """The creator's "get my calendar link" button: a new feed URL, shown on this page only
    (its token is kept hashed), the one before revoked. A form POST with the page cookie:
    SameSite=Lax keeps other sites' forms from sending it, and their Origin is refused."""
    if not same_site(ctx.request.headers, ctx.settings.public_url):
        raise Forbidden("the form came from another site", code="cross_site")
    me = ctx.principal
    assert me is not None and me.creator_id is not None, "creator tokens belong to a creator"
    with ctx.db.unit_of_work() as db:
        get_or_404(db, Campaign, campaign_id)
        _creator, token = catalog.new_calendar_token(db, me.creator_id)
        feed_url = catalog.calendar_url(ctx.public_url, token)
        view = build_calendar(db, campaign_id, ctx.t, viewer=me, feed_url=feed_url)
    return ctx.render("calendar.html", cal=view)


async def creator_feed(request: Request) -> Response:
    """The secret feed token in the path is the credential (see live/schedule/ical.py)."""
    t = Translator(pick_language(request.query_params.get("lang")))

    def build() -> bytes:
        with request.app.state.db.reading() as db:
            body: bytes = ical.creator_feed(
                db,
                request.path_params["feed_token"],
                public_url=public_base(request),
                t=t,
            )
            return body

    body = await run_in_threadpool(build)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": 'inline; filename="sieulive.ics"',
            "Cache-Control": "private, no-cache",
            "Referrer-Policy": "no-referrer",
        },
    )


creator_feed.access = PUBLIC  # type: ignore[attr-defined]


async def static_asset(request: Request) -> Response:
    return static_file(request.path_params["name"])


static_asset.access = PUBLIC  # type: ignore[attr-defined]


async def vendor_asset(request: Request) -> Response:
    """Third-party files kept unchanged in static/vendor/ (see its README)."""
    return static_file(request.path_params["name"], folder="vendor")


vendor_asset.access = PUBLIC  # type: ignore[attr-defined]


def routes() -> list[BaseRoute]:
    return [
        Route("/", campaigns_page, methods=["GET"]),
        Route("/campaigns", campaigns_page, methods=["GET"]),
        Route("/campaigns/{campaign_id:int}/calendar", calendar_page, methods=["GET"]),
        Route("/campaigns/{campaign_id:int}/calendar", calendar_feed_page, methods=["POST"]),
        Route("/calendar/{feed_token}.ics", creator_feed, methods=["GET"]),
        Route("/sessions/{session_id:int}/producer", producer_console_page, methods=["GET"]),
        Route("/sessions/{session_id:int}/creator", creator_console_page, methods=["GET"]),
        Route("/campaigns/{campaign_id:int}/retail", retail_dashboard, methods=["GET"]),
        Route("/campaigns/{campaign_id:int}/sales", producer_sales, methods=["GET"]),
        Route("/suppliers/{supplier_id:int}/sales", supplier_dashboard, methods=["GET"]),
        Route("/shops", shops_page, methods=["GET"]),
        Route("/shops", add_shop_page, methods=["POST"]),
        Route("/shops/{shop_id:int}/active", shop_active_page, methods=["POST"]),
        Route("/static/{name}", static_asset, methods=["GET"]),
        Route("/static/vendor/{name}", vendor_asset, methods=["GET"]),
    ]
