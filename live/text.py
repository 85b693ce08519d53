"""Vietnamese text: NFC on input, accent-insensitive folding for search."""

from __future__ import annotations

import unicodedata


def nfc(value: str) -> str:
    """Text may arrive as NFC or NFD (macOS, some spreadsheets); store NFC, trimmed."""
    return unicodedata.normalize("NFC", value).strip()


def fold(value: str) -> str:
    """Lower-case and strip diacritics so "ca phe dak lak" finds "Cà phê Đắk Lắk".

    đ/Đ is a letter of its own, not a base letter with a combining mark, so NFD alone
    leaves it; it is mapped to d by hand.
    """
    decomposed = unicodedata.normalize("NFD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("đ", "d").replace("Đ", "D").casefold().strip()


def search_key(*parts: str | None) -> str:
    return " ".join(fold(p) for p in parts if p)
