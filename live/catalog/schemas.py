"""Catalog request and response shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

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
    as_utc,
    broken_rule,
    left_out,
    local_time,
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
    model_config = ConfigDict(from_attributes=True)

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
            raise broken_rule("live_price must not be above list_price")
        return self


class ProductOut(ProductIn):
    model_config = ConfigDict(from_attributes=True)

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
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime


class AvailabilityIn(Schema):
    starts_at: When
    ends_at: When

    @model_validator(mode="after")
    def _ordered(self) -> AvailabilityIn:
        if as_utc(self.ends_at) <= as_utc(self.starts_at):
            raise broken_rule("ends_at must be after starts_at")
        return self


class CreatorIn(Schema):
    name: Name
    handles: dict[Platform, Required100] = Field(default_factory=dict)
    availability: list[AvailabilityIn] = Field(default_factory=list, max_length=200)


class AvailabilityOut(AvailabilityIn):
    """Shown in local time (+07:00), as people read it."""

    model_config = ConfigDict(from_attributes=True)

    @field_validator("starts_at", "ends_at", mode="after")
    @classmethod
    def _local(cls, value: datetime) -> datetime:
        return local_time(value)


class CreatorOut(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: Name
    handles: dict[Platform, Required100]
    availability: list[AvailabilityOut]
    calendar_url: str | None = Field(
        None, description="the calendar feed, only in the answer that made it (kept hashed)"
    )
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


# PATCH bodies: every field may be left out (kept as it is); null only where the full schema
# takes it. Written out, not derived, so mypy and readers see what each PATCH takes.


class SupplierPatch(Schema):
    name: Name = left_out()
    province: Province = left_out()
    tax_code: TaxCode | None = None
    contact_name: Line200 | None = None
    contact_phone: Line40 | None = None
    contact_email: Line200 | None = None


class ProductPatch(Schema):
    """`live_price` above `list_price` is refused against the stored one when one is left out."""

    supplier_id: Id = left_out()
    sku: Required64 = left_out()
    name: Required300 = left_out()
    category: Line100 = left_out()
    province: Province = left_out()
    list_price: Money = left_out()
    live_price: Money = left_out()
    ocop_stars: Literal[3, 4, 5] | None = None
    certifications: list[CertificationIn] = left_out(max_length=50)
    qc_status: QualityStatus = left_out()
    qc_reviewer: Line200 | None = None
    qc_note: Prose2k | None = None
    campaign_stock: Count = left_out()
    talking_points: Prose10k = left_out()
    image_url: Url | None = None
    buy_link: Url | None = None


class RetailerPatch(Schema):
    name: Name = left_out()
    contact_name: Line200 | None = None
    contact_email: Line200 | None = None
    contact_phone: Line40 | None = None


class CreatorPatch(Schema):
    name: Name = left_out()
    handles: dict[Platform, Required100] = left_out()
    availability: list[AvailabilityIn] = left_out(max_length=200)
