"""Settlement: what one supplier settles with the organisers after one session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from live.api.crud import get_or_404
from live.catalog.models import Product, Supplier
from live.db import utcnow
from live.sales.models import SalesTotal
from live.sales.reporting.aggregates import figure_columns
from live.schedule.models import Campaign, LiveSession, Segment, SessionStatus
from live.text import fold


@dataclass
class SettlementLine:
    product_id: int
    sku: str
    product_name: str
    platform: str
    gross_units: int = 0
    cancelled_units: int = 0
    returned_units: int = 0
    net_units: int = 0
    gross_revenue: int = 0
    cancelled_revenue: int = 0
    returned_revenue: int = 0
    net_revenue: int = 0


@dataclass
class SettlementReport:
    """What a supplier settles with the organisers after a session: per product and platform,
    units and revenue gross (as ordered) and net (cancellations and returns taken off).

    `final` is False while the session has not ended: figures can still move.
    """

    session_id: int
    session_code: str
    session_title: str
    session_status: str
    platform: str
    campaign_name: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    supplier_id: int
    supplier_name: str
    supplier_tax_code: str | None
    final: bool
    generated_at: datetime
    lines: list[SettlementLine] = field(default_factory=list)

    AMOUNTS = (
        "gross_units",
        "cancelled_units",
        "returned_units",
        "net_units",
        "gross_revenue",
        "cancelled_revenue",
        "returned_revenue",
        "net_revenue",
    )

    @property
    def totals(self) -> dict[str, int]:
        return {name: sum(getattr(line, name) for line in self.lines) for name in self.AMOUNTS}

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(ZoneInfo(self.timezone))

    def as_dict(self) -> dict[str, Any]:
        return {
            "session": {
                "id": self.session_id,
                "code": self.session_code,
                "title": self.session_title,
                "status": self.session_status,
                "platform": self.platform,
                "campaign_name": self.campaign_name,
                "scheduled_start": self.starts_at,
                "scheduled_end": self.ends_at,
            },
            "supplier": {
                "id": self.supplier_id,
                "name": self.supplier_name,
                "tax_code": self.supplier_tax_code,
            },
            "final": self.final,
            "generated_at": self.generated_at,
            "lines": [line.__dict__ for line in self.lines],
            "totals": self.totals,
        }


def settlement_report(db: Session, session_id: int, supplier_id: int) -> SettlementReport:
    session = get_or_404(db, LiveSession, session_id, "session")
    supplier = get_or_404(db, Supplier, supplier_id)
    campaign = get_or_404(db, Campaign, session.campaign_id)
    rows = db.execute(
        select(SalesTotal.product_id, SalesTotal.platform, Product.sku, Product.name)
        .add_columns(*figure_columns())
        .join(Product, Product.id == SalesTotal.product_id)
        .where(SalesTotal.session_key == session_id, Product.supplier_id == supplier_id)
        .group_by(SalesTotal.product_id, SalesTotal.platform, Product.sku, Product.name)
    ).all()
    lines = [
        SettlementLine(
            product_id=r.product_id,
            sku=r.sku,
            product_name=r.name,
            platform=r.platform,
            **{name: int(getattr(r, name)) for name in SettlementReport.AMOUNTS},
        )
        for r in rows
    ]
    # Products of the supplier in the run-of-show that sold nothing still belong on the
    # report: a zero is an answer, a missing line is a question.
    sold = {line.product_id for line in lines}
    for pid, sku, name in db.execute(
        select(Product.id, Product.sku, Product.name)
        .join(Segment, Segment.product_id == Product.id)
        .where(Segment.session_id == session_id, Product.supplier_id == supplier_id)
        .distinct()
    ).all():
        if pid not in sold:
            lines.append(SettlementLine(pid, sku, name, session.platform.value))
    lines.sort(key=lambda line: (fold(line.product_name), line.product_id, line.platform))
    return SettlementReport(
        session_id=session.id,
        session_code=session.code,
        session_title=session.title,
        session_status=session.status.value,
        platform=session.platform.value,
        campaign_name=campaign.name,
        timezone=campaign.timezone,
        starts_at=session.scheduled_start,
        ends_at=session.scheduled_end,
        supplier_id=supplier.id,
        supplier_name=supplier.name,
        supplier_tax_code=supplier.tax_code,
        final=session.status is SessionStatus.ended,
        generated_at=utcnow(),
        lines=lines,
    )
