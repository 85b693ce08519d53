"""The demo campaign looks like the fair's and obeys every scheduling rule."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from live.access.models import ApiToken
from live.catalog.models import Product, QualityStatus
from live.demo.seed import demo_tokens, seed_demo
from live.schedule.models import LiveSession
from live.schedule.rules import ERROR, check_session, sessions_query
from tests.conftest import auth

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def test_seed_builds_the_fair_campaign_once(db, client):
    assert seed_demo(db) is True
    assert seed_demo(db) is False

    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(LiveSession)) == 19
        hosts = s.scalars(select(LiveSession.host_creator_id)).all()
        assert len(set(hosts)) == 19
        assert s.scalar(select(func.count()).select_from(Product)) >= 200
        assert s.scalar(select(func.count(func.distinct(Product.province)))) >= 45
        statuses = set(s.scalars(select(Product.qc_status)))
        assert statuses == {QualityStatus.approved}
        for session in s.scalars(sessions_query()):
            errors = [p for p in check_session(s, session) if p.severity == ERROR]
            assert errors == [], session.code
        crossing = [
            x
            for x in s.scalars(select(LiveSession))
            if x.scheduled_start.astimezone(HCM).date() != x.scheduled_end.astimezone(HCM).date()
        ]
        assert crossing, "some sessions cross midnight"

    tokens = demo_tokens(db)
    assert set(tokens) == {"producer", "creator", "retailer", "supplier"}
    body = client.get("/api/sessions?limit=100", headers=auth(tokens["retailer"])).json()
    assert body["total"] == 19
    assert {s["code"] for s in body["items"]} == {f"SLHV-{n:02d}" for n in range(1, 20)}


def test_demo_tokens_replace_the_previous_ones(db, client):
    seed_demo(db)
    first = demo_tokens(db)
    second = demo_tokens(db)
    assert client.get("/api/campaigns", headers=auth(first["producer"])).status_code == 401
    assert client.get("/api/campaigns", headers=auth(second["producer"])).status_code == 200


def test_demo_tokens_from_the_data_folders_key_survive_a_restart(db, client):
    """`sieulive dev` derives them from its data folder's key: bookmarked links keep working
    after a restart, and only their hashes are stored."""
    seed_demo(db)
    first = demo_tokens(db, "key-of-this-data-folder")
    again = demo_tokens(db, "key-of-this-data-folder")
    assert again == first
    assert client.get("/api/campaigns", headers=auth(first["producer"])).status_code == 200
    with db.reading() as s:
        stored = {t.token_hash for t in s.scalars(select(ApiToken))}
    assert not set(first.values()) & stored, "tokens are stored hashed"
    other = demo_tokens(db, "another-folder")
    assert other["producer"] != first["producer"]
    assert client.get("/api/campaigns", headers=auth(first["producer"])).status_code == 401
