"""The message catalogue: both languages complete, dates and money the Vietnamese way."""

from __future__ import annotations

import re
import string
from datetime import date, datetime
from pathlib import Path

import pytest

from live.access.roles import Role
from live.i18n import EN, VI, Translator, pick_language
from live.platforms import Platform
from live.schedule.models import SegmentKind, SessionStatus

LIVE = Path(__file__).resolve().parent.parent / "live"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_every_message() -> None:
    plural_forms = {k for k in EN if k.endswith("_one")}
    assert set(VI) == set(EN) - plural_forms
    for key in plural_forms:
        assert key.removesuffix("_one") in VI


def test_translations_take_the_same_values() -> None:
    for key, text in VI.items():
        assert placeholders(text) == placeholders(EN[key]), key


def test_every_key_the_templates_use_exists() -> None:
    used: set[str] = set()
    for template in (LIVE / "pages" / "templates").glob("*.html"):
        used |= set(re.findall(r"\bt(?:\.count)?\(\s*'([a-z0-9_]+)'\s*[,)]", template.read_text()))
    assert used, "no t('...') calls found: the pattern is out of date"
    assert used - set(VI) == set()


def test_every_enum_people_see_has_words() -> None:
    for prefix, enum in (
        ("status", SessionStatus),
        ("platform", Platform),
        ("segment", SegmentKind),
        ("role", Role),
    ):
        for member in enum:
            assert f"{prefix}_{member.value}" in VI, member


def test_every_scheduling_rule_has_a_title_and_an_explanation() -> None:
    rules = set(re.findall(r'Problem\(\s*"(\w+)"', (LIVE / "schedule" / "rules.py").read_text()))
    assert rules
    for rule in rules:
        assert f"rule_{rule}" in VI and f"rule_{rule}_text" in VI, rule


@pytest.mark.parametrize(
    ("requested", "remembered", "expected"),
    [
        (None, None, "vi"),
        ("en", None, "en"),
        ("EN", "vi", "en"),
        (None, "en", "en"),
        ("fr", "en", "en"),
        ("fr", None, "vi"),
        ("", "", "vi"),
    ],
)
def test_the_language_is_asked_then_remembered_then_vietnamese(
    requested: str | None, remembered: str | None, expected: str
) -> None:
    assert pick_language(requested, remembered) == expected


def test_dates_money_and_counts() -> None:
    vi, en = Translator("vi"), Translator("en")
    assert vi.day(date(2024, 9, 26)) == "Thứ Năm, 26 tháng 9, 2024"
    assert en.day(date(2024, 9, 26)) == "Thursday, September 26, 2024"
    assert vi.money(125_000) == "125.000\u00a0₫"
    assert en.money(125_000) == "125.000\u00a0₫"
    assert vi.time(datetime(2024, 9, 26, 7, 5)) == "07:05"
    assert vi.count("products_count", 1) == "1 sản phẩm"
    assert en.count("products_count", 1) == "1 product"
    assert en.count("products_count", 3) == "3 products"
    assert "26" in vi.dates(date(2024, 9, 26), date(2024, 9, 29))
    assert vi("search_results", shown=1, total=4) == "1/4 phiên khớp"
