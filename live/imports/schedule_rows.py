"""Sessions and run-of-show rows, written through the schedule service so every scheduling rule
applies: a conflict the API would refuse with 409 is an error on the row that causes it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from live.api.fields import as_utc
from live.errors import DomainError, ValidationFailed
from live.imports import cells
from live.imports.importer import RULE_COLUMNS, Importer, name_key
from live.imports.sheets import Row, Sheet
from live.schedule import service as schedule
from live.schedule.models import Campaign, LiveSession, Segment, SegmentKind, SessionStatus
from live.schedule.schemas import SegmentIn, SessionIn

SESSION_FIELDS = {
    **{f: f for f in SessionIn.model_fields},
    "campaign_id": "campaign",
    "host_creator_id": "host",
    "cohost_ids": "cohosts",
    "scheduled_start": "start",
    "scheduled_end": "end",
}
SEGMENT_FIELDS = {
    **{f: f for f in SegmentIn.model_fields},
    "planned_seconds": "minutes",
    "product_id": "sku",
}
SEGMENT_VALUES = ("kind", "title", "planned_seconds", "product_id", "flash_price", "flash_quantity")


# Sessions


def session_snapshot(s: LiveSession) -> dict[str, Any]:
    return {
        "campaign_id": s.campaign_id,
        "code": s.code,
        "title": s.title,
        "host_creator_id": s.host_creator_id,
        "cohost_ids": sorted(c.id for c in s.cohosts),
        "platform": s.platform,
        "channel": s.channel,
        "studio": s.studio,
        "scheduled_start": s.scheduled_start,
        "scheduled_end": s.scheduled_end,
        "status": s.status,
        "notes": s.notes,
    }


def import_sessions(imp: Importer, sheet: Sheet) -> None:
    for row in sheet.rows:
        _session_row(imp, row)
        imp.advance()


def _campaign(imp: Importer, value: Any) -> Campaign:
    if cells.is_blank(value):
        if len(imp.campaigns) == 1:
            return imp.campaigns[0]
        raise cells.CellError(
            "name the campaign (its id or name)"
            if imp.campaigns
            else "there is no campaign yet: create it first"
        )
    ref = cells.text(value)
    if ref.isdigit():
        found = [c for c in imp.campaigns if c.id == int(ref)]
    else:
        found = [c for c in imp.campaigns if name_key(c.name) == name_key(ref)]
    if len(found) != 1:
        problem = "unknown" if not found else "ambiguous"
        raise cells.CellError(f"{problem} campaign {ref!r}: give its id or exact name")
    return found[0]


def _session_row(imp: Importer, row: Row) -> None:
    imp.require(row, "code", "title", "host", "platform", "channel", "studio", "start", "end")
    code = row.text("code")
    identity = ("session", code)
    if code and not imp.claim(row, identity, f"the session code {code!r}", "code"):
        return
    existing = imp.sessions.get(code)
    campaign = imp.check(row, "campaign", _campaign, imp, row.raw("campaign"))
    data = session_snapshot(existing) if existing else {}
    data.update(code=code, title=row.text("title"), channel=row.text("channel"))
    data.update(studio=row.text("studio"))
    data["campaign_id"] = campaign.id if campaign else None
    if not cells.is_blank(row.raw("host")):
        host = imp.check(row, "host", imp.creator_by_name, row.text("host"))
        data["host_creator_id"] = host.id if host else None
    if row.has("cohosts"):
        names = cells.names(row.raw("cohosts"))
        cohosts = [imp.check(row, "cohosts", imp.creator_by_name, n) for n in names]
        data["cohost_ids"] = sorted({c.id for c in cohosts if c is not None})
    if not cells.is_blank(row.raw("platform")):
        data["platform"] = imp.read(row, "platform", cells.platform)
    on: date | None = imp.read(row, "date", cells.day) if row.has("date") else None
    starts = imp.read(row, "start", cells.starts_at, on)
    data["scheduled_start"] = starts
    if starts is None and cells.clock(row.raw("end")) is not None:
        # An end time alone hangs on the start; the start's own error says what is wrong.
        row.failed_keys.add("end")
    else:
        data["scheduled_end"] = imp.read(row, "end", cells.ends_at, starts)
    if not cells.is_blank(row.raw("status")):
        data["status"] = imp.read(row, "status", cells.session_status)
    elif existing is None:
        data["status"] = SessionStatus.draft
    if row.has("notes"):
        data["notes"] = row.text("notes")
    valid = imp.validate(row, SessionIn, data, SESSION_FIELDS)
    if valid is None or campaign is None:
        imp.failed.setdefault(identity, row)
        return
    payload = valid.model_dump(exclude={"segments"})
    payload["cohost_ids"] = sorted(set(payload["cohost_ids"]) - {payload["host_creator_id"]})
    for key in ("scheduled_start", "scheduled_end"):
        payload[key] = as_utc(payload[key], campaign.timezone)
    before = session_snapshot(existing) if existing else {}
    outcome = "created" if existing is None else ("unchanged" if before == payload else "updated")
    if outcome != "unchanged":
        saved = imp.attempt(
            row, lambda: schedule.save_session(imp.db, dict(payload), existing), SESSION_FIELDS
        )
        if saved is None:
            imp.failed.setdefault(identity, row)
            return
        session, warnings = saved
        imp.sessions[session.code] = session
        imp.warn(row, warnings)
    imp.tally("sessions", outcome)


# Run-of-show


class SegmentRow:
    """A run-of-show row read, before its session's whole run-of-show is written."""

    def __init__(self, row: Row, position: int | None, item: dict[str, Any]) -> None:
        self.row = row
        self.position = position
        self.item = item


def import_segments(imp: Importer, sheets: Sequence[Sheet]) -> None:
    """Each session code's rows replace that session's run-of-show, in the order of "Thứ tự"
    (or of the rows). A segment at the same position keeps its identity, so re-importing the
    same file changes nothing."""
    groups: dict[str, list[SegmentRow]] = {}
    for sheet in sheets:
        for row in sheet.rows:
            read = _segment_row(imp, row)
            if read is not None:
                groups.setdefault(row.text("session_code"), []).append(read)
            else:
                imp.advance()
    for code, group in groups.items():
        _write_run_of_show(imp, code, group)
        imp.advance(len(group))


def _product(imp: Importer, value: Any, supplier_value: Any) -> int:
    sku = cells.text(value)
    if not cells.is_blank(supplier_value):
        supplier = imp.supplier_by_ref(supplier_value)
        product = imp.products.get((supplier.id, sku))
        if product is None:
            imp.refuse_failed(("product", supplier.id, sku), what=f"product {sku!r}")
            raise cells.CellError(f"{supplier.name} has no product with the code {sku!r}")
        return product.id
    found = list(imp.products_by_sku.get(sku, {}).values())
    if len(found) > 1:
        raise cells.CellError(
            f"{len(found)} suppliers have a product coded {sku!r}; add the Nhà cung cấp column"
        )
    if not found:
        failed = [k for k in imp.failed if k[0] == "product" and k[2] == sku]
        imp.refuse_failed(*failed, what=f"product {sku!r}")
        raise cells.CellError(f"unknown product code {sku!r}")
    return found[0].id


def _segment_row(imp: Importer, row: Row) -> SegmentRow | None:
    imp.require(row, "session_code", "kind", "minutes")
    position = imp.read(row, "position", cells.whole_number)
    kind = imp.read(row, "kind", cells.segment_kind)
    minutes = imp.read(row, "minutes", cells.whole_number)
    product_id = None
    if not cells.is_blank(row.raw("sku")):
        product_id = imp.check(row, "sku", _product, imp, row.raw("sku"), row.raw("supplier"))
    item = {
        "kind": kind,
        "title": row.text("title"),
        "planned_seconds": minutes * 60 if minutes is not None else None,
        "product_id": product_id,
        "flash_price": imp.read(row, "flash_price", cells.money),
        "flash_quantity": imp.read(row, "flash_quantity", cells.whole_number),
        "notes": row.text("notes"),
    }
    valid = imp.validate(row, SegmentIn, item, SEGMENT_FIELDS)
    if valid is None:
        return None
    return SegmentRow(row, position, valid.model_dump(exclude={"id"}))


def _write_run_of_show(imp: Importer, code: str, group: list[SegmentRow]) -> None:
    session = imp.sessions.get(code)
    if session is None:
        for read in group:
            try:
                imp.refuse_failed(("session", code), what=f"session {code!r}")
                imp.fail(read.row, "session_code", f"unknown session code {code!r}")
            except cells.CellError as exc:
                imp.fail(read.row, "session_code", str(exc))
        return
    numbered = [r for r in group if r.position is not None]
    if numbered and len(numbered) != len(group):
        for read in group:
            if read.position is None:
                imp.fail(read.row, "position", "fill “Thứ tự” on every row of a session or none")
        return
    seen: dict[int, SegmentRow] = {}
    for read in numbered:
        assert read.position is not None
        if read.position in seen:
            imp.fail(
                read.row,
                "position",
                f"session {code} already has segment {read.position} on line"
                f" {seen[read.position].row.line}",
            )
        seen.setdefault(read.position, read)
    if any(r.row.failed for r in group):
        return
    ordered = sorted(group, key=lambda r: r.position or 0) if numbered else group
    existing = list(session.segments)
    # The sheet has no OBS scene column: a segment keeping its place keeps its scene.
    items = [
        {
            **read.item,
            "id": existing[i].id if i < len(existing) else None,
            "obs_scene": existing[i].obs_scene if i < len(existing) else None,
        }
        for i, read in enumerate(ordered)
    ]
    before = [_segment_values(s) for s in existing]
    after = [{k: item[k] for k in (*SEGMENT_VALUES, "notes")} for item in items]
    if before == after:
        imp.tally("segments", "unchanged", len(group))
        return

    def refused(exc: DomainError) -> None:
        _blame_rows(imp, ordered, exc)

    saved = imp.attempt(
        ordered[0].row,
        lambda: schedule.save_session(imp.db, {"segments": items}, session),
        SEGMENT_FIELDS,
        on_error=refused,
    )
    if saved is None:
        return
    _s, warnings = saved
    imp.warn(ordered[0].row, warnings)
    for i in range(len(ordered)):
        if i >= len(before):
            imp.tally("segments", "created")
        else:
            imp.tally("segments", "unchanged" if before[i] == after[i] else "updated")
    if len(before) > len(after):
        imp.tally("segments", "removed", len(before) - len(after))


def _segment_values(s: Segment) -> dict[str, Any]:
    return {k: getattr(s, k) for k in (*SEGMENT_VALUES, "notes")}


def _blame_rows(imp: Importer, ordered: list[SegmentRow], exc: DomainError) -> None:
    """Each conflict on the row it is about: by segment position, by product, else the
    session's first row."""
    if isinstance(exc, ValidationFailed):
        for item in exc.details.get("fields", []):
            parts = str(item["field"]).split(".")
            index = int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else 0
            field = SEGMENT_FIELDS.get(parts[-1], "")
            imp.fail(ordered[min(index, len(ordered) - 1)].row, field, item["message"])
        return
    conflicts = exc.details.get("conflicts") if exc.code == "schedule_conflict" else None
    if not conflicts:
        imp.fail(ordered[0].row, "", exc.message)
        return
    for conflict in conflicts:
        details = conflict.get("details", {})
        column = RULE_COLUMNS.get(conflict["rule"], "")
        position = details.get("segment_position")
        if position is not None and 1 <= position <= len(ordered):
            rows = [ordered[position - 1]]
        elif "product_id" in details:
            rows = [
                r
                for r in ordered
                if r.item["product_id"] == details["product_id"]
                and r.item["kind"] is SegmentKind.flash_sale
            ] or [ordered[0]]
        else:
            rows = [ordered[0]]
        for read in rows:
            imp.fail(read.row, column, conflict["message"])
