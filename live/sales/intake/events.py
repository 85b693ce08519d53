"""The one internal order-event shape. Platform-specific parsing and signing stay at the edge
(adapters), so a new platform never touches the pipeline."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import Field, field_validator, model_validator

from live.api.fields import Line100, Line200, Schema, When

MAX_EVENTS_PER_REQUEST = 1000
MAX_LINES = 100


class EventType(enum.StrEnum):
    created = "created"
    paid = "paid"
    cancelled = "cancelled"
    returned = "returned"
    delivered = "delivered"


# Events only move an order forward: a duplicate or a late "created" after "paid" changes
# nothing, and every delivery order ends in the same state. Delivered is paid and shipped.
RANK = {
    EventType.created: 1,
    EventType.paid: 2,
    EventType.delivered: 3,
    EventType.cancelled: 4,
    EventType.returned: 5,
}


class EventLine(Schema):
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=1, le=100_000)
    unit_price: int = Field(ge=0, le=2_000_000_000, description="integer đồng")
    # A line taken off on its own while the rest of the order goes on (a platform that keeps a
    # status per line, such as Lazada). Left out when nothing of the line is off.
    cancelled_quantity: int | None = Field(
        None, ge=0, le=100_000, description="units of this line cancelled on their own"
    )
    returned_quantity: int | None = Field(
        None, ge=0, le=100_000, description="units of this line returned on their own"
    )

    @model_validator(mode="after")
    def _off_within_quantity(self) -> EventLine:
        if (self.cancelled_quantity or 0) + (self.returned_quantity or 0) > self.quantity:
            raise ValueError("cancelled_quantity + returned_quantity exceed the line's quantity")
        return self


class OrderEvent(Schema):
    type: EventType
    order_id: str = Field(min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$")
    occurred_at: When = Field(description="ISO 8601 with an offset")
    lines: list[EventLine] = Field(default_factory=list, max_length=MAX_LINES)
    live_code: Line100 | None = Field(None, description="live room or session code")
    channel: Line200 | None = Field(None, description="the platform shop / channel")
    buyer_province: Line100 | None = None

    @field_validator("occurred_at")
    @classmethod
    def _with_offset(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("needs a UTC offset, e.g. 2024-09-26T19:05:00+07:00")
        return value


class EventBatch(Schema):
    events: list[OrderEvent] = Field(min_length=1, max_length=MAX_EVENTS_PER_REQUEST)


def parse_body(data: Any) -> list[OrderEvent]:
    """One event object, or {"events": [...]}; raises pydantic's ValidationError."""
    if isinstance(data, dict) and "events" in data:
        return EventBatch.model_validate(data).events
    return [OrderEvent.model_validate(data)]


@dataclass(slots=True)
class QueuedLine:
    sku: str
    quantity: int
    unit_price: int
    cancelled_quantity: int | None = None
    returned_quantity: int | None = None


@dataclass(slots=True)
class QueuedEvent:
    """An event read back from the inbox, which only ever holds events the webhook validated
    and normalised: the same fields as OrderEvent without pydantic's cost per event (workers
    read thousands a second)."""

    type: EventType
    order_id: str
    occurred_at: datetime
    lines: tuple[QueuedLine, ...] = ()
    live_code: str | None = None
    channel: str | None = None
    buyer_province: str | None = None


AnyEvent = OrderEvent | QueuedEvent
