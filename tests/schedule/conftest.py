"""A small campaign to schedule against, and a helper that posts sessions as a producer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import count
from typing import Any

import pytest
from starlette.testclient import TestClient

from live.catalog.models import QualityStatus
from live.db import Database
from tests import factories

_codes = count(1)


@dataclass
class Plan:
    """Ids of what the tests schedule: one campaign (buffer 30 min), creators, products."""

    client: TestClient
    campaign_id: int
    creators: list[int]
    product_id: int  # approved, stock 100, certificate valid through 2027
    pending_id: int
    rejected_id: int

    def body(self, start: str, end: str, host: int | None = None, **kw: Any) -> dict[str, Any]:
        """A session in its own studio and channel; times without offset are campaign time."""
        n = next(_codes)
        return {
            "campaign_id": self.campaign_id,
            "code": f"R{n:03d}",
            "title": f"Phiên live {n}",
            "host_creator_id": self.creators[0] if host is None else host,
            "platform": "tiktok_shop",
            "channel": f"kenh-{n}",
            "studio": f"Phòng {n}",
            "scheduled_start": start,
            "scheduled_end": end,
            "status": "scheduled",
            **kw,
        }

    def post(self, start: str, end: str, host: int | None = None, **kw: Any) -> Any:
        return self.client.post("/api/sessions", json=self.body(start, end, host, **kw))

    def create(self, start: str, end: str, host: int | None = None, **kw: Any) -> dict[str, Any]:
        response = self.post(start, end, host, **kw)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]


def flash(product_id: int, quantity: int, price: int = 50_000) -> dict[str, Any]:
    return {
        "kind": "flash_sale",
        "planned_seconds": 300,
        "product_id": product_id,
        "flash_price": price,
        "flash_quantity": quantity,
    }


def showcase(product_id: int, seconds: int = 600) -> dict[str, Any]:
    return {"kind": "product", "planned_seconds": seconds, "product_id": product_id}


@pytest.fixture
def plan(db: Database, producer: TestClient) -> Plan:
    with db.unit_of_work() as s:
        campaign = factories.campaign(s, starts_on=date(2024, 9, 26), ends_on=date(2024, 9, 29))
        creators = [factories.creator(s, name=f"Nhà sáng tạo {i}").id for i in range(1, 5)]
        product = factories.product(s, name="Kẹo dừa Bến Tre", campaign_stock=100)
        pending = factories.product(s, name="Mắm tép", qc_status=QualityStatus.pending)
        rejected = factories.product(
            s, name="Trà atisô", qc_status=QualityStatus.rejected, qc_note="nhãn sai"
        )
        return Plan(
            client=producer,
            campaign_id=campaign.id,
            creators=creators,
            product_id=product.id,
            pending_id=pending.id,
            rejected_id=rejected.id,
        )
