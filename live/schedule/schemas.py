"""Schedule request and response shapes. POST /api/sessions takes what GET returns."""

from __future__ import annotations

import functools
import zoneinfo
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field, WithJsonSchema, model_validator

from live.api.fields import (
    Count,
    Day,
    Id,
    Line40,
    Line100,
    Money,
    Name,
    OptionalWords100,
    Page,
    Prose10k,
    Required100,
    Required300,
    Schema,
    When,
    Words100,
    absent,
    broken_rule,
    left_out,
    needs,
    when,
)
from live.platforms import Platform
from live.schedule.models import SegmentKind, SessionStatus

MAX_SEGMENT_SECONDS = 24 * 3600
PRODUCT_KINDS = {SegmentKind.product, SegmentKind.flash_sale}


def _known_timezone(value: str) -> str:
    # ZoneInfo() itself would open "America" (a folder) or "../x" and fail with an OSError.
    if value not in known_timezones():
        raise ValueError("unknown timezone, e.g. Asia/Ho_Chi_Minh")
    return value


@functools.cache
def known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


# An IANA timezone this server knows; the document lists them.
Timezone = Annotated[
    str,
    AfterValidator(_known_timezone),
    WithJsonSchema({"type": "string", "enum": sorted(known_timezones())}),
]


# Show control (go live, end) sets live and ended; editing may not.
EDITABLE_STATUSES = (SessionStatus.draft, SessionStatus.scheduled, SessionStatus.cancelled)


def _editable(value: SessionStatus) -> SessionStatus:
    if value not in EDITABLE_STATUSES:
        raise ValueError("live and ended are set by show control, not by editing")
    return value


EditableStatus = Annotated[
    SessionStatus,
    AfterValidator(_editable),
    WithJsonSchema({"type": "string", "enum": [s.value for s in EDITABLE_STATUSES]}),
]


class CampaignIn(Schema):
    """`ends_on` is not before `starts_on`."""

    name: Name
    starts_on: Day
    ends_on: Day
    timezone: Timezone = "Asia/Ho_Chi_Minh"
    sales_goal: int = Field(0, ge=0, le=10**15, description="integer đồng")
    changeover_buffer_minutes: int = Field(30, ge=0, le=24 * 60)
    attribution_grace_minutes: int = Field(15, ge=0, le=24 * 60)

    @model_validator(mode="after")
    def _ordered(self) -> CampaignIn:
        if self.ends_on < self.starts_on:
            raise broken_rule("ends_on must not be before starts_on")
        return self


class CampaignOut(CampaignIn):
    id: int
    session_count: int = 0
    created_at: datetime


class CampaignPatch(Schema):
    """A left-out field stays as it is; `ends_on` is not before `starts_on` once merged."""

    name: Name = left_out()
    starts_on: Day = left_out()
    ends_on: Day = left_out()
    timezone: Timezone = left_out()
    sales_goal: int = left_out(ge=0, le=10**15, description="integer đồng")
    changeover_buffer_minutes: int = left_out(ge=0, le=24 * 60)
    attribution_grace_minutes: int = left_out(ge=0, le=24 * 60)


class SegmentIn(Schema):
    """Product and flash sale segments name a product; flash sales also a price and quantity
    above 0; other segments none of these."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                when("kind", sorted(PRODUCT_KINDS), needs("product_id"), absent("product_id")),
                when(
                    "kind",
                    [SegmentKind.flash_sale.value],
                    needs("flash_price", "flash_quantity", minimum=1),
                    absent("flash_price", "flash_quantity"),
                ),
            ]
        }
    )

    id: Id | None = Field(None, description="keep a segment's identity when editing")
    kind: SegmentKind
    title: Line100 = ""
    planned_seconds: int = Field(ge=1, le=MAX_SEGMENT_SECONDS)
    product_id: Id | None = None
    flash_price: Money | None = None
    flash_quantity: Count | None = None
    notes: Prose10k = ""
    obs_scene: Line100 | None = Field(
        None, description="the studio's OBS scene while this segment is on air"
    )

    @model_validator(mode="after")
    def _kind_fields(self) -> SegmentIn:
        if self.kind in PRODUCT_KINDS and self.product_id is None:
            raise ValueError(f"a {self.kind.value} segment needs product_id")
        if self.kind not in PRODUCT_KINDS and self.product_id is not None:
            raise ValueError(f"a {self.kind.value} segment has no product")
        is_flash = self.kind is SegmentKind.flash_sale
        if is_flash and (not self.flash_price or not self.flash_quantity):
            raise ValueError("a flash_sale segment needs flash_price and flash_quantity above 0")
        if not is_flash and (self.flash_price is not None or self.flash_quantity is not None):
            raise ValueError("only flash_sale segments have flash_price and flash_quantity")
        return self


class SegmentOut(SegmentIn):
    position: int
    product_name: str | None = None


class SessionFields(Schema):
    campaign_id: Id
    code: Line40 | None = Field(None, description="short code carried by orders; made up if empty")
    title: Required300
    host_creator_id: Id
    cohost_ids: list[Id] = Field(default_factory=list, max_length=10)
    platform: Platform
    channel: Required100
    studio: Words100
    scheduled_start: When = Field(description="ISO 8601; without an offset it is campaign time")
    scheduled_end: When
    status: EditableStatus = SessionStatus.draft
    notes: Prose10k = ""


class SessionIn(SessionFields):
    """`scheduled_end` is after `scheduled_start`; the schedule's rules (overlaps, products'
    quality and stock) are checked too: a 409 names each one broken."""

    segments: list[SegmentIn] = Field(default_factory=list, max_length=200)


class Problem(Schema):
    rule: str
    severity: str
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class SessionOut(SessionFields):
    id: int
    code: str
    status: SessionStatus
    segments: list[SegmentOut]
    host_name: str
    warnings: list[Problem] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime


# PATCH bodies: a left-out field stays as it is; null is taken only where a value may be empty
# (`code: null` makes one up, a segment's product is cleared), never for a required column.


class SessionPatch(Schema):
    code: Line40 | None = None
    title: Required300 = left_out()
    host_creator_id: Id = left_out()
    cohost_ids: list[Id] = left_out(max_length=10)
    platform: Platform = left_out()
    channel: Required100 = left_out()
    studio: Words100 = left_out()
    scheduled_start: When = left_out()
    scheduled_end: When = left_out()
    status: EditableStatus = left_out()
    notes: Prose10k = left_out()
    segments: list[SegmentIn] = left_out(max_length=200)


class SegmentPatch(Schema):
    kind: SegmentKind = left_out()
    title: Line100 = left_out()
    planned_seconds: int = left_out(ge=1, le=MAX_SEGMENT_SECONDS)
    product_id: Id | None = None
    flash_price: Money | None = None
    flash_quantity: Count | None = None
    notes: Prose10k = left_out()
    obs_scene: Line100 | None = None


class SessionQuery(Page):
    campaign_id: Id | None = None
    creator_id: Id | None = None
    status: SessionStatus | None = None
    platform: Platform | None = None
    studio: OptionalWords100 | None = None
    starts_after: When | None = None
    starts_before: When | None = None
    q: Line100 | None = None


class CampaignQuery(Page):
    q: Line100 | None = None
