"""Small factories that build valid records through the services, so rules apply."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from live.catalog import service as catalog
from live.catalog.models import Creator, Product, QualityStatus, Supplier
from live.platforms import Platform
from live.schedule import service as schedule
from live.schedule.models import Campaign, LiveSession

_seq = itertools.count(1)
# 2024-09-26 19:00 in Ho Chi Minh City.
T0 = datetime(2024, 9, 26, 12, 0, tzinfo=UTC)


def supplier(db: Session, **kw: Any) -> Supplier:
    n = next(_seq)
    data = {"name": f"Hợp tác xã Bến Tre {n}", "province": "Bến Tre", "tax_code": f"03{n:08d}"}
    return catalog.save_supplier(db, {**data, **kw})


def product(db: Session, **kw: Any) -> Product:
    n = next(_seq)
    if "supplier_id" not in kw:
        kw["supplier_id"] = supplier(db).id
    data = {
        "sku": f"SKU-{n}",
        "name": f"Kẹo dừa Bến Tre {n}",
        "category": "Bánh kẹo",
        "province": "Bến Tre",
        "list_price": 85_000,
        "live_price": 65_000,
        "ocop_stars": 4,
        "qc_status": QualityStatus.approved,
        "qc_reviewer": "Saigon Co.op",
        "campaign_stock": 500,
        "certifications": [
            {"name": "OCOP 4 sao", "number": None, "expires_on": date(2027, 12, 31)}
        ],
    }
    return catalog.save_product(db, {**data, **kw})


def creator(db: Session, **kw: Any) -> Creator:
    n = next(_seq)
    data = {"name": f"Nhà sáng tạo {n}", "handles": {"tiktok_shop": f"@creator{n}"}}
    return catalog.save_creator(db, {**data, **kw})


def campaign(db: Session, **kw: Any) -> Campaign:
    data = {
        "name": "Siêu live hàng Việt",
        "starts_on": date(2024, 9, 26),
        "ends_on": date(2024, 9, 29),
        "sales_goal": 5_000_000_000,
    }
    return schedule.save_campaign(db, {**data, **kw})


def session(db: Session, **kw: Any) -> LiveSession:
    """A two-hour session at T0 in its own studio and channel unless told otherwise."""
    n = next(_seq)
    if "campaign_id" not in kw:
        kw["campaign_id"] = campaign(db).id
    if "host_creator_id" not in kw:
        kw["host_creator_id"] = creator(db).id
    start = kw.pop("start", T0)
    data: dict[str, Any] = {
        "title": f"Phiên live {n}",
        "platform": Platform.tiktok_shop,
        "channel": f"channel-{n}",
        "studio": f"Studio {n}",
        "scheduled_start": start,
        "scheduled_end": start + timedelta(hours=2),
        "segments": [],
    }
    row, _warnings = schedule.save_session(db, {**data, **kw})
    return row
