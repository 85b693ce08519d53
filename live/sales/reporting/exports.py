"""Downloads people open in Excel: the settlement report and the retailers' shortlist.

Headers are Vietnamese and money is integer đồng in its own column (the header names the
unit), so a sheet sums and sorts without parsing text. CSV is written the way Excel in a
Vietnamese locale reads it: UTF-8 with a BOM (or the diacritics come out garbled) and `;` as the
separator (`,` is that locale's decimal mark). Text that a spreadsheet would run as a formula
(`=`, `+`, `-`, `@` first) gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from starlette.responses import Response

from live.i18n import Translator
from live.sales.reporting.settlement import SettlementReport
from live.text import fold

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
CSV_SEPARATOR = ";"
MONEY_FORMAT = '#,##0" ₫"'
UNITS_FORMAT = "#,##0"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
VI = Translator("vi")


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    kind: str = "text"  # text | units | money


@dataclass
class Sheet:
    """One table to download: a title, columns, rows (dicts by column key), and facts about it
    (which session, which supplier) shown above the table in XLSX."""

    title: str
    columns: Sequence[Column]
    rows: list[dict[str, Any]]
    facts: list[tuple[str, str]]
    total_row: dict[str, Any] | None = None


def _safe_text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _cells(sheet: Sheet) -> list[list[Any]]:
    rows = [*sheet.rows, *([sheet.total_row] if sheet.total_row else [])]
    return [[_safe_text(row.get(c.key, "")) for c in sheet.columns] for row in rows]


def to_csv(sheet: Sheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_SEPARATOR, lineterminator="\r\n")
    writer.writerow([c.header for c in sheet.columns])
    writer.writerows(_cells(sheet))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(sheet: Sheet) -> bytes:
    """The table on the first sheet, header in row 1 (so filters and pivots just work), and the
    facts on a second sheet "Thông tin"."""
    book = Workbook()
    table = book.active
    assert table is not None
    table.title = sheet.title[:31]
    table.append([c.header for c in sheet.columns])
    for cell in table[1]:
        cell.font = Font(bold=True)
    for values in _cells(sheet):
        table.append(values)
    if sheet.total_row:
        for cell in table[table.max_row]:
            cell.font = Font(bold=True)
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        if column.kind != "text":
            fmt = MONEY_FORMAT if column.kind == "money" else UNITS_FORMAT
            for (cell,) in table.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = fmt
        widest = max([len(column.header), *(len(str(v[index - 1])) for v in _cells(sheet))])
        table.column_dimensions[letter].width = min(60, max(10, widest + 2))
    table.freeze_panes = "A2"
    info = book.create_sheet("Thông tin")
    for key, value in sheet.facts:
        info.append([key, _safe_text(value)])
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def slug(text: str) -> str:
    """An ASCII piece of a file name: "Hợp tác xã Bến Tre" -> "hop-tac-xa-ben-tre"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:60] or "x"


def download(sheet: Sheet, fmt: str, filename: str) -> Response:
    """The sheet as an attachment named `filename`.<fmt> (ASCII, plus the RFC 6266 form)."""
    body = to_xlsx(sheet) if fmt == "xlsx" else to_csv(sheet)
    name = f"{filename}.{fmt}"
    disposition = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    return Response(
        body,
        media_type=XLSX_TYPE if fmt == "xlsx" else CSV_TYPE,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


def platform_name(platform: str) -> str:
    key = f"platform_{platform}"
    return VI(key) if VI.has(key) else platform


# The settlement report

SETTLEMENT_COLUMNS = (
    Column("Mã SKU", "sku"),
    Column("Sản phẩm", "product_name"),
    Column("Nền tảng", "platform"),
    Column("Số lượng đặt", "gross_units", "units"),
    Column("Số lượng huỷ", "cancelled_units", "units"),
    Column("Số lượng trả hàng", "returned_units", "units"),
    Column("Số lượng thực bán", "net_units", "units"),
    Column("Doanh thu gộp (đồng)", "gross_revenue", "money"),
    Column("Giá trị huỷ (đồng)", "cancelled_revenue", "money"),
    Column("Giá trị trả hàng (đồng)", "returned_revenue", "money"),
    Column("Doanh thu thuần (đồng)", "net_revenue", "money"),
)


def settlement_sheet(report: SettlementReport) -> Sheet:
    tz = ZoneInfo(report.timezone)
    start = report.starts_at.astimezone(tz)
    end = report.ends_at.astimezone(tz)
    rows = [{**line.__dict__, "platform": platform_name(line.platform)} for line in report.lines]
    return Sheet(
        title="Quyết toán",
        columns=SETTLEMENT_COLUMNS,
        rows=rows,
        total_row={"product_name": "Tổng cộng", **report.totals},
        facts=[
            ("Báo cáo", "Quyết toán phiên live"),
            ("Chiến dịch", report.campaign_name),
            ("Phiên live", f"{report.session_code} · {report.session_title}"),
            ("Thời gian", f"{start:%d/%m/%Y %H:%M} – {end:%H:%M} ({report.timezone})"),
            ("Trạng thái phiên", VI(f"status_{report.session_status}")),
            ("Số liệu", "Chính thức" if report.final else "Tạm tính: phiên chưa kết thúc"),
            ("Nhà cung cấp", report.supplier_name),
            ("Mã số thuế", report.supplier_tax_code or ""),
            ("Lập lúc", f"{report.generated_at.astimezone(tz):%d/%m/%Y %H:%M}"),
            ("Ghi chú", "Thực bán = đặt − huỷ − trả hàng. Tiền tính bằng đồng."),
        ],
    )


def settlement_filename(report: SettlementReport) -> str:
    return f"quyet-toan-{slug(report.session_code)}-{slug(report.supplier_name)}"


# The shortlist

SHORTLIST_COLUMNS = (
    Column("Mã SKU", "sku"),
    Column("Sản phẩm", "product_name"),
    Column("Nhà cung cấp", "supplier_name"),
    Column("Tỉnh/thành", "province"),
    Column("Ngành hàng", "category"),
    Column("OCOP (sao)", "ocop_stars", "units"),
    Column("Giá live (đồng)", "live_price", "money"),
    Column("Hàng cho chiến dịch", "campaign_stock", "units"),
    Column("Đã bán (thực)", "net_units", "units"),
    Column("Doanh thu thuần (đồng)", "net_revenue", "money"),
    Column("Ghi chú", "note"),
    Column("Ngày thêm", "added_on"),
)


def shortlist_sheet(
    entries: list[dict[str, Any]], retailer_name: str | None, timezone: str
) -> Sheet:
    tz = ZoneInfo(timezone)
    columns: Sequence[Column] = SHORTLIST_COLUMNS
    if retailer_name is None:  # every retailer's list (producers): say whose each line is
        columns = (Column("Nhà bán lẻ", "retailer_name"), *SHORTLIST_COLUMNS)
    rows = [
        {
            **e,
            "ocop_stars": e["ocop_stars"] if e["ocop_stars"] is not None else "",
            "added_on": _local(e["created_at"], tz),
        }
        for e in entries
    ]
    return Sheet(
        title="Danh sách nguồn hàng",
        columns=columns,
        rows=rows,
        facts=[
            ("Danh sách", "Sản phẩm quan tâm để nhập hàng"),
            ("Nhà bán lẻ", retailer_name or "Tất cả"),
            ("Số sản phẩm", str(len(entries))),
            ("Lập lúc", _local(datetime.now(tz), tz)),
            ("Ghi chú", "Số bán là số thực bán (đã trừ huỷ và trả hàng) trong các phiên live."),
        ],
    )


def _local(value: datetime, tz: ZoneInfo) -> str:
    return f"{value.astimezone(tz):%d/%m/%Y %H:%M}"
