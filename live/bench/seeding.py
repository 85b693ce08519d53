"""What the benchmarks seed, in a campaign far from any real one so bench data never meets a
real schedule: a supplier and its approved products, campaigns, sessions (a creator of its
own, one product segment per product) and a producer's token."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from live.settings import Settings

START = datetime(2030, 1, 1, 12, tzinfo=UTC)


@contextmanager
def seeding(settings: Settings) -> Iterator[Session]:
    """The bench's database, migrated, and one unit of work to seed it in."""
    from live.db import Database
    from live.migrate import upgrade

    upgrade(settings)
    db = Database(settings)
    try:
        with db.unit_of_work() as s:
            yield s
    finally:
        db.dispose()


def bench_products(
    s: Session,
    stamp: str,
    count: int,
    *,
    sku: str,
    name: str,
    list_price: int,
    live_price: int,
    price_step: int = 0,
    stock: int,
    talking_points: str,
    buy_link: str | None,
) -> list[Any]:
    """A supplier of its own and `count` quality-approved products of it. `sku`, `name` and
    `buy_link` are templates of the product's number {i}; each product costs `price_step` more
    than the one before."""
    from live.catalog import service as catalog
    from live.catalog.models import QualityStatus

    supplier = catalog.save_supplier(
        s, {"name": f"HTX Bench {stamp}", "province": "Bến Tre", "tax_code": None}
    )
    return [
        catalog.save_product(
            s,
            {
                "supplier_id": supplier.id,
                "sku": sku.format(i=i),
                "name": name.format(i=i),
                "category": "Bánh kẹo",
                "province": "Bến Tre",
                "list_price": list_price + i * price_step,
                "live_price": live_price + i * price_step,
                "ocop_stars": 4,
                "qc_status": QualityStatus.approved,
                "qc_reviewer": "bench",
                "campaign_stock": stock,
                "talking_points": talking_points,
                "certifications": [],
                "image_url": None,
                "buy_link": buy_link.format(i=i) if buy_link else None,
            },
        )
        for i in range(count)
    ]


def bench_campaign(s: Session, name: str) -> Any:
    """A one-day campaign on the bench's own day."""
    from live.schedule import service as schedule

    day = START.date()
    return schedule.save_campaign(
        s, {"name": name, "starts_on": day, "ends_on": day + timedelta(days=1)}
    )


def bench_session(
    s: Session, *, campaign_id: int, code: str, title: str, products: list[Any]
) -> int:
    """A two-hour session on its own studio and channel (no conflicts), hosted by a creator
    of its own; returns its id."""
    from live.catalog import service as catalog
    from live.schedule import service as schedule
    from live.schedule.schemas import SegmentIn

    creator = catalog.save_creator(s, {"name": f"Bench host {code}", "handles": {}})
    session, _ = schedule.save_session(
        s,
        {
            "campaign_id": campaign_id,
            "code": code,
            "title": title,
            "host_creator_id": creator.id,
            "platform": "tiktok_shop",
            "channel": f"bench-{code}",
            "studio": f"bench-{code}",
            "scheduled_start": START,
            "scheduled_end": START + timedelta(hours=2),
            "segments": [
                SegmentIn.model_validate(
                    {"kind": "product", "title": p.name, "planned_seconds": 600, "product_id": p.id}
                )
                for p in products
            ],
        },
    )
    return session.id


def producer_token(s: Session, name: str) -> str:
    from live.access.roles import Role
    from live.access.service import create_token

    _row, token = create_token(s, Role.producer, name)
    return token
