"""Query and body shapes of the sales dashboards' API."""

from __future__ import annotations

import enum
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from live.api.fields import Id, Line20, Line100, Page, Prose2k, Schema
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
    supplier_id: Id | None = Field(
        None, description="whose products; a supplier's token may leave it out (its own)"
    )
    format: Literal["json", "csv", "xlsx"] = "json"


class ExportQuery(Schema):
    format: Literal["csv", "xlsx"] = "csv"


class OversoldQuery(Page):
    campaign_id: Id | None = None


Note = Annotated[Prose2k, Field(max_length=1000)]


class ShortlistIn(Schema):
    product_id: Id
    note: Note | None = Field(None, description="left out: an existing note is kept")
