"""The import job's old paths. Jobs enqueued before the import job moved to
`live/imports/tasks.py` name `workers.imports.run_import` (and its failure callback); RQ finds
them here after an upgrade."""

from __future__ import annotations

from live.imports.tasks import import_failed, run_import

__all__ = ["import_failed", "run_import"]
