"""An import job: the uploaded file, its status and progress, and what came of it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from live.db import Base, UTCDateTime, utcnow


class ImportStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class ImportJob(Base):
    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(300))
    # The kind the caller named (CSV); None when it is recognised from sheet names and headers.
    kind: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[ImportStatus] = mapped_column(
        Enum(ImportStatus, native_enum=False, length=16), default=ImportStatus.queued
    )
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    # [{"sheet", "line", "field", "message"}] when the import was refused.
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The file itself, so the worker (another process, maybe another machine) can read it;
    # deferred so listing jobs never loads megabytes of spreadsheets.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def error_count(self) -> int:
        return len(self.errors or [])
