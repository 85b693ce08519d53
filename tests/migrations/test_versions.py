"""Migrations that change stored data: what was there before comes out as the app now wants."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa
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


def test_0008_keeps_only_hashes_and_the_urls_given_out_before_keep_working(
    blank: Settings,
) -> None:
    """Overlay URLs already in OBS scenes and feed URLs already in phones still open after the
    upgrade, though the database no longer holds a usable token."""
    from alembic import command

    from live.migrate import alembic_config
    from live.schedule import ical
    from live.shows.service import ensure_show, session_for_overlay

    upgrade(blank)
    db = Database(blank)
    with db.unit_of_work() as s:
        live_session = factories.session(s)
        session_id, creator_id = live_session.id, live_session.host_creator_id
        ensure_show(s, session_id)
        bare_id = factories.session(s).id
        ensure_show(s, bare_id)
    db.dispose()
    # Back to 0007 (columns renamed back), then the tokens as 0007 kept them: in plain text.
    command.downgrade(alembic_config(blank.effective_database_url), "0007")
    overlay_token, feed_token = "ovl_" + "A" * 28, "cal_" + "B" * 28
    engine = sa.create_engine(blank.effective_database_url)
    with engine.begin() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM shows WHERE overlay_token IS NULL")) == 0
        conn.execute(
            sa.text("UPDATE shows SET overlay_token = :t WHERE session_id = :s"),
            {"t": overlay_token, "s": session_id},
        )
        conn.execute(
            sa.text("UPDATE creators SET calendar_token = :t WHERE id = :c"),
            {"t": feed_token, "c": creator_id},
        )
    engine.dispose()

    upgrade(blank)
    db = Database(blank)
    with db.reading() as s:
        assert session_for_overlay(s, overlay_token) == session_id
        assert ical.feed_owner(s, feed_token).id == creator_id
        stored = s.execute(sa.text("SELECT overlay_token_hash FROM shows ORDER BY session_id"))
        hashes = [row[0] for row in stored]
        feed_hash = s.scalar(
            sa.text("SELECT calendar_token_hash FROM creators WHERE id = :c"), {"c": creator_id}
        )
    db.dispose()
    assert hashes[0] == hashlib.sha256(overlay_token.encode()).hexdigest()
    assert feed_hash == hashlib.sha256(feed_token.encode()).hexdigest()
    # Nothing readable is left: every value is a 64-digit hex digest.
    assert all(h is not None and len(h) == 64 and int(h, 16) >= 0 for h in hashes)
    assert overlay_token not in hashes and feed_token != feed_hash


def test_0010_makes_a_studio_record_of_every_studio_a_session_names(blank: Settings) -> None:
    """Sessions keep their studio text; each distinct name (spaces and case aside) becomes one
    studio, named as its first session wrote it."""
    from alembic import command
    from alembic.script import ScriptDirectory

    from live.migrate import alembic_config
    from live.studios.service import studio_of

    upgrade(blank)
    db = Database(blank)
    with db.unit_of_work() as s:
        ids = [
            factories.session(s, studio=name, start=factories.T0 + timedelta(days=n)).id
            for n, name in enumerate(("Phòng Đỏ", "phòng  đỏ", "Studio B", "PHÒNG ĐỎ"))
        ]
    db.dispose()
    config = alembic_config(blank.effective_database_url)
    before = ScriptDirectory.from_config(config).get_revision("0010").down_revision
    assert isinstance(before, str)
    command.downgrade(config, before)
    engine = sa.create_engine(blank.effective_database_url)
    with engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
    engine.dispose()
    assert "studios" not in tables

    upgrade(blank)
    db = Database(blank)
    with db.reading() as s:
        rows = s.execute(sa.text("SELECT name, name_key FROM studios ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [("Phòng Đỏ", "phòng đỏ"), ("Studio B", "studio b")]
        kept = s.execute(sa.text("SELECT studio FROM sessions ORDER BY id")).scalars().all()
        assert kept == ["Phòng Đỏ", "phòng  đỏ", "Studio B", "PHÒNG ĐỎ"]
        from live.schedule.models import LiveSession

        found = {studio_of(s, s.get(LiveSession, i)).name for i in ids}  # type: ignore[union-attr,arg-type]
        assert found == {"Phòng Đỏ", "Studio B"}
    db.dispose()
