"""Import tests: a campaign to import sessions into, and helpers to run an import."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from live.catalog.models import Certification, Creator, Product, Supplier
from live.db import Database
from live.imports.problems import ImportFailed
from live.imports.service import run_file_import
from live.schedule.models import Campaign, LiveSession, Segment, session_cohosts
from tests import factories
from tests.imports.lineup import CAMPAIGN

COUNTED = {
    "suppliers": Supplier,
    "products": Product,
    "certifications": Certification,
    "creators": Creator,
    "sessions": LiveSession,
    "segments": Segment,
}


@pytest.fixture
def campaign(db: Database) -> int:
    with db.unit_of_work() as s:
        return factories.campaign(s, name=CAMPAIGN).id


def run(db: Database, filename: str, content: bytes, kind: str | None = None) -> dict[str, Any]:
    return run_file_import(db, filename, content, kind=kind)


def refused(
    db: Database, filename: str, content: bytes, kind: str | None = None
) -> list[dict[str, Any]]:
    """The import's errors; it must be refused and leave every table as it was."""
    before = counts(db)
    with pytest.raises(ImportFailed) as caught:
        run_file_import(db, filename, content, kind=kind)
    assert counts(db) == before, "a refused import wrote something"
    assert caught.value.status_code == 422
    assert caught.value.code == "import_failed"
    errors: list[dict[str, Any]] = caught.value.details["errors"]
    assert errors
    return errors


def counts(db: Database) -> dict[str, int]:
    with db.reading() as s:
        result = {
            name: s.scalar(select(func.count()).select_from(model)) or 0
            for name, model in COUNTED.items()
        }
        result["cohosts"] = s.scalar(select(func.count()).select_from(session_cohosts)) or 0
        result["campaigns"] = s.scalar(select(func.count()).select_from(Campaign)) or 0
        return result


def where(errors: list[dict[str, Any]]) -> set[tuple[str, int, str]]:
    """(sheet, line, field) of each error, to compare at a glance."""
    return {(e["sheet"], e["line"], e["field"]) for e in errors}


def fetch(db: Database, stmt: Any) -> list[Any]:
    """Rows loaded and detached, so tests read them after the session is gone (eager-load any
    relationship the test looks at)."""
    with db.reading() as s:
        rows = list(s.scalars(stmt).unique())
        s.expunge_all()
        return rows
