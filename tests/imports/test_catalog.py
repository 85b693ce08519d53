"""Importing suppliers, products and creators: good files, bad rows, re-imports."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from live.catalog.models import Creator, Product, QualityStatus, Supplier
from live.db import Database
from live.imports.problems import ImportFailed
from live.imports.service import run_file_import
from tests import factories
from tests.imports.conftest import counts, fetch, refused, run, where
from tests.imports.lineup import (
    CREATORS,
    PRODUCTS,
    SUPPLIERS,
    csv_bytes,
    with_cells,
    xlsx_bytes,
)

FILES = Path(__file__).parent / "files"


def products(db: Database) -> dict[str, Product]:
    stmt = select(Product).options(
        selectinload(Product.certifications), selectinload(Product.supplier)
    )
    return {p.sku: p for p in fetch(db, stmt)}


def test_excel_csv_with_bom_semicolons_and_nfd_text_is_stored_nfc(db: Database) -> None:
    summary = run(db, "nha-cung-cap.csv", (FILES / "suppliers-excel-vn.csv").read_bytes())
    assert summary["counts"] == {"suppliers": {"created": 2, "updated": 0, "unchanged": 0}}
    stored = {x.tax_code: x for x in fetch(db, select(Supplier))}
    coffee = stored["6000111222"]
    assert coffee.name == "Công ty Cà phê Đắk Lắk"
    assert coffee.name == unicodedata.normalize("NFC", coffee.name)
    assert coffee.province == "Đắk Lắk"
    assert coffee.contact_phone is None and coffee.contact_email == "lienhe@caphe.vn"
    assert stored["1300123456"].contact_phone == "0901234567"
    # Searching without accents finds what came in decomposed.
    assert "cong ty ca phe dak lak" in coffee.search_key


def test_products_with_dotted_dong_certificates_and_quality(db: Database) -> None:
    run(db, "ncc.csv", csv_bytes(SUPPLIERS))
    summary = run(db, "sp.csv", csv_bytes(PRODUCTS))
    assert summary["counts"]["products"]["created"] == 3
    stored = products(db)
    candy = stored["KD-01"]
    assert (candy.list_price, candy.live_price, candy.ocop_stars) == (85_000, 65_000, 4)
    assert candy.supplier.tax_code == "1300123456"
    assert candy.qc_status is QualityStatus.approved and candy.qc_reviewer == "Saigon Co.op"
    assert candy.campaign_stock == 500 and candy.talking_points == "Dừa sáp tự nhiên"
    assert [(c.name, c.expires_on) for c in candy.certifications] == [
        ("OCOP 4 sao", date(2027, 12, 31)),
        ("VietGAP", date(2027, 6, 30)),
    ]
    coffee = stored["CF-01"]
    assert coffee.supplier.name == "Công ty Cà phê Đắk Lắk"  # found by exact name
    assert coffee.certifications == [] and coffee.ocop_stars == 5
    assert stored["MT-01"].qc_status is QualityStatus.pending


def test_certificate_dates_from_their_own_column(db: Database) -> None:
    run(db, "ncc.csv", csv_bytes(SUPPLIERS))
    rows = [
        [*PRODUCTS[0], "Hạn chứng nhận"],
        [
            *with_cells(PRODUCTS, 2, {"Chứng nhận": "OCOP 4 sao; VietGAP"})[1],
            "31/12/2027;30/06/2026",
        ],
    ]
    run(db, "sp.csv", csv_bytes(rows))
    certs = products(db)["KD-01"].certifications
    assert [(c.name, c.expires_on) for c in certs] == [
        ("OCOP 4 sao", date(2027, 12, 31)),
        ("VietGAP", date(2026, 6, 30)),
    ]


def test_reimporting_the_same_files_changes_nothing(db: Database) -> None:
    files = [
        ("ncc.csv", csv_bytes(SUPPLIERS), "suppliers"),
        ("sp.csv", csv_bytes(PRODUCTS), "products"),
        ("kol.csv", csv_bytes(CREATORS), "creators"),
    ]
    for name, content, _kind in files:
        run(db, name, content)
    before = counts(db)
    stamps = {
        sku: (p.id, p.updated_at, [c.id for c in p.certifications])
        for sku, p in products(db).items()
    }
    for name, content, kind in files:
        summary = run(db, name, content)
        assert summary["counts"][kind]["created"] == summary["counts"][kind]["updated"] == 0
    assert counts(db) == before
    again = {
        sku: (p.id, p.updated_at, [c.id for c in p.certifications])
        for sku, p in products(db).items()
    }
    assert again == stamps


def test_a_changed_row_updates_in_place_by_natural_key(db: Database) -> None:
    run(db, "ncc.csv", csv_bytes(SUPPLIERS))
    run(db, "sp.csv", csv_bytes(PRODUCTS))
    first = products(db)["KD-01"]
    changed = with_cells(PRODUCTS, 2, {"Giá live": "59.000", "Tồn kho chiến dịch": "800"})
    summary = run(db, "sp.csv", csv_bytes(changed))
    assert summary["counts"]["products"] == {"created": 0, "updated": 1, "unchanged": 2}
    candy = products(db)["KD-01"]
    assert candy.id == first.id
    assert (candy.live_price, candy.campaign_stock) == (59_000, 800)
    # Certificates the sheet repeats keep their rows (and any number recorded for them).
    assert [c.id for c in candy.certifications] == [c.id for c in first.certifications]


def test_a_supplier_without_tax_code_is_matched_by_name(db: Database) -> None:
    rows = [["Tên doanh nghiệp", "Tỉnh/Thành"], ["Hộ kinh doanh Bà Tư", "Cần Thơ"]]
    run(db, "ncc.csv", csv_bytes(rows))
    rows[1][1] = "TP. Cần Thơ"
    summary = run(db, "ncc.csv", csv_bytes(rows))
    assert summary["counts"]["suppliers"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert counts(db)["suppliers"] == 1


def test_a_tax_code_typed_into_a_number_cell_gets_its_leading_zero(db: Database) -> None:
    rows = [["Tên doanh nghiệp", "Tỉnh/Thành", "Mã số thuế", "Điện thoại"]]
    rows.append(["Công ty Nông sản Sài Gòn", "TP. Hồ Chí Minh", 301234567, 901234567])
    run(db, "ncc.xlsx", xlsx_bytes({"Nhà cung cấp": rows}))
    (supplier,) = fetch(db, select(Supplier))
    assert (supplier.tax_code, supplier.contact_phone) == ("0301234567", "0901234567")


def test_every_bad_product_row_is_reported_and_nothing_is_written(db: Database) -> None:
    run(db, "ncc.csv", csv_bytes(SUPPLIERS))
    errors = refused(db, "sp.csv", (FILES / "products-bad-rows.csv").read_bytes())
    sheet = "sp.csv"
    assert where(errors) == {
        (sheet, 3, "Giá niêm yết"),
        (sheet, 4, "Nhà cung cấp"),
        (sheet, 5, "Mã SP"),
        (sheet, 6, "Giá live"),
        (sheet, 7, "Chứng nhận"),
        (sheet, 8, "Sao OCOP"),
        (sheet, 9, "Trạng thái kiểm định"),
    }
    by_line = {e["line"]: e["message"] for e in errors}
    assert "not an amount in đồng: '85k'" in by_line[3]
    assert "unknown supplier 'Công ty Ma'" in by_line[4]
    assert "already on line 2" in by_line[5]
    assert "“Giá live” must not be above “Giá niêm yết”" in by_line[6]
    assert "not a date: '31/13/2027'" in by_line[7]
    assert "3, 4 or 5" in by_line[8]
    assert "Tạm được" in by_line[9]
    # The good row on line 2 was not written either: all or nothing.
    assert counts(db)["products"] == 0


def test_a_product_of_a_supplier_row_that_failed_says_so(db: Database) -> None:
    bad_supplier = with_cells(SUPPLIERS, 3, {"Tỉnh/Thành": ""})
    workbook = xlsx_bytes({"Nhà cung cấp": bad_supplier, "Sản phẩm": PRODUCTS})
    errors = refused(db, "lineup.xlsx", workbook)
    assert ("Nhà cung cấp", 3, "Tỉnh/Thành") in where(errors)
    (coffee,) = [e for e in errors if e["sheet"] == "Sản phẩm"]
    assert coffee["line"] == 3 and coffee["field"] == "Nhà cung cấp"
    assert "(Nhà cung cấp line 3) has errors" in coffee["message"]


def test_missing_required_columns_are_named(db: Database) -> None:
    rows = [[h for h in row if h != "Giá live"] for row in [PRODUCTS[0]]]
    errors = refused(db, "sp.csv", csv_bytes(rows), kind="products")
    assert errors == [
        {
            "sheet": "sp.csv",
            "line": 1,
            "field": "",
            "message": "missing column(s) for products: “Giá live”",
        }
    ]


def test_wrong_headers_are_not_guessed(db: Database) -> None:
    rows = [["Họ và tên khách", "Số đơn"], ["Nguyễn Văn A", "3"]]
    (error,) = refused(db, "don-hang.csv", csv_bytes(rows))
    assert error["line"] == 1 and "no known column headers" in error["message"]


def test_a_header_below_a_title_row_is_found(db: Database) -> None:
    title: list[list[object]] = [["DANH SÁCH NHÀ CUNG CẤP — SIÊU LIVE HÀNG VIỆT"], []]
    rows = [*title, *SUPPLIERS]
    bad = [*title, *with_cells(SUPPLIERS, 3, {"Tỉnh/Thành": ""})]
    (error,) = refused(db, "ncc.csv", csv_bytes(bad))
    assert (error["line"], error["field"]) == (5, "Tỉnh/Thành")
    summary = run(db, "ncc.csv", csv_bytes(rows))
    assert summary["sheets"][0]["header_line"] == 3


def test_creators_with_handles_per_platform(db: Database) -> None:
    run(db, "kol.csv", csv_bytes(CREATORS, sep=","))
    stored = {c.name: c.handles for c in fetch(db, select(Creator))}
    assert stored["Hoài Phương"] == {
        "tiktok_shop": "@hoaiphuong.review",
        "facebook": "HoaiPhuongLive",
    }
    assert stored["Minh Tú"] == {"tiktok_shop": "@minhtu", "shopee": "minhtu.shop"}


def test_a_creator_twice_in_one_file(db: Database) -> None:
    rows = [*CREATORS, ["hoài phương", "@other", "", ""]]
    (error,) = refused(db, "kol.csv", csv_bytes(rows))
    assert (error["line"], error["field"]) == (5, "Tên")
    assert "already on line 2" in error["message"]


def test_an_existing_creator_is_updated_not_duplicated(db: Database) -> None:
    with db.unit_of_work() as s:
        factories.creator(s, name="Minh Tú", handles={"lazada": "minhtu.laz"})
    run(db, "kol.csv", csv_bytes(CREATORS))
    (minh,) = [c for c in fetch(db, select(Creator)) if c.name == "Minh Tú"]
    # Columns the sheet has set the handles; a platform it has no column for is kept.
    assert minh.handles == {
        "tiktok_shop": "@minhtu",
        "shopee": "minhtu.shop",
        "lazada": "minhtu.laz",
    }


def test_a_product_change_that_breaks_a_planned_flash_sale_is_refused(db: Database) -> None:
    run(db, "ncc.csv", csv_bytes(SUPPLIERS))
    run(db, "sp.csv", csv_bytes(PRODUCTS))
    candy = products(db)["KD-01"]
    with db.unit_of_work() as s:
        factories.session(
            s,
            segments=[
                {
                    "kind": "flash_sale",
                    "planned_seconds": 600,
                    "product_id": candy.id,
                    "flash_price": 49_000,
                    "flash_quantity": 300,
                }
            ],
        )
    lower = with_cells(PRODUCTS, 2, {"Tồn kho chiến dịch": "200"})
    (error,) = refused(db, "sp.csv", csv_bytes(lower))
    assert (error["line"], error["field"]) == (2, "Tồn kho chiến dịch")
    assert "flash sales plan 300 units, campaign stock is 200" in error["message"]


def test_unknown_kind_is_a_validation_error(db: Database) -> None:
    with pytest.raises(Exception) as caught:
        run_file_import(db, "x.csv", csv_bytes(SUPPLIERS), kind="orders")
    assert not isinstance(caught.value, ImportFailed)
    assert caught.value.details["fields"][0]["field"] == "kind"  # type: ignore[attr-defined]


def test_vietnamese_kind_names_are_understood(db: Database) -> None:
    summary = run(db, "x.csv", csv_bytes(SUPPLIERS), kind="Nhà cung cấp")
    assert summary["sheets"][0]["kind"] == "suppliers"


def test_product_urls_other_than_http_or_https_are_refused_by_row_and_column(
    db: Database,
) -> None:
    run(db, "ncc.csv", csv_bytes(SUPPLIERS))
    header = [*PRODUCTS[0], "Link ảnh", "Link mua"]
    good = "https://shop.example.vn/p/keo-dua"
    rows = [
        header,
        [*PRODUCTS[1], good, good],
        [*PRODUCTS[2], "data:image/svg+xml;base64,PHN2Zz4=", good],
        [*PRODUCTS[3], "", " javascript:alert(1)"],
    ]
    for content, name in ((csv_bytes(rows), "sp.csv"), (xlsx_bytes({"Sản phẩm": rows}), "sp.xlsx")):
        errors = refused(db, name, content, kind="products")
        sheet = "sp.csv" if name == "sp.csv" else "Sản phẩm"
        assert where(errors) == {(sheet, 3, "Link ảnh"), (sheet, 4, "Link mua")}
        assert all("http:// or https://" in e["message"] for e in errors)
    # The same sheet with web addresses goes in.
    rows[2][-2] = rows[3][-1] = good
    run(db, "sp.csv", csv_bytes(rows), kind="products")
    assert {p.buy_link for p in products(db).values()} == {good}
