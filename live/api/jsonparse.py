"""The one JSON parser for what clients send: API bodies, order webhooks, websocket messages.

Python's `json.loads` fails on hostile input with exceptions no caller expects: a body nested
100,000 deep raises RecursionError, a 5,000-digit integer a ValueError, and `NaN` or
`Infinity` (not JSON) are taken as floats. Here every one of them is a `BadRequest`
(`malformed_json`, a 400), and nesting is bounded well below what would exhaust the stack, so
nothing downstream (validation, a mapper, `json.dumps`) recurses deeper than `MAX_DEPTH`.
"""

from __future__ import annotations

import json
from typing import Any

from live.errors import BadRequest

# Our deepest body is a session with segments (4 levels); an order batch with lines is 4 too.
MAX_DEPTH = 32


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def parse_json(raw: bytes | str) -> Any:
    """The value of a JSON text (UTF-8, -16 or -32 bytes, or str), or BadRequest."""
    try:
        value = json.loads(raw, parse_constant=_no_constants)
    except RecursionError as exc:
        raise _too_deep() from exc
    except ValueError as exc:
        # JSONDecodeError and UnicodeDecodeError are ValueErrors, and so is an integer literal
        # longer than Python converts (4,300 digits).
        raise BadRequest(f"the body is not valid JSON: {exc}", code="malformed_json") from exc
    if not _within_depth(value, MAX_DEPTH):
        raise _too_deep()
    return value


def _too_deep() -> BadRequest:
    return BadRequest(
        f"the body is nested too deeply (at most {MAX_DEPTH} levels)",
        code="malformed_json",
        details={"max_depth": MAX_DEPTH},
    )


def _within_depth(value: Any, limit: int) -> bool:
    """Whether no array or object lies deeper than `limit`; iterative, so any depth is safe."""
    if not isinstance(value, dict | list):
        return True
    stack: list[tuple[dict[str, Any] | list[Any], int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, dict | list):
                if depth >= limit:
                    return False
                stack.append((child, depth + 1))
    return True
