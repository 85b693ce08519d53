"""The producers' shops page: the list with each shop's health, and the form that registers a
shop — its secrets never rendered back, errors named."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import auth

FORM = {
    "platform": "lazada",
    "name": "Gian hàng Lazada",
    "shop_ref": "1234567",
    "app_key": "100001",
    "app_secret": "very-secret-value",
    "access_token": "token-value-xyz",
    "channel": "sieulive.lazada",
    "api_base": "https://api.lazada.vn/rest",
}


def test_register_a_shop_from_the_page(client: TestClient, tokens: dict[str, str]) -> None:
    headers = auth(tokens["producer"])
    empty = client.get("/shops", headers=headers)
    assert empty.status_code == 200 and "Chưa có gian hàng nào" in empty.text
    added = client.post("/shops", data=FORM, headers=headers)
    assert added.status_code == 201, added.text
    assert "very-secret-value" not in added.text and "token-value-xyz" not in added.text
    assert "http://testserver/push/1" in added.text and "1234567" in added.text
    listed = client.get("/shops?lang=en", headers=headers)
    assert "never" in listed.text and "very-secret-value" not in listed.text


def test_the_form_names_what_is_wrong(client: TestClient, tokens: dict[str, str]) -> None:
    bad = client.post(
        "/shops", data={**FORM, "api_base": "ftp://x"}, headers=auth(tokens["producer"])
    )
    assert bad.status_code == 422 and "api_base" in bad.text
    assert "very-secret-value" not in bad.text
    assert client.get("/shops", headers=auth(tokens["creator"])).status_code == 403
