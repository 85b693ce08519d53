"""The sales dashboards: retailers' live board, suppliers' own sales, producers' sales desk.

Each page carries its first figures — the API's answers, through the same answer models
(`live/sales/schemas.py`), so the script reads one shape — and is complete at first paint;
`static/sales.js` draws them, then listens on the campaign's hub channel and fetches the
figures again on each frame — at most a few times a second, however fast orders come. The
script's API calls ride the page cookie (the page carries no token, `live/api/cookies.py`).
"""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

from markupsafe import Markup
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from starlette.responses import Response

from live import jsontext
from live.access.roles import PRODUCERS, Role
from live.api.crud import get_or_404
from live.api.fields import Page
from live.api.routing import validation_fields
from live.catalog.models import Supplier
from live.errors import Forbidden, ValidationFailed
from live.i18n import MESSAGES, Translator
from live.pages.access import PageCtx, page, page_csrf
from live.sales.reporting import orders, shortlist
from live.sales.reporting.leaderboard import filter_options, leaderboard
from live.sales.reporting.over_time import sales_over_time
from live.sales.reporting.sessions import campaign_sessions
from live.sales.reporting.suppliers import supplier_sales
from live.sales.routes import RETAIL, SUPPLIERS
from live.sales.schemas import (
    CampaignSession,
    Leaderboard,
    LeaderboardQuery,
    Orders,
    QueueHealth,
    SalesOverTime,
    ShortlistEntry,
    SupplierSales,
)
from live.sales.tools import queues
from live.schedule.models import Campaign

BOARD_ROWS = 50
ORDER_ROWS = 20
CHART_MINUTES = 15


def _query(ctx: PageCtx, model: type[BaseModel]) -> Any:
    params = {k: v for k, v in ctx.request.query_params.items() if k not in ("token", "lang")}
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        raise ValidationFailed(validation_fields(exc, "query.")) from exc


def words(t: Translator) -> dict[str, str]:
    """The messages the script draws with, in the page's language."""
    wanted = [k for k in MESSAGES["vi"] if k.startswith(("sales_", "status_", "platform_"))]
    return {key: MESSAGES[t.lang].get(key) or MESSAGES["vi"][key] for key in wanted}


def page_data(ctx: PageCtx, **data: Any) -> Markup:
    """The page's data as JSON for <script type="application/json">; `<`, `>` and `&` are
    escaped so no product name can end the element."""
    payload = {
        "lang": ctx.t.lang,
        "csrf_token": page_csrf(ctx.request),
        "server_time": int(time.time() * 1000),
        "words": words(ctx.t),
        **data,
    }
    return Markup(jsontext.for_script(payload))


def platform_label(t: Translator, platform: str) -> str:
    key = f"platform_{platform}"
    return t(key) if t.has(key) else platform


def _api_urls(campaign_id: int) -> dict[str, str]:
    """Where the page's script reads fresh figures (the API, with the page cookie)."""
    base = f"/api/campaigns/{campaign_id}"
    return {
        "leaderboard": f"{base}/leaderboard",
        "chart": f"{base}/sales-over-time",
        "shortlist": "/api/shortlist",
        "shortlist_export": "/api/shortlist/export",
        "sessions": f"{base}/sales",
        "unattributed": "/api/orders/unattributed",
        "unmapped": f"/api/orders/unmapped?campaign_id={campaign_id}",
        "oversold": f"/api/orders/oversold?campaign_id={campaign_id}",
        "queues": "/api/queues",
        "retry": "/api/queues/failed/{id}/retry",
    }


def _board(ctx: PageCtx, campaign_id: int, kind: str) -> Response:
    q: LeaderboardQuery = _query(ctx, LeaderboardQuery)
    f = q.sales_filter()
    me = ctx.principal
    assert me is not None
    redis = ctx.request.app.state.redis
    with ctx.db.reading() as db:
        row = get_or_404(db, Campaign, campaign_id)
        # Plain values: the reading session's rollback expires its objects.
        campaign = SimpleNamespace(id=row.id, name=row.name, timezone=row.timezone)
        options = filter_options(db, campaign_id)
        board = Leaderboard.model_validate(
            leaderboard(db, campaign_id, f, sort=q.sort.value, limit=BOARD_ROWS, offset=0)
        )
        chart = SalesOverTime.model_validate(
            sales_over_time(db, campaign_id, f, minutes=CHART_MINUTES)
        )
        retailer_id = me.retailer_id if me.role is Role.retailer else None
        wants_list = me.role is Role.producer or retailer_id is not None
        listed = shortlist.entries(db, retailer_id) if wants_list else []
        extra: dict[str, Any] = {}
        if kind == "producer":
            first = Page(limit=ORDER_ROWS, offset=0)
            extra = {
                "sessions": [
                    CampaignSession.model_validate(s) for s in campaign_sessions(db, campaign_id)
                ],
                "unattributed": Orders.model_validate(orders.unattributed_orders(db, first)),
                "unmapped": Orders.model_validate(orders.unmapped_orders(db, first, campaign_id)),
                "oversold": Orders.model_validate(orders.oversold_orders(db, first, campaign_id)),
            }
    if kind == "producer":
        extra["queues"] = QueueHealth.model_validate(queues.queue_health(redis))
    data = page_data(
        ctx,
        kind=kind,
        campaign_id=campaign_id,
        timezone=campaign.timezone,
        channels=[campaign_id],
        board=board,
        chart=chart,
        shortlist=[ShortlistEntry.model_validate(e) for e in listed],
        can_shortlist=me.role is Role.retailer and retailer_id is not None,
        shortlist_all=me.role is Role.producer,
        urls=_api_urls(campaign_id),
        board_rows=BOARD_ROWS,
        order_rows=ORDER_ROWS,
        minutes=CHART_MINUTES,
        **extra,
    )
    return ctx.render(
        "sales.html",
        kind=kind,
        campaign=campaign,
        options=options,
        query=q,
        platform_label=lambda p: platform_label(ctx.t, p),
        ocop_label=lambda n: ctx.t("sales_ocop_stars", n=n),
        no_retailer=me.role is Role.retailer and retailer_id is None,
        shortlist_all=me.role is Role.producer,
        data=data,
    )


@page(RETAIL)
def retail_dashboard(ctx: PageCtx, campaign_id: int) -> Response:
    """Retailers: the campaign's best sellers live, to shortlist what to source."""
    return _board(ctx, campaign_id, "retail")


@page(PRODUCERS)
def producer_sales(ctx: PageCtx, campaign_id: int) -> Response:
    """Producers: the same board, per-session figures, odd orders and queue health."""
    return _board(ctx, campaign_id, "producer")


@page(SUPPLIERS)
def supplier_dashboard(ctx: PageCtx, supplier_id: int) -> Response:
    """Suppliers: their own products only — per session, stock left, settlements."""
    me = ctx.principal
    assert me is not None
    if me.role is Role.supplier and me.supplier_id != supplier_id:
        raise Forbidden(
            "a supplier sees only its own products",
            code="not_your_supplier",
            details={"supplier_id": supplier_id},
        )
    with ctx.db.reading() as db:
        found = get_or_404(db, Supplier, supplier_id)
        supplier = SimpleNamespace(id=found.id, name=found.name, province=found.province)
        sales = SupplierSales.model_validate(supplier_sales(db, supplier_id))
        campaigns = sorted({s.campaign_id for s in sales.sessions})
        timezone = db.scalar(select(Campaign.timezone).where(Campaign.id.in_(campaigns)).limit(1))
    data = page_data(
        ctx,
        kind="supplier",
        supplier_id=supplier_id,
        timezone=timezone or "Asia/Ho_Chi_Minh",
        channels=campaigns[:5],  # a socket each; a supplier is in a campaign or two
        sales=sales,
        urls={
            "supplier": f"/api/suppliers/{supplier_id}/sales",
            "settlement": f"/api/sessions/{{id}}/settlement?supplier_id={supplier_id}",
        },
    )
    return ctx.render("supplier_sales.html", supplier=supplier, data=data)
