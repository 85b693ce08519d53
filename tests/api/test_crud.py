"""Searches: what a user types is matched as text, never as a LIKE pattern."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from live.api.crud import LIKE_ESCAPE, like_literal
from live.app import API_ROUTERS
from live.catalog import service as catalog
from live.db import Database
from live.schedule.models import Campaign
from tests import factories

WILDCARDS = ["%", "_", "\\", "%%", "_%_", "\\%", "\\_", "a%b", "[a]", "*", "?"]


def test_like_literal_escapes_the_wildcards_and_the_escape_character() -> None:
    assert LIKE_ESCAPE == "\\"
    assert like_literal("50%") == "50\\%"
    assert like_literal("a_b") == "a\\_b"
    assert like_literal("c:\\x") == "c:\\\\x"
    assert like_literal("\\%") == "\\\\\\%"
    assert like_literal("kẹo dừa") == "kẹo dừa"


@pytest.mark.parametrize("typed", WILDCARDS)
def test_a_typed_wildcard_matches_itself_only(db: Database, typed: str) -> None:
    names = ["Sale 50%", "Hàng_Việt", "Ổ\\đĩa", "a%b", "Bình thường", "Sale 50 phần trăm"]
    with db.unit_of_work() as s:
        for name in names:
            factories.campaign(s, name=name)
    pattern = f"%{like_literal(typed)}%"
    with db.reading() as s:
        found = set(
            s.scalars(select(Campaign.name).where(Campaign.name.like(pattern, escape="\\")))
        )
        ifound = set(
            s.scalars(select(Campaign.name).where(Campaign.name.ilike(pattern, escape="\\")))
        )
    expected = {n for n in names if typed in n}
    assert found == ifound == expected


def searchable_lists() -> list[str]:
    """Every list route whose query takes `q`."""
    paths = []
    for router in API_ROUTERS:
        for e in router.endpoints:
            if e.method == "GET" and e.query is not None and "q" in e.query.model_fields:
                paths.append(e.path)
    return sorted(paths)


def test_every_searchable_list_is_covered() -> None:
    assert searchable_lists() == [
        "/api/campaigns",
        "/api/creators",
        "/api/products",
        "/api/retailers",
        "/api/sessions",
        "/api/suppliers",
    ]


@pytest.fixture
def shelf(db: Database) -> dict[str, Any]:
    """One record of each kind with a wildcard in its name, and one without."""
    with db.unit_of_work() as s:
        plain = factories.campaign(s, name="Siêu live hàng Việt")
        factories.campaign(s, name="Giảm 50% cuối tuần")
        supplier = factories.supplier(s, name="HTX 100% dừa")
        other = factories.supplier(s, name="HTX Bến Tre")
        factories.product(s, supplier_id=supplier.id, name="Kẹo_dừa 50%")
        factories.product(s, supplier_id=other.id, name="Mứt gừng")
        factories.creator(s, name="Bé_Heo\\Review")
        factories.creator(s, name="Chị Ba Miền Tây")
        catalog.save_retailer(s, {"name": "Co.op 50%"})
        catalog.save_retailer(s, {"name": "Bách hóa Xanh"})
        factories.session(s, campaign_id=plain.id, title="Live 100% hàng Việt")
        factories.session(s, campaign_id=plain.id, title="Live cà phê")
    return {}


def items(client: TestClient, path: str, q: str) -> list[dict[str, Any]]:
    response = client.get(path, params={"q": q, "limit": 500})
    assert response.status_code == 200, (path, q, response.text)
    body = response.json()
    assert body["total"] == len(body["items"])
    return list(body["items"])


@pytest.mark.usefixtures("shelf")
def test_wildcards_typed_in_every_search_match_themselves(producer: TestClient) -> None:
    for path in searchable_lists():
        everything = items(producer, path, "")
        assert len(everything) >= 2, path
        for typed in WILDCARDS:
            found = items(producer, path, typed)
            assert len(found) < len(everything), (path, typed, "matched everything")
            for item in found:
                assert typed.casefold() in str(item).casefold(), (path, typed, item)
        # Where a name has the character, that record is found.
        typed = "_" if path == "/api/creators" else "%"
        assert len(items(producer, path, typed)) >= 1, path
