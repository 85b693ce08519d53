"""Jobs queued before an upgrade name the jobs' old paths under `workers/`: they still run."""

from __future__ import annotations

from rq.utils import import_attribute

from live.imports.tasks import import_failed, run_import
from live.sales.tasks import drain_inbox


def test_a_drain_queued_under_its_old_path_finds_the_job() -> None:
    assert import_attribute("workers.orders.drain_inbox") is drain_inbox


def test_an_import_queued_under_its_old_path_finds_the_job_and_its_failure_callback() -> None:
    assert import_attribute("workers.imports.run_import") is run_import
    assert import_attribute("workers.imports.import_failed") is import_failed


def test_new_jobs_are_queued_under_their_areas_paths() -> None:
    from live.imports import service

    assert import_attribute(service.JOB) is run_import
    assert import_attribute(service.ON_FAILURE) is import_failed
    assert f"{drain_inbox.__module__}.{drain_inbox.__qualname__}" == "live.sales.tasks.drain_inbox"
