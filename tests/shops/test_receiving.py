"""POST /push/{shop}: each platform's own push verified over its raw bytes, answered 200 with
an empty body, repeats counted once, never a 429; unknown shop 404, bad signature 401 and
nothing stored. And the producers' shop API: secrets in, never out; rotation with grace."""

from __future__ import annotations

import json
from typing import Any

from starlette.testclient import TestClient

from live.platforms.adapters import adapter
from live.platforms.sim.server import SimState
from live.shops import pushes
from tests.conftest import auth
from tests.platforms.test_signatures import TIKTOK_BODY, TIKTOK_SIGNATURE

SHOP = {
    "platform": "tiktok_shop",
    "shop_ref": "7495540735365777507",
    "app_key": "abcdef",
    "app_secret": "123",
    "access_token": "secret-token",
    "channel": "sieulivehangviet",
    "api_base": "https://open-api.tiktokglobalshop.com",
}


def add(client: TestClient, token: str, **changes: Any) -> dict[str, Any]:
    answer = client.post("/api/shops", json={**SHOP, **changes}, headers=auth(token))
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_official_tiktok_push_is_queued_and_answered_empty(
    client: TestClient, tokens: dict[str, str], redis: Any
) -> None:
    shop = add(client, tokens["producer"])
    assert "123" not in json.dumps(shop) and "secret-token" not in json.dumps(shop)
    url = f"/push/{shop['id']}"
    answer = client.post(url, content=TIKTOK_BODY, headers={"Authorization": TIKTOK_SIGNATURE})
    assert (answer.status_code, answer.content) == (200, b"")
    again = client.post(url, content=TIKTOK_BODY, headers={"Authorization": TIKTOK_SIGNATURE})
    assert (again.status_code, again.content) == (200, b"")
    assert redis.llen(pushes.pushes_key(shop["id"])) == 1  # the retry is the same notification
    health = client.get(f"/api/shops/{shop['id']}", headers=auth(tokens["producer"])).json()
    assert health["health"]["pushes"] == 1 and health["health"]["repeated_pushes"] == 1
    assert health["health"]["last_push_at"] is not None


def test_bad_signature_401_unknown_shop_404_nothing_stored(
    client: TestClient, tokens: dict[str, str], redis: Any
) -> None:
    shop = add(client, tokens["producer"])
    url = f"/push/{shop['id']}"
    wrong = client.post(url, content=TIKTOK_BODY, headers={"Authorization": "0" * 64})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "bad_signature"
    none = client.post(url, content=TIKTOK_BODY)
    assert none.status_code == 401
    bearer = client.post(
        url, content=TIKTOK_BODY, headers={"Authorization": "Bearer " + TIKTOK_SIGNATURE}
    )
    assert bearer.status_code == 401
    missing = client.post(
        "/push/999", content=TIKTOK_BODY, headers={"Authorization": TIKTOK_SIGNATURE}
    )
    assert missing.status_code == 404
    assert redis.llen(pushes.pushes_key(shop["id"])) == 0


def test_a_burst_is_never_refused(client: TestClient, tokens: dict[str, str], redis: Any) -> None:
    """Far past the order inbox's limit, with no worker running: every push 200."""
    shop = add(client, tokens["producer"], platform="lazada", shop_ref="1234567", app_key="100001")
    keys_ = _keys("100001", "123")
    statuses = set()
    for n in range(2000):
        body = json.dumps(
            {"seller_id": "1234567", "message_type": 0, "timestamp": 1603766859530 + n,
             "data": {"order_status": "unpaid", "trade_order_id": str(10**12 + n),
                      "trade_order_line_id": str(n), "status_update_time": 1603698638}},
            separators=(",", ":"),
        ).encode()  # fmt: skip
        headers = adapter("lazada").push_headers(keys_, body, "")
        statuses.add(client.post(f"/push/{shop['id']}", content=body, headers=headers).status_code)
    assert statuses == {200}
    assert redis.llen(pushes.pushes_key(shop["id"])) == 2000
    listing = client.get("/api/shops", headers=auth(tokens["producer"])).json()
    assert listing["items"][0]["health"]["pushes_waiting"] == 2000
    assert listing["redis_memory_bytes"] > 0


def test_shopee_console_check_and_callback_url(
    client: TestClient, tokens: dict[str, str], redis: Any
) -> None:
    callback = "https://sieulive.example.vn/push/1"
    shop = add(client, tokens["producer"], platform="shopee", shop_ref="727720655",
               app_key="2001234", app_secret="partnerkey", callback_url=callback)  # fmt: skip
    body = b'{"code":0,"data":{"verify_info":"abc"}}'
    headers = adapter("shopee").push_headers(_keys("2001234", "partnerkey"), body, callback)
    answer = client.post(f"/push/{shop['id']}", content=body, headers=headers)
    assert (answer.status_code, answer.content) == (200, b"")
    # Signed over the URL the request reached instead of the configured one: refused.
    wrong = adapter("shopee").push_headers(
        _keys("2001234", "partnerkey"), body, f"http://testserver/push/{shop['id']}"
    )
    assert client.post(f"/push/{shop['id']}", content=body, headers=wrong).status_code == 401


def test_rotation_keeps_the_previous_secret_for_the_grace_period(
    client: TestClient, tokens: dict[str, str]
) -> None:
    shop = add(client, tokens["producer"])
    rotated = client.post(
        f"/api/shops/{shop['id']}/rotate",
        json={"app_secret": "new-secret", "grace_hours": 1},
        headers=auth(tokens["producer"]),
    )
    assert rotated.status_code == 200 and "new-secret" not in rotated.text
    assert rotated.json()["previous_secret_until"] is not None
    url = f"/push/{shop['id']}"
    old = client.post(url, content=TIKTOK_BODY, headers={"Authorization": TIKTOK_SIGNATURE})
    assert old.status_code == 200
    fresh = adapter("tiktok_shop").push_headers(_keys("abcdef", "new-secret"), TIKTOK_BODY, "")
    assert client.post(url, content=TIKTOK_BODY, headers=fresh).status_code == 200
    client.post(
        f"/api/shops/{shop['id']}/rotate",
        json={"app_secret": "newer", "grace_hours": 0},
        headers=auth(tokens["producer"]),
    )
    assert client.post(url, content=TIKTOK_BODY, headers=fresh).status_code == 401


def test_shop_api_checks_its_fields(client: TestClient, tokens: dict[str, str]) -> None:
    bad = client.post(
        "/api/shops", json={**SHOP, "platform": "facebook"}, headers=auth(tokens["producer"])
    )
    assert (
        bad.status_code == 422
        and bad.json()["error"]["details"]["fields"][0]["field"] == "platform"
    )
    bad = client.post(
        "/api/shops", json={**SHOP, "api_base": "ftp://x"}, headers=auth(tokens["producer"])
    )
    assert bad.status_code == 422
    add(client, tokens["producer"])
    again = client.post("/api/shops", json=SHOP, headers=auth(tokens["producer"]))
    assert again.status_code == 409
    assert client.post("/api/shops", json=SHOP, headers=auth(tokens["creator"])).status_code == 403


def _keys(app_key: str, secret: str) -> Any:
    from live.platforms.common import Keys

    return Keys(shop_ref="", app_key=app_key, app_secrets=(secret,), access_token="", api_base="")


__all__ = ["SimState"]


def test_shopify_deliveries_are_deduped_by_their_webhook_id(
    client: TestClient, tokens: dict[str, str], redis: Any
) -> None:
    """Shopify names each delivery (`X-Shopify-Webhook-Id`): a retry carries the same id —
    even re-encoded, it is one delivery — while two updates of one order with the same body
    but their own ids are two."""
    shop = add(client, tokens["producer"], platform="shopify", shop_ref="cho-viet.myshopify.com",
               app_key="client-1", app_secret="shopify-secret")  # fmt: skip
    keys_ = _keys("client-1", "shopify-secret")
    url = f"/push/{shop['id']}"

    def deliver(body: bytes, webhook_id: str) -> int:
        headers = adapter("shopify").push_headers(keys_, body, "")
        headers |= {"X-Shopify-Webhook-Id": webhook_id, "X-Shopify-Topic": "orders/updated"}
        return client.post(url, content=body, headers=headers).status_code

    order = {"id": 5_000_000_000_000_001, "updated_at": "2026-11-30T10:00:00+07:00"}
    compact = json.dumps(order, separators=(",", ":")).encode()
    spaced = json.dumps(order).encode()  # the same delivery, its bytes otherwise
    assert deliver(compact, "b6a3c1d0-0001") == 200
    assert deliver(spaced, "b6a3c1d0-0001") == 200  # a retry: the same webhook id
    assert redis.llen(pushes.pushes_key(shop["id"])) == 1
    assert deliver(compact, "b6a3c1d0-0002") == 200  # another delivery, the same bytes
    assert redis.llen(pushes.pushes_key(shop["id"])) == 2
    health = pushes.health(redis, shop["id"])
    assert (health["pushes"], health["repeated_pushes"]) == (2, 1)
