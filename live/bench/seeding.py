"""What the benchmarks seed: a bench session (a creator of its own, one product segment per
product) in a campaign far from any real one, so bench data never meets a real schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

START = datetime(2030, 1, 1, 12, tzinfo=UTC)


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
