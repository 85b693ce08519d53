"""Money is integer đồng (VND has no minor unit); Babel formats it for people."""

from __future__ import annotations

import re

from babel.numbers import format_currency

_GROUPING = re.compile(r"^\d{1,3}([.,\s\u00a0]\d{3})+$")


def format_vnd(amount: int, locale: str = "vi_VN") -> str:
    """125000 -> "125.000 ₫" (dot grouping, no-break space, ₫ after) in vi_VN."""
    return format_currency(amount, "VND", locale="vi_VN" if locale.startswith("vi") else locale)


def parse_vnd(text: str | int | float) -> int:
    """Read đồng as people type it: 125000, "125.000", "125,000 ₫", "125.000đ", "125000 VND".

    Raises ValueError for fractions and anything not a whole non-negative amount.
    """
    if isinstance(text, bool):
        raise ValueError("not an amount")
    if isinstance(text, int):
        value = text
    elif isinstance(text, float):
        if not text.is_integer():
            raise ValueError("đồng has no fractions")
        value = int(text)
    else:
        cleaned = text.strip().upper()
        for unit in ("₫", "VNĐ", "VND", "Đ", "D"):
            cleaned = cleaned.removesuffix(unit).strip()
        if cleaned.isdigit():
            value = int(cleaned)
        elif _GROUPING.match(cleaned):
            value = int(re.sub(r"[.,\s\u00a0]", "", cleaned))
        else:
            raise ValueError(f"not an amount in đồng: {text!r}")
    if value < 0:
        raise ValueError("amount must not be negative")
    return value
