"""POST /api/imports queues the file; a worker (RQ, real Redis) imports it; GET follows it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis
from rq import Queue, SimpleWorker
from sqlalchemy import func, select
from starlette.testclient import TestClient

from live.app import create_app
from live.db import Database
from live.imports import service
from live.imports.models import ImportJob
from live.imports.tasks import run_import
from live.queueing import QUEUES
from live.settings import Settings
from tests.conftest import auth
from tests.imports.conftest import counts
from tests.imports.lineup import SHEETS, SUPPLIERS, csv_bytes, xlsx_bytes

FILES = Path(__file__).parent / "files"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def work(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Run the queued imports in this process, as `sieulive worker` would: the job reads the
    same settings from the environment."""
    assert settings.database_url and settings.redis_url
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)

    def run() -> None:
        connection = redis.Redis.from_url(settings.redis_url or "")
        try:
            queue = Queue(service.QUEUE, connection=connection)
            SimpleWorker([queue], connection=connection).work(burst=True)
        finally:
            connection.close()

    return run


def upload(client: TestClient, name: str, content: bytes, **form: str) -> Any:
    return client.post("/api/imports", files={"file": (name, content, XLSX)}, data=form)


def imports_stored(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(ImportJob)) or 0


def test_an_uploaded_workbook_is_queued_then_imported(
    producer: TestClient, db: Database, campaign: int, work: Callable[[], None]
) -> None:
    response = upload(producer, "lineup.xlsx", xlsx_bytes(SHEETS))
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["location"] == f"/api/imports/{job['id']}"
    assert (job["status"], job["total_rows"], job["processed_rows"]) == ("queued", 15, 0)
    assert job["filename"] == "lineup.xlsx" and job["created_by"] == "test producer"
    assert counts(db)["sessions"] == 0

    work()

    done = producer.get(response.headers["location"]).json()
    assert done["status"] == "succeeded"
    assert done["processed_rows"] == done["total_rows"] == 15
    assert done["errors"] == [] and done["error_count"] == 0
    assert done["summary"]["counts"]["sessions"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert done["started_at"] and done["finished_at"]
    assert counts(db)["sessions"] == 2 and counts(db)["segments"] == 5


def test_progress_is_visible_while_the_worker_imports(
    producer: TestClient,
    campaign: int,
    work: Callable[[], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = upload(producer, "lineup.xlsx", xlsx_bytes(SHEETS)).json()
    seen: list[dict[str, Any]] = []
    real_reporter = service.reporter

    def watching_reporter(redis_client: Any, import_id: int, steps: int = 100) -> Any:
        report = real_reporter(redis_client, import_id, steps)

        def report_and_look(done: int, total: int) -> None:
            report(done, total)
            # A producer's page polling the job while the rows are being written.
            seen.append(producer.get(f"/api/imports/{import_id}").json())

        return report_and_look

    monkeypatch.setattr(service, "reporter", watching_reporter)
    work()
    running = [s for s in seen if s["status"] == "running"]
    assert running, "the job was never seen running"
    progress = [s["processed_rows"] for s in running]
    assert progress == sorted(progress)
    assert any(0 < p < job["total_rows"] for p in progress)
    assert progress[-1] == job["total_rows"]
    assert producer.get(f"/api/imports/{job['id']}").json()["status"] == "succeeded"


def test_bad_rows_fail_the_job_with_every_error_and_write_nothing(
    producer: TestClient, db: Database, work: Callable[[], None]
) -> None:
    producer.post(
        "/api/imports",
        files={"file": ("ncc.csv", csv_bytes(SUPPLIERS), "text/csv")},
    )
    work()
    before = counts(db)
    response = producer.post(
        "/api/imports",
        files={"file": ("sp.csv", (FILES / "products-bad-rows.csv").read_bytes(), "text/csv")},
        data={"kind": "products"},
    )
    assert response.status_code == 202
    work()
    job = producer.get(response.headers["location"]).json()
    assert job["status"] == "failed" and job["kind"] == "products"
    assert job["error_count"] == 7
    assert {e["line"] for e in job["errors"]} == {3, 4, 5, 6, 7, 8, 9}
    assert job["processed_rows"] == job["total_rows"] == 8
    assert job["summary"] is None
    assert counts(db) == before


def test_a_file_that_cant_be_read_is_refused_at_once(producer: TestClient, db: Database) -> None:
    for name in ("photo.png", "lineup-truncated.xlsx", "products-windows-1258.csv"):
        response = producer.post(
            "/api/imports", files={"file": (name, (FILES / name).read_bytes(), "text/csv")}
        )
        assert response.status_code == 422, name
        error = response.json()["error"]
        assert error["code"] == "import_failed"
        assert error["details"]["errors"][0]["message"]
    assert imports_stored(db) == 0


def test_a_raw_body_with_the_filename_in_the_query(
    producer: TestClient, db: Database, work: Callable[[], None]
) -> None:
    before = counts(db)["suppliers"]
    response = producer.post(
        "/api/imports?kind=suppliers&filename=ncc.csv",
        content=(FILES / "suppliers-excel-vn.csv").read_bytes(),
        headers={"content-type": "text/csv"},
    )
    assert response.status_code == 202, response.text
    assert response.json()["filename"] == "ncc.csv"
    work()
    assert producer.get(response.headers["location"]).json()["status"] == "succeeded"
    assert counts(db)["suppliers"] == before + 2


def test_a_form_without_the_file_field(producer: TestClient) -> None:
    response = producer.post("/api/imports", files={"tep": ("x.csv", b"a;b\n", "text/csv")})
    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"][0]["field"] == "file"


def test_a_malformed_multipart_body(producer: TestClient) -> None:
    response = producer.post(
        "/api/imports",
        content=b"--x\r\nnot headers at all",
        headers={"content-type": "multipart/form-data"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_upload"


def test_an_unknown_kind(producer: TestClient) -> None:
    response = upload(producer, "x.csv", csv_bytes(SUPPLIERS), kind="orders")
    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"][0]["field"] == "kind"


def test_an_oversized_upload_is_413(settings: Settings, tokens: dict[str, str]) -> None:
    app = create_app(settings.with_overrides(max_upload_bytes=2_000))
    with TestClient(app) as client:
        big = csv_bytes([*SUPPLIERS] * 40)
        assert len(big) > 2_000
        response = client.post(
            "/api/imports",
            files={"file": ("ncc.csv", big, "text/csv")},
            headers=auth(tokens["producer"]),
        )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_listing_imports_newest_first(producer: TestClient) -> None:
    first = upload(producer, "a.csv", csv_bytes(SUPPLIERS)).json()
    second = upload(producer, "b.csv", csv_bytes(SUPPLIERS)).json()
    listing = producer.get("/api/imports?limit=10").json()
    assert [i["id"] for i in listing["items"]] == [second["id"], first["id"]]
    assert listing["total"] == 2
    assert "errors" not in listing["items"][0]
    assert producer.get("/api/imports/999999").status_code == 404


def test_redis_down_refuses_the_upload_and_fails_the_job(
    producer: TestClient, db: Database
) -> None:
    app: Any = producer.app
    working = app.state.redis
    app.state.redis = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=1)
    try:
        response = upload(producer, "ncc.csv", csv_bytes(SUPPLIERS))
    finally:
        app.state.redis.close()
        app.state.redis = working
    assert response.status_code == 503
    (job,) = producer.get("/api/imports").json()["items"]
    assert job["status"] == "failed" and job["error_count"] == 1


def test_a_job_delivered_twice_runs_once(
    producer: TestClient, db: Database, work: Callable[[], None]
) -> None:
    job = upload(producer, "ncc.csv", csv_bytes(SUPPLIERS)).json()
    work()
    imported = counts(db)
    assert run_import(job["id"]) is None  # finished: left alone
    assert counts(db) == imported
    assert run_import(987654) is None  # no such job


def test_workers_listen_on_the_imports_queue() -> None:
    assert service.QUEUE in QUEUES


def test_the_uploaded_filename_is_kept_without_its_folder(producer: TestClient) -> None:
    job = upload(producer, "C:\\Users\\Hoa\\Nhà cung cấp.csv", csv_bytes(SUPPLIERS)).json()
    assert job["filename"] == "Nhà cung cấp.csv"


def test_an_import_whose_worker_died_runs_again_then_fails_instead_of_running_for_ever(
    producer: TestClient, db: Database, campaign: int, work: Callable[[], None]
) -> None:
    """A worker killed mid-import leaves its RQ job abandoned; RQ's registry cleanup calls the
    job's failure callback, then retries it while it has retries left."""
    from rq.exceptions import AbandonedJobError
    from rq.job import Job

    from live.imports.models import ImportStatus
    from live.imports.tasks import import_failed

    job = upload(producer, "lineup.xlsx", xlsx_bytes(SHEETS)).json()
    connection = producer.app.state.redis  # type: ignore[attr-defined]
    rq_job = Job.fetch(f"import-{job['id']}", connection=connection)
    assert rq_job.retries_left == 1
    assert rq_job.failure_callback is import_failed
    with db.unit_of_work() as s:
        s.get(ImportJob, job["id"]).status = ImportStatus.running  # the worker had started

    def abandoned() -> dict[str, Any]:
        import_failed(rq_job, connection, AbandonedJobError, AbandonedJobError(), None)
        return producer.get(f"/api/imports/{job['id']}").json()

    assert abandoned()["status"] == "queued", "RQ runs it once more"
    rq_job.retries_left = 0
    failed = abandoned()
    assert failed["status"] == "failed"
    assert failed["errors"][0]["message"] == "the worker running it stopped; nothing was imported"
    assert counts(db)["sessions"] == 0
    # Run to the end by a late worker, a failed import stays failed: nothing half-imported.
    work()
    assert producer.get(f"/api/imports/{job['id']}").json()["status"] == "failed"
    assert counts(db)["sessions"] == 0
