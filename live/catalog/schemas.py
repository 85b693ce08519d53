"""Catalog request and response shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from live.api.fields import (
    Count,
    Day,
    Id,
    Line20,
    Line40,
    Line100,
    Line200,
    Money,
    Name,
    Page,
    Prose2k,
    Prose10k,
    Required64,
    Required100,
    Required300,
    Schema,
    Url,
    When,
)
from live.catalog.models import QualityStatus
from live.platforms import Platform

Province = Required100
# Mã số thuế: 10 digits, or 13 with a branch suffix (0312345678-001); the column holds 20.
TaxCode = Line20


class SupplierIn(Schema):
    name: Name
    province: Province
    tax_code: TaxCode | None = None
    contact_name: Line200 | None = None
    contact_phone: Line40 | None = None
    contact_email: Line200 | None = None


class SupplierOut(SupplierIn):
    id: int
    created_at: datetime
    updated_at: datetime


class CertificationIn(Schema):
    name: Name
    number: Line100 | None = None
    expires_on: Day | None = None


class ProductIn(Schema):
    supplier_id: Id
    sku: Required64
    name: Required300
    category: Line100 = ""
    province: Province
    list_price: Money
    live_price: Money
    ocop_stars: Literal[3, 4, 5] | None = None
    certifications: list[CertificationIn] = Field(default_factory=list, max_length=50)
    qc_status: QualityStatus = QualityStatus.pending
    qc_reviewer: Line200 | None = None
    qc_note: Prose2k | None = None
    campaign_stock: Count = 0
    talking_points: Prose10k = ""
    image_url: Url | None = None
    buy_link: Url | None = None

    @model_validator(mode="after")
    def _live_price_not_above_list(self) -> ProductIn:
        if self.live_price > self.list_price:
            raise ValueError("live_price must not be above list_price")
        return self


class ProductOut(ProductIn):
    id: int
    supplier_name: str
    created_at: datetime
    updated_at: datetime


class RetailerIn(Schema):
    name: Name
    contact_name: Line200 | None = None
    contact_email: Line200 | None = None
    contact_phone: Line40 | None = None


class RetailerOut(RetailerIn):
    id: int
    created_at: datetime


class AvailabilityIn(Schema):
    starts_at: When
    ends_at: When

    @model_validator(mode="after")
    def _ordered(self) -> AvailabilityIn:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class CreatorIn(Schema):
    name: Name
    handles: dict[Platform, Required100] = Field(default_factory=dict)
    availability: list[AvailabilityIn] = Field(default_factory=list, max_length=200)


class CreatorOut(CreatorIn):
    id: int
    calendar_url: str | None = None
    created_at: datetime


class SupplierQuery(Page):
    q: Line100 | None = None
    province: Line100 | None = None


class ProductQuery(Page):
    q: Line100 | None = None
    supplier_id: Id | None = None
    province: Line100 | None = None
    category: Line100 | None = None
    qc_status: QualityStatus | None = None
    # A query string is text: a Literal[3, 4, 5] would refuse "5".
    ocop_stars: int | None = Field(None, ge=3, le=5)


class NameQuery(Page):
    q: Line100 | None = None
