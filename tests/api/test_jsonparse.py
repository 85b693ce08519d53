"""The one JSON parser: hostile texts are a 400 `malformed_json`, never a crash."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from live.api.jsonparse import MAX_DEPTH, parse_json
from live.errors import BadRequest


def refused(raw: bytes | str) -> BadRequest:
    with pytest.raises(BadRequest) as exc:
        parse_json(raw)
    assert exc.value.code == "malformed_json"
    assert exc.value.status_code == 400
    return exc.value


def nested(depth: int, kind: str = "list") -> str:
    if kind == "list":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


def test_what_it_takes() -> None:
    assert parse_json(b'{"name": "K\xe1\xba\xb9o d\xe1\xbb\xaba", "n": 1.5}') == {
        "name": "Kẹo dừa",
        "n": 1.5,
    }
    assert parse_json('"x"') == "x"
    assert parse_json("42") == 42
    assert parse_json("null") is None
    assert parse_json("9" * 4000) == int("9" * 4000)
    assert parse_json('{"a": "\\ud800"}') == {"a": "\ud800"}, "surrogates: the schemas refuse them"
    assert parse_json("[1e999]") == [float("inf")], "a float, for the schemas to refuse"
    assert parse_json("{}".encode("utf-16")) == {}


@pytest.mark.parametrize("kind", ["list", "object"])
def test_depth_up_to_the_limit_and_not_one_more(kind: str) -> None:
    assert parse_json(nested(MAX_DEPTH, kind)) is not None
    error = refused(nested(MAX_DEPTH + 1, kind))
    assert error.details == {"max_depth": MAX_DEPTH}
    # Only arrays and objects count: a scalar inside the deepest one is fine.
    assert parse_json("[" * (MAX_DEPTH - 1) + '["x", 1, null]' + "]" * (MAX_DEPTH - 1))


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 990, 1_000, 5_000, 100_000, 1_000_000])
def test_hostile_depths(depth: int) -> None:
    for kind in ("list", "object"):
        refused(nested(depth, kind))
    refused("[" * depth)  # never closed


def test_hostile_depth_in_a_thread_with_a_deep_stack_already() -> None:
    """Handlers run in worker threads, some deep in a call stack: same answer there."""
    outcome: list[Any] = []

    def deep(n: int) -> None:
        if n:
            deep(n - 1)
            return
        try:
            parse_json(nested(100_000))
        except BadRequest as exc:
            outcome.append(exc.code)

    thread = threading.Thread(target=deep, args=(500,))
    thread.start()
    thread.join()
    assert outcome == ["malformed_json"]


@pytest.mark.parametrize(
    "raw",
    [
        "9" * 5_000,
        '{"list_price": ' + "9" * 5_000 + "}",
        "-" + "1" * 100_000,
        "NaN",
        '{"a": Infinity}',
        "[-Infinity]",
        b"",
        b"   ",
        b"\xff\xfe\x00",
        b"\xc3\x28",
        '{"a": 1}{"b": 2}',
        "{'a': 1}",
        '{"a": }',
        "[1,]",
    ],
)
def test_what_it_refuses(raw: bytes | str) -> None:
    refused(raw)
