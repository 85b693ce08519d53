"""Query, body and answer shapes of the sales dashboards' API."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from live.api.fields import Id, Line20, Line100, Page, Prose1k, Schema
from live.platforms import Platform
from live.sales.models import Attribution, SaleState
from live.sales.reporting.aggregates import SalesFilter
from live.schedule.models import SessionStatus


def _blank_is_none(value: Any) -> Any:
    # A filter form sends "" for "all": the same as leaving the parameter out.
    return None if value == "" else value


Blank = BeforeValidator(_blank_is_none)


class BucketMinutes(enum.IntEnum):
    """Chart resolution; a query string is text, and an IntEnum takes "15" where a Literal
    of ints would refuse it."""

    five = 5
    fifteen = 15
    sixty = 60


class Sort(enum.StrEnum):
    units = "units"
    revenue = "revenue"


class FilterFields(Schema):
    buyer_province: Annotated[Line100 | None, Blank] = Field(
        None, description="the buyers' province (as the platforms report it)"
    )
    product_province: Annotated[Line100 | None, Blank] = Field(
        None, description="where the product comes from"
    )
    category: Annotated[Line100 | None, Blank] = None
    ocop_stars: Annotated[int | None, Blank] = Field(None, ge=1, le=5)
    session_id: Annotated[Id | None, Blank] = None
    platform: Annotated[Line20 | None, Blank] = None

    def sales_filter(self) -> SalesFilter:
        return SalesFilter(
            buyer_province=self.buyer_province,
            product_province=self.product_province,
            category=self.category,
            ocop_stars=self.ocop_stars,
            session_id=self.session_id,
            platform=self.platform,
        )


class LeaderboardQuery(FilterFields, Page):
    sort: Sort = Field(Sort.units, description="rank by net units or net revenue")


class OverTimeQuery(FilterFields):
    minutes: BucketMinutes = Field(BucketMinutes.fifteen, description="bucket length")


class SettlementQuery(Schema):
    supplier_id: Id = Field(description="whose products (a supplier's token: its own)")
    format: Literal["json", "csv", "xlsx"] = "json"


class ExportQuery(Schema):
    format: Literal["csv", "xlsx"] = "csv"


class OversoldQuery(Page):
    campaign_id: Id | None = None


class UnmappedQuery(OversoldQuery):
    """The same: a page, of one campaign's orders or of all."""


class ShortlistIn(Schema):
    product_id: Id
    note: Prose1k | None = Field(None, description="left out: an existing note is kept")


# Answers. The reports build them as mappings (`live/sales/reporting/`, `live/sales/tools/`);
# each model names every key its builder produces, and a key it doesn't name fails validation
# (a 500 naming the route, which the tests meet first) instead of quietly leaving the answer.
# What the figures mean: docs/dashboards.md ("The figures").


class Report(BaseModel):
    """An answer, or a row of one, built by a report as a mapping: nothing unnamed passes."""

    model_config = ConfigDict(extra="forbid")


# The figures every report is made of: sums of the sales aggregates (`aggregates.FIGURES`).
# They count the lines that count — not a rehearsal's, of a known product, not oversold (beyond
# a flash sale's stock) — units as pieces, revenue as integer đồng (quantity × unit price).
# Each figure is typed once here and reused by every row that carries it.

GrossUnits = Annotated[int, Field(description="units ordered, whatever became of their orders")]
GrossRevenue = Annotated[int, Field(description="đồng ordered (quantity × unit price)")]
NetUnits = Annotated[int, Field(description="units sold: gross − cancelled − returned")]
NetRevenue = Annotated[int, Field(description="đồng sold: gross − cancelled − returned")]
OrderCount = Annotated[
    int, Field(description="orders with at least one counted line; cancelled and returned too")
]
LivePrice = Annotated[int, Field(description="đồng, the price on air")]
CampaignStock = Annotated[int, Field(description="units brought for the campaign")]
StockLeft = Annotated[
    int,
    Field(
        description="campaign stock − net units of every sale of the product (every session, "
        "flash sales, orders that matched no session), whatever the filters; below zero when "
        "more was sold than brought"
    ),
]
StockSoldPercent = Annotated[
    float | None,
    Field(description="net units ÷ campaign stock, in percent to one decimal; null without stock"),
]
ProductProvince = Annotated[str, Field(description="where the product comes from")]


class SettledFigures(Report):
    """Units and revenue as ordered, cancelled, returned and net: what a settlement lists."""

    gross_units: GrossUnits
    cancelled_units: int = Field(
        description="units of orders now cancelled, and of lines cancelled on their own"
    )
    returned_units: int = Field(
        description="units of orders now returned, and of lines returned on their own"
    )
    net_units: NetUnits
    gross_revenue: GrossRevenue
    cancelled_revenue: int = Field(description="đồng of the cancelled units")
    returned_revenue: int = Field(description="đồng of the returned units")
    net_revenue: NetRevenue


class Figures(SettledFigures):
    """The dashboards' figures: the settlement's, and what of them is paid for."""

    paid_units: int = Field(
        description="net units of orders now paid (or delivered); net − paid is placed, not "
        "yet paid"
    )
    paid_revenue: int = Field(description="đồng of the paid units")


class OnAir(Report):
    """Sell-through speed over the sessions a figure covers."""

    hours_on_air: float = Field(
        description="hours on air of the sessions these figures cover, to 2 decimals: go-live "
        "to end (or now); a session never run through the console counts its slot up to now"
    )
    units_per_hour: float | None = Field(
        description="net units ÷ hours on air, to one decimal; null before any time on air"
    )


class CampaignRef(Report):
    id: int
    name: str
    timezone: str


class AppliedFilters(FilterFields):
    """The filters applied, as the query gave them: a filter left out (all) is absent."""

    model_config = ConfigDict(extra="forbid")

    # No return annotation: pydantic then documents the fields (one of `Any` documents nothing).
    @model_serializer(mode="wrap")
    def _applied_only(self, dump: SerializerFunctionWrapHandler):
        return {name: value for name, value in dump(self).items() if value is not None}


class BoardTotals(Figures, OnAir):
    """Every product's figures under the filters, added up."""

    products: int = Field(description="products sold under the filters (the board's `total`)")


class RankedProduct(Figures, OnAir):
    """A product's figures under the filters; its stock is its own, never filtered."""

    rank: int = Field(description="1 for the best seller, by net units or net revenue")
    product_id: int
    sku: str
    name: str
    supplier_name: str
    province: ProductProvince
    category: str
    ocop_stars: int | None
    live_price: LivePrice
    campaign_stock: CampaignStock
    stock_left: StockLeft
    stock_sold_percent: StockSoldPercent


class Leaderboard(Report):
    campaign: CampaignRef
    filters: AppliedFilters
    sort: Sort
    totals: BoardTotals
    items: list[RankedProduct]
    total: int
    limit: int
    offset: int
    at: datetime


class SessionRef(Report):
    id: int
    code: str
    title: str


class SalesFilters(Report):
    buyer_provinces: list[str]
    product_provinces: list[str]
    categories: list[str]
    ocop_stars: list[int]
    sessions: list[SessionRef]
    platforms: list[str]


class TimeFigures(Report):
    """Read from the order lines by order time, under the aggregates' rules."""

    orders: OrderCount
    units: int = Field(
        description="net units: of orders placed or paid, less lines' units cancelled or "
        "returned on their own"
    )
    revenue: int = Field(description="net đồng, as `units`")
    gross_units: GrossUnits
    gross_revenue: GrossRevenue


class TimePoint(TimeFigures):
    """One bucket of the chart; buckets with no sales between the first and last are zeros."""

    start: datetime = Field(description="the bucket's start, in the campaign's timezone")
    label: str = Field(description="HH:MM, with dd/mm first when the points span several days")
    cumulative_revenue: int = Field(description="net đồng from the first point to this one")


class SalesOverTime(Report):
    campaign_id: int
    timezone: str
    bucket_minutes: BucketMinutes
    filters: AppliedFilters
    points: list[TimePoint]
    truncated: bool = Field(description="the oldest buckets were left out")
    totals: TimeFigures = Field(
        description="the points added up; units and revenue are the leaderboard's net ones "
        "unless the oldest points were left out"
    )


class CampaignTotals(Figures):
    orders: OrderCount = Field(
        description="orders with at least one counted line, the sessions' added up (an order "
        "has one session)"
    )


class CampaignSession(Figures, OnAir):
    session_id: int
    code: str
    title: str
    status: SessionStatus
    platform: Platform
    scheduled_start: datetime
    orders: OrderCount


class StockOfProduct(Report):
    """A product of the campaign (in a line-up, or sold in a session) and its stock left."""

    product_id: int
    sku: str
    name: str
    campaign_stock: CampaignStock
    stock_left: StockLeft


class CampaignSales(Report):
    campaign_id: int
    totals: CampaignTotals
    sessions: list[CampaignSession]
    products: list[StockOfProduct]


class SessionFacts(Report):
    id: int
    code: str
    title: str
    status: SessionStatus
    platform: Platform
    scheduled_start: datetime
    scheduled_end: datetime


class SessionOfReport(SessionFacts):
    campaign_id: int


class SessionProduct(Figures):
    product_id: int
    sku: str
    name: str
    supplier_name: str


class SessionPlatform(Figures):
    platform: str


class SessionSales(OnAir):
    session: SessionOfReport
    orders: OrderCount
    totals: Figures
    products: list[SessionProduct] = Field(description="best net revenue first")
    platforms: list[SessionPlatform]


class SupplierRef(Report):
    id: int
    name: str
    province: str


class SessionCell(Figures):
    """A product's figures in one session."""

    session_id: int | None = Field(description="null: orders that matched no session")
    code: str | None


class SupplierProduct(Figures):
    """One of the supplier's products, every sale of it."""

    product_id: int
    sku: str
    name: str
    live_price: LivePrice
    campaign_stock: CampaignStock
    stock_left: StockLeft
    stock_sold_percent: StockSoldPercent
    sessions: list[SessionCell] = Field(description="in the order they ran; no session last")


class SupplierSession(Figures):
    """A session the supplier's products sold in or are planned into, with their figures."""

    session_id: int
    code: str
    title: str
    campaign_id: int
    campaign_name: str
    status: SessionStatus
    scheduled_start: datetime
    scheduled_end: datetime
    settlement_ready: bool = Field(description="the session has ended: its settlement is final")


class SupplierSales(Report):
    supplier: SupplierRef
    totals: Figures
    products: list[SupplierProduct]
    sessions: list[SupplierSession]
    at: datetime


class SettlementSession(SessionFacts):
    campaign_name: str


class SettlementSupplier(Report):
    id: int
    name: str
    tax_code: str | None


class SettlementRow(SettledFigures):
    """A product on a platform; a product of the run-of-show that sold nothing has zeros."""

    product_id: int
    sku: str
    product_name: str
    platform: str


class Settlement(Report):
    session: SettlementSession
    supplier: SettlementSupplier
    final: bool = Field(description="the session has ended: the figures are final")
    generated_at: datetime
    lines: list[SettlementRow]
    totals: SettledFigures


class ShortlistEntry(Report):
    """A product a retailer shortlisted, with every sale of it so far (every session's, and
    orders that matched none)."""

    product_id: int
    sku: str
    product_name: str
    supplier_name: str
    province: ProductProvince
    category: str
    ocop_stars: int | None
    live_price: LivePrice
    campaign_stock: CampaignStock
    net_units: NetUnits
    net_revenue: NetRevenue
    note: str = Field(description="empty when the retailer left none")
    retailer_id: int
    retailer_name: str
    created_at: datetime


class Shortlist(Report):
    items: list[ShortlistEntry]
    total: int


class Shortlisted(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    product_id: int
    retailer_id: int
    note: str = Field(description="empty when the retailer left none")
    created_at: datetime


class OrderLineOut(Report):
    sku: str
    product_id: int | None = Field(description="null: no product has that SKU")
    product_name: str | None
    quantity: int
    unit_price: int = Field(description="đồng")
    oversold: bool = Field(description="beyond a flash sale's stock: kept, never counted as sold")
    cancelled_quantity: int = Field(
        description="units of the line cancelled on their own while the order went on (a "
        "platform with a status per line); a whole order cancelled says so in its state"
    )
    returned_quantity: int = Field(
        description="units of the line returned on their own while the order went on"
    )


class OrderOut(Report):
    """A single order, as the platform sent it and as it was attributed (producers only)."""

    id: int
    platform: str
    platform_order_id: str
    state: SaleState
    attribution: Attribution = Field(
        description="how it found its session: its code, the channel on air, or none"
    )
    session_id: int | None
    campaign_id: int | None
    live_code: str | None
    channel: str | None
    buyer_province: str | None
    ordered_at: datetime
    total: int = Field(description="đồng: every line's quantity × unit price")
    lines: list[OrderLineOut]


class Orders(Report):
    items: list[OrderOut]
    total: int
    limit: int
    offset: int


class FailedJob(Report):
    id: str
    queue: str
    function: str = Field(description="what the job runs; ? when its payload can't be read")
    enqueued_at: datetime | None
    failed_at: datetime | None
    error: str = Field(description="the exception: the last line of its traceback")


class QueueState(Report):
    name: str
    depth: int = Field(description="jobs waiting")
    started: int = Field(description="jobs running")
    scheduled: int
    failed: int
    failed_jobs: list[FailedJob] = Field(description="the newest failed jobs, up to 50")


class WorkerState(Report):
    name: str
    state: str
    queues: list[str]
    last_heartbeat: datetime | None


class BatchInFlight(Report):
    """A batch of order events a worker took from the inbox and has not finished applying."""

    batch: str
    events: int
    claimed_seconds_ago: float
    attempts: int
    worker: str | None = Field(description="the worker holding it; null: none alive does")
    worker_alive: bool
    retry_in_seconds: float | None = Field(description="null: not waiting to be retried")
    last_error: str | None
    state: Literal["applying", "waiting_to_retry", "stuck"]
    why: str | None = Field(description="why it is not being applied; null while it is")


class InboxState(Report):
    """The order events in front of the workers (`live/sales/intake/inbox.py`)."""

    depth: int = Field(description="events waiting for a worker")
    batches_in_flight: int
    stuck_batches: int = Field(description="batches in flight not being applied")
    oldest_batch_seconds: float | None = Field(description="null: no batch in flight")
    batches: list[BatchInFlight]
    dead_events: int = Field(description="events no batch could apply, kept to look into")
    throttled_requests: int = Field(
        description="requests refused with 429 (a full inbox) since Redis started; platforms "
        "retried them"
    )


class QueueHealth(Report):
    queues: list[QueueState]
    workers: list[WorkerState]
    inbox: InboxState
    at: datetime


class RequeuedDead(Report):
    requeued: int = Field(description="dead order events put back in the inbox")


class RetriedJob(Report):
    id: str
    queue: str
    status: str
