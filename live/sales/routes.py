"""Sales dashboards' API. Who sees what (issue "Sell", "Who sees what"):

- retailers: the campaign leaderboard and chart (aggregates only), their own shortlist;
- suppliers: their own products only, and their settlement per session;
- creators: their own sessions' sales;
- producers: everything, plus single orders (unattributed, unmapped, oversold) and queue health.
"""

from __future__ import annotations

from starlette.responses import Response

from live.access.roles import PRODUCERS, Ctx, Role
from live.api.crud import get_or_404
from live.api.fields import LOCAL_TIMEZONE, Page
from live.api.routing import CSV, JSON, XLSX, ApiRouter
from live.catalog.models import Retailer
from live.errors import Forbidden, NotFound, RuleBroken
from live.sales.reporting import exports, orders, shortlist
from live.sales.reporting.leaderboard import filter_options, leaderboard
from live.sales.reporting.over_time import sales_over_time
from live.sales.reporting.sessions import campaign_sales, session_report
from live.sales.reporting.settlement import settlement_report
from live.sales.reporting.suppliers import supplier_sales
from live.sales.schemas import (
    CampaignSales,
    ExportQuery,
    Leaderboard,
    LeaderboardQuery,
    Orders,
    OversoldQuery,
    OverTimeQuery,
    QueueHealth,
    RequeuedDead,
    RetriedJob,
    SalesFilters,
    SalesOverTime,
    SessionSales,
    Settlement,
    SettlementQuery,
    Shortlist,
    Shortlisted,
    ShortlistIn,
    SupplierSales,
    UnmappedQuery,
)
from live.sales.tools import queues
from live.schedule.models import LiveSession
from live.schedule.rules import sessions_query

router = ApiRouter(tag="sales")
RETAIL = frozenset({Role.producer, Role.retailer})
SUPPLIERS = frozenset({Role.producer, Role.supplier})
HOSTS = frozenset({Role.producer, Role.creator})
RETAILERS = frozenset({Role.retailer})


def own_supplier(ctx: Ctx, supplier_id: int) -> None:
    """A supplier's token sees its own supplier's figures, never another's."""
    if ctx.me.role is Role.supplier and ctx.me.supplier_id != supplier_id:
        raise Forbidden(
            "a supplier sees only its own products",
            code="not_your_supplier",
            details={"supplier_id": supplier_id},
        )


def my_retailer(ctx: Ctx) -> int:
    # The role may call the route (no 403); the token lacks what no document can state.
    if ctx.me.retailer_id is None:
        raise RuleBroken.one(
            "token.retailer_id",
            "this retailer token names no retailer; a producer makes one with retailer_id",
        )
    return ctx.me.retailer_id


@router.route(
    "GET",
    "/api/campaigns/{campaign_id:int}/leaderboard",
    access=RETAIL,
    query=LeaderboardQuery,
    summary="Products ranked by net units or revenue, with sell-through; filterable",
)
def get_leaderboard(ctx: Ctx, campaign_id: int, query: LeaderboardQuery) -> Leaderboard:
    with ctx.db.reading() as db:
        return Leaderboard.model_validate(
            leaderboard(
                db,
                campaign_id,
                query.sales_filter(),
                sort=query.sort.value,
                limit=query.limit,
                offset=query.offset,
            )
        )


@router.route(
    "GET",
    "/api/campaigns/{campaign_id:int}/sales-filters",
    access=RETAIL,
    summary="The values the leaderboard's filters offer (provinces, categories, sessions…)",
)
def get_sales_filters(ctx: Ctx, campaign_id: int) -> SalesFilters:
    with ctx.db.reading() as db:
        return SalesFilters.model_validate(filter_options(db, campaign_id))


@router.route(
    "GET",
    "/api/campaigns/{campaign_id:int}/sales-over-time",
    access=RETAIL,
    query=OverTimeQuery,
    summary="Orders, units and revenue per 5, 15 or 60 minutes of order time, for a chart",
)
def get_sales_over_time(ctx: Ctx, campaign_id: int, query: OverTimeQuery) -> SalesOverTime:
    with ctx.db.reading() as db:
        figures = sales_over_time(db, campaign_id, query.sales_filter(), minutes=int(query.minutes))
        return SalesOverTime.model_validate(figures)


@router.route(
    "GET",
    "/api/campaigns/{campaign_id:int}/sales",
    access=PRODUCERS,
    summary="Every session of the campaign with its sales, orders and speed; products' stock left",
)
def get_campaign_sales(ctx: Ctx, campaign_id: int) -> CampaignSales:
    with ctx.db.reading() as db:
        return CampaignSales.model_validate(campaign_sales(db, campaign_id))


@router.route(
    "GET",
    "/api/sessions/{session_id:int}/sales",
    access=HOSTS,
    summary="One session's sales per product and platform; creators: their own sessions",
)
def get_session_sales(ctx: Ctx, session_id: int) -> SessionSales:
    with ctx.db.reading() as db:
        if ctx.me.role is Role.creator:
            row = db.scalar(sessions_query().where(LiveSession.id == session_id))
            if row is None:
                raise NotFound("session", session_id)
            if ctx.me.creator_id not in row.creator_ids:
                raise Forbidden(
                    "a creator sees the sales of the sessions they host",
                    code="not_your_session",
                    details={"session_id": session_id},
                )
        return SessionSales.model_validate(session_report(db, session_id))


@router.route(
    "GET",
    "/api/suppliers/{supplier_id:int}/sales",
    access=SUPPLIERS,
    summary="A supplier's products: sales per session, stock left, cancellations, returns",
)
def get_supplier_sales(ctx: Ctx, supplier_id: int) -> SupplierSales:
    own_supplier(ctx, supplier_id)
    with ctx.db.reading() as db:
        return SupplierSales.model_validate(supplier_sales(db, supplier_id))


@router.route(
    "GET",
    "/api/sessions/{session_id:int}/settlement",
    access=SUPPLIERS,
    query=SettlementQuery,
    summary="A supplier's settlement for a session (per product and platform); CSV or XLSX",
    produces=(JSON, CSV, XLSX),
)
def get_settlement(ctx: Ctx, session_id: int, query: SettlementQuery) -> Settlement | Response:
    own_supplier(ctx, query.supplier_id)
    with ctx.db.reading() as db:
        report = settlement_report(db, session_id, query.supplier_id)
    if query.format == "json":
        return Settlement.model_validate(report.as_dict())
    return exports.download(
        exports.settlement_sheet(report), query.format, exports.settlement_filename(report)
    )


# Shortlist for sourcing (retailers)


@router.route(
    "GET",
    "/api/shortlist",
    access=RETAIL,
    summary="The retailer's shortlist with each product's sales; producers: every retailer's",
)
def get_shortlist(ctx: Ctx) -> Shortlist:
    retailer_id = my_retailer(ctx) if ctx.me.role is Role.retailer else None
    with ctx.db.reading() as db:
        items = shortlist.entries(db, retailer_id)
    return Shortlist.model_validate({"items": items, "total": len(items)})


@router.route(
    "POST",
    "/api/shortlist",
    access=RETAILERS,
    status=201,
    summary="Shortlist a product for sourcing (again: 200, the one entry kept, note updated)",
    other_success={200: "already on the shortlist: the one entry kept, its note updated"},
)
def add_to_shortlist(ctx: Ctx, body: ShortlistIn) -> Shortlisted:
    retailer_id = my_retailer(ctx)
    with ctx.db.unit_of_work() as db:
        entry, created = shortlist.shortlist(db, retailer_id, body.product_id, body.note)
        if not created:
            ctx.status = 200
        return Shortlisted.model_validate(entry)


@router.route(
    "DELETE",
    "/api/shortlist/{product_id:int}",
    access=RETAILERS,
    status=204,
    summary="Take a product off the shortlist (not on it: 204 all the same)",
)
def remove_from_shortlist(ctx: Ctx, product_id: int) -> None:
    retailer_id = my_retailer(ctx)
    with ctx.db.unit_of_work() as db:
        shortlist.unlist(db, retailer_id, product_id)


@router.route(
    "GET",
    "/api/shortlist/export",
    access=RETAIL,
    query=ExportQuery,
    summary="The shortlist as CSV or XLSX (Vietnamese headers, integer đồng)",
    produces=(CSV, XLSX),
)
def export_shortlist(ctx: Ctx, query: ExportQuery) -> Response:
    retailer_id = my_retailer(ctx) if ctx.me.role is Role.retailer else None
    with ctx.db.reading() as db:
        items = shortlist.entries(db, retailer_id)
        name = get_or_404(db, Retailer, retailer_id).name if retailer_id else None
    sheet = exports.shortlist_sheet(items, name, LOCAL_TIMEZONE)
    filename = f"danh-sach-nguon-hang-{exports.slug(name or 'tat-ca')}"
    return exports.download(sheet, query.format, filename)


# Producers: single orders and the queues


@router.route(
    "GET",
    "/api/orders/unattributed",
    access=PRODUCERS,
    query=Page,
    summary="Orders that matched no session, newest first (kept, never dropped)",
)
def list_unattributed(ctx: Ctx, query: Page) -> Orders:
    with ctx.db.reading() as db:
        return Orders.model_validate(orders.unattributed_orders(db, query))


@router.route(
    "GET",
    "/api/orders/oversold",
    access=PRODUCERS,
    query=OversoldQuery,
    summary="Orders with lines beyond a flash sale's stock (not counted as sold)",
)
def list_oversold(ctx: Ctx, query: OversoldQuery) -> Orders:
    with ctx.db.reading() as db:
        return Orders.model_validate(orders.oversold_orders(db, query, query.campaign_id))


@router.route(
    "GET",
    "/api/orders/unmapped",
    access=PRODUCERS,
    query=UnmappedQuery,
    summary="Orders with lines whose SKU no product has (kept, in no product's figures)",
)
def list_unmapped(ctx: Ctx, query: UnmappedQuery) -> Orders:
    with ctx.db.reading() as db:
        return Orders.model_validate(orders.unmapped_orders(db, query, query.campaign_id))


@router.route(
    "GET",
    "/api/queues",
    access=PRODUCERS,
    summary="Queue health: RQ queue depths, failed jobs, workers, the order inbox",
)
def get_queues(ctx: Ctx) -> QueueHealth:
    return QueueHealth.model_validate(queues.queue_health(ctx.request.app.state.redis))


@router.route(
    "POST",
    "/api/queues/failed/{job_id}/retry",
    access=PRODUCERS,
    summary="Put a failed job back on its queue",
)
def retry_failed_job(ctx: Ctx, job_id: str) -> RetriedJob:
    return RetriedJob.model_validate(queues.retry_failed(ctx.request.app.state.redis, job_id))


@router.route(
    "POST",
    "/api/queues/dead/requeue",
    access=PRODUCERS,
    summary="Put the order events no batch could apply back in the inbox (once the cause is "
    "fixed); each event is applied once whatever happened before",
)
def requeue_dead_events(ctx: Ctx) -> RequeuedDead:
    return RequeuedDead.model_validate(queues.requeue_dead(ctx.request.app.state.redis))
