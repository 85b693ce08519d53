"""Database engine, declarative base and the unit-of-work helper.

Services own transactions: `with unit_of_work() as db:` commits once at the end, and events
queued on it are published only after that commit succeeds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from live.settings import Settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and come back timezone-aware on SQLite and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Execution option marking a connection whose transaction will write (see `unit_of_work`).
WRITE_OPTION = "sieulive_writes"


def utcnow() -> datetime:
    return datetime.now(UTC)


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def make_engine(settings: Settings) -> Engine:
    url = settings.effective_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, echo=settings.sql_echo, connect_args={"check_same_thread": False, "timeout": 30}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # pysqlite emits BEGIN only before its first INSERT/UPDATE, so a SAVEPOINT that came
            # first opened a transaction of its own and its RELEASE committed: a later rollback
            # left half the work written. SQLAlchemy's recipe: pysqlite stays out of it and
            # BEGIN is emitted below.
            dbapi_conn.isolation_level = None
            # SQLite's lower() knows only ASCII; PostgreSQL's lowers "Phòng ĐỎ" whole. Same on both.
            dbapi_conn.create_function("lower", 1, _unicode_lower, deterministic=True)
            # WAL lets the web process read while a worker writes; FKs are off by default.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL keeps the database consistent on a crash and skips an fsync
            # per commit; only a power cut can lose the last commits (production: PostgreSQL).
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # A unit of work takes the write lock up front (waiting out the busy timeout), so
            # writers are serialised and never fail on a read snapshot gone stale.
            immediate = conn.get_execution_options().get(WRITE_OPTION)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(
        url, echo=settings.sql_echo, pool_size=10, max_overflow=20, pool_pre_ping=True
    )


class Database:
    """The engine and session factory of one process, plus after-commit hooks."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = make_engine(settings)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction; callbacks registered with `after_commit` run once it committed."""
        db = self.sessions()
        db.info["after_commit"] = []
        try:
            db.connection(execution_options={WRITE_OPTION: True})
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise
        finally:
            callbacks: list[Callable[[], None]] = db.info.pop("after_commit", [])
            committed = not db.in_transaction()
            db.close()
        if committed:
            for callback in callbacks:
                callback()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        db = self.sessions()
        try:
            yield db
        finally:
            db.rollback()
            db.close()

    def dispose(self) -> None:
        self.engine.dispose()


def after_commit(db: Session, callback: Callable[[], None]) -> None:
    """Run `callback` after the surrounding unit of work commits (never on rollback)."""
    db.info.setdefault("after_commit", []).append(callback)
