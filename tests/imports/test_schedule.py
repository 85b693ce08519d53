"""Importing sessions and run-of-show: every scheduling rule applies, row by row."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from live.db import Database
from live.platforms import Platform
from live.schedule.models import LiveSession, SegmentKind, SessionStatus
from tests import factories
from tests.imports.conftest import counts, fetch, refused, run, where
from tests.imports.lineup import (
    CREATORS,
    PRODUCTS,
    SEGMENTS,
    SESSIONS,
    SHEETS,
    SUPPLIERS,
    csv_bytes,
    with_cells,
    xlsx_bytes,
)

SAMPLE = Path(__file__).parents[2] / "docs" / "samples" / "lineup.xlsx"


@pytest.fixture
def catalog(db: Database, campaign: int) -> int:
    """The lineup's suppliers, products and creators, imported; returns the campaign id."""
    run(db, "ncc.csv", csv_bytes(SUPPLIERS))
    run(db, "sp.csv", csv_bytes(PRODUCTS))
    run(db, "kol.csv", csv_bytes(CREATORS))
    return campaign


def sessions(db: Database) -> dict[str, LiveSession]:
    stmt = select(LiveSession).options(
        selectinload(LiveSession.segments),
        selectinload(LiveSession.cohosts),
        selectinload(LiveSession.host),
    )
    return {s.code: s for s in fetch(db, stmt)}


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 9, day, hour, minute, tzinfo=UTC)


def test_a_whole_lineup_workbook_imports_in_dependency_order(db: Database, campaign: int) -> None:
    # Sheets in the "wrong" order: the run-of-show before the sessions it belongs to.
    workbook = xlsx_bytes(dict(reversed(list(SHEETS.items()))))
    summary = run(db, "lineup.xlsx", workbook)
    assert [s["kind"] for s in summary["sheets"]] == [
        "suppliers",
        "products",
        "creators",
        "sessions",
        "segments",
    ]
    assert summary["rows"] == 2 + 3 + 3 + 2 + 5
    assert summary["counts"]["segments"]["created"] == 5
    stored = sessions(db)
    first, late = stored["SLHV-01"], stored["SLHV-02"]
    assert first.campaign_id == campaign
    assert (first.scheduled_start, first.scheduled_end) == (utc(26, 12, 30), utc(26, 14, 30))
    assert first.host.name == "Hoài Phương" and [c.name for c in first.cohosts] == ["Minh Tú"]
    assert (first.platform, first.channel, first.studio) == (
        Platform.tiktok_shop,
        "sieulivehangviet",
        "Studio A",
    )
    assert first.status is SessionStatus.scheduled and first.notes == "Khung giờ vàng"
    assert [(g.position, g.kind, g.planned_seconds) for g in first.segments] == [
        (1, SegmentKind.intro, 300),
        (2, SegmentKind.product, 900),
        (3, SegmentKind.flash_sale, 600),
        (4, SegmentKind.outro, 300),
    ]
    flash = first.segments[2]
    assert (flash.flash_price, flash.flash_quantity) == (49_000, 100)
    # "00:30" after a 22:30 start is the next day: the session crosses midnight.
    assert (late.scheduled_start, late.scheduled_end) == (utc(26, 15, 30), utc(26, 17, 30))
    assert late.status is SessionStatus.draft


def test_reimporting_the_workbook_changes_nothing(db: Database, campaign: int) -> None:
    workbook = xlsx_bytes(SHEETS)
    run(db, "lineup.xlsx", workbook)
    before = counts(db)
    stamps = {
        code: (s.id, s.updated_at, [(g.id, g.position) for g in s.segments])
        for code, s in sessions(db).items()
    }
    summary = run(db, "lineup.xlsx", workbook)
    for kind, tally in summary["counts"].items():
        assert tally["created"] == tally["updated"] == 0, kind
    assert counts(db) == before
    again = {
        code: (s.id, s.updated_at, [(g.id, g.position) for g in s.segments])
        for code, s in sessions(db).items()
    }
    assert again == stamps


def test_segments_replace_the_run_of_show_of_their_session(db: Database, catalog: int) -> None:
    run(db, "phien.csv", csv_bytes(SESSIONS))
    run(db, "kb.csv", csv_bytes(SEGMENTS))
    kept = sessions(db)["SLHV-01"].segments
    shorter = [SEGMENTS[0], SEGMENTS[1], with_cells(SEGMENTS, 3, {"Thời lượng (phút)": 20})[2]]
    summary = run(db, "kb.csv", csv_bytes(shorter))
    assert summary["counts"]["segments"] == {
        "created": 0,
        "updated": 1,
        "unchanged": 1,
        "removed": 2,
    }
    now = sessions(db)
    assert [(g.id, g.planned_seconds) for g in now["SLHV-01"].segments] == [
        (kept[0].id, 300),
        (kept[1].id, 1200),
    ]
    assert len(now["SLHV-02"].segments) == 1  # not in the file: left as it was


def test_overlapping_sessions_in_the_same_file(db: Database, catalog: int) -> None:
    rows = [
        *SESSIONS,
        [
            "SLHV-03",
            "Trùng giờ",
            "",
            "Minh Tú",  # co-hosts SLHV-01 at the same time
            "",
            "Lazada",
            "hangviet.official",
            "Studio C",
            "26/09/2024 21:00",
            "26/09/2024 23:00",
            "",
            "",
        ],
    ]
    errors = refused(db, "phien.csv", csv_bytes(rows))
    assert where(errors) == {("phien.csv", 4, "Người dẫn")}
    assert "Minh Tú is already in session SLHV-01" in errors[0]["message"]
    assert "changeover 30 min" in errors[0]["message"]


def test_a_studio_taken_by_a_session_already_planned(db: Database, catalog: int) -> None:
    with db.unit_of_work() as s:
        factories.session(
            s,
            campaign_id=catalog,
            code="OLD-1",
            studio="studio a",
            start=utc(26, 13, 0),
        )
    errors = refused(db, "phien.csv", csv_bytes(SESSIONS))
    assert where(errors) == {("phien.csv", 2, "Studio")}
    assert "studio Studio A is taken by session OLD-1" in errors[0]["message"]


def test_unknown_creators_and_bad_times(db: Database, catalog: int) -> None:
    rows = [
        SESSIONS[0],
        with_cells(SESSIONS, 2, {"Người dẫn": "Ca sĩ Lạ", "Đồng dẫn": "Minh Tú; Ai Đó"})[1],
        with_cells(SESSIONS, 3, {"Bắt đầu": "31/09/2024 22:30"})[2],
        [
            "SLHV-04",
            "Ngược giờ",
            "",
            "Quang Huy",
            "",
            "Facebook",
            "fb",
            "Studio D",
            "28/09/2024 20:00",
            "28/09/2024 19:00",
            "",
            "",
        ],
    ]
    errors = refused(db, "phien.csv", csv_bytes(rows))
    assert where(errors) == {
        ("phien.csv", 2, "Người dẫn"),
        ("phien.csv", 2, "Đồng dẫn"),
        ("phien.csv", 3, "Bắt đầu"),
        ("phien.csv", 4, "Kết thúc"),
    }
    messages = {(e["line"], e["field"]): e["message"] for e in errors}
    assert "unknown creator 'Ca sĩ Lạ'" in messages[(2, "Người dẫn")]
    assert "unknown creator 'Ai Đó'" in messages[(2, "Đồng dẫn")]
    assert "not a date and time: '31/09/2024 22:30'" in messages[(3, "Bắt đầu")]
    assert "must be after" in messages[(4, "Kết thúc")]


def test_a_product_not_quality_approved_in_a_segment(db: Database, catalog: int) -> None:
    run(db, "phien.csv", csv_bytes(SESSIONS))
    rows = [*SEGMENTS, ["SLHV-02", 2, "Sản phẩm", "Mứt dừa", 10, "MT-01", "", "", ""]]
    errors = refused(db, "kb.csv", csv_bytes(rows))
    assert where(errors) == {("kb.csv", 7, "Mã SP")}
    assert "Mứt dừa non is not quality-approved (pending)" in errors[0]["message"]


def test_flash_sale_quantity_over_the_campaign_stock(db: Database, catalog: int) -> None:
    run(db, "phien.csv", csv_bytes(SESSIONS))
    # KD-01 has 500 units: 100 in SLHV-01 and 450 in SLHV-02 are too many together.
    rows = [
        *SEGMENTS,
        ["SLHV-02", 2, "Flash sale", "Kẹo dừa đêm khuya", 10, "KD-01", "45.000", 450, ""],
    ]
    errors = refused(db, "kb.csv", csv_bytes(rows))
    assert where(errors) == {("kb.csv", 7, "Số lượng flash sale")}
    assert "flash sales plan 550 units, campaign stock is 500" in errors[0]["message"]


def test_bad_segment_rows(db: Database, catalog: int) -> None:
    run(db, "phien.csv", csv_bytes(SESSIONS))
    rows = [
        SEGMENTS[0],
        ["SLHV-01", 1, "Mở đầu", "Chào", 5, "", "", "", ""],
        ["SLHV-01", 1, "Nghỉ", "Nghỉ", 5, "", "", "", ""],  # position taken
        ["SLHV-09", 1, "Mở đầu", "Chào", 5, "", "", "", ""],  # no such session
        ["SLHV-02", 1, "Múa", "?", 5, "", "", "", ""],  # no such kind
        ["SLHV-02", 2, "Flash sale", "Sốc", "mười", "KD-01", "", "", ""],
        ["SLHV-02", 3, "Sản phẩm", "Không mã", 5, "XX-99", "", "", ""],
        ["SLHV-02", 4, "Flash sale", "Thiếu giá", 5, "KD-01", "", "", ""],
    ]
    errors = refused(db, "kb.csv", csv_bytes(rows))
    assert where(errors) == {
        ("kb.csv", 3, "Thứ tự"),
        ("kb.csv", 4, "Mã phiên"),
        ("kb.csv", 5, "Loại"),
        ("kb.csv", 6, "Thời lượng (phút)"),
        ("kb.csv", 7, "Mã SP"),
        ("kb.csv", 8, "Giá flash sale"),
    }
    messages = {(e["line"], e["field"]): e["message"] for e in errors}
    assert "already has segment 1 on line 2" in messages[(3, "Thứ tự")]
    assert "unknown session code 'SLHV-09'" in messages[(4, "Mã phiên")]
    assert "not a whole number: 'mười'" in messages[(6, "Thời lượng (phút)")]
    assert "unknown product code 'XX-99'" in messages[(7, "Mã SP")]
    assert "needs “Giá flash sale” and “Số lượng flash sale”" in messages[(8, "Giá flash sale")]


def test_xlsx_date_cells_and_times_on_a_date_column(db: Database, catalog: int) -> None:
    header = [
        "Mã phiên",
        "Tiêu đề",
        "Người dẫn",
        "Nền tảng",
        "Kênh",
        "Studio",
        "Ngày",
        "Bắt đầu",
        "Kết thúc",
    ]
    rows: list[list[Any]] = [
        header,
        [
            "SLHV-10",
            "Sáng",
            "Hoài Phương",
            "Shopee",
            "s",
            "Studio A",
            "",
            datetime(2024, 9, 27, 9, 0),
            datetime(2024, 9, 27, 11, 0),
        ],
        [
            "SLHV-11",
            "Khuya",
            "Minh Tú",
            "Lazada",
            "l",
            "Studio B",
            datetime(2024, 9, 27),
            "23h",
            "1h30",
        ],
    ]
    summary = run(db, "lich.xlsx", xlsx_bytes({"Lịch live": rows}))
    assert summary["counts"]["sessions"]["created"] == 2
    stored = sessions(db)
    assert (stored["SLHV-10"].scheduled_start, stored["SLHV-10"].scheduled_end) == (
        utc(27, 2),
        utc(27, 4),
    )
    assert (stored["SLHV-11"].scheduled_start, stored["SLHV-11"].scheduled_end) == (
        utc(27, 16),
        utc(27, 18, 30),
    )


def test_iso_times_with_an_offset_are_kept(db: Database, catalog: int) -> None:
    rows = with_cells(
        SESSIONS[:2], 2, {"Bắt đầu": "2024-09-26T12:30:00+00:00", "Kết thúc": "2024-09-26T21:30"}
    )
    run(db, "phien.csv", csv_bytes(rows))
    first = sessions(db)["SLHV-01"]
    assert (first.scheduled_start, first.scheduled_end) == (utc(26, 12, 30), utc(26, 14, 30))


def test_the_same_session_code_twice(db: Database, catalog: int) -> None:
    rows = [*SESSIONS, SESSIONS[1]]
    (error,) = refused(db, "phien.csv", csv_bytes(rows))
    assert (error["line"], error["field"]) == (4, "Mã phiên")


def test_campaign_by_name_or_alone(db: Database, catalog: int) -> None:
    unknown = with_cells(SESSIONS, 2, {"Chiến dịch": "Tết 2025"})
    (error,) = refused(db, "phien.csv", csv_bytes(unknown))
    assert (error["line"], error["field"]) == (2, "Chiến dịch")
    blank = with_cells(SESSIONS, 2, {"Chiến dịch": ""})
    run(db, "phien.csv", csv_bytes(blank))
    assert sessions(db)["SLHV-01"].campaign_id == catalog


def test_unrecognised_sheets_are_skipped_and_said_so(db: Database, campaign: int) -> None:
    notes = [["Hướng dẫn điền"], ["Điền mỗi dòng một sản phẩm"]]
    summary = run(db, "lineup.xlsx", xlsx_bytes({"Hướng dẫn": notes, **SHEETS}))
    assert summary["skipped_sheets"][0]["sheet"] == "Hướng dẫn"


def test_a_named_sheet_with_a_misnamed_column_is_an_error(db: Database, campaign: int) -> None:
    products = [["Mã SP", "Tên sản phẩm", "Nhà cung cấp", "Tỉnh/Thành", "Giá bán", "Giá live"]]
    errors = refused(db, "lineup.xlsx", xlsx_bytes({**SHEETS, "Sản phẩm": products}))
    assert errors == [
        {
            "sheet": "Sản phẩm",
            "line": 1,
            "field": "",
            "message": "missing column(s) for products: “Giá niêm yết”",
        }
    ]


def test_a_run_of_show_longer_than_its_slot_is_a_warning(db: Database, catalog: int) -> None:
    run(db, "phien.csv", csv_bytes(SESSIONS))
    rows = [SEGMENTS[0], ["SLHV-02", 1, "Sản phẩm", "Cà phê", 150, "CF-01", "", "", ""]]
    summary = run(db, "kb.csv", csv_bytes(rows))
    (warning,) = summary["warnings"]
    assert warning["rule"] == "segments_overrun" and warning["line"] == 2


def test_the_sample_for_producers_imports_cleanly(db: Database, campaign: int) -> None:
    summary = run(db, SAMPLE.name, SAMPLE.read_bytes())
    assert summary["skipped_sheets"] == []
    assert summary["counts"]["sessions"]["created"] >= 2
    assert summary["warnings"] == []


def test_reimporting_segments_keeps_the_obs_scenes_set_since(db: Database, catalog: int) -> None:
    """The sheet has no OBS scene: a segment keeping its place keeps the scene a producer set
    for it in sieulive (the studio's OBS would otherwise stop following the run-of-show)."""
    run(db, "phien.csv", csv_bytes(SESSIONS))
    run(db, "kb.csv", csv_bytes(SEGMENTS))
    with db.unit_of_work() as s:
        session = s.scalars(select(LiveSession).where(LiveSession.code == "SLHV-01")).one()
        session.segments[0].obs_scene = "Mở đầu"
        session.segments[1].obs_scene = "Sản phẩm"
    shorter = [SEGMENTS[0], SEGMENTS[1], with_cells(SEGMENTS, 3, {"Thời lượng (phút)": 20})[2]]
    run(db, "kb.csv", csv_bytes(shorter))
    assert [g.obs_scene for g in sessions(db)["SLHV-01"].segments] == ["Mở đầu", "Sản phẩm"]
