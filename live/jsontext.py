"""Values to JSON text, one way for every output: the API's answers, the hub's frames, and the
data pages carry for their scripts.

Times go out as ISO 8601 with their offset, enums as their value, schemas as their JSON form,
so a console reading a state from its page, from the websocket or from the API sees one shape.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel


def default(value: Any) -> Any:
    """`json.dumps(default=...)` for what the standard encoder doesn't know."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"can't serialise {type(value).__name__}")


def dumps(value: Any, *, compact: bool = False) -> str:
    """Text as people read it (no \\u escapes for Vietnamese); `compact` drops the spaces."""
    separators = (",", ":") if compact else None
    return json.dumps(value, ensure_ascii=False, default=default, separators=separators)


def dumps_ascii(value: Any) -> str:
    """Every non-ASCII character \\u-escaped: still encodable when the text holds a lone
    surrogate (a bad field's name echoed back)."""
    return json.dumps(value, default=default)


def for_script(value: Any) -> str:
    """JSON to put inside <script type="application/json">: `<`, `>` and `&` escaped so no
    product name can close the element."""
    text = dumps(value)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
