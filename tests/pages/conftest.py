"""The page tests' campaign, and a reader for the calendar's HTML."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

import pytest

from live.db import Database
from tests.pages.scene import Scene, build_scene


@pytest.fixture
def scene(db: Database, tokens: dict[str, str]) -> Scene:
    """The campaign, with the creator token's creator co-hosting SL-02."""
    return build_scene(db, cohost_id=int(tokens["creator_id"]))


@dataclass
class CardSeen:
    code: str
    element_id: str
    classes: set[str]
    hidden: bool
    day: str
    style: str


class CalendarHtml(HTMLParser):
    """The session cards of a calendar page, with the day section each one sits in."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[CardSeen] = []
        self.hidden_days: set[str] = set()
        self._day = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and "data-day" in a:
            self._day = (a.get("id") or "").removeprefix("day-")
            if "hidden" in a:
                self.hidden_days.add(self._day)
        if "data-code" in a:
            self.cards.append(
                CardSeen(
                    code=a["data-code"] or "",
                    element_id=a.get("id") or "",
                    classes=set((a.get("class") or "").split()),
                    hidden="hidden" in a,
                    day=self._day,
                    style=a.get("style") or "",
                )
            )

    def codes(self, *, visible: bool = True) -> set[str]:
        return {c.code for c in self.cards if c.hidden != visible}

    def by_code(self, code: str) -> list[CardSeen]:
        return [c for c in self.cards if c.code == code]


def read_calendar(html: str) -> CalendarHtml:
    parser = CalendarHtml()
    parser.feed(html)
    return parser
