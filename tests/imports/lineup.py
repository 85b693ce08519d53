"""A small lineup as producers keep it in a workbook, and builders for CSV and XLSX bytes.

The rows are what a producer types: Vietnamese headers, dotted đồng, dd/mm/yyyy times.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from typing import Any

import openpyxl

Rows = list[list[Any]]
CAMPAIGN = "Siêu live hàng Việt 2024"

SUPPLIERS: Rows = [
    ["Tên doanh nghiệp", "Tỉnh/Thành", "Mã số thuế", "Người liên hệ", "Điện thoại", "Email"],
    ["Hợp tác xã Dừa Bến Tre", "Bến Tre", "1300123456", "Nguyễn Thị Hoa", "0901234567", ""],
    ["Công ty Cà phê Đắk Lắk", "Đắk Lắk", "6000111222", "Y Đhăm", "", "lienhe@caphe.vn"],
]
PRODUCTS: Rows = [
    [
        "Mã SP",
        "Tên sản phẩm",
        "Nhà cung cấp",
        "Danh mục",
        "Tỉnh/Thành",
        "Giá niêm yết",
        "Giá live",
        "Sao OCOP",
        "Chứng nhận",
        "Trạng thái kiểm định",
        "Người kiểm định",
        "Tồn kho chiến dịch",
        "Điểm nhấn",
    ],
    [
        "KD-01",
        "Kẹo dừa sáp Bến Tre",
        "1300123456",
        "Bánh kẹo",
        "Bến Tre",
        "85.000",
        "65.000 ₫",
        "4 sao",
        "OCOP 4 sao:31/12/2027; VietGAP:30/06/2027",
        "Đạt",
        "Saigon Co.op",
        "500",
        "Dừa sáp tự nhiên",
    ],
    [
        "CF-01",
        "Cà phê Robusta rang mộc",
        "Công ty Cà phê Đắk Lắk",
        "Đồ uống",
        "Đắk Lắk",
        "180000",
        "150000",
        "5",
        "",
        "Đạt",
        "",
        "200",
        "",
    ],
    [
        "MT-01",
        "Mứt dừa non",
        "1300123456",
        "Bánh kẹo",
        "Bến Tre",
        "60.000",
        "50.000",
        "",
        "",
        "Chờ",
        "",
        "100",
        "",
    ],
]
CREATORS: Rows = [
    ["Tên", "TikTok", "Shopee", "Facebook"],
    ["Hoài Phương", "@hoaiphuong.review", "", "HoaiPhuongLive"],
    ["Minh Tú", "@minhtu", "minhtu.shop", ""],
    ["Quang Huy", "", "", "QuangHuyOfficial"],
]
SESSIONS: Rows = [
    [
        "Mã phiên",
        "Tiêu đề",
        "Chiến dịch",
        "Người dẫn",
        "Đồng dẫn",
        "Nền tảng",
        "Kênh",
        "Studio",
        "Bắt đầu",
        "Kết thúc",
        "Trạng thái",
        "Ghi chú",
    ],
    [
        "SLHV-01",
        "Đặc sản miền Tây",
        CAMPAIGN,
        "Hoài Phương",
        "Minh Tú",
        "TikTok Shop",
        "sieulivehangviet",
        "Studio A",
        "26/09/2024 19:30",
        "26/09/2024 21:30",
        "Đã lên lịch",
        "Khung giờ vàng",
    ],
    [
        "SLHV-02",
        "Cà phê Tây Nguyên đêm khuya",
        CAMPAIGN,
        "Quang Huy",
        "",
        "Shopee",
        "sieulive.hcm",
        "Studio B",
        "26/09/2024 22:30",
        "00:30",
        "Nháp",
        "",
    ],
]
SEGMENTS: Rows = [
    [
        "Mã phiên",
        "Thứ tự",
        "Loại",
        "Tiêu đề",
        "Thời lượng (phút)",
        "Mã SP",
        "Giá flash sale",
        "Số lượng flash sale",
        "Ghi chú",
    ],
    ["SLHV-01", 1, "Mở đầu", "Chào khán giả", 5, "", "", "", ""],
    ["SLHV-01", 2, "Sản phẩm", "Kẹo dừa sáp", 15, "KD-01", "", "", "Cho nếm thử"],
    ["SLHV-01", 3, "Flash sale", "Kẹo dừa giá sốc", 10, "KD-01", "49.000", 100, ""],
    ["SLHV-01", 4, "Kết thúc", "Hẹn gặp lại", 5, "", "", "", ""],
    ["SLHV-02", 1, "Sản phẩm", "Cà phê rang mộc", 20, "CF-01", "", "", ""],
]
SHEETS = {
    "Nhà cung cấp": SUPPLIERS,
    "Sản phẩm": PRODUCTS,
    "Nhà sáng tạo": CREATORS,
    "Phiên live": SESSIONS,
    "Kịch bản": SEGMENTS,
}


def nfd(value: Any) -> Any:
    return unicodedata.normalize("NFD", value) if isinstance(value, str) else value


def csv_bytes(
    rows: Rows,
    *,
    sep: str = ";",
    bom: bool = True,
    decompose: bool = False,
    encoding: str = "utf-8",
) -> bytes:
    """A CSV as Excel in a Vietnamese locale saves it: `;`, CRLF, a BOM ("CSV UTF-8")."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    for row in rows:
        writer.writerow([nfd(v) if decompose else ("" if v is None else v) for v in row])
    data = out.getvalue().encode(encoding)
    return (codecs.BOM_UTF8 if bom and encoding == "utf-8" else b"") + data


def xlsx_bytes(sheets: dict[str, Rows]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append([None if v == "" else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_cells(rows: Rows, line: int, changes: dict[str, Any]) -> Rows:
    """A copy of `rows` with cells of one spreadsheet line (the header is line 1) changed,
    named by their header."""
    copy = [list(r) for r in rows]
    for header, value in changes.items():
        copy[line - 1][copy[0].index(header)] = value
    return copy
