"""`reconcile --repair` writes absolute figures: the order drains hold still meanwhile — the
batches being applied finished, none taken — and take up what queued once it is done."""

from __future__ import annotations

from typing import Any

import pytest
from rq import Queue

from live.cli import main
from live.queueing import ORDERS
from live.sales.intake import inbox
from live.sales.pipeline import service
from tests.sales.conftest import event, new_order_id, post_events
from tests.sales.pipeline.test_processing import AT, code, skus, totals


def test_drains_take_no_batch_while_a_repair_holds_them(
    client: Any, db: Any, redis: Any, show_session: dict[str, Any]
) -> None:
    a, _b = skus(db, show_session)
    order = event("created", new_order_id(), AT, [(a, 2, 65_000)], live_code=code(db, show_session))
    assert post_events(client, {"events": [order]}).status_code == 202
    with service.drains_paused(redis, wait_seconds=5):
        report = service.drain(db, redis)
        assert report.paused and report.batches == 0
        assert inbox.Inbox(redis).depth() == 1, "still queued, nothing taken"
    assert not redis.exists(inbox.PAUSED)
    service.drain(db, redis)
    assert totals(db)["gross_units"] == 2


def test_a_repair_waits_for_the_batch_being_applied_and_gives_up_in_time(
    client: Any, db: Any, redis: Any, show_session: dict[str, Any]
) -> None:
    a, _b = skus(db, show_session)
    order = event("created", new_order_id(), AT, [(a, 1, 65_000)], live_code=code(db, show_session))
    assert post_events(client, {"events": [order]}).status_code == 202
    box = inbox.Inbox(redis)
    with inbox.Lease(redis, "another worker") as lease:
        claimed = box.claim(10, lease)  # a live drain in the middle of its batch
        assert claimed is not None and box.being_applied() == 1
        with pytest.raises(service.StillApplying), service.drains_paused(redis, wait_seconds=0.5):
            pytest.fail("a repair must not start while a batch is being applied")
        assert not redis.exists(inbox.PAUSED), "given up: the drains go on"
        box.done(claimed[0])
    with service.drains_paused(redis, wait_seconds=0.5):
        assert redis.exists(inbox.PAUSED)


def test_the_cli_repairs_with_the_drains_held_and_queues_one_after(
    cli_env: None, redis: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    seen: list[bool] = []
    real = service.drains_paused

    def watched(redis_: Any, wait_seconds: float = 120.0) -> Any:
        seen.append(True)
        return real(redis_, wait_seconds)

    monkeypatch.setattr(service, "drains_paused", watched)
    assert main(["reconcile"]) == 0
    assert seen == [True] and not redis.exists(inbox.PAUSED)
    assert [job.func_name for job in Queue(ORDERS, connection=redis).jobs][-1].endswith(
        "drain_inbox"
    )
    assert main(["reconcile", "--check"]) == 0
    assert seen == [True], "a check writes nothing: no pause"
