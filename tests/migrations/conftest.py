"""A database of its own for each migration test, empty, on SQLite or PostgreSQL (as the
suite runs): the test upgrades it to the revision before the one it checks, writes the rows
that revision knew, and upgrades on."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from live.settings import Settings, _normalise_db_url
from tests.conftest import PG_URL


@pytest.fixture
def blank(tmp_path: Path) -> Iterator[Settings]:
    if not PG_URL:
        yield Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'm.sqlite3'}")
        return
    schema = f"migration_{os.getpid()}"
    base = _normalise_db_url(PG_URL)
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    yield Settings(data_dir=tmp_path, database_url=f"{base}{sep}options=-csearch_path%3D{schema}")
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    engine.dispose()
