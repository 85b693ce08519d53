"""A session in "Studio Hoa Sen" whose run-of-show names OBS scenes, and that studio's record
with its hold and ended scenes."""

from __future__ import annotations

from typing import Any

import pytest

from live.schedule.schemas import SegmentIn
from live.studios import service
from tests import factories

STUDIO = "Studio Hoa Sen"
SCENES = ["Mở đầu", "Sản phẩm", "Cận cảnh", "Kết thúc"]


def studio_segments(product_id: int, *, first_seconds: int = 120) -> list[SegmentIn]:
    return [
        SegmentIn(kind="intro", title="Mở đầu", planned_seconds=first_seconds, obs_scene="Mở đầu"),
        SegmentIn(
            kind="product",
            title="Cà phê",
            planned_seconds=300,
            product_id=product_id,
            obs_scene="Sản phẩm",
        ),
        SegmentIn(kind="product", title="Kẹo dừa", planned_seconds=300, product_id=product_id),
        SegmentIn(kind="outro", title="Kết", planned_seconds=60, obs_scene="Cận cảnh"),
    ]


@pytest.fixture
def studio_session(db: Any) -> dict[str, Any]:
    with db.unit_of_work() as s:
        product = factories.product(s, name="Cà phê Buôn Ma Thuột 500g")
        session = factories.session(s, studio=STUDIO, segments=studio_segments(product.id))
        studio = service.studio_named(s, STUDIO)
        assert studio is not None
        studio.hold_scene = "Tạm dừng"
        studio.ended_scene = "Chờ"
        studio.standby_scene = "Chờ"
        return {"id": session.id, "studio_id": studio.id}
