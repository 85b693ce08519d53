"""Deactivating a shop, by API, page and CLI: its pushes are verified and answered 200 with
an empty body and dropped (counted, nothing stored), its backfill poll stops (watchdog and by
hand), its status shows; reactivated, a poll catches up from when it was deactivated."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from rq import Queue
from starlette.testclient import TestClient

from live.cli import main
from live.db import utcnow
from live.queueing import PLATFORMS
from live.settings import Settings
from live.shops import pushes, watch
from tests.conftest import auth
from tests.platforms.test_signatures import TIKTOK_BODY, TIKTOK_SIGNATURE
from tests.shops.test_receiving import add

OFFICIAL = {"Authorization": TIKTOK_SIGNATURE}


def polls(redis: Any) -> list[tuple[int, str | None]]:
    """The backfill polls queued: (shop, since)."""
    jobs = Queue(PLATFORMS, connection=redis).jobs
    return [(job.args[0], job.args[1]) for job in jobs if job.func_name.endswith("poll_shop")]


def test_a_deactivated_shop_answers_its_pushes_and_stores_nothing(
    client: TestClient, tokens: dict[str, str], redis: Any
) -> None:
    producer = auth(tokens["producer"])
    shop = add(client, tokens["producer"])
    url, api = f"/push/{shop['id']}", f"/api/shops/{shop['id']}"
    before = utcnow()
    off = client.patch(api, json={"active": False}, headers=producer)
    assert off.status_code == 200, off.text
    assert off.json()["active"] is False
    assert datetime.fromisoformat(off.json()["deactivated_at"]) >= before
    # Verified as ever: a bad signature is still 401.
    assert (
        client.post(url, content=TIKTOK_BODY, headers={"Authorization": "0" * 64}).status_code
        == 401
    )
    for _ in range(3):  # TikTok's retry, the same notification
        answer = client.post(url, content=TIKTOK_BODY, headers=OFFICIAL)
        assert (answer.status_code, answer.content) == (200, b"")
    assert redis.llen(pushes.pushes_key(shop["id"])) == 0
    assert not redis.keys(f"{pushes.PREFIX}seen:{shop['id']}:*")  # not even its dedupe key
    health = client.get(api, headers=producer).json()["health"]
    assert (health["pushes"], health["ignored_pushes"]) == (0, 3)
    assert health["last_ignored_at"] is not None
    # Its backfill stops: by hand it is refused, and the watchdog gives it no turn or poll.
    backfill = client.post(f"{api}/backfill", json={}, headers=producer)
    assert backfill.status_code == 409
    assert backfill.json()["error"]["code"] == "shop_inactive"
    redis.rpush(pushes.pushes_key(shop["id"]), "{}")  # stored before the deactivation
    redis.sadd(pushes.KNOWN, shop["id"])
    assert watch.look(redis, [shop["id"]], poll_seconds=300) == 0

    on = client.patch(api, json={"active": True}, headers=producer)
    assert on.status_code == 200 and on.json()["active"] is True
    assert on.json()["deactivated_at"] is None
    # The catch-up poll reaches back to the deactivation, less the usual overlap.
    [(shop_id, since)] = polls(redis)
    assert shop_id == shop["id"] and since is not None
    assert datetime.fromisoformat(since) < before
    assert datetime.fromisoformat(since) > before - timedelta(minutes=3)
    answer = client.post(url, content=TIKTOK_BODY, headers=OFFICIAL)
    assert answer.status_code == 200
    assert redis.llen(pushes.pushes_key(shop["id"])) == 2  # the waiting one, and this one
    turns = [
        j.args[0] for j in Queue(PLATFORMS, connection=redis).jobs if "work_shop" in j.func_name
    ]
    assert turns == [shop["id"]]  # its turn, at last


def test_deactivating_twice_changes_nothing_and_fields_are_checked(
    client: TestClient, tokens: dict[str, str], redis: Any
) -> None:
    producer = auth(tokens["producer"])
    shop = add(client, tokens["producer"])
    api = f"/api/shops/{shop['id']}"
    first = client.patch(api, json={"active": False}, headers=producer).json()
    again = client.patch(api, json={"active": False}, headers=producer).json()
    assert first["deactivated_at"] == again["deactivated_at"]
    bad = client.patch(api, json={"active": "sometimes"}, headers=producer)
    assert bad.status_code == 422
    assert bad.json()["error"]["details"]["fields"][0]["field"] == "active"
    assert client.patch(api, json={}, headers=producer).status_code == 422
    assert (
        client.patch("/api/shops/999", json={"active": False}, headers=producer).status_code == 404
    )
    assert (
        client.patch(api, json={"active": True}, headers=auth(tokens["creator"])).status_code == 403
    )
    assert polls(redis) == []  # nothing reactivated


def test_the_shops_page_shows_the_status_and_switches_it(
    client: TestClient, tokens: dict[str, str], redis: Any
) -> None:
    producer = auth(tokens["producer"])
    shop = add(client, tokens["producer"])
    page = client.get("/shops?lang=en", headers=producer)
    assert 'data-status="active"' in page.text and ">Deactivate<" in page.text
    off = client.post(f"/shops/{shop['id']}/active?lang=en", data={"active": "0"}, headers=producer)
    assert off.status_code == 200
    assert 'data-status="inactive"' in off.text and "Deactivated since" in off.text
    assert ">Reactivate<" in off.text
    client.post(f"/push/{shop['id']}", content=TIKTOK_BODY, headers=OFFICIAL)
    assert "1 pushes dropped" in client.get("/shops?lang=en", headers=producer).text
    # Another site's form is refused, and changes nothing.
    forged = client.post(
        f"/shops/{shop['id']}/active",
        data={"active": "1"},
        headers={**producer, "Origin": "https://evil.example"},
    )
    assert forged.status_code == 403
    assert 'data-status="inactive"' in client.get("/shops", headers=producer).text
    on = client.post(f"/shops/{shop['id']}/active", data={"active": "1"}, headers=producer)
    assert 'data-status="active"' in on.text and "reactivated" in on.text


def test_the_cli_deactivates_lists_and_reactivates(
    client: TestClient,
    tokens: dict[str, str],
    cli_env: None,
    redis: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shop = add(client, tokens["producer"])
    ref = shop["shop_ref"]  # the platform's shop id works as well as ours
    assert main(["shop", "deactivate", ref]) == 0
    assert "deactivated" in capsys.readouterr().out
    assert main(["shop", "list", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["active"] is False and listed["deactivated_at"]
    assert main(["shop", "list"]) == 0
    assert "deactivated since" in capsys.readouterr().out
    assert main(["shop", "backfill", ref, "--since", "2026-11-30T08:00:00+07:00"]) == 1
    assert "shop_inactive" in capsys.readouterr().err
    answer = client.post(f"/push/{shop['id']}", content=TIKTOK_BODY, headers=OFFICIAL)
    # The web process's keyring sees a change made elsewhere within its few seconds.
    client.app.state.shop_keyring.forget()  # type: ignore[attr-defined]
    answer = client.post(f"/push/{shop['id']}", content=TIKTOK_BODY, headers=OFFICIAL)
    assert answer.status_code == 200 and redis.llen(pushes.pushes_key(shop["id"])) == 0
    assert main(["shop", "activate", str(shop["id"])]) == 0
    assert "reactivated" in capsys.readouterr().out
    assert [shop_id for shop_id, _since in polls(redis)] == [shop["id"]]


def test_a_shopee_catch_up_after_weeks_walks_its_15_day_windows(
    db: Any, settings: Settings, redis: Any, sim: tuple[Any, str]
) -> None:
    """Shopee's order list takes 15 days at most: a poll reaching back 30 days (a shop
    reactivated after weeks) asks window by window and finds an order of 20 days ago."""
    from live.platforms.sim.world import SimOrder
    from live.shops import backfill
    from tests.shops.conftest import new_shop, register, shop_of

    state, url = sim
    shop = new_shop(state, url, "shopee")
    shop_id = register(db, settings, shop, "kenh-shopee")
    placed = (utcnow() - timedelta(days=20)).replace(microsecond=0)
    old = SimOrder("220810OLD0001", shop, [("A", 1, 45_000)], "Huế", [("created", placed)])
    shop.orders[old.order_id] = old
    report = backfill.poll(
        redis, shop_of(db, settings, shop_id), since=utcnow() - timedelta(days=30)
    )
    assert report["orders"] == 1, report
    assert state.calls["shopee.list"] >= 2  # 15 days a call (a third for the last second)
    assert redis.zscore(pushes.pending_key(shop_id), old.order_id) is not None
