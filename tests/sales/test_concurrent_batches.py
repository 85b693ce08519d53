"""Two workers applying the same new order at once: the loser's batch runs again as an update."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from live.sales import service
from live.sales.events import OrderEvent
from live.sales.models import Order, SaleState
from live.sales.processing import BatchApplier
from tests.sales.test_processing import AT, code, skus, totals


def test_a_batch_that_meets_a_concurrent_insert_is_applied_again(
    db: Any, show_session: Any, monkeypatch: Any
) -> None:
    sku = skus(db, show_session)[0]
    live = code(db, show_session)
    created = OrderEvent.model_validate(
        {
            "type": "created",
            "order_id": "RACE-1",
            "occurred_at": AT,
            "lines": [{"sku": sku, "quantity": 1, "unit_price": 65_000}],
            "live_code": live,
        }
    )
    paid = OrderEvent.model_validate(
        {"type": "paid", "order_id": "RACE-1", "occurred_at": "2024-09-26T19:06:00+07:00"}
    )
    service.apply_batch(db, None, [("tiktok_shop", created)])  # the other worker's batch

    # This worker read before the other committed: it sees no order, so it inserts one.
    real_load = BatchApplier._load
    calls: list[int] = []

    def stale_first_read(self: BatchApplier, keys: Any) -> Any:
        calls.append(1)
        return {} if len(calls) == 1 else real_load(self, keys)

    monkeypatch.setattr(BatchApplier, "_load", stale_first_read)
    outcome = service.apply_batch(db, None, [("tiktok_shop", created), ("tiktok_shop", paid)])
    assert len(calls) == 2, "the batch ran again after the unique violation"
    assert outcome.new_orders == 0
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 1
        assert s.scalar(select(Order.state)) is SaleState.paid
    assert totals(db)["gross_units"] == 1
    assert totals(db)["paid"] == 1
