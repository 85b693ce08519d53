"""A show on air keeps the segments it has taken: edits to them are refused with 409, naming
the show; later segments may change. Through the API, as a producer's second tab would."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.shows.conftest import show_session
from tests.shows.test_commands import ok

__all__ = ["show_session"]


def run_of_show(producer: TestClient, sid: int) -> list[dict[str, Any]]:
    segments = producer.get(f"/api/sessions/{sid}").json()["segments"]
    keep = ("id", "kind", "title", "planned_seconds", "product_id", "flash_price")
    return [
        {k: g[k] for k in (*keep, "flash_quantity", "notes") if k in g and g[k] is not None}
        for g in segments
    ]


def patch(producer: TestClient, sid: int, segments: list[dict[str, Any]]) -> Any:
    return producer.patch(f"/api/sessions/{sid}", json={"segments": segments})


def refused(response: Any, taken: int, field: str) -> dict[str, Any]:
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "show_on_air"
    assert error["details"]["taken_through"] == taken
    assert error["details"]["field"] == field
    assert error["details"]["session"] in error["message"], "the message names the show"
    return dict(error)


def test_a_live_show_keeps_its_past_and_current_segments(producer, show_session):
    sid = show_session["id"]
    ok(producer, sid, "go_live", 0)
    ok(producer, sid, "next", 1)  # on air: segment 2 (the coffee), segment 1 is past
    before = run_of_show(producer, sid)

    refused(patch(producer, sid, []), 2, "segments.0")
    refused(patch(producer, sid, before[1:]), 2, "segments.0")  # the past one removed
    swapped = [before[1], before[0], *before[2:]]
    refused(patch(producer, sid, swapped), 2, "segments.0")
    longer = [before[0], {**before[1], "planned_seconds": 999}, *before[2:]]
    error = refused(patch(producer, sid, longer), 2, "segments.1")
    assert "planned_seconds" in error["message"]
    inserted = [before[0], {"kind": "break", "title": "Chen", "planned_seconds": 30}, *before[1:]]
    refused(patch(producer, sid, inserted), 2, "segments.1")
    one = producer.patch(f"/api/sessions/{sid}/segments/{before[1]['id']}", json={"title": "Khác"})
    refused(one, 2, "segments.1")
    assert run_of_show(producer, sid) == before, "nothing of a refused edit was written"

    # Later segments may change, be reordered, removed or added; notes may change anywhere.
    later = [
        {**before[0], "notes": "đã xong"},
        {**before[1], "notes": "nhắc mã giảm giá"},
        before[3],
        {**before[2], "planned_seconds": 120},
        {"kind": "break", "title": "Cảm ơn", "planned_seconds": 30},
    ]
    edited = patch(producer, sid, later)
    assert edited.status_code == 200, edited.text
    assert [g["title"] for g in edited.json()["segments"]][:2] == [
        before[0]["title"],
        before[1]["title"],
    ]
    state = ok(producer, sid, "next", 2)
    assert state["show"]["current_position"] == 3


def test_segments_left_with_previous_stay_taken_and_the_rule_ends_with_the_show(
    producer, show_session
):
    sid = show_session["id"]
    ok(producer, sid, "go_live", 0)
    ok(producer, sid, "next", 1)
    ok(producer, sid, "next", 2)
    ok(producer, sid, "previous", 3)  # back on 2; 3 has been on air
    before = run_of_show(producer, sid)
    refused(patch(producer, sid, before[:2]), 3, "segments.2")
    ok(producer, sid, "end", 4)
    assert patch(producer, sid, before[:2]).status_code == 200


def test_a_rehearsal_on_air_is_protected_too_and_standby_is_free(producer, show_session):
    sid = show_session["id"]
    before = run_of_show(producer, sid)
    ok(producer, sid, "go_live", 0, rehearsal=True)
    error = refused(patch(producer, sid, []), 1, "segments.0")
    assert error["details"]["rehearsal"] is True
    ok(producer, sid, "end", 1)  # a rehearsal goes back to stand-by
    assert patch(producer, sid, before[1:]).status_code == 200
