"""Changing a registered shop, by API and CLI: a callback URL typed wrong (every Shopee push
refused 401) or an API base that moved is fixed without touching the database; a new access
token goes in sealed; the shop's identity (platform, shop id, app key) stays; bad input is a
422 naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from live.cli import main
from live.platforms.adapters import adapter
from live.settings import Settings
from live.shops.models import Shop
from live.shops.service import keys_for
from tests.conftest import auth
from tests.shops.test_receiving import _keys, add

CONSOLE_URL = "https://sieulive.example.vn/push/shopee-vn"
VERIFY = b'{"code":0,"data":{"verify_info":"abc"}}'


def shopee(client: TestClient, token: str, callback: str) -> dict[str, Any]:
    return add(client, token, platform="shopee", shop_ref="727720655", app_key="2001234",
               app_secret="partnerkey", callback_url=callback)  # fmt: skip


def pushed(client: TestClient, shop_id: int) -> int:
    """Shopee's console check, signed over the URL set in its console."""
    headers = adapter("shopee").push_headers(_keys("2001234", "partnerkey"), VERIFY, CONSOLE_URL)
    return client.post(f"/push/{shop_id}", content=VERIFY, headers=headers).status_code


def test_a_wrong_callback_url_is_fixed_by_api(
    client: TestClient, tokens: dict[str, str], db: Any, settings: Settings
) -> None:
    producer = auth(tokens["producer"])
    shop = shopee(client, tokens["producer"], "https://sieulive.example.vn/push/shopee-vm")
    assert pushed(client, shop["id"]) == 401  # signed over the console's URL, not the typo
    api = f"/api/shops/{shop['id']}"
    changed = client.patch(
        api,
        json={"callback_url": CONSOLE_URL, "api_base": "https://partner.shopeemobile.com/",
              "channel": "sieulive-shopee", "calls_per_second": 8,
              "access_token": "new-token-2"},
        headers=producer,
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    out = changed.json()
    assert out["callback_url"] == CONSOLE_URL and out["channel"] == "sieulive-shopee"
    assert out["api_base"] == "https://partner.shopeemobile.com" and out["calls_per_second"] == 8
    assert out["active"] is True and "health" in out
    assert "new-token-2" not in changed.text and "partnerkey" not in changed.text
    assert (out["platform"], out["shop_ref"], out["app_key"]) == ("shopee", "727720655", "2001234")
    assert pushed(client, shop["id"]) == 200
    with db.reading() as s:
        row = s.get(Shop, shop["id"])
        keys = keys_for(settings, row)
        assert "new-token-2" not in str(row.secrets), "sealed, not stored as given"
    assert (keys.access_token, keys.app_secret) == ("new-token-2", "partnerkey")
    # Empty: back to this server's own push URL.
    own = client.patch(api, json={"callback_url": ""}, headers=producer).json()
    assert own["callback_url"].endswith(f"/push/{shop['id']}")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": ""}, "channel"),
        ({"api_base": "ftp://example.vn"}, "api_base"),
        ({"calls_per_second": 0}, "calls_per_second"),
    ],
)
def test_bad_changes_are_refused_naming_the_field_and_change_nothing(
    client: TestClient, tokens: dict[str, str], body: dict[str, Any], field: str
) -> None:
    producer = auth(tokens["producer"])
    shop = add(client, tokens["producer"])
    answer = client.patch(f"/api/shops/{shop['id']}", json=body, headers=producer)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["details"]["fields"][0]["field"] == field
    assert (
        client.get(f"/api/shops/{shop['id']}", headers=producer).json()["channel"]
        == (shop["channel"])
    )


def test_identity_is_read_only_and_the_secret_rotates_instead(
    client: TestClient, tokens: dict[str, str]
) -> None:
    """A shop's answer sent back with changes (as PATCH bodies are): its platform, shop id
    and app key are read-only, ignored; an app secret is refused, naming rotation."""
    producer = auth(tokens["producer"])
    shop = add(client, tokens["producer"])
    api = f"/api/shops/{shop['id']}"
    back = {**shop, "platform": "lazada", "shop_ref": "1", "channel": "kenh-moi"}
    answer = client.patch(api, json=back, headers=producer)
    assert answer.status_code == 200, answer.text
    out = answer.json()
    assert (out["platform"], out["shop_ref"], out["channel"]) == (
        shop["platform"], shop["shop_ref"], "kenh-moi"
    )  # fmt: skip
    secret = client.patch(api, json={"app_secret": "x"}, headers=producer)
    assert secret.status_code == 422 and secret.json()["error"]["code"] == "rule_broken"
    assert "rotate" in secret.json()["error"]["message"]
    nothing = client.patch(api, json={}, headers=producer)
    assert nothing.status_code == 422 and "nothing to change" in nothing.text


def test_the_cli_edits_a_shop(
    client: TestClient,
    tokens: dict[str, str],
    cli_env: None,
    settings: Settings,
    db: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shop = shopee(client, tokens["producer"], "https://typo.example.vn/push")
    monkeypatch.setenv("SIEULIVE_ACCESS_TOKEN", "cli-token-3")
    assert main(["shop", "edit", "727720655", "--callback-url", CONSOLE_URL, "--access-token"]) == 0
    out = capsys.readouterr().out
    assert "access token, callback url changed" in out and "cli-token-3" not in out
    assert pushed(client, shop["id"]) == 200
    with db.reading() as s:
        assert keys_for(settings, s.get(Shop, shop["id"])).access_token == "cli-token-3"
    assert main(["shop", "edit", str(shop["id"])]) == 2
    assert "nothing to change" in capsys.readouterr().err
    assert main(["shop", "edit", str(shop["id"]), "--calls-per-second", "0"]) == 2
    assert "calls_per_second" in capsys.readouterr().err
