"""A scheduled session with a run-of-show: intro, two products, a flash sale, outro."""

from __future__ import annotations

from typing import Any

import pytest

from live.schedule.schemas import SegmentIn
from tests import factories


@pytest.fixture
def show_session(db: Any) -> dict[str, Any]:
    with db.unit_of_work() as s:
        a = factories.product(s, name="Cà phê Buôn Ma Thuột 500g", province="Đắk Lắk")
        b = factories.product(s, name="Kẹo dừa Bến Tre 500g")
        segments = [
            SegmentIn(kind="intro", title="Mở đầu", planned_seconds=120),
            SegmentIn(kind="product", title=a.name, planned_seconds=300, product_id=a.id),
            SegmentIn(kind="product", title=b.name, planned_seconds=300, product_id=b.id),
            SegmentIn(
                kind="flash_sale",
                title="Flash sale",
                planned_seconds=60,
                product_id=b.id,
                flash_price=49_000,
                flash_quantity=50,
            ),
            SegmentIn(kind="outro", title="Kết thúc", planned_seconds=60),
        ]
        session = factories.session(s, segments=segments)
        return {"id": session.id, "campaign_id": session.campaign_id, "products": [a.id, b.id]}
