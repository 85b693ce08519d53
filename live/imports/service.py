"""Importing a spreadsheet: read it, check every row through the catalog and schedule services,
and write all of it or nothing.

Two ways in: `run_file_import` runs in the caller's process (the CLI); `create_import` stores
the file as an ImportJob and queues it for a worker (the API), which calls `run_stored_import`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from live.api.crud import get_or_404, paginate
from live.api.fields import Page
from live.db import Database, utcnow
from live.errors import DomainError, ServiceUnavailable, ValidationFailed
from live.imports.catalog_rows import import_creators, import_products, import_suppliers
from live.imports.columns import KINDS, parse_kind
from live.imports.importer import Importer, Progress
from live.imports.models import ImportJob, ImportStatus
from live.imports.problems import ImportFailed
from live.imports.progress import read_progress, reporter, write_progress
from live.imports.readers import read_file
from live.imports.schedule_rows import import_segments, import_sessions
from live.imports.schemas import ImportBrief, ImportOut
from live.imports.sheets import Plan, Sheet, plan_sheets
from live.queueing import IMPORTS

log = logging.getLogger("sieulive.imports")

# Enqueued by name: the job module (tasks.py) runs this service's functions, so importing it
# here would go in a circle.
QUEUE = IMPORTS
JOB = "live.imports.tasks.run_import"
ON_FAILURE = "live.imports.tasks.import_failed"
# A workbook of a whole campaign takes seconds; an hour only stops a stuck job.
JOB_TIMEOUT_SECONDS = 3600

SHEET_IMPORTERS: dict[str, Callable[[Importer, Sheet], None]] = {
    "suppliers": import_suppliers,
    "products": import_products,
    "creators": import_creators,
    "sessions": import_sessions,
}


def read_kind(kind: str | None) -> str | None:
    if kind is None or not kind.strip():
        return None
    found = parse_kind(kind)
    if found is None:
        raise ValidationFailed.one("kind", f"unknown kind {kind!r}: one of {', '.join(KINDS)}")
    return found


def prepare(filename: str, content: bytes, kind: str | None) -> Plan:
    """The sheets to import, or ImportFailed when the file can't be read as one."""
    return plan_sheets(read_file(filename, content), read_kind(kind))


def apply_plan(
    db: Database, plan: Plan, *, reviewer: str = "", progress: Progress | None = None
) -> dict[str, Any]:
    """Every row checked and written in one transaction, rolled back if any row is bad."""
    with db.unit_of_work() as session:
        imp = Importer(session, reviewer=reviewer, total=plan.total_rows, progress=progress)
        imp.advance(0)
        for kind in KINDS:
            sheets = [s for s in plan.sheets if s.kind == kind]
            if kind == "segments":
                # A session's run-of-show is written whole, so its rows are gathered first.
                import_segments(imp, sheets)
                continue
            for sheet in sheets:
                SHEET_IMPORTERS[kind](imp, sheet)
        if imp.errors:
            order = {s.name: i for i, s in enumerate(plan.sheets)}
            errors = sorted(imp.errors, key=lambda e: (order.get(e.sheet, -1), e.line))
            raise ImportFailed(errors)
        return _summary(plan, imp)


def _summary(plan: Plan, imp: Importer) -> dict[str, Any]:
    return {
        "rows": plan.total_rows,
        "counts": imp.counts,
        "sheets": [
            {
                "sheet": s.name,
                "kind": s.kind,
                "header_line": s.header_line,
                "rows": len(s.rows),
                "ignored_columns": s.header.ignored,
            }
            for s in plan.sheets
        ],
        "skipped_sheets": plan.skipped,
        "warnings": imp.warnings,
    }


def run_file_import(
    db: Database,
    filename: str,
    content: bytes,
    *,
    kind: str | None = None,
    progress: Progress | None = None,
    created_by: str = "",
) -> dict[str, Any]:
    """Import a file here and now; ImportFailed (422, every bad row) when nothing was written."""
    plan = prepare(filename, content, kind)
    return apply_plan(db, plan, reviewer=created_by, progress=progress)


# Stored jobs, run by a worker


def create_import(
    db: Database,
    redis: Redis,
    *,
    filename: str,
    content: bytes,
    kind: str | None,
    created_by: str,
) -> ImportOut:
    """Store the file and queue it. A file that can't be read at all is refused at once."""
    plan = prepare(filename, content, kind)
    with db.unit_of_work() as session:
        job = ImportJob(
            filename=filename[:300],
            kind=read_kind(kind),
            status=ImportStatus.queued,
            total_rows=plan.total_rows,
            processed_rows=0,
            errors=[],
            content=content,
            created_by=created_by[:200],
        )
        session.add(job)
        session.flush()
    try:
        from rq import Callback, Queue, Retry

        Queue(QUEUE, connection=redis).enqueue(
            JOB,
            job.id,
            job_id=f"import-{job.id}",
            job_timeout=JOB_TIMEOUT_SECONDS,
            description=f"import {job.filename}",
            # A worker killed mid-import: RQ finds the job abandoned and runs it once more
            # (its transaction rolled back, so it starts clean); after that, or on any other
            # failure, the callback marks the import failed instead of "running" for ever.
            retry=Retry(max=1),
            on_failure=Callback(ON_FAILURE),
        )
    except Exception as exc:  # Redis down or refusing: the job must not sit "queued" forever
        log.exception("could not queue import %s", job.id)
        _finish(db, job.id, ImportStatus.failed, errors=[_stopped("the queue is unavailable")])
        raise ServiceUnavailable("the import queue is unavailable; try again") from exc
    return import_out(job, redis)


def _stopped(reason: str) -> dict[str, Any]:
    return {"sheet": "", "line": 0, "field": "", "message": f"{reason}; nothing was imported"}


def run_stored_import(db: Database, redis: Redis, import_id: int) -> dict[str, Any] | None:
    """Run a queued import. Queues deliver at least once: a finished job is left alone, and a
    job cut short (its worker killed) is simply run again, its transaction having rolled back."""
    with db.unit_of_work() as session:
        job = session.get(ImportJob, import_id)
        if job is None or job.status in (ImportStatus.succeeded, ImportStatus.failed):
            return None
        job.status = ImportStatus.running
        job.started_at = utcnow()
        job.processed_rows = 0
        filename, kind, content = job.filename, job.kind, job.content
        created_by, total = job.created_by, job.total_rows
    write_progress(redis, import_id, 0)
    report = reporter(redis, import_id)
    done = 0

    def progress(n: int, of: int) -> None:
        nonlocal done
        done = n
        report(n, of)

    try:
        summary = run_file_import(
            db, filename, content, kind=kind, progress=progress, created_by=created_by
        )
    except DomainError as exc:
        errors = exc.details.get("errors") or [_stopped(exc.message)]
        _finish(db, import_id, ImportStatus.failed, errors=errors, processed=done)
        return {"status": ImportStatus.failed.value, "errors": len(errors)}
    except Exception:
        _finish(
            db, import_id, ImportStatus.failed, errors=[_stopped("an internal error stopped it")]
        )
        raise
    _finish(db, import_id, ImportStatus.succeeded, summary=summary, processed=total)
    return {"status": ImportStatus.succeeded.value, "summary": summary}


def mark_abandoned(db: Database, import_id: int, will_retry: bool) -> None:
    """The import's job failed outside the import's own handling (its worker was killed, or
    timed out): queued again if RQ will retry it, else failed, saying so."""
    with db.unit_of_work() as session:
        job = session.get(ImportJob, import_id)
        if job is None or job.status in (ImportStatus.succeeded, ImportStatus.failed):
            return
        if will_retry:
            job.status = ImportStatus.queued
            return
    _finish(db, import_id, ImportStatus.failed, errors=[_stopped("the worker running it stopped")])


def _finish(
    db: Database,
    import_id: int,
    status: ImportStatus,
    *,
    errors: list[dict[str, Any]] | None = None,
    summary: dict[str, Any] | None = None,
    processed: int = 0,
) -> None:
    with db.unit_of_work() as session:
        job = session.get(ImportJob, import_id)
        if job is None:
            return
        job.status = status
        job.errors = errors or []
        job.summary = summary
        job.processed_rows = processed
        job.finished_at = utcnow()


# Reading jobs


def _progress(job: ImportJob, redis: Redis) -> int:
    processed = job.processed_rows
    if job.status is ImportStatus.running:
        try:
            processed = read_progress(redis, job.id) or processed
        except Exception:  # progress is a nicety; the job's own row still answers
            log.warning("no progress for import %s: Redis unavailable", job.id)
    return processed


def import_brief(job: ImportJob, redis: Redis) -> ImportBrief:
    live = {"processed_rows": _progress(job, redis)}
    return ImportBrief.model_validate(job).model_copy(update=live)


def import_out(job: ImportJob, redis: Redis) -> ImportOut:
    live = {"processed_rows": _progress(job, redis)}
    return ImportOut.model_validate(job).model_copy(update=live)


def get_import(session: Session, redis: Redis, import_id: int) -> ImportOut:
    return import_out(get_or_404(session, ImportJob, import_id, "import"), redis)


def list_imports(session: Session, redis: Redis, page: Page) -> tuple[list[ImportBrief], int]:
    rows, total = paginate(session, select(ImportJob).order_by(ImportJob.id.desc()), page)
    return [import_brief(r, redis) for r in rows], total
