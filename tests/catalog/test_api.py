"""The catalog API: suppliers, products, retailers and creators — create, read, edit, remove,
list with pagination and filters, and find without typing accents."""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any

import pytest
from starlette.testclient import TestClient

from live.catalog.models import QualityStatus
from live.db import Database
from tests import factories
from tests.conftest import auth


def created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def names(listing: dict[str, Any]) -> list[str]:
    return [item["name"] for item in listing["items"]]


def supplier_body(**kw: Any) -> dict[str, Any]:
    return {
        "name": "Hợp tác xã Dừa Bến Tre",
        "province": "Bến Tre",
        "tax_code": "1300123456",
        "contact_name": "Chị Lan",
        "contact_phone": "0901 234 567",
        "contact_email": "lan@htxdua.vn",
        **kw,
    }


def product_body(supplier_id: int, **kw: Any) -> dict[str, Any]:
    return {
        "supplier_id": supplier_id,
        "sku": "KD-500",
        "name": "Kẹo dừa sầu riêng 500 g",
        "category": "Bánh kẹo",
        "province": "Bến Tre",
        "list_price": 85_000,
        "live_price": 65_000,
        "ocop_stars": 4,
        "certifications": [{"name": "OCOP 4 sao", "number": "BT-12", "expires_on": "2027-06-30"}],
        "qc_status": "approved",
        "campaign_stock": 300,
        "talking_points": "Dừa sáp Cầu Kè, không chất bảo quản.",
        "image_url": "https://example.vn/keo-dua.jpg",
        "buy_link": "https://shop.example.vn/keo-dua",
        **kw,
    }


# Suppliers


def test_supplier_lifecycle(producer: TestClient) -> None:
    supplier = created(producer.post("/api/suppliers", json=supplier_body()))
    url = f"/api/suppliers/{supplier['id']}"
    assert ok(producer.get(url)) == supplier
    assert supplier["name"] == "Hợp tác xã Dừa Bến Tre"
    edited = ok(producer.patch(url, json={"contact_phone": "0909 000 111"}))
    assert edited["contact_phone"] == "0909 000 111"
    assert edited["name"] == supplier["name"]
    assert producer.delete(url).status_code == 204
    gone = producer.get(url)
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "not_found"


def test_supplier_tax_codes_are_unique(producer: TestClient) -> None:
    created(producer.post("/api/suppliers", json=supplier_body()))
    twin = producer.post("/api/suppliers", json=supplier_body(name="Công ty khác"))
    assert twin.status_code == 409
    assert twin.json()["error"]["details"] == {"field": "tax_code"}
    other = created(producer.post("/api/suppliers", json=supplier_body(tax_code="9999")))
    clash = producer.patch(f"/api/suppliers/{other['id']}", json={"tax_code": "1300123456"})
    assert clash.status_code == 409
    assert ok(producer.get(f"/api/suppliers/{other['id']}"))["tax_code"] == "9999"


def test_a_supplier_with_products_is_not_removed(producer: TestClient, db: Database) -> None:
    with db.unit_of_work() as s:
        supplier_id = factories.product(s).supplier_id
    refused = producer.delete(f"/api/suppliers/{supplier_id}")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "in_use"


def test_suppliers_filter_and_search(producer: TestClient, db: Database) -> None:
    with db.unit_of_work() as s:
        factories.supplier(s, name="Cơ sở Nước mắm Phú Quốc", province="Kiên Giang")
        factories.supplier(s, name="HTX Cà phê Buôn Ma Thuột", province="Đắk Lắk")
        factories.supplier(s, name="HTX Chè Thái Nguyên", province="Thái Nguyên")
    assert names(ok(producer.get("/api/suppliers?q=nuoc mam"))) == ["Cơ sở Nước mắm Phú Quốc"]
    assert names(ok(producer.get("/api/suppliers?q=dak lak"))) == ["HTX Cà phê Buôn Ma Thuột"]
    by_province = ok(producer.get("/api/suppliers", params={"province": "Thái Nguyên"}))
    assert names(by_province) == ["HTX Chè Thái Nguyên"]


# Products


def test_product_lifecycle(producer: TestClient, db: Database) -> None:
    with db.unit_of_work() as s:
        supplier = factories.supplier(s, name="HTX Dừa")
        supplier_id, supplier_name = supplier.id, supplier.name
    product = created(producer.post("/api/products", json=product_body(supplier_id)))
    assert product["supplier_name"] == supplier_name
    assert product["certifications"] == [
        {"name": "OCOP 4 sao", "number": "BT-12", "expires_on": "2027-06-30"}
    ]
    assert product["qc_status"] == "approved"
    assert product["qc_reviewer"] == "test producer"  # who approved it
    url = f"/api/products/{product['id']}"
    assert ok(producer.get(url)) == product
    edited = ok(
        producer.patch(url, json={"live_price": 59_000, "ocop_stars": None, "certifications": []})
    )
    assert (edited["live_price"], edited["ocop_stars"], edited["certifications"]) == (
        59_000,
        None,
        [],
    )
    assert edited["list_price"] == 85_000
    assert producer.delete(url).status_code == 204
    assert producer.get(url).status_code == 404


def test_product_rules_on_input(producer: TestClient, db: Database) -> None:
    with db.unit_of_work() as s:
        supplier_id = factories.supplier(s).id
        other_id = factories.supplier(s).id
    created(producer.post("/api/products", json=product_body(supplier_id)))
    # The SKU is unique per supplier, not across suppliers.
    twin = producer.post("/api/products", json=product_body(supplier_id))
    assert twin.status_code == 409
    assert twin.json()["error"]["details"] == {"field": "sku"}
    created(producer.post("/api/products", json=product_body(other_id)))
    unknown = producer.post("/api/products", json=product_body(2_000_000, sku="X"))
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"]["fields"][0]["field"] == "supplier_id"
    pricey = producer.post(
        "/api/products", json=product_body(supplier_id, sku="Y", live_price=90_000)
    )
    assert pricey.status_code == 422
    stars = producer.post("/api/products", json=product_body(supplier_id, sku="Z", ocop_stars=2))
    assert stars.status_code == 422
    assert stars.json()["error"]["details"]["fields"][0]["field"] == "ocop_stars"


HOSTILE_URLS = [
    "javascript:alert(document.cookie)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://files.example.vn/a.jpg",
    "mailto:shop@example.vn",
    "//evil.example/phish",
    "/p/keo-dua",
    "shop.example.vn/keo-dua",
    "http://",
    "https:\\\\evil.example",
    "http://[::1",
    "https://shop.example.vn:port/",
    "https://shop.example.vn/kẹo dừa",
]


def test_product_urls_are_http_or_https_only(producer: TestClient, db: Database) -> None:
    """The overlay turns buy_link into an on-stream QR code and pages show image_url: anything
    but a web address is a 422 naming the field, on create and on edit, and nothing changes."""
    from tests.api.test_bad_input import row_counts

    with db.unit_of_work() as s:
        supplier_id = factories.supplier(s).id
    product = created(producer.post("/api/products", json=product_body(supplier_id)))
    url = f"/api/products/{product['id']}"
    before = row_counts(db)
    for field in ("image_url", "buy_link"):
        for value in HOSTILE_URLS:
            new = producer.post(
                "/api/products", json=product_body(supplier_id, sku="N", **{field: value})
            )
            edit = producer.patch(url, json={"name": "Tên mới", field: value})
            for response in (new, edit):
                assert response.status_code == 422, (field, value, response.text)
                error = response.json()["error"]
                assert error["code"] == "validation_failed"
                assert [f["field"] for f in error["details"]["fields"]] == [field], value
    assert row_counts(db) == before
    assert ok(producer.get(url)) == product
    # Web addresses, any case of scheme, with port, query and Vietnamese path; empty is none.
    for value in (
        "http://shop.example.vn/p/1",
        "HTTPS://Shop.Example.vn:8443/p/keo-dua?ref=live&s=42#mua",
        "https://shop.example.vn/sản-phẩm/kẹo-dừa",
        "",
    ):
        edited = ok(producer.patch(url, json={"image_url": value, "buy_link": value}))
        assert (edited["image_url"], edited["buy_link"]) == (value, value)
    assert ok(producer.patch(url, json={"buy_link": None}))["buy_link"] is None


def test_a_product_in_a_run_of_show_is_not_removed(producer: TestClient, db: Database) -> None:
    with db.unit_of_work() as s:
        product_id = factories.product(s).id
        factories.session(
            s, segments=[{"kind": "product", "planned_seconds": 60, "product_id": product_id}]
        )
    refused = producer.delete(f"/api/products/{product_id}")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "in_use"


def test_products_text_arrives_nfd_and_is_stored_nfc(producer: TestClient, db: Database) -> None:
    with db.unit_of_work() as s:
        supplier_id = factories.supplier(s).id
    nfd = unicodedata.normalize("NFD", "Bánh tráng Trảng Bàng")
    product = created(
        producer.post(
            "/api/products", json=product_body(supplier_id, name=nfd, province="Tây Ninh")
        )
    )
    assert product["name"] == unicodedata.normalize("NFC", nfd)
    found = ok(producer.get("/api/products", params={"q": "Bánh tráng"}))
    assert [p["id"] for p in found["items"]] == [product["id"]]


@pytest.fixture
def shelf(db: Database) -> dict[str, int]:
    """Five products from two suppliers in three provinces."""
    with db.unit_of_work() as s:
        ben_tre = factories.supplier(s, name="HTX Dừa Bến Tre", province="Bến Tre")
        phu_quoc = factories.supplier(s, name="Nước mắm Phú Quốc", province="Kiên Giang")
        factories.product(s, supplier_id=ben_tre.id, name="Kẹo dừa Bến Tre", ocop_stars=4)
        factories.product(s, supplier_id=ben_tre.id, name="Kẹo dừa lá dứa", ocop_stars=3)
        factories.product(
            s,
            supplier_id=ben_tre.id,
            name="Thạch dừa",
            category="Đồ uống",
            qc_status=QualityStatus.pending,
            ocop_stars=None,
        )
        factories.product(
            s,
            supplier_id=phu_quoc.id,
            name="Nước mắm Phú Quốc 40 độ đạm",
            category="Gia vị",
            province="Kiên Giang",
            ocop_stars=5,
        )
        factories.product(
            s,
            supplier_id=phu_quoc.id,
            name="Tiêu đen Phú Quốc",
            category="Gia vị",
            province="Kiên Giang",
            qc_status=QualityStatus.rejected,
            ocop_stars=None,
        )
        return {"ben_tre": ben_tre.id, "phu_quoc": phu_quoc.id}


def test_products_filters(producer: TestClient, shelf: dict[str, int]) -> None:
    def find(**params: Any) -> list[str]:
        return names(ok(producer.get("/api/products", params=params)))

    assert find(q="keo dua") == ["Kẹo dừa Bến Tre", "Kẹo dừa lá dứa"]
    assert find(q="KẸO DỪA LÁ") == ["Kẹo dừa lá dứa"]
    assert find(q="phu quoc", category="Gia vị") == [
        "Nước mắm Phú Quốc 40 độ đạm",
        "Tiêu đen Phú Quốc",
    ]
    assert find(q="40%") == []  # the typed % is a percent sign, not a wildcard
    assert len(find(supplier_id=shelf["ben_tre"])) == 3
    assert find(province="Kiên Giang", qc_status="approved") == ["Nước mắm Phú Quốc 40 độ đạm"]
    assert find(qc_status="pending") == ["Thạch dừa"]
    assert find(qc_status="rejected") == ["Tiêu đen Phú Quốc"]
    assert find(ocop_stars=5) == ["Nước mắm Phú Quốc 40 độ đạm"]
    assert find(category="Đồ uống") == ["Thạch dừa"]


def test_renaming_a_supplier_keeps_its_products_findable(
    producer: TestClient, shelf: dict[str, int]
) -> None:
    url = f"/api/suppliers/{shelf['phu_quoc']}"
    assert producer.patch(url, json={"name": "Công ty Khải Hoàn"}).status_code == 200
    found = producer.get("/api/products", params={"q": "khai hoan"}).json()
    assert found["total"] == 2


def test_products_pagination(producer: TestClient, shelf: dict[str, int]) -> None:
    everything = ok(producer.get("/api/products"))
    assert (everything["total"], everything["limit"], everything["offset"]) == (5, 50, 0)
    first = ok(producer.get("/api/products?limit=2"))
    second = ok(producer.get("/api/products?limit=2&offset=2"))
    last = ok(producer.get("/api/products?limit=2&offset=4"))
    assert first["total"] == second["total"] == last["total"] == 5
    assert names(first) + names(second) + names(last) == names(everything)
    assert ok(producer.get("/api/products?offset=10"))["items"] == []
    too_big = producer.get("/api/products?limit=501")
    assert too_big.status_code == 422
    assert too_big.json()["error"]["details"]["fields"][0]["field"] == "query.limit"


# Retailers


def test_retailer_lifecycle_and_search(producer: TestClient) -> None:
    coop = created(producer.post("/api/retailers", json={"name": "Saigon Co.op"}))
    created(producer.post("/api/retailers", json={"name": "Bách hóa Xanh"}))
    assert producer.post("/api/retailers", json={"name": "Saigon Co.op"}).status_code == 409
    url = f"/api/retailers/{coop['id']}"
    edited = ok(producer.patch(url, json={"contact_name": "Anh Minh"}))
    assert edited["contact_name"] == "Anh Minh"
    assert names(ok(producer.get("/api/retailers?q=bach hoa"))) == ["Bách hóa Xanh"]
    assert ok(producer.get("/api/retailers"))["total"] == 2
    assert producer.delete(url).status_code == 204
    assert producer.get(url).status_code == 404


# Creators


def test_creator_lifecycle(producer: TestClient) -> None:
    body = {
        "name": "Hoài Phương Review",
        "handles": {"tiktok_shop": "@hoaiphuong.review", "shopee": "hoaiphuong"},
        # Without an offset: Vietnam time.
        "availability": [{"starts_at": "2024-09-26T18:00:00", "ends_at": "2024-09-26T23:00:00"}],
    }
    creator = created(producer.post("/api/creators", json=body))
    assert creator["handles"] == body["handles"]
    assert creator["availability"] == [
        {"starts_at": "2024-09-26T18:00:00+07:00", "ends_at": "2024-09-26T23:00:00+07:00"}
    ]
    # The feed URL is in the answer that made it, and nowhere after (only its hash is kept).
    assert creator["calendar_url"].startswith("http://testserver/calendar/")
    assert (
        producer.get(creator["calendar_url"].removeprefix("http://testserver")).status_code == 200
    )
    url = f"/api/creators/{creator['id']}"
    assert ok(producer.get(url)) == {**creator, "calendar_url": None}
    assert names(ok(producer.get("/api/creators?q=hoai phuong"))) == ["Hoài Phương Review"]
    edited = ok(producer.patch(url, json={"handles": {"facebook": "hoaiphuong.fb"}}))
    assert edited["handles"] == {"facebook": "hoaiphuong.fb"}
    assert edited["availability"] == creator["availability"]
    assert producer.post("/api/creators", json={"name": "Hoài Phương Review"}).status_code == 409
    assert producer.delete(url).status_code == 204
    assert producer.get(url).status_code == 404


def test_the_calendar_feed_is_made_by_producers_and_its_creator_only_and_shown_once(
    client: TestClient, tokens: dict[str, str], db: Database
) -> None:
    from live.catalog.models import Creator

    with db.unit_of_work() as s:
        other = factories.creator(s, name="Người khác").id
    mine = f"/api/creators/{tokens['creator_id']}"
    theirs = f"/api/creators/{other}"
    creator, retailer = auth(tokens["creator"]), auth(tokens["retailer"])
    producer = auth(tokens["producer"])
    # Nobody reads a feed URL back, whatever their role: it is shown when made.
    for headers in (creator, retailer, producer):
        for url in (mine, theirs):
            assert ok(client.get(url, headers=headers))["calendar_url"] is None
        listed = ok(client.get("/api/creators", headers=headers))["items"]
        assert {c["calendar_url"] for c in listed} == {None}
    old = ok(client.post(f"{mine}/calendar-token", headers=creator))["calendar_url"]
    rotated = ok(client.post(f"{mine}/calendar-token", headers=creator))["calendar_url"]
    assert rotated != old
    assert client.get(old.removeprefix("http://testserver")).status_code == 404
    assert client.get(rotated.removeprefix("http://testserver")).status_code == 200
    # Only the SHA-256 of the token is in the database.
    token = rotated.removeprefix("http://testserver/calendar/").removesuffix(".ics")
    with db.reading() as s:
        stored = s.get(Creator, int(tokens["creator_id"])).calendar_token_hash
    assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in stored
    assert client.post(f"{theirs}/calendar-token", headers=creator).status_code == 403
    assert client.post(f"{mine}/calendar-token", headers=retailer).status_code == 403
    assert client.post(f"{theirs}/calendar-token", headers=producer).status_code == 200


def test_a_creator_in_sessions_is_not_removed(producer: TestClient, db: Database) -> None:
    with db.unit_of_work() as s:
        host = factories.creator(s).id
        guest = factories.creator(s).id
        factories.session(s, host_creator_id=host, cohost_ids=[guest])
    for creator_id in (host, guest):
        refused = producer.delete(f"/api/creators/{creator_id}")
        assert refused.status_code == 409, refused.text


def test_unknown_ids_are_404(producer: TestClient) -> None:
    for kind in ("suppliers", "products", "retailers", "creators"):
        for method in ("GET", "PATCH", "DELETE"):
            response = producer.request(method, f"/api/{kind}/424242", json={})
            assert response.status_code == 404, (kind, method, response.text)
            error = response.json()["error"]
            assert error["code"] == "not_found"
            assert error["details"]["id"] == 424242
