"""Field types shared by request schemas: bounded, NFC-normalised, safe for both databases."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from live.text import nfc

MAX_INT = 2_147_483_647  # PostgreSQL integer: bigger ids can't exist, say 404/422, not 500.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# JSON's "\ud800" escapes decode to lone surrogates: not text, and no database stores them.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _clean(value: str) -> str:
    if _SURROGATE.search(value):
        raise ValueError("must be valid Unicode text (a lone surrogate was sent)")
    value = nfc(value)
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    return value


def _clean_line(value: str) -> str:
    value = _clean(value)
    if "\n" in value or "\r" in value:
        raise ValueError("must be a single line")
    return value


def _sane_datetime(value: datetime) -> datetime:
    if not 2000 <= value.year <= 2100:
        raise ValueError("must be between the years 2000 and 2100")
    return value


def _sane_date(value: date) -> date:
    if not 2000 <= value.year <= 2100:
        raise ValueError("must be between the years 2000 and 2100")
    return value


def _bounded(clean: Callable[[str], str], max_length: int, min_length: int) -> Any:
    def check(value: str) -> str:
        value = clean(value)
        if len(value) < min_length:
            raise ValueError("must not be empty" if min_length == 1 else "too short")
        if len(value) > max_length:
            raise ValueError(f"must be at most {max_length} characters")
        return value

    return AfterValidator(check)


Name = Annotated[str, Field(min_length=1, max_length=200), _bounded(_clean_line, 200, 1)]
Line20 = Annotated[str, Field(max_length=20), _bounded(_clean_line, 20, 0)]
Line40 = Annotated[str, Field(max_length=40), _bounded(_clean_line, 40, 0)]
Line100 = Annotated[str, Field(max_length=100), _bounded(_clean_line, 100, 0)]
Line200 = Annotated[str, Field(max_length=200), _bounded(_clean_line, 200, 0)]
Line300 = Annotated[str, Field(max_length=300), _bounded(_clean_line, 300, 0)]
Required64 = Annotated[str, Field(min_length=1, max_length=64), _bounded(_clean_line, 64, 1)]
Required100 = Annotated[str, Field(min_length=1, max_length=100), _bounded(_clean_line, 100, 1)]
Required300 = Annotated[str, Field(min_length=1, max_length=300), _bounded(_clean_line, 300, 1)]
Prose2k = Annotated[str, Field(max_length=2000), _bounded(_clean, 2000, 0)]
Prose10k = Annotated[str, Field(max_length=10_000), _bounded(_clean, 10_000, 0)]
Id = Annotated[int, Field(ge=1, le=MAX_INT)]
Money = Annotated[int, Field(ge=0, le=MAX_INT, description="integer đồng (VND)")]
Count = Annotated[int, Field(ge=0, le=MAX_INT)]
When = Annotated[datetime, AfterValidator(_sane_datetime)]
Day = Annotated[date, AfterValidator(_sane_date)]


WEB_SCHEMES = frozenset({"http", "https"})


def web_url_problem(value: str) -> str | None:
    """Why `value` is not an http(s) address a browser or phone may open, or None.

    Buy links become on-stream QR codes and image URLs go into pages: `javascript:`, `data:`,
    `file:` and the like must never get there, nor scheme-relative `//host` or a bare path.
    """
    if any(c.isspace() for c in value):
        return "must not contain spaces (write %20)"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 — raises on a port that is not a number
    except ValueError:
        return "is not a valid web address"
    if parts.scheme.lower() not in WEB_SCHEMES:
        return "must be an http:// or https:// address"
    if not parts.hostname:
        return "must name a host, e.g. https://shop.example/p/123"
    return None


def web_url(value: str | None) -> str | None:
    """`value` if it is an http(s) address, else None: what may be shown or put on air."""
    return value if value and web_url_problem(value) is None else None


def _web_url(value: str) -> str:
    if value:  # empty: no address
        problem = web_url_problem(value)
        if problem:
            raise ValueError(problem)
    return value


# An http(s) address, or "" for none.
Url = Annotated[
    str,
    Field(max_length=1000, description="an http:// or https:// address; empty for none"),
    _bounded(_clean_line, 1000, 0),
    AfterValidator(_web_url),
]


class Schema(BaseModel):
    """Request bodies ignore read-only fields, so a GET response can be POSTed back."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


def _no_default(schema: dict[str, Any]) -> None:
    # A null default on a field that takes no null is not valid OpenAPI; leaving it out is.
    schema.pop("default", None)


def left_out(**constraints: Any) -> Any:
    """Default of a PATCH field that may be left out (kept as it is) but not sent as null."""
    return Field(None, json_schema_extra=_no_default, **constraints)


class Page(BaseModel):
    """Pagination every list route takes."""

    model_config = ConfigDict(extra="ignore")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_INT)


# Where the campaigns run; times typed without an offset outside any campaign are taken here.
LOCAL_TIMEZONE = "Asia/Ho_Chi_Minh"


def as_utc(value: datetime, tz: str = LOCAL_TIMEZONE) -> datetime:
    """A time without an offset is local time of the campaign (Asia/Ho_Chi_Minh)."""
    from zoneinfo import ZoneInfo

    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return value.astimezone(UTC)


def local_time(value: datetime, tz: str = LOCAL_TIMEZONE) -> datetime:
    """What people read: the instant in the campaign's timezone (+07:00)."""
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(tz))
