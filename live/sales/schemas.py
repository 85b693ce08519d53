"""Query, body and answer shapes of the sales dashboards' API."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from live.api.fields import Id, Line20, Line100, Page, Prose1k, Schema
from live.sales.reporting.aggregates import SalesFilter


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


class ShortlistIn(Schema):
    product_id: Id
    note: Prose1k | None = Field(None, description="left out: an existing note is kept")


# Answers. Figures are integer units and đồng (gross, paid, cancelled, returned and net units
# and revenue). A report's rows are described in docs/sales.md and typed here as mappings:
# keys a later report adds to a row pass through.

Row = dict[str, Any]


class CampaignRef(BaseModel):
    id: int
    name: str
    timezone: str


class Leaderboard(BaseModel):
    campaign: CampaignRef
    filters: dict[str, Any] = Field(description="the filters applied")
    sort: Sort
    totals: dict[str, float | int | None]
    items: list[Row]
    total: int
    limit: int
    offset: int
    at: datetime


class SessionRef(BaseModel):
    id: int
    code: str
    title: str


class SalesFilters(BaseModel):
    buyer_provinces: list[str]
    product_provinces: list[str]
    categories: list[str]
    ocop_stars: list[int]
    sessions: list[SessionRef]
    platforms: list[str]


class SalesOverTime(BaseModel):
    campaign_id: int
    timezone: str
    bucket_minutes: int
    filters: dict[str, Any]
    points: list[Row]
    truncated: bool = Field(description="the oldest buckets were left out")
    totals: dict[str, int]


class CampaignSales(BaseModel):
    campaign_id: int
    totals: dict[str, int]
    sessions: list[Row]
    products: list[Row]


class SessionSales(BaseModel):
    session: Row
    orders: int
    totals: dict[str, int]
    hours_on_air: float
    units_per_hour: float | None
    products: list[Row]
    platforms: list[Row]


class SupplierSales(BaseModel):
    supplier: Row
    totals: dict[str, int]
    products: list[Row]
    sessions: list[Row]
    at: datetime


class Settlement(BaseModel):
    session: Row
    supplier: Row
    final: bool = Field(description="the session has ended: the figures are final")
    generated_at: datetime
    lines: list[Row]
    totals: Row


class ShortlistEntry(BaseModel):
    product_id: int
    sku: str
    product_name: str
    supplier_name: str
    province: str
    category: str
    ocop_stars: int | None
    live_price: int
    campaign_stock: int
    net_units: int
    net_revenue: int
    note: str | None
    retailer_id: int
    retailer_name: str
    created_at: datetime


class Shortlist(BaseModel):
    items: list[ShortlistEntry]
    total: int


class Shortlisted(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    product_id: int
    retailer_id: int
    note: str | None
    created_at: datetime


class Orders(BaseModel):
    items: list[Row]
    total: int
    limit: int
    offset: int


class QueueHealth(BaseModel):
    queues: list[Row]
    workers: list[Row]
    inbox: Row


class RetriedJob(BaseModel):
    id: str
    queue: str
    status: str
