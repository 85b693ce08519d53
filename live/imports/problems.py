"""What goes wrong in an import, said the way the producer sees the spreadsheet: which sheet,
which line (the header is line 1), which column, and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from live.errors import DomainError

# Line 0 is the file as a whole (not a spreadsheet, unreadable encoding).
WHOLE_FILE = 0


@dataclass(frozen=True)
class RowError:
    sheet: str
    line: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class ImportFailed(DomainError):
    """The import was refused and nothing was written; details = {"errors": [RowError...]}."""

    status_code = 422
    code = "import_failed"

    def __init__(self, errors: list[RowError], message: str | None = None) -> None:
        self.errors = errors
        lines = {(e.sheet, e.line) for e in errors}
        first = errors[0] if errors else None
        summary = message or (
            f"nothing was imported: {len(errors)} problem(s) on {len(lines)} line(s)"
            + (f"; first: {_where(first)}: {first.message}" if first else "")
        )
        super().__init__(summary, details={"errors": [e.as_dict() for e in errors]})


def _where(e: RowError) -> str:
    place = f"{e.sheet} " if e.sheet else ""
    return f"{place}line {e.line}" if e.line else (e.sheet or "the file")


def file_error(message: str, sheet: str = "", field: str = "") -> ImportFailed:
    return ImportFailed([RowError(sheet, WHOLE_FILE, field, message)])
