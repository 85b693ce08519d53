"""Reading files: encodings, separators, workbooks, and files that are not spreadsheets."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from live.imports.problems import ImportFailed
from live.imports.readers import MAX_COLUMNS, read_file, sniff_separator
from tests.imports.lineup import SESSIONS, SHEETS, SUPPLIERS, csv_bytes, xlsx_bytes

FILES = Path(__file__).parent / "files"


def refusal(filename: str, content: bytes) -> str:
    with pytest.raises(ImportFailed) as caught:
        read_file(filename, content)
    errors = caught.value.details["errors"]
    assert len(errors) == 1
    return str(errors[0]["message"])


def test_excel_csv_with_bom_semicolons_and_nfd_reads_as_nfc() -> None:
    (sheet,) = read_file("ncc.csv", (FILES / "suppliers-excel-vn.csv").read_bytes())
    header_line, header = sheet.rows[0]
    assert header_line == 1
    assert header[0] == "Tên doanh nghiệp"  # no BOM glued to the first header, composed
    assert sheet.rows[1] == (2, SUPPLIERS[1])
    assert sheet.rows[2][1][1] == "Đắk Lắk"


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_the_separator_is_sniffed_from_the_header(sep: str) -> None:
    (sheet,) = read_file("x.csv", csv_bytes(SUPPLIERS, sep=sep, bom=False))
    assert [cells for _line, cells in sheet.rows] == SUPPLIERS


def test_commas_inside_quoted_cells_dont_fool_the_sniffer() -> None:
    assert sniff_separator('"Giá, VND";"Tên, SP";Mã\n1;2;3\n') == ";"


def test_excel_sep_line_is_honoured_and_hidden() -> None:
    (sheet,) = read_file("x.csv", b"sep=;\r\nA,1;B\r\nx;y\r\n")
    assert sheet.rows == [(1, ["A,1", "B"]), (2, ["x", "y"])]


def test_excel_unicode_text_is_utf16_with_tabs() -> None:
    (sheet,) = read_file("lich.txt", (FILES / "sessions-unicode-text.txt").read_bytes())
    assert [cells for _line, cells in sheet.rows] == [[str(v) for v in r] for r in SESSIONS]


def test_blank_lines_keep_the_line_numbers_excel_shows() -> None:
    (sheet,) = read_file("x.csv", b"A;B\r\n\r\n;\r\nx;y\r\n")
    assert sheet.rows == [(1, ["A", "B"]), (4, ["x", "y"])]


def test_a_quoted_cell_over_two_lines_is_one_row() -> None:
    (sheet,) = read_file("x.csv", b'A;B\r\n"hai\r\ndong";y\r\nz;w\r\n')
    assert [line for line, _cells in sheet.rows] == [1, 2, 3]


def test_windows_1258_is_refused_naming_the_encoding_and_the_line() -> None:
    with pytest.raises(ImportFailed) as caught:
        read_file("sp.csv", (FILES / "products-windows-1258.csv").read_bytes())
    (error,) = caught.value.details["errors"]
    assert error["line"] == 1
    assert "not UTF-8" in error["message"]
    assert "CSV UTF-8" in error["message"]


def test_binary_garbage_is_not_a_spreadsheet() -> None:
    assert "not a CSV or XLSX" in refusal("photo.png", (FILES / "photo.png").read_bytes())


def test_a_pdf_is_named_as_such() -> None:
    assert "PDF" in refusal("lineup.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")


def test_old_excel_xls_is_refused_with_what_to_do() -> None:
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500
    assert ".xls" in refusal("lineup.xls", ole2)


def test_a_truncated_workbook_is_damaged() -> None:
    message = refusal("lineup.xlsx", (FILES / "lineup-truncated.xlsx").read_bytes())
    assert "damaged or cut short" in message


def test_a_zip_that_is_not_a_workbook() -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "not an XLSX workbook" in refusal("photos.zip", buffer.getvalue())


def test_xlsx_named_csv_is_still_read_as_a_workbook() -> None:
    sheets = read_file("lineup.csv", xlsx_bytes(SHEETS))
    assert [s.name for s in sheets] == list(SHEETS)


def test_empty_file() -> None:
    assert "empty" in refusal("x.csv", b"  \r\n")


def test_workbook_cells_keep_their_types_and_excel_row_numbers() -> None:
    rows = [["Mã phiên", "Bắt đầu", "Thứ tự"], [], ["SLHV-01", datetime(2024, 9, 26, 19, 30), 3]]
    (sheet,) = read_file("lich.xlsx", xlsx_bytes({"Phiên live": rows}))
    assert sheet.rows == [(1, rows[0]), (3, rows[2])]


def test_workbook_columns_are_bounded() -> None:
    wide = [[f"c{i}" for i in range(MAX_COLUMNS + 50)]]
    (sheet,) = read_file("wide.xlsx", xlsx_bytes({"Sheet": wide}))
    assert len(sheet.rows[0][1]) == MAX_COLUMNS
