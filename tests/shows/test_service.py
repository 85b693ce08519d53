"""The show row of a session is made on first use, by whichever process or thread gets there
first: web processes answering GET …/show and commands, their background ticks, the hub's
state loader. Two at once must end with one row, and neither may fail."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from live.db import Database
from live.errors import NotFound
from live.shows.models import Show
from live.shows.service import current_state, ensure_show
from tests.conftest import PG_URL


def shows(db: Database, session_id: int) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).where(Show.session_id == session_id)) or 0


def at_once(n: int, work: Callable[[], Any]) -> list[Any]:
    """`work` in `n` threads released together; what each returned or raised."""
    start = threading.Barrier(n)

    def run() -> Any:
        start.wait(timeout=30)
        try:
            return work()
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda _: run(), range(n)))


@pytest.fixture
def both_insert() -> Any:
    """Hold each thread's INSERT of a show until `n` threads have all found none and are
    inserting: the race between processes, every time rather than now and then. Only
    PostgreSQL lets two writers get that far (SQLite takes the write lock at BEGIN)."""
    gate: dict[str, threading.Barrier] = {}

    def hold(session: Session, _context: Any, _instances: Any) -> None:
        if "barrier" in gate and any(isinstance(o, Show) for o in session.new):
            gate["barrier"].wait(timeout=30)

    event.listen(Session, "before_flush", hold)
    yield gate
    event.remove(Session, "before_flush", hold)


@pytest.mark.skipif(not PG_URL, reason="two writers at once: PostgreSQL (SQLite serialises them)")
def test_two_connections_creating_the_same_show_at_once_on_postgresql(
    db: Database, show_session: dict[str, Any], both_insert: dict[str, Any]
) -> None:
    sid = show_session["id"]
    both_insert["barrier"] = threading.Barrier(2)

    def first_use() -> tuple[int, int]:
        with db.unit_of_work() as s:
            show = ensure_show(s, sid, lock=True)
            return show.session_id, show.revision

    failed: list[str] = []
    event.listen(db.engine, "handle_error", lambda ctx: failed.append(str(ctx.original_exception)))
    assert at_once(2, first_use) == [(sid, 0), (sid, 0)]
    assert shows(db, sid) == 1
    # The race did happen: the second insert failed on the key, and was recovered from.
    assert len(failed) == 1 and "pk_shows" in failed[0], failed


def test_many_first_uses_at_once_make_one_row(db: Database, show_session: dict[str, Any]) -> None:
    """Each thread its own connection and transaction, as separate processes have."""
    sid = show_session["id"]

    def first_use() -> int:
        with db.unit_of_work() as s:
            return int(current_state(s, sid)["show"]["revision"])

    assert at_once(6, first_use) == [0] * 6
    assert shows(db, sid) == 1


def test_the_row_another_process_made_meanwhile_is_used(
    db: Database, show_session: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The path the race takes, on either database: the row appears between the look-up and
    the insert; the insert fails on the unique key, and the row that is there is used."""
    sid = show_session["id"]
    with db.unit_of_work() as s:
        s.execute(insert(Show).values(session_id=sid, revision=7))
        looked_up = {"n": 0}
        real_scalar = s.scalar

        def stale_first_look(stmt: Any, *args: Any, **kw: Any) -> Any:
            looked_up["n"] += 1
            return None if looked_up["n"] == 1 else real_scalar(stmt, *args, **kw)

        monkeypatch.setattr(s, "scalar", stale_first_look)
        show = ensure_show(s, sid, lock=True)
        assert (show.session_id, show.revision) == (sid, 7)
        monkeypatch.undo()
        # The transaction goes on: the failed insert was rolled back to its savepoint only.
        assert current_state(s, sid)["show"]["revision"] == 7
    assert shows(db, sid) == 1


def test_a_session_gone_meanwhile_is_a_404_not_a_crash(db: Database) -> None:
    """The callers check the session exists; deleted in between, the insert fails on its
    foreign key and nothing is there to use."""
    with db.unit_of_work() as s, pytest.raises(NotFound) as exc:
        ensure_show(s, 999_999)
    assert exc.value.details == {"resource": "session", "id": 999_999}


def test_concurrent_first_requests_never_500(
    producer: TestClient,
    db: Database,
    show_session: dict[str, Any],
    both_insert: dict[str, Any],
) -> None:
    """The first GET …/show, the console's first command and the overlay URL at once: all
    answer, each as it would alone (a stale revision is a 409, never a 500)."""
    sid = show_session["id"]
    if PG_URL:
        both_insert["barrier"] = threading.Barrier(3)
    calls = [
        lambda: producer.get(f"/api/sessions/{sid}/show"),
        lambda: producer.post(
            f"/api/sessions/{sid}/show/commands",
            json={"command": "go_live", "revision": 0, "command_id": "first"},
        ),
        lambda: producer.post(f"/api/sessions/{sid}/show/overlay-token"),
    ]
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        start.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        answers = list(pool.map(run, calls))
    assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
    assert shows(db, sid) == 1
    state = producer.get(f"/api/sessions/{sid}/show").json()
    assert state["show"]["revision"] == 1 and state["overlay_url_issued"] is True
