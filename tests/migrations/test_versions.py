"""Migrations that change stored data: what was there before comes out as the app now wants."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from live.catalog.models import Product
from live.db import Database
from live.migrate import upgrade
from live.settings import Settings
from tests import factories


def test_0007_clears_stored_urls_that_are_not_http_or_https(
    blank: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    upgrade(blank, "0006")
    db = Database(blank)
    good = "https://shop.example.vn/p/keo-dua?ref=live"
    stored = {
        "A": ("javascript:alert(1)", good),
        "B": (good, " JavaScript:alert(document.cookie)"),
        "C": ("data:image/svg+xml;base64,PHN2Zz4=", "//evil.example/x"),
        "D": (good, "HTTP://SHOP.EXAMPLE.VN/D"),
        "E": (None, ""),
    }
    with db.unit_of_work() as s:
        supplier_id = factories.supplier(s).id
        for sku, (image_url, buy_link) in stored.items():
            factories.product(
                s, supplier_id=supplier_id, sku=sku, image_url=image_url, buy_link=buy_link
            )
    with caplog.at_level(logging.WARNING):
        upgrade(blank, "0007")
    with db.reading() as s:
        after = {p.sku: (p.image_url, p.buy_link) for p in s.scalars(select(Product))}
    db.dispose()
    assert after == {
        "A": (None, good),
        "B": (good, None),
        "C": (None, None),
        "D": (good, "HTTP://SHOP.EXAMPLE.VN/D"),
        "E": (None, ""),
    }
    cleared = [r.getMessage() for r in caplog.records if "cleared" in r.getMessage()]
    assert len(cleared) == 3 and any("(C): cleared image_url and buy_link" in m for m in cleared)
