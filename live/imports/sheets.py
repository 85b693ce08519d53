"""Which sheet holds what: each sheet's kind (named by the caller, by the sheet's name, or
recognised from its headers), where its header row is, and which column is which field."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from live.imports.cells import text
from live.imports.columns import (
    COLUMNS,
    KINDS,
    SHEET_NAMES,
    HeaderMatch,
    kind_of_sheet_name,
    match_headers,
    recognise,
)
from live.imports.problems import ImportFailed, RowError
from live.imports.readers import RawSheet

# Producers put a title or a date above the table; the header is looked for in the first rows.
HEADER_SEARCH_ROWS = 10


@dataclass
class Sheet:
    name: str
    kind: str
    header: HeaderMatch
    header_line: int
    rows: list[Row] = field(default_factory=list)

    def title(self, key: str) -> str:
        if key in self.header.titles:
            return self.header.titles[key]
        return next((c.title for c in COLUMNS[self.kind] if c.key == key), key)


@dataclass
class Row:
    sheet: Sheet
    line: int
    cells: list[Any]
    failed: bool = False
    # Columns already reported, so the schema's checks don't repeat them.
    failed_keys: set[str] = field(default_factory=set)

    def has(self, key: str) -> bool:
        return key in self.sheet.header.positions

    def raw(self, key: str) -> Any:
        index = self.sheet.header.positions.get(key)
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index]

    def text(self, key: str) -> str:
        return text(self.raw(key))


@dataclass
class Plan:
    sheets: list[Sheet]
    skipped: list[dict[str, str]]

    @property
    def total_rows(self) -> int:
        return sum(len(s.rows) for s in self.sheets)


def _missing_message(match: HeaderMatch) -> str:
    names = ", ".join(f"“{c.title}”" for c in match.missing)
    return f"missing column(s) for {match.kind}: {names}"


def _locate(raw: RawSheet, kind: str | None) -> tuple[HeaderMatch | None, int, list[HeaderMatch]]:
    """The header row: the first of the top rows that has every required column."""
    first: list[HeaderMatch] = []
    for line, cells in raw.rows[:HEADER_SEARCH_ROWS]:
        headers = [text(c) for c in cells]
        if kind is not None:
            candidate = match_headers(kind, headers)
            ranked = [candidate]
            match = None if candidate.missing else candidate
        else:
            match, ranked = recognise(headers)
        if not first:
            first = ranked
        if match is not None:
            return match, line, ranked
    return None, raw.rows[0][0] if raw.rows else 1, first


def _sheet(raw: RawSheet, match: HeaderMatch, header_line: int) -> tuple[Sheet, list[RowError]]:
    sheet = Sheet(name=raw.name, kind=match.kind, header=match, header_line=header_line)
    errors = [
        RowError(raw.name, header_line, title, f"the column “{title}” appears twice")
        for title in match.duplicates
    ]
    sheet.rows = [Row(sheet, line, cells) for line, cells in raw.rows if line > header_line]
    return sheet, errors


def plan_sheets(raws: list[RawSheet], kind: str | None) -> Plan:
    """Sheets to import, in dependency order; ImportFailed if a sheet that should be imported
    can't be, or if nothing would be imported at all."""
    sheets: list[Sheet] = []
    skipped: list[dict[str, str]] = []
    errors: list[RowError] = []
    for raw in raws:
        if not raw.rows:
            if not raw.is_csv:
                skipped.append({"sheet": raw.name, "reason": "empty"})
            continue
        named = None if raw.is_csv else kind_of_sheet_name(raw.name)
        if kind is not None and named is not None and named != kind:
            skipped.append({"sheet": raw.name, "reason": f"holds {named}, not {kind}"})
            continue
        hint = named or kind
        match, line, ranked = _locate(raw, hint)
        if match is not None:
            sheet, duplicates = _sheet(raw, match, line)
            sheets.append(sheet)
            errors += duplicates
            continue
        closest = ranked[0] if ranked else None
        # A sheet nobody asked for, sharing at most one header with any kind, is something
        # else (instructions, a price list): skip it and say so. Anything closer is a table
        # with a column misnamed, and skipping it would silently drop a kind from the import.
        if not raw.is_csv and named is None and (closest is None or closest.score <= 1):
            reason = "not recognised: name the sheet " + ", ".join(
                f"“{SHEET_NAMES[k][0]}”" for k in KINDS
            )
            skipped.append({"sheet": raw.name, "reason": reason})
            continue
        if closest is None or closest.score == 0:
            message = (
                "no known column headers in the first rows; see docs/imports.md for each kind's"
                " columns (e.g. “Mã SP”, “Tên sản phẩm” for products)"
            )
        elif hint is None and not closest.missing:
            message = "the headers fit more than one kind of sheet; name the sheet or give the kind"
        elif hint is None:
            message = (
                f"can't tell what this sheet holds; closest is {closest.kind}, "
                + _missing_message(closest)
            )
        else:
            message = _missing_message(closest)
        errors.append(RowError(raw.name, line, "", message))
    if errors:
        raise ImportFailed(errors)
    if not sheets:
        names = "; ".join(f"{s['sheet']}: {s['reason']}" for s in skipped) or "no rows"
        raise ImportFailed([RowError("", 0, "", f"nothing to import ({names})")])
    sheets.sort(key=lambda s: KINDS.index(s.kind))
    return Plan(sheets=sheets, skipped=skipped)
