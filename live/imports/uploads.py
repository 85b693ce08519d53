"""The uploaded file out of a request body: a multipart form (field `file`, optional `kind`)
as browsers and `curl -F` send it, or the raw file with `?filename=`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from live.errors import BadRequest, ValidationFailed
from live.text import nfc


@dataclass
class Upload:
    filename: str
    content: bytes
    kind: str | None


@dataclass
class _Part:
    headers: dict[bytes, bytes]
    data: bytearray


def parse_multipart(content_type: str, body: bytes) -> list[tuple[str, str | None, bytes]]:
    """(field name, filename, data) of each part."""
    _value, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise BadRequest("the multipart body has no boundary", code="malformed_upload")
    parts: list[_Part] = []
    field, value = bytearray(), bytearray()

    def on_part_begin() -> None:
        parts.append(_Part({}, bytearray()))

    def on_header_field(data: bytes, start: int, end: int) -> None:
        field.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        value.extend(data[start:end])

    def on_header_end() -> None:
        parts[-1].headers[bytes(field).lower()] = bytes(value)
        field.clear()
        value.clear()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        parts[-1].data.extend(data[start:end])

    callbacks = {
        "on_part_begin": on_part_begin,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_part_data": on_part_data,
    }
    try:
        parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
        parser.write(body)
        parser.finalize()
    except (MultipartParseError, ValueError) as exc:
        raise BadRequest(
            f"the multipart body is malformed: {exc}", code="malformed_upload"
        ) from exc
    result = []
    for part in parts:
        _disposition, options = parse_options_header(part.headers.get(b"content-disposition"))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        result.append(
            (
                name,
                filename.decode("utf-8", "replace") if filename is not None else None,
                bytes(part.data),
            )
        )
    return result


def read_upload(
    content_type: str, body: bytes, *, filename: str | None, kind: str | None
) -> Upload:
    if content_type.split(";")[0].strip().lower() != "multipart/form-data":
        return Upload(filename or "upload", body, kind)
    form = parse_multipart(content_type, body)
    files = [(f, data) for name, f, data in form if name == "file"]
    if not files:
        raise ValidationFailed.one("file", "send the spreadsheet in the form field “file”")
    fields = {name: data for name, f, data in form if f is None}
    if kind is None and b"kind" in {k.encode() for k in fields}:
        kind = fields["kind"].decode("utf-8", "replace").strip() or None
    name, content = files[0]
    return Upload(_safe_name(filename or name or "upload"), content, kind)


def _safe_name(name: str) -> str:
    """A browser's filename as text we can store and show: no control characters, no path."""
    name = re.sub(r"[\x00-\x1f\x7f]", "", nfc(name)).replace("\\", "/").rsplit("/", 1)[-1]
    return name[:300] or "upload"
