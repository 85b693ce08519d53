"""API tokens: made by producers or the CLI, shown once, stored hashed, revocable."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import select, text
from starlette.testclient import TestClient

from live import cli
from live.access.models import ApiToken
from live.db import Database
from tests.conftest import auth


def test_producers_make_tokens_that_work(producer: TestClient, tokens: dict[str, str]) -> None:
    made = producer.post(
        "/api/tokens",
        json={"role": "creator", "name": "Hoài Phương", "creator_id": int(tokens["creator_id"])},
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["token"].startswith("sl_")
    assert body["prefix"] == body["token"][:10]
    assert (body["role"], body["name"], body["revoked_at"]) == ("creator", "Hoài Phương", None)
    me = producer.get("/api/sessions", headers=auth(body["token"]))
    assert me.status_code == 200
    # ...as a creator: not a producer.
    assert producer.get("/api/tokens", headers=auth(body["token"])).status_code == 403


def test_listing_tokens_never_shows_the_secret(producer: TestClient) -> None:
    made = producer.post("/api/tokens", json={"role": "retailer"}).json()
    listed = producer.get("/api/tokens").json()
    assert listed["total"] == 5  # one per role from the fixture, and this one
    assert all("token" not in row for row in listed["items"])
    assert made["token"] not in str(listed)
    assert made["prefix"] in [row["prefix"] for row in listed["items"]]


def test_tokens_are_stored_hashed(producer: TestClient, db: Database) -> None:
    token = producer.post("/api/tokens", json={"role": "supplier", "name": "HTX"}).json()["token"]
    with db.reading() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.name == "HTX"))
        assert row is not None
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        # Nowhere in the table: dump every column of every row as text.
        dump = str(s.execute(text("SELECT * FROM api_tokens")).all())
    assert token not in dump
    assert token[10:] not in dump  # the prefix is kept for telling tokens apart, the rest is not


def test_revoking_a_token(producer: TestClient, db: Database) -> None:
    made = producer.post("/api/tokens", json={"role": "producer", "name": "tạm"}).json()
    theirs = auth(made["token"])
    assert producer.get("/api/products", headers=theirs).status_code == 200
    assert producer.delete(f"/api/tokens/{made['id']}").status_code == 204
    refused = producer.get("/api/products", headers=theirs)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "bad_token"
    listed = producer.get("/api/tokens").json()["items"]
    assert [r["revoked_at"] is not None for r in listed if r["id"] == made["id"]] == [True]
    # Revoking twice is fine; an unknown token is a 404.
    assert producer.delete(f"/api/tokens/{made['id']}").status_code == 204
    assert producer.delete("/api/tokens/987654").status_code == 404


def test_token_owners_are_checked(producer: TestClient, tokens: dict[str, str]) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"role": "creator", "creator_id": 987654}, "creator_id"),
        ({"role": "creator", "supplier_id": int(tokens["supplier_id"])}, "supplier_id"),
        ({"role": "producer", "creator_id": int(tokens["creator_id"])}, "creator_id"),
        ({"role": "janitor"}, "role"),
    ]
    for body, field in cases:
        response = producer.post("/api/tokens", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["details"]["fields"][0]["field"] == field


@pytest.mark.usefixtures("cli_env")
def test_cli_token_create_prints_the_token_alone(
    capsys: pytest.CaptureFixture[str], client: TestClient
) -> None:
    assert cli.main(["token", "create", "--role", "producer", "--name", "Đạo diễn"]) == 0
    out = capsys.readouterr().out
    token = out.strip()
    assert out == token + "\n"
    assert token.startswith("sl_") and " " not in token
    listed = client.get("/api/tokens", headers=auth(token))
    assert listed.status_code == 200, listed.text
    assert "Đạo diễn" in [row["name"] for row in listed.json()["items"]]


@pytest.mark.usefixtures("cli_env")
def test_cli_tokens_carry_their_role(
    capsys: pytest.CaptureFixture[str], client: TestClient
) -> None:
    assert cli.main(["token", "create", "--role", "retailer"]) == 0
    token = capsys.readouterr().out.strip()
    assert client.get("/api/products", headers=auth(token)).status_code == 200
    assert client.post("/api/products", headers=auth(token), json={}).status_code == 403
    with pytest.raises(SystemExit):
        cli.main(["token", "create", "--role", "janitor"])
