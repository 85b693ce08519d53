"""Import request and response shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from live.api.fields import Line40, Line300, Schema
from live.imports.models import ImportStatus


class ImportQuery(Schema):
    kind: Line40 | None = Field(
        None,
        description="suppliers, products, creators, sessions or segments (or their Vietnamese"
        " sheet names); recognised from sheet names and headers when left out",
    )
    filename: Line300 | None = Field(
        None, description="the file's name, when the body is the raw file rather than a form"
    )


class ImportError_(BaseModel):
    sheet: str
    line: int = Field(description="the spreadsheet's row number (the header is 1); 0: the file")
    field: str
    message: str


class ImportBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    kind: str | None
    status: ImportStatus
    total_rows: int
    processed_rows: int
    error_count: int
    summary: dict[str, Any] | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ImportOut(ImportBrief):
    errors: Annotated[list[ImportError_], BeforeValidator(lambda v: v or [])]
