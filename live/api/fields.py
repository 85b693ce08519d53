"""Field types shared by request schemas: bounded, NFC-normalised, safe for both databases."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from live.text import nfc

MAX_INT = 2_147_483_647  # PostgreSQL integer: bigger ids can't exist, say 404/422, not 500.
# The error type of a rule between fields, which no JSON Schema can state (see `broken_rule`).
RULE = "rule_broken"


def broken_rule(message: str) -> PydanticCustomError:
    """Raise it from a model validator for a rule between fields (`ends_on` before
    `starts_on`): the answer is a 422 `rule_broken`, not a `validation_failed`, which is kept
    for what the OpenAPI document states."""
    return PydanticCustomError(RULE, message)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# JSON's "\ud800" escapes decode to lone surrogates: not text, and no database stores them.
_SURROGATE = re.compile(r"[\ud800-\udfff]")

# The same rules as JSON Schema patterns, for the OpenAPI document (ECMA-262 regexes, written
# with explicit classes: `\s` differs between Python and ECMA-262). Text is stripped of the
# whitespace `str.strip()` removes, so a required field needs one character that isn't.
_PROSE_CHAR = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_LINE_CHAR = r"[^\x00-\x08\x0a-\x1f\x7f]"
_STRIPPED = r"\t\n\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_PROSE_SOLID = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f" + _STRIPPED + "]"
_LINE_SOLID = r"[^\x00-\x1f\x7f" + _STRIPPED + "]"


def _pattern(char: str, solid: str, required: bool) -> str:
    return f"^{char}*{solid}{char}*$" if required else f"^{char}*$"


def _clean(value: str) -> str:
    if _SURROGATE.search(value):
        raise ValueError("must be valid Unicode text (a lone surrogate was sent)")
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    return nfc(value.strip())


def _clean_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("must be a single line")
    return _clean(value)


def _bounded(clean: Callable[[str], str], max_length: int, min_length: int) -> Any:
    # The limits apply to what was sent (as the document says) and again after stripping and
    # NFC normalisation, which the database stores.
    def check(value: str) -> str:
        value = clean(value)
        if len(value) < min_length:
            raise ValueError("must not be empty" if min_length == 1 else "too short")
        if len(value) > max_length:
            raise ValueError(f"must be at most {max_length} characters")
        return value

    return AfterValidator(check)


def _limits(max_length: int, *, line: bool, required: bool) -> Any:
    char, solid = (_LINE_CHAR, _LINE_SOLID) if line else (_PROSE_CHAR, _PROSE_SOLID)
    return Field(
        min_length=1 if required else None,
        max_length=max_length,
        pattern=_pattern(char, solid, required),
    )


Name = Annotated[str, _limits(200, line=True, required=True), _bounded(_clean_line, 200, 1)]
Line20 = Annotated[str, _limits(20, line=True, required=False), _bounded(_clean_line, 20, 0)]
Line40 = Annotated[str, _limits(40, line=True, required=False), _bounded(_clean_line, 40, 0)]
Line100 = Annotated[str, _limits(100, line=True, required=False), _bounded(_clean_line, 100, 0)]
Line200 = Annotated[str, _limits(200, line=True, required=False), _bounded(_clean_line, 200, 0)]
Line300 = Annotated[str, _limits(300, line=True, required=False), _bounded(_clean_line, 300, 0)]
Required64 = Annotated[str, _limits(64, line=True, required=True), _bounded(_clean_line, 64, 1)]
Required100 = Annotated[str, _limits(100, line=True, required=True), _bounded(_clean_line, 100, 1)]
Required300 = Annotated[str, _limits(300, line=True, required=True), _bounded(_clean_line, 300, 1)]


def _one_space(value: str) -> str:
    return " ".join(value.split())


# A name compared with others as people read it ("Phòng  Đỏ" is "Phòng Đỏ"): runs of spaces
# stored as one, so the database's case-insensitive comparison is enough.
Words100 = Annotated[Required100, AfterValidator(_one_space)]
OptionalWords100 = Annotated[Line100, AfterValidator(_one_space)]
Prose1k = Annotated[str, _limits(1000, line=False, required=False), _bounded(_clean, 1000, 0)]
Prose2k = Annotated[str, _limits(2000, line=False, required=False), _bounded(_clean, 2000, 0)]
Prose10k = Annotated[str, _limits(10_000, line=False, required=False), _bounded(_clean, 10_000, 0)]
Id = Annotated[int, Field(ge=1, le=MAX_INT)]
Money = Annotated[int, Field(ge=0, le=MAX_INT, description="integer đồng (VND)")]
Count = Annotated[int, Field(ge=0, le=MAX_INT)]

# Dates and times are ISO 8601 text in the years 2000 to 2100: nothing else is parsed (pydantic
# alone would take a number of seconds since 1970, or "2026-02-30" as a 422 the document
# couldn't foresee). The patterns accept exactly the calendar's days, leap years included.
_YEAR = r"(?:20\d\d|2100)"
_DAY = (
    r"(?:" + _YEAR + r"-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8]))"
    r"|20(?:[02468][048]|[13579][26])-02-29)"
)
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?"
_OFFSET = r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)"
DAY_PATTERN = f"^{_DAY}$"
WHEN_PATTERN = f"^{_DAY}T{_TIME}{_OFFSET}?$"


def _iso_text(pattern: str, what: str, kind: type[date]) -> Any:
    compiled = re.compile(pattern)

    def parse(value: Any) -> Any:
        if isinstance(value, kind):  # built in Python (an answer from a row), not sent
            return value
        if not isinstance(value, str) or not compiled.match(value):
            raise ValueError(f"must be {what}, in the years 2000 to 2100")
        # Parsed here, so strict validation (JSON bodies) gets the date itself.
        return kind.fromisoformat(value)

    return BeforeValidator(parse)


When = Annotated[
    datetime,
    _iso_text(WHEN_PATTERN, "a date and time, e.g. 2026-11-30T20:00:00+07:00", datetime),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": WHEN_PATTERN,
            "description": "ISO 8601 date and time, 2000 to 2100; without an offset it is the"
            " campaign's local time",
        },
        mode="validation",
    ),
]
Day = Annotated[
    date,
    _iso_text(DAY_PATTERN, "a date, e.g. 2026-11-30", date),
    WithJsonSchema(
        {"type": "string", "pattern": DAY_PATTERN, "description": "ISO 8601 date, 2000 to 2100"},
        mode="validation",
    ),
]


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


# What `web_url_problem` lets through, for the document: a scheme, a host, maybe a port.
_URL_CHAR = r"[^\x00-\x20\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
_HOST_CHAR = r"[^\x00-\x20\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000/?#:@\[\]\\]"
_PORT = r"(?:6553[0-5]|655[0-2]\d|65[0-4]\d\d|6[0-4]\d{3}|[1-5]\d{4}|\d{1,4})"
URL_PATTERN = (
    r"^(?:[hH][tT][tT][pP][sS]?://" + _HOST_CHAR + "+(?::" + _PORT + ")?"
    r"(?:[/?#]" + _URL_CHAR + "*)?)?$"
)

# An http(s) address, or "" for none.
Url = Annotated[
    str,
    Field(
        max_length=1000,
        # Stated for the document; `_web_url` enforces the same rule with a message a person
        # can act on (an import's row and column, a form field), not the regular expression.
        json_schema_extra={"pattern": URL_PATTERN},
        description="an http:// or https:// address; empty for none",
    ),
    _bounded(_clean_line, 1000, 0),
    AfterValidator(_web_url),
]


def when(field: str, values: list[str], then: dict[str, Any], otherwise: dict[str, Any]) -> Any:
    """A JSON Schema `if`/`then`/`else` for the document: what other fields must be when
    `field` is one of `values`; the model validator enforcing it raises a ValueError (a
    `validation_failed`, since the document states it)."""
    return {
        "if": {"required": [field], "properties": {field: {"enum": values}}},
        "then": then,
        "else": otherwise,
    }


def needs(*fields: str, minimum: int | None = None) -> dict[str, Any]:
    """`then`: these fields must be sent, as numbers (at least `minimum`) or booleans."""
    kind: dict[str, Any] = (
        {"type": "integer"}
        if minimum is None
        else {
            "type": "integer",
            "minimum": minimum,
        }
    )
    return {"required": list(fields), "properties": {f: kind for f in fields}}


def absent(*fields: str) -> dict[str, Any]:
    """`else`: these fields are left out or null."""
    return {"properties": {f: {"type": "null"} for f in fields}}


class Schema(BaseModel):
    """Request bodies ignore read-only fields, so a GET response can be POSTed back. Text
    fields strip their own whitespace (`_bounded`), after checking the length that was sent.
    Answers are read from rows' attributes (`SupplierOut.model_validate(row)`)."""

    model_config = ConfigDict(extra="ignore", from_attributes=True)


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
