"""Reading one cell as producers fill it in: đồng with dot grouping, dd/mm/yyyy dates, "19h30",
"4 sao", Vietnamese words for platforms and statuses. Each reader raises CellError with a
message the producer can act on."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from live.catalog.models import QualityStatus
from live.money import parse_vnd
from live.platforms import Platform
from live.schedule.models import SegmentKind, SessionStatus
from live.text import fold, nfc

E = TypeVar("E")


class CellError(ValueError):
    """A cell that can't be read; the message says what was expected."""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str:
    """Any cell as text; Excel's 12.0 for a typed 12 reads back as "12"."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return nfc(str(value))


def digits_code(value: Any, length: int) -> str:
    """A tax code or phone typed into a number cell lost its leading 0: give it back."""
    result = text(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and len(result) == length - 1:
        result = "0" + result
    return result


def money(value: Any) -> int | None:
    if is_blank(value):
        return None
    try:
        return parse_vnd(value if isinstance(value, int | float) else str(value))
    except ValueError as exc:
        raise CellError(
            f"not an amount in đồng: {text(value)!r} (write 125000 or 125.000)"
        ) from exc


def whole_number(value: Any) -> int | None:
    """A count: 500, "500", "1.000" (grouped as Vietnamese do)."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError("not a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(f"not a whole number: {value}")
        value = int(value)
    if isinstance(value, int):
        if value < 0:
            raise CellError("must not be negative")
        return value
    cleaned = str(value).strip()
    if re.fullmatch(r"\d{1,3}([.,\s\u00a0]\d{3})+|\d+", cleaned):
        return int(re.sub(r"\D", "", cleaned))
    raise CellError(f"not a whole number: {cleaned!r}")


def ocop_stars(value: Any) -> int | None:
    """4, "4", "4 sao", "4*", "★★★★"; empty or "không" for none."""
    if is_blank(value) or fold(text(value)) in ("khong", "none", "-", "0"):
        return None
    raw = text(value)
    stars = raw.count("★")
    if stars:
        return stars
    found = re.fullmatch(r"(\d)\s*(sao|stars?|\*)?", fold(raw))
    if not found:
        raise CellError(f"not an OCOP rating: {raw!r} (3, 4 or 5 sao)")
    return int(found.group(1))


_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y")
_TIME = re.compile(r"^(\d{1,2})\s*[:hH]\s*(\d{2})?(?::(\d{2}))?$")


def day(value: Any) -> date | None:
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise CellError(f"not a date: {raw!r} (write dd/mm/yyyy, e.g. 31/12/2027)")


def clock(value: Any) -> time | None:
    """A time of day alone: "19:30", "19h30", "19h", or a time cell."""
    if isinstance(value, time):
        return value
    if isinstance(value, datetime | date) or is_blank(value):
        return None
    found = _TIME.match(text(value))
    if not found:
        return None
    hour, minute, second = int(found.group(1)), int(found.group(2) or 0), int(found.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise CellError(f"not a time of day: {text(value)!r}")
    return time(hour, minute, second)


def moment(value: Any) -> datetime | None:
    """A date and time: "26/09/2024 19:30", "26/09/2024 19h30", ISO 8601 (an offset is kept),
    or a datetime cell. Without an offset it is campaign time (the service makes it UTC)."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    raw = re.sub(r"\s+", " ", text(value))
    try:
        parsed = datetime.fromisoformat(raw)
        if "-" in raw[:5] or "T" in raw:
            return parsed
    except ValueError:
        pass
    head, _, tail = raw.partition(" ")
    try:
        on = day(head)
        at = clock(tail) if tail else time()
    except CellError:
        on, at = None, None
    if on is None or at is None:
        raise CellError(
            f"not a date and time: {raw!r} (write dd/mm/yyyy HH:MM, e.g. 26/09/2024 19:30)"
        )
    return datetime.combine(on, at)


def _lookup(table: dict[str, E], value: Any, what: str, choices: str) -> E:
    found = table.get(re.sub(r"[^a-z0-9]+", " ", fold(text(value))).strip())
    if found is None:
        raise CellError(f"unknown {what}: {text(value)!r} (one of {choices})")
    return found


def _table(pairs: dict[E, tuple[str, ...]]) -> dict[str, E]:
    return {
        re.sub(r"[^a-z0-9]+", " ", fold(word)).strip(): member
        for member, words in pairs.items()
        for word in (str(member), *words)
    }


PLATFORMS = _table(
    {
        Platform.tiktok_shop: ("TikTok Shop", "TikTok", "TikTokShop", "TikTok Live"),
        Platform.shopee: ("Shopee", "Shopee Live"),
        Platform.lazada: ("Lazada", "LazLive", "Lazada Live"),
        Platform.facebook: ("Facebook", "FB", "Facebook Live"),
        Platform.shopify: ("Shopify",),
        Platform.portal: (
            "Cổng kết nối cung cầu",
            "Cổng thông tin kết nối cung cầu",
            "Kết nối cung cầu",
            "ketnoicungcau.vn",
            "ketnoicungcau",
            "Portal",
        ),
    }
)
QUALITY = _table(
    {
        QualityStatus.approved: ("Đạt", "Đã duyệt", "Đã kiểm định", "Duyệt", "Pass", "OK"),
        QualityStatus.pending: ("Chờ", "Chờ kiểm định", "Đang kiểm định", "Chưa kiểm định"),
        QualityStatus.rejected: ("Không đạt", "Từ chối", "Loại", "Fail"),
    }
)
SEGMENT_KINDS = _table(
    {
        SegmentKind.intro: ("Mở đầu", "Mở màn", "Khai mạc", "Chào mừng", "Intro"),
        SegmentKind.product: ("Sản phẩm", "Giới thiệu sản phẩm", "SP", "Product"),
        SegmentKind.flash_sale: ("Flash sale", "Flashsale", "Flash", "Giá sốc", "Flash_sale"),
        SegmentKind.giveaway: ("Quà tặng", "Tặng quà", "Minigame", "Bốc thăm", "Giveaway"),
        SegmentKind.break_: ("Nghỉ", "Giải lao", "Nghỉ giữa giờ", "Break"),
        SegmentKind.outro: ("Kết thúc", "Kết", "Chào kết", "Tổng kết", "Outro"),
    }
)
SESSION_STATUSES = _table(
    {
        SessionStatus.draft: ("Nháp", "Dự kiến", "Draft"),
        SessionStatus.scheduled: ("Đã lên lịch", "Lên lịch", "Đã xếp lịch", "Chốt", "Scheduled"),
        SessionStatus.live: ("Đang live", "Đang phát", "Live"),
        SessionStatus.ended: ("Đã kết thúc", "Kết thúc", "Đã phát", "Ended"),
        SessionStatus.cancelled: ("Đã hủy", "Hủy", "Huỷ", "Đã huỷ", "Cancelled", "Canceled"),
    }
)


def platform(value: Any) -> Platform:
    return _lookup(
        PLATFORMS, value, "platform", "TikTok Shop, Shopee, Lazada, Facebook, Cổng kết nối cung cầu"
    )


def quality(value: Any) -> QualityStatus:
    return _lookup(QUALITY, value, "quality-check status", "Đạt, Chờ, Không đạt")


def segment_kind(value: Any) -> SegmentKind:
    return _lookup(
        SEGMENT_KINDS,
        value,
        "segment kind",
        "Mở đầu, Sản phẩm, Flash sale, Quà tặng, Nghỉ, Kết thúc",
    )


def session_status(value: Any) -> SessionStatus:
    return _lookup(
        SESSION_STATUSES,
        value,
        "session status",
        "Nháp, Đã lên lịch, Đang live, Đã kết thúc, Đã hủy",
    )


def names(value: Any) -> list[str]:
    """Co-hosts: "Minh Tú; Quang Huy" or "Minh Tú, Quang Huy" (or one per line)."""
    raw = text(value)
    separator = ";" if ";" in raw else ("\n" if "\n" in raw else ",")
    return [n.strip() for n in raw.split(separator) if n.strip()]


def certifications(value: Any, expiry: Any = None) -> list[dict[str, Any]]:
    """ "OCOP 4 sao:31/12/2027; VietGAP:30/06/2027", or names here and their expiry dates (in
    the same order, `;`-separated) in the expiry column."""
    items = [part.strip() for part in re.split(r"[;\n]", text(value)) if part.strip()]
    expiries: list[Any]
    if isinstance(expiry, date):
        expiries = [expiry]
    else:
        expiries = [part.strip() for part in re.split(r"[;\n]", text(expiry)) if part.strip()]
    if expiries and len(expiries) != len(items):
        raise CellError(
            f"{len(items)} certificate(s) but {len(expiries)} expiry date(s); give one date per"
            " certificate, in the same order"
        )
    result = []
    for i, item in enumerate(items):
        name, sep, when = item.rpartition(":")
        if not sep or not re.search(r"\d", when):
            name, when = item, ""
        if when and expiries:
            raise CellError(f"{item!r} has its date here and in the expiry column; keep one")
        on = day(when.strip() or (expiries[i] if expiries else None))
        result.append({"name": name.strip(), "number": None, "expires_on": on})
    return result


def starts_at(value: Any, on: date | None) -> datetime | None:
    """ "Bắt đầu": a full date and time, or a time alone on the "Ngày" column's day."""
    at = clock(value)
    if at is None:
        return moment(value)
    if on is None:
        raise CellError("a time alone needs the date in the Ngày column")
    return datetime.combine(on, at)


def ends_at(value: Any, begins: datetime | None) -> datetime | None:
    """ "Kết thúc": a full date and time, or a time alone on the start's day, or on the next
    day when it is not after the start (a session past midnight)."""
    at = clock(value)
    if at is None or begins is None:
        return moment(value)
    ends = datetime.combine(begins.date(), at, tzinfo=begins.tzinfo)
    if ends <= begins:
        ends += timedelta(days=1)
    return ends
