"""Headers as producers type them, and telling sheets apart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from live.imports.columns import COLUMNS, KINDS, kind_of_sheet_name, match_header, recognise
from tests.imports.lineup import SHEETS

DOCS = Path(__file__).parents[2] / "docs" / "imports.md"


@pytest.mark.parametrize(
    ("kind", "header", "key"),
    [
        ("products", "Giá live", "live_price"),
        ("products", "GIA LIVE", "live_price"),
        ("products", " giá_live* ", "live_price"),
        ("products", "Giá live (₫)", "live_price"),
        ("products", "Giá niêm yết (VND)", "list_price"),
        ("products", "Live price", "live_price"),
        ("products", "Tỉnh/Thành", "province"),
        ("products", "Tinh thanh", "province"),
        ("segments", "Thời lượng (phút)", "minutes"),
        ("segments", "Thoi luong", "minutes"),
        ("segments", "STT", "position"),
        ("sessions", "Người dẫn", "host"),
        ("creators", "TikTok Shop", "tiktok_shop"),
    ],
)
def test_headers_match_without_accents_case_or_units(kind: str, header: str, key: str) -> None:
    column = match_header(kind, header)
    assert column is not None and column.key == key


def test_nfd_headers_match() -> None:
    import unicodedata

    column = match_header("products", unicodedata.normalize("NFD", "Trạng thái kiểm định"))
    assert column is not None and column.key == "qc_status"


@pytest.mark.parametrize(("sheet", "rows"), list(SHEETS.items()))
def test_each_sample_sheet_is_recognised_from_its_headers(sheet: str, rows: list) -> None:
    match, _ranked = recognise([str(h) for h in rows[0]])
    assert match is not None
    assert match.kind == kind_of_sheet_name(sheet)
    assert not match.ignored


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Nhà cung cấp", "suppliers"),
        ("nha cung cap", "suppliers"),
        ("Sản phẩm", "products"),
        ("Products", "products"),
        ("Nhà sáng tạo", "creators"),
        ("Phiên live", "sessions"),
        ("Kịch bản", "segments"),
        ("Run-of-show", "segments"),
        ("Sheet1", None),
    ],
)
def test_sheet_names(name: str, kind: str | None) -> None:
    assert kind_of_sheet_name(name) == kind


def test_the_docs_list_every_column_of_every_kind() -> None:
    """docs/imports.md has a table per kind: each header we read is documented there."""
    text = DOCS.read_text(encoding="utf-8")
    for kind in KINDS:
        section = re.search(rf"^### .*\({kind}\)$(.*?)(?=^### |\Z)", text, re.M | re.S)
        assert section, f"docs/imports.md has no section for {kind}"
        for column in COLUMNS[kind]:
            assert f"| {column.title} |" in section.group(1), f"{kind}: {column.title} undocumented"
