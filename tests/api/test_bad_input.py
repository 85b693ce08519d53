"""Bad input gets a clear 4xx in the one error shape, naming the field, and writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from live.db import Database
from live.models import Base
from live.schedule.models import LiveSession, Segment
from tests import factories


def error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    # The request id is on every error, as in the X-Request-ID header and the log lines.
    assert set(body["error"]) == {"code", "message", "details", "request_id"}, body
    assert body["error"]["request_id"] == response.headers["x-request-id"], body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]  # type: ignore[no-any-return]


def bad_field(response: Any, status: int = 422) -> str:
    """The name of the first field the error points at: a field breaking its documented schema
    (`validation_failed`) or a rule no schema states, such as an unknown id (`rule_broken`)."""
    err = error(response, status)
    assert err["code"] in ("validation_failed", "rule_broken"), err
    return err["details"]["fields"][0]["field"]  # type: ignore[no-any-return]


def row_counts(db: Database) -> dict[str, int]:
    with db.reading() as s:
        return {
            table.name: s.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


@pytest.fixture
def known(db: Database) -> dict[str, int]:
    with db.unit_of_work() as s:
        supplier = factories.supplier(s)
        product = factories.product(s, supplier_id=supplier.id)
        campaign = factories.campaign(s)
        creator = factories.creator(s)
        return {
            "supplier_id": supplier.id,
            "product_id": product.id,
            "campaign_id": campaign.id,
            "creator_id": creator.id,
        }


@pytest.fixture
def unchanged(db: Database, producer: TestClient, known: dict[str, int]) -> Iterator[None]:
    """Whatever the test sends, no table gains or loses a row."""
    before = row_counts(db)
    yield
    assert row_counts(db) == before


def post_json(client: TestClient, url: str, value: Any) -> Any:
    return client.post(url, content=json.dumps(value), headers={"content-type": "application/json"})


def supplier(**kw: Any) -> dict[str, Any]:
    return {"name": "HTX Dừa", "province": "Bến Tre", **kw}


def session_body(known: dict[str, int], **kw: Any) -> dict[str, Any]:
    return {
        "campaign_id": known["campaign_id"],
        "title": "Phiên live",
        "host_creator_id": known["creator_id"],
        "platform": "tiktok_shop",
        "channel": "kenh",
        "studio": "Phòng 1",
        "scheduled_start": "2024-09-26T19:00:00",
        "scheduled_end": "2024-09-26T21:00:00",
        **kw,
    }


# The body is not JSON, or not an object


@pytest.mark.usefixtures("unchanged")
def test_malformed_json(producer: TestClient) -> None:
    for raw in (b'{"name": "HTX', b"{'name': 'x'}", b"", b"\xff\xfe\x00", b'{"a": 1}{"b": 2}'):
        response = producer.post(
            "/api/suppliers", content=raw, headers={"content-type": "application/json"}
        )
        assert error(response, 400)["code"] == "malformed_json", raw


@pytest.mark.usefixtures("unchanged")
def test_a_json_value_that_is_not_an_object(producer: TestClient) -> None:
    for value in ([supplier()], "HTX Dừa", 42, None, True):
        response = post_json(producer, "/api/suppliers", value)
        assert bad_field(response) == "body", value


@pytest.mark.usefixtures("unchanged")
def test_deeply_nested_json(producer: TestClient) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    raw = f'{{"name": {deep}, "province": "Bến Tre"}}'.encode()
    response = producer.post(
        "/api/suppliers", content=raw, headers={"content-type": "application/json"}
    )
    assert error(response, 400)["code"] == "malformed_json"
    shallow = producer.post("/api/suppliers", json=supplier(name=[[[["x"]]]]))
    assert bad_field(shallow) == "name"
    # Deeper than any body of ours, yet far from the stack's limit: refused all the same.
    from live.api.jsonparse import MAX_DEPTH

    just_over = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    raw = f'{{"name": "HTX", "province": "Bến Tre", "x": {just_over}}}'.encode()
    response = producer.post(
        "/api/suppliers", content=raw, headers={"content-type": "application/json"}
    )
    err = error(response, 400)
    assert err["code"] == "malformed_json"
    assert err["details"] == {"max_depth": MAX_DEPTH}


@pytest.mark.usefixtures("unchanged")
def test_nan_and_infinity_are_not_json(producer: TestClient, known: dict[str, int]) -> None:
    for constant in ("NaN", "Infinity", "-Infinity"):
        raw = f'{{"name": "HTX", "province": "Bến Tre", "contact_name": {constant}}}'
        response = producer.post(
            "/api/suppliers", content=raw.encode(), headers={"content-type": "application/json"}
        )
        assert error(response, 400)["code"] == "malformed_json", constant
    # 1e999 is JSON (a float too big for a double): an integer field refuses it by name.
    raw = (
        f'{{"supplier_id": {known["supplier_id"]}, "sku": "A", "name": "K", "province": "B",'
        ' "list_price": 1e999, "live_price": 1}'
    )
    response = producer.post(
        "/api/products", content=raw.encode(), headers={"content-type": "application/json"}
    )
    assert bad_field(response) == "list_price"


@pytest.mark.usefixtures("unchanged")
def test_wrong_content_type(producer: TestClient) -> None:
    as_form = producer.post("/api/suppliers", data={"name": "HTX", "province": "Bến Tre"})
    assert error(as_form, 415)["code"] == "unsupported_media_type"
    as_text = producer.post(
        "/api/suppliers", content=json.dumps(supplier()), headers={"content-type": "text/plain"}
    )
    assert error(as_text, 415)["code"] == "unsupported_media_type"


# Wrong values, naming the field


@pytest.mark.usefixtures("unchanged")
def test_wrong_types(producer: TestClient, known: dict[str, int]) -> None:
    assert bad_field(producer.post("/api/suppliers", json=supplier(name=123))) == "name"
    assert bad_field(producer.post("/api/suppliers", json=supplier(name={"vi": "x"}))) == "name"
    assert bad_field(producer.post("/api/suppliers", json={"province": "Bến Tre"})) == "name"
    product = {
        "supplier_id": known["supplier_id"],
        "sku": "A",
        "name": "Kẹo",
        "province": "Bến Tre",
        "list_price": 1000,
        "live_price": 900,
    }
    for field, value in (
        ("list_price", "85.000đ"),
        ("list_price", 1.5),
        ("campaign_stock", "nhiều"),
        ("qc_status", "ok"),
        ("certifications", {"name": "OCOP"}),
        ("supplier_id", "một"),
    ):
        response = producer.post("/api/products", json={**product, field: value})
        assert bad_field(response) == field, (field, value)
    nested = producer.post(
        "/api/products", json={**product, "certifications": [{"name": "OCOP", "expires_on": 5}]}
    )
    assert bad_field(nested) == "certifications.0.expires_on"


@pytest.mark.usefixtures("unchanged")
def test_control_characters_and_nul_bytes(producer: TestClient) -> None:
    for value in ("HTX\x00Dừa", "HTX\x07", "HTX\x1b[31m", "HTX\ud800", "\udfff"):
        # json.dumps writes "\ud800" as an escape, as a client in another language might.
        response = post_json(producer, "/api/suppliers", supplier(name=value))
        assert bad_field(response) == "name", repr(value)
    # A surrogate in the name of a field that is checked comes back escaped, not as a crash.
    handles = post_json(producer, "/api/creators", {"name": "A", "handles": {"\ud800": "x"}})
    assert bad_field(handles).startswith("handles.")
    # A name is one line; prose (talking points) may have several.
    assert bad_field(producer.post("/api/suppliers", json=supplier(name="a\nb"))) == "name"
    query = producer.get("/api/products", params={"q": "kẹo\x00"})
    assert bad_field(query) == "query.q"


@pytest.mark.usefixtures("unchanged")
def test_over_long_strings(producer: TestClient) -> None:
    assert bad_field(producer.post("/api/suppliers", json=supplier(name="x" * 201))) == "name"
    assert bad_field(producer.post("/api/suppliers", json=supplier(tax_code="1" * 21))) == (
        "tax_code"
    )
    assert bad_field(producer.post("/api/suppliers", json=supplier(name=""))) == "name"
    assert bad_field(producer.post("/api/suppliers", json=supplier(name="   "))) == "name"
    assert bad_field(producer.get("/api/products", params={"q": "x" * 101})) == "query.q"


@pytest.mark.usefixtures("unchanged")
def test_negative_and_huge_integers(producer: TestClient, known: dict[str, int]) -> None:
    product = {
        "supplier_id": known["supplier_id"],
        "sku": "A",
        "name": "Kẹo",
        "province": "Bến Tre",
        "list_price": 1000,
        "live_price": 900,
    }
    for field, value in (
        ("list_price", -1),
        ("list_price", 2**31),
        ("campaign_stock", 2**63),
        ("campaign_stock", -(2**63)),
        ("supplier_id", 0),
        ("supplier_id", 2**31),
        ("ocop_stars", 6),
    ):
        response = producer.post("/api/products", json={**product, field: value})
        assert bad_field(response) == field, (field, value)
    # A number too long for Python to read is not JSON we take.
    raw = json.dumps(product).replace('"list_price": 1000', '"list_price": ' + "9" * 5000)
    response = producer.post(
        "/api/products", content=raw, headers={"content-type": "application/json"}
    )
    assert error(response, 400)["code"] == "malformed_json"
    for params, field in (
        ({"limit": "0"}, "query.limit"),
        ({"limit": "-5"}, "query.limit"),
        ({"offset": "-1"}, "query.offset"),
        ({"offset": str(2**64)}, "query.offset"),
        ({"supplier_id": str(2**40)}, "query.supplier_id"),
        ({"limit": "mười"}, "query.limit"),
    ):
        assert bad_field(producer.get("/api/products", params=params)) == field, params


@pytest.mark.usefixtures("unchanged")
def test_dates_out_of_range(producer: TestClient, known: dict[str, int]) -> None:
    campaign = {"name": "X", "starts_on": "2024-09-26", "ends_on": "2024-09-29"}
    for value in ("1900-01-01", "9999-12-31", "2024-02-30", "26/09/2024", "0000-01-01"):
        response = producer.post("/api/campaigns", json={**campaign, "starts_on": value})
        assert bad_field(response) == "starts_on", value
    for value in ("9999-12-31T23:59:59", "0001-01-01T00:00:00Z", "2024-09-26T25:00:00", "soon"):
        response = producer.post("/api/sessions", json=session_body(known, scheduled_end=value))
        assert bad_field(response) == "scheduled_end", value
    window = producer.get("/api/sessions", params={"starts_after": "3000-01-01T00:00:00"})
    assert bad_field(window) == "query.starts_after"


# Unknown ids


@pytest.mark.usefixtures("unchanged")
def test_unknown_ids_in_paths_are_404(producer: TestClient) -> None:
    for ident in ("999999", str(2**31), str(2**63), "9" * 40):
        for kind in ("suppliers", "products", "campaigns", "sessions", "creators", "retailers"):
            response = producer.get(f"/api/{kind}/{ident}")
            assert error(response, 404)["code"] == "not_found", (kind, ident)
        patch = producer.patch(f"/api/sessions/{ident}/segments/1", json={})
        assert error(patch, 404)["code"] == "not_found"
    # Not an id at all: no such route.
    assert error(producer.get("/api/products/-1"), 404)["code"] == "not_found"
    assert error(producer.get("/api/products/abc"), 404)["code"] == "not_found"


@pytest.mark.usefixtures("unchanged")
def test_unknown_ids_in_bodies_are_422(producer: TestClient, known: dict[str, int]) -> None:
    product = {"sku": "A", "name": "Kẹo", "province": "Bến Tre", "list_price": 1, "live_price": 1}
    assert bad_field(producer.post("/api/products", json={**product, "supplier_id": 99})) == (
        "supplier_id"
    )
    for kw, field in (
        ({"campaign_id": 999}, "campaign_id"),
        ({"host_creator_id": 999}, "host_creator_id"),
        ({"cohost_ids": [999]}, "cohost_ids.0"),
    ):
        assert bad_field(producer.post("/api/sessions", json=session_body(known, **kw))) == field
    token = producer.post("/api/tokens", json={"role": "creator", "creator_id": 999})
    assert bad_field(token) == "creator_id"


def test_a_session_with_a_bad_third_segment_writes_nothing(
    producer: TestClient, known: dict[str, int], db: Database
) -> None:
    before = row_counts(db)
    good = [
        {"kind": "intro", "planned_seconds": 60},
        {"kind": "product", "planned_seconds": 300, "product_id": known["product_id"]},
    ]
    for third, field in (
        (
            {"kind": "product", "planned_seconds": 60, "product_id": 999_999},
            "segments.2.product_id",
        ),
        ({"kind": "product", "planned_seconds": 60}, "segments.2"),
        ({"kind": "flash_sale", "planned_seconds": 60, "product_id": 1}, "segments.2"),
        ({"kind": "intro", "planned_seconds": 0}, "segments.2.planned_seconds"),
        ({"kind": "encore", "planned_seconds": 60}, "segments.2.kind"),
    ):
        body = session_body(known, segments=[*good, third])
        assert bad_field(producer.post("/api/sessions", json=body)) == field, third
    assert row_counts(db) == before
    # The same session with good segments goes in whole.
    created = producer.post("/api/sessions", json=session_body(known, segments=good))
    assert created.status_code == 201, created.text
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(LiveSession)) == 1
        assert s.scalar(select(func.count()).select_from(Segment)) == 2


def test_a_refused_edit_writes_nothing(
    producer: TestClient, known: dict[str, int], db: Database
) -> None:
    created = producer.post(
        "/api/sessions",
        json=session_body(
            known,
            segments=[
                {"kind": "product", "planned_seconds": 60, "product_id": known["product_id"]}
            ],
        ),
    ).json()
    url = f"/api/sessions/{created['id']}"
    replacement = [
        {"kind": "intro", "planned_seconds": 60},
        {"kind": "product", "planned_seconds": 60, "product_id": 999_999},
    ]
    refused = producer.patch(url, json={"title": "Đổi tên", "segments": replacement})
    assert bad_field(refused) == "segments.1.product_id"
    assert producer.get(url).json() == created
    # A product edit that fails halfway (unknown supplier) changes nothing either.
    product_url = f"/api/products/{known['product_id']}"
    before = producer.get(product_url).json()
    counts = row_counts(db)
    refused = producer.patch(product_url, json={"name": "Tên mới", "supplier_id": 999_999})
    assert bad_field(refused) == "supplier_id"
    assert producer.get(product_url).json() == before
    assert row_counts(db) == counts


# Size


@pytest.mark.usefixtures("unchanged")
def test_oversized_bodies(producer: TestClient, settings: Any) -> None:
    limit = settings.max_body_bytes
    big = json.dumps(supplier(contact_name="x" * limit)).encode()
    declared = producer.post(
        "/api/suppliers", content=big, headers={"content-type": "application/json"}
    )
    assert error(declared, 413)["details"] == {"limit": limit}

    def chunks() -> Iterator[bytes]:
        # No Content-Length: the limit must hold while reading.
        yield b'{"name": "HTX", "province": "B", "contact_name": "'
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    streamed = producer.post(
        "/api/suppliers", content=chunks(), headers={"content-type": "application/json"}
    )
    assert error(streamed, 413)["code"] == "payload_too_large"


# Routes and methods that don't exist


def test_unknown_routes_and_wrong_methods(producer: TestClient) -> None:
    missing = error(producer.get("/api/no-such-thing"), 404)
    assert missing["code"] == "not_found"
    assert missing["details"] == {"path": "/api/no-such-thing"}
    assert error(producer.get("/nowhere"), 404)["code"] == "not_found"
    wrong = producer.put("/api/suppliers", json=supplier())
    assert error(wrong, 405)["code"] == "method_not_allowed"
    assert error(producer.delete("/api/sessions"), 405)["code"] == "method_not_allowed"


# The edge of the limits: the longest values each field takes are stored on both databases


def test_the_longest_values_fit(producer: TestClient, known: dict[str, int]) -> None:
    # "ﬃ" folds to "ffi" in search keys: three times longer than what was typed.
    longest = producer.post(
        "/api/suppliers",
        json=supplier(
            name="ﬃ" * 200,
            province="Đ" * 100,
            tax_code="0312345678-001-99999",
            contact_name="x" * 200,
            contact_phone="0" * 40,
            contact_email="e" * 200,
        ),
    )
    assert longest.status_code == 201, longest.text
    creator = producer.post(
        "/api/creators",
        json={
            "name": "ﬃ" * 200,
            "handles": {p: "@" + "ﬃ" * 99 for p in ("tiktok_shop", "shopee", "lazada", "facebook")},
        },
    )
    assert creator.status_code == 201, creator.text
    product = producer.post(
        "/api/products",
        json={
            "supplier_id": longest.json()["id"],
            "sku": "S" * 64,
            "name": "ﬃ" * 300,
            "category": "c" * 100,
            "province": "p" * 100,
            "list_price": 2**31 - 1,
            "live_price": 2**31 - 1,
            "campaign_stock": 2**31 - 1,
            "qc_status": "approved",
            "qc_reviewer": "r" * 200,
            "image_url": "https://x.vn/" + "i" * 987,
        },
    )
    assert product.status_code == 201, product.text
    segments = [
        {"kind": "product", "planned_seconds": 60, "product_id": product.json()["id"]}
    ] * 200
    session = producer.post(
        "/api/sessions",
        json=session_body(
            known,
            code="C" * 40,
            title="ﬃ" * 300,
            studio="s" * 100,
            channel="k" * 100,
            segments=segments,
        ),
    )
    assert session.status_code == 201, session.text
    assert len(session.json()["segments"]) == 200
    found = producer.get("/api/sessions", params={"q": "ffiffi"}).json()
    assert found["total"] == 1
