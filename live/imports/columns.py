"""The columns of each kind of sheet, as producers title them: Vietnamese first, English aliases.

Headers match without accents, case, punctuation or a unit in brackets, so "Giá live (₫)",
"GIA LIVE" and "giá_live" are one column. docs/imports.md documents every column; a test keeps
the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from live.text import fold

KINDS = ("suppliers", "products", "creators", "sessions", "segments")


@dataclass(frozen=True)
class Column:
    key: str
    headers: tuple[str, ...]  # the first one is what our sample files and docs use
    required: bool = False
    meaning: str = ""
    example: str = ""

    @property
    def title(self) -> str:
        return self.headers[0]


def header_key(text: str) -> str:
    """ "Tỉnh/Thành" -> "tinh thanh"; " Giá live* " -> "gia live"."""
    return re.sub(r"[^a-z0-9#]+", " ", fold(text)).strip()


def _without_unit(text: str) -> str:
    return re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text)


PROVINCE = ("Tỉnh/Thành", "Tỉnh thành", "Tỉnh", "Xuất xứ", "Province", "Origin")

COLUMNS: dict[str, tuple[Column, ...]] = {
    "suppliers": (
        Column(
            "name",
            ("Tên doanh nghiệp", "Tên nhà cung cấp", "Tên NCC", "Doanh nghiệp", "Supplier name"),
            True,
            "business or cooperative name",
            "Hợp tác xã Dừa Bến Tre",
        ),
        Column("province", PROVINCE, True, "province", "Bến Tre"),
        Column(
            "tax_code",
            ("Mã số thuế", "MST", "Tax code"),
            meaning="tax code; the supplier's identity when given (a 9-digit number gets its"
            " leading 0 back)",
            example="1300123456",
        ),
        Column(
            "contact_name",
            ("Người liên hệ", "Liên hệ", "Contact name", "Contact"),
            meaning="contact person",
            example="Nguyễn Thị Hoa",
        ),
        Column(
            "contact_phone",
            ("Điện thoại", "Số điện thoại", "SĐT", "Phone"),
            meaning="phone",
            example="0901 234 567",
        ),
        Column(
            "contact_email",
            ("Email", "E-mail", "Thư điện tử"),
            meaning="email",
            example="lienhe@dua-bentre.vn",
        ),
    ),
    "products": (
        Column(
            "sku",
            ("Mã SP", "Mã sản phẩm", "Mã hàng", "SKU"),
            True,
            "the supplier's product code, unique per supplier",
            "KD-BT-01",
        ),
        Column(
            "name",
            ("Tên sản phẩm", "Tên SP", "Tên hàng", "Product name", "Product"),
            True,
            "product name",
            "Kẹo dừa sáp Bến Tre",
        ),
        Column(
            "supplier",
            ("Nhà cung cấp", "NCC", "Supplier"),
            True,
            "the supplier's tax code or exact name",
            "1300123456",
        ),
        Column(
            "category",
            ("Danh mục", "Ngành hàng", "Category"),
            meaning="category",
            example="Bánh kẹo",
        ),
        Column("province", PROVINCE, True, "province of origin", "Bến Tre"),
        Column(
            "list_price",
            ("Giá niêm yết", "Giá gốc", "List price"),
            True,
            "list price in đồng",
            "85.000",
        ),
        Column(
            "live_price",
            ("Giá live", "Giá bán live", "Live price"),
            True,
            "price on the live, in đồng, not above the list price",
            "65.000 ₫",
        ),
        Column(
            "ocop_stars",
            ("Sao OCOP", "OCOP", "OCOP stars"),
            meaning="OCOP rating 3–5, empty for none",
            example="4 sao",
        ),
        Column(
            "certifications",
            ("Chứng nhận", "Certifications", "Certification"),
            meaning="certificates separated by ';', each optionally with ':' and its expiry",
            example="OCOP 4 sao:31/12/2027; VietGAP:30/06/2027",
        ),
        Column(
            "certification_expiry",
            ("Hạn chứng nhận", "Certification expiry", "Expires"),
            meaning="expiry of the certificates, in the same order, separated by ';'",
            example="31/12/2027",
        ),
        Column(
            "qc_status",
            ("Trạng thái kiểm định", "Kiểm định", "QC status", "Quality check"),
            meaning="Đạt / Chờ / Không đạt (approved / pending / rejected); empty keeps it",
            example="Đạt",
        ),
        Column(
            "qc_reviewer",
            ("Người kiểm định", "Đơn vị kiểm định", "QC reviewer", "Reviewer"),
            meaning="who checked the quality",
            example="Saigon Co.op",
        ),
        Column(
            "qc_note",
            ("Ghi chú kiểm định", "QC note"),
            meaning="note of the quality check",
            example="Đạt chuẩn nhập siêu thị",
        ),
        Column(
            "campaign_stock",
            ("Tồn kho chiến dịch", "Tồn kho", "Campaign stock", "Stock"),
            meaning="units allotted to the campaign (flash sales must fit)",
            example="500",
        ),
        Column(
            "talking_points",
            ("Điểm nhấn", "Điểm nổi bật", "Talking points"),
            meaning="what the host says about it",
            example="Dừa sáp tự nhiên, không chất bảo quản",
        ),
        Column(
            "image_url",
            ("Ảnh", "Link ảnh", "Hình ảnh", "Image URL", "Image"),
            meaning="image URL: an http:// or https:// address",
            example="https://…/keo-dua.jpg",
        ),
        Column(
            "buy_link",
            ("Link mua", "Link mua hàng", "Buy link"),
            meaning="where viewers buy it: an http:// or https:// address (the on-air QR code)",
            example="https://…",
        ),
    ),
    "creators": (
        Column(
            "name",
            ("Tên", "Họ tên", "Tên nhà sáng tạo", "Nhà sáng tạo", "Name", "Creator"),
            True,
            "the creator's name, their identity",
            "Hoài Phương",
        ),
        Column(
            "tiktok_shop",
            ("TikTok", "TikTok Shop"),
            meaning="TikTok handle",
            example="@hoaiphuong.review",
        ),
        Column("shopee", ("Shopee",), meaning="Shopee handle", example="hoaiphuong.shop"),
        Column("lazada", ("Lazada",), meaning="Lazada handle", example="hoaiphuong"),
        Column("facebook", ("Facebook", "FB"), meaning="Facebook page", example="HoaiPhuongLive"),
    ),
    "sessions": (
        Column(
            "code",
            ("Mã phiên", "Session code", "Code"),
            True,
            "short code shown on air and carried by orders; the session's identity",
            "SLHV-01",
        ),
        Column(
            "title",
            ("Tiêu đề", "Tên phiên", "Title"),
            True,
            "title",
            "Đặc sản miền Tây",
        ),
        Column(
            "campaign",
            ("Chiến dịch", "Campaign"),
            meaning="campaign id or name; may be left out when there is one campaign",
            example="Siêu live hàng Việt 2024",
        ),
        Column(
            "host",
            ("Người dẫn", "Người dẫn chính", "Host"),
            True,
            "host creator's name",
            "Hoài Phương",
        ),
        Column(
            "cohosts",
            ("Đồng dẫn", "Khách mời", "Co-hosts", "Cohosts"),
            meaning="co-hosts' names separated by ';' or ','",
            example="Minh Tú; Quang Huy",
        ),
        Column(
            "platform",
            ("Nền tảng", "Sàn", "Platform"),
            True,
            "TikTok Shop / Shopee / Lazada / Facebook / Cổng kết nối cung cầu",
            "TikTok Shop",
        ),
        Column(
            "channel",
            ("Kênh", "Tài khoản", "Channel"),
            True,
            "the shop channel on that platform",
            "sieulivehangviet",
        ),
        Column("studio", ("Studio", "Phòng live", "Phòng"), True, "studio", "Studio A"),
        Column(
            "date",
            ("Ngày", "Ngày live", "Date"),
            meaning="day, when Bắt đầu/Kết thúc hold times only",
            example="26/09/2024",
        ),
        Column(
            "start",
            ("Bắt đầu", "Giờ bắt đầu", "Start"),
            True,
            "start, campaign time: dd/mm/yyyy HH:MM, ISO 8601, or a date cell",
            "26/09/2024 19:30",
        ),
        Column(
            "end",
            ("Kết thúc", "Giờ kết thúc", "End"),
            True,
            "end; a time alone is on the start's day, or the next day when earlier",
            "26/09/2024 21:30",
        ),
        Column(
            "status",
            ("Trạng thái", "Status"),
            meaning="Nháp / Đã lên lịch / Đã hủy (draft / scheduled / cancelled); empty keeps it",
            example="Đã lên lịch",
        ),
        Column("notes", ("Ghi chú", "Notes"), meaning="notes", example="Khung giờ vàng"),
    ),
    "segments": (
        Column(
            "session_code",
            ("Mã phiên", "Session code", "Session"),
            True,
            "the session's code (in the database or in this workbook)",
            "SLHV-01",
        ),
        Column(
            "position",
            ("Thứ tự", "STT", "#", "Position", "Order"),
            meaning="order in the run-of-show; rows' order when left out",
            example="1",
        ),
        Column(
            "kind",
            ("Loại", "Loại phân đoạn", "Kind", "Type"),
            True,
            "Mở đầu / Sản phẩm / Flash sale / Quà tặng / Nghỉ / Kết thúc",
            "Flash sale",
        ),
        Column(
            "title",
            ("Tiêu đề", "Nội dung", "Title"),
            meaning="title",
            example="Kẹo dừa giá sốc",
        ),
        Column(
            "minutes",
            ("Thời lượng (phút)", "Thời lượng", "Số phút", "Duration (min)", "Minutes"),
            True,
            "planned minutes",
            "10",
        ),
        Column(
            "sku",
            ("Mã SP", "Mã sản phẩm", "SKU"),
            meaning="product code, for Sản phẩm and Flash sale",
            example="KD-BT-01",
        ),
        Column(
            "supplier",
            ("Nhà cung cấp", "NCC", "Supplier"),
            meaning="the product's supplier (tax code or name), when two suppliers share the code",
            example="1300123456",
        ),
        Column(
            "flash_price",
            ("Giá flash sale", "Giá flash", "Flash price"),
            meaning="flash-sale price in đồng",
            example="49.000",
        ),
        Column(
            "flash_quantity",
            ("Số lượng flash sale", "SL flash sale", "Flash quantity"),
            meaning="flash-sale units",
            example="100",
        ),
        Column("notes", ("Ghi chú", "Notes"), meaning="notes", example="Nhắc mã giảm giá"),
    ),
}

SHEET_NAMES: dict[str, tuple[str, ...]] = {
    "suppliers": ("Nhà cung cấp", "NCC", "Doanh nghiệp", "Suppliers"),
    "products": ("Sản phẩm", "Hàng hóa", "Products"),
    "creators": ("Nhà sáng tạo", "KOL", "KOC", "Creators"),
    "sessions": ("Phiên live", "Lịch live", "Lịch phát sóng", "Sessions"),
    "segments": ("Kịch bản", "Kịch bản live", "Run-of-show", "Segments"),
}

KIND_ALIASES: dict[str, str] = {
    header_key(name): kind for kind, names in SHEET_NAMES.items() for name in (kind, *names)
}


def kind_of_sheet_name(name: str) -> str | None:
    return KIND_ALIASES.get(header_key(name))


def parse_kind(value: str) -> str | None:
    """A kind named by the caller, in English or Vietnamese."""
    return KIND_ALIASES.get(header_key(value))


def _column_index(kind: str) -> dict[str, Column]:
    index: dict[str, Column] = {}
    for column in COLUMNS[kind]:
        for header in column.headers:
            index.setdefault(header_key(header), column)
    return index


_INDEX = {kind: _column_index(kind) for kind in KINDS}


def match_header(kind: str, header: str) -> Column | None:
    index = _INDEX[kind]
    return index.get(header_key(header)) or index.get(header_key(_without_unit(header)))


@dataclass
class HeaderMatch:
    """Which column of the sheet holds which field of a kind."""

    kind: str
    positions: dict[str, int]  # column key -> 0-based index in the row
    titles: dict[str, str]  # column key -> the header as written in the file
    duplicates: list[str]
    ignored: list[str]

    @property
    def missing(self) -> list[Column]:
        return [c for c in COLUMNS[self.kind] if c.required and c.key not in self.positions]

    @property
    def score(self) -> int:
        return len(self.positions)


def match_headers(kind: str, headers: list[str]) -> HeaderMatch:
    positions: dict[str, int] = {}
    titles: dict[str, str] = {}
    duplicates: list[str] = []
    ignored: list[str] = []
    for i, header in enumerate(headers):
        if not header.strip():
            continue
        column = match_header(kind, header)
        if column is None:
            ignored.append(header.strip())
        elif column.key in positions:
            duplicates.append(header.strip())
        else:
            positions[column.key] = i
            titles[column.key] = header.strip()
    return HeaderMatch(kind, positions, titles, duplicates, ignored)


def recognise(headers: list[str]) -> tuple[HeaderMatch | None, list[HeaderMatch]]:
    """The kind whose required columns are all there (the one matching most columns wins when
    several are), or None; also every kind's match, closest first, for the error message."""
    matches = [match_headers(kind, headers) for kind in KINDS]
    complete = sorted((m for m in matches if not m.missing), key=lambda m: -m.score)
    ranked = sorted(matches, key=lambda m: (-m.score, len(m.missing)))
    if complete and (len(complete) == 1 or complete[0].score > complete[1].score):
        return complete[0], ranked
    return None, ranked
