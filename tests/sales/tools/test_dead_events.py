"""Order events no batch could apply go to the dead list; once the cause is fixed a producer
puts them back (API or CLI) and each is applied once — the event record keeps every event
once, so putting back what was applied already changes nothing."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from live.cli import main
from live.sales.intake import inbox
from tests.conftest import auth
from tests.sales.conftest import event, new_order_id, post_events
from tests.sales.pipeline.test_processing import AT, code, skus, totals


def bury_what_waits(redis: Any) -> int:
    """As a batch that failed every attempt is buried (`service._run_batch`)."""
    box = inbox.Inbox(redis)
    with inbox.Lease(redis, "failing worker") as lease:
        claimed = box.claim(100, lease)
        assert claimed is not None
        box.bury(claimed[0], claimed[1], "RuntimeError: the cause, since fixed")
    return len(claimed[1])


def test_dead_events_put_back_are_applied_once(
    client: TestClient, db: Any, redis: Any, drain: Any, tokens: dict[str, str],
    show_session: dict[str, Any],
) -> None:  # fmt: skip
    a, b = skus(db, show_session)
    live = code(db, show_session)
    events = [event("created", new_order_id(), AT, [(a, 1, 65_000), (b, 2, 49_000)],
                    live_code=live) for _ in range(3)]  # fmt: skip
    assert post_events(client, {"events": events}).status_code == 202
    assert bury_what_waits(redis) == 3
    producer = auth(tokens["producer"])
    health = client.get("/api/queues", headers=producer).json()
    assert health["inbox"]["dead_events"] == 3
    assert totals(db)["gross_units"] == 0

    answer = client.post("/api/queues/dead/requeue", headers=producer)
    assert answer.status_code == 200 and answer.json() == {"requeued": 3}
    drain()
    assert totals(db)["gross_units"] == 9
    assert client.get("/api/queues", headers=producer).json()["inbox"]["dead_events"] == 0
    # The same events dead again and put back again: applied already, nothing changes.
    assert post_events(client, {"events": events}).status_code == 202
    assert bury_what_waits(redis) == 3
    assert client.post("/api/queues/dead/requeue", headers=producer).json() == {"requeued": 3}
    drain()
    assert totals(db)["gross_units"] == 9
    assert client.post("/api/queues/dead/requeue", headers=producer).json() == {"requeued": 0}
    refused = client.post("/api/queues/dead/requeue", headers=auth(tokens["retailer"]))
    assert refused.status_code == 403


def test_the_cli_puts_dead_events_back(cli_env: None, redis: Any, capsys: Any) -> None:
    redis.rpush(inbox.DEAD, inbox.envelope("tiktok_shop", {"type": "created"}, 1.0))
    assert main(["requeue-dead"]) == 0
    assert "1 dead order event(s) back in the inbox" in capsys.readouterr().out
    assert redis.llen(inbox.DEAD) == 0 and redis.llen(inbox.INBOX) == 1
