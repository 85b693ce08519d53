"""Spreadsheet files to rows: CSV as Excel writes it in Vietnam, and XLSX workbooks.

CSV: UTF-8 with or without BOM (Excel's "CSV UTF-8"), UTF-16 with BOM (Excel's "Unicode
text"), separated by `;` (Excel in a Vietnamese locale, where `,` is the decimal mark), `,` or
tab, sniffed from the header line. XLSX: every worksheet, cell values as Excel typed them.
Line numbers are the row numbers Excel shows, so producers can find the row the error names.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from live.imports.problems import ImportFailed, RowError, file_error
from live.text import nfc

# Bounds on what one upload may unpack to: a 20 MB XLSX can hold far more than any lineup.
MAX_ROWS = 100_000
MAX_COLUMNS = 100

ZIP_MAGIC = b"PK\x03\x04"
# Excel 97-2003 .xls (OLE2 compound file): openpyxl can't read it, and neither can we.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SAVE_AS = "save it from Excel as “CSV UTF-8 (Comma delimited)” or as an .xlsx workbook"


@dataclass
class RawSheet:
    """A sheet as read: (line, cells) for every non-blank row; cells are str, int, float,
    date or datetime, with text already NFC."""

    name: str
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    is_csv: bool = False


def read_file(filename: str, content: bytes) -> list[RawSheet]:
    """The sheets of a CSV or XLSX file; ImportFailed naming the problem when it is neither."""
    lower = filename.lower()
    if not content.strip():
        raise file_error("the file is empty")
    if content.startswith(OLE2_MAGIC) or lower.endswith(".xls"):
        raise file_error(f"this is an old Excel 97-2003 (.xls) file; {SAVE_AS}")
    if content.startswith(ZIP_MAGIC) or lower.endswith((".xlsx", ".xlsm")):
        return read_xlsx(content)
    if content.startswith(b"%PDF"):
        raise file_error(f"this is a PDF, not a spreadsheet; {SAVE_AS}")
    return [read_csv(content, _sheet_label(filename))]


def _sheet_label(filename: str) -> str:
    return filename.replace("\\", "/").rsplit("/", 1)[-1][:100] or "CSV"


def decode_text(content: bytes, name: str = "") -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; anything else is named, not guessed."""
    if content.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8", content[len(codecs.BOM_UTF8) :]
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, body = "utf-16", content
    else:
        encoding, body = "utf-8", content
        if b"\x00" in content[:4096]:
            raise file_error(
                f"this is a binary file, not a CSV or XLSX spreadsheet; {SAVE_AS}", name
            )
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        bad = body[exc.start : exc.start + 1].hex().upper()
        message = (
            f"the file is not {encoding.upper()} text: byte 0x{bad} can't be read (an old"
            f" encoding such as Windows-1258 or TCVN3?); {SAVE_AS}"
        )
        raise ImportFailed([RowError(name, line, "", message)]) from exc
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\r\n")
    if controls > 8:
        raise file_error(f"this is a binary file, not a CSV or XLSX spreadsheet; {SAVE_AS}", name)
    return text


def sniff_separator(text: str) -> str:
    """`;`, `,` or tab: whichever the header line (outside quotes) has most of."""
    counts = {";": 0, ",": 0, "\t": 0}
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif ch == "\n" and not quoted:
            if any(counts.values()):
                break
        elif ch in counts and not quoted:
            counts[ch] += 1
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_csv(content: bytes, name: str) -> RawSheet:
    text = decode_text(content, name)
    # Excel honours (and hides) a first line "sep=;"; so do we.
    first, _, rest = text.partition("\n")
    if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:
        separator, text = first.strip()[4], rest
    else:
        separator = sniff_separator(text)
    sheet = RawSheet(name=name, is_csv=True)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
        for line, record in enumerate(reader, start=1):
            if line > MAX_ROWS:
                raise file_error(f"the file has more than {MAX_ROWS} lines; split it", name)
            cells: list[Any] = [nfc(cell) for cell in record[:MAX_COLUMNS]]
            if any(cells):
                sheet.rows.append((line, cells))
    except csv.Error as exc:
        raise file_error(f"the CSV can't be read: {exc}", name) from exc
    return sheet


def read_xlsx(content: bytes) -> list[RawSheet]:
    import openpyxl

    try:
        # read_only streams the sheets; data_only gives formulas' cached values, as Excel shows.
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except zipfile.BadZipFile as exc:
        raise file_error(
            "the XLSX workbook is damaged or cut short (not a complete zip file);"
            " save it again from Excel and upload the whole file"
        ) from exc
    except Exception as exc:  # openpyxl raises KeyError, ValueError, XML errors, ... alike
        raise file_error(
            f"this is not an XLSX workbook Excel wrote, or it is damaged ({type(exc).__name__})"
        ) from exc
    sheets = []
    total = 0
    try:
        for worksheet in workbook.worksheets:
            sheet = RawSheet(name=nfc(worksheet.title))
            for line, values in enumerate(
                worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1
            ):
                total += 1
                if total > MAX_ROWS:
                    raise file_error(f"the workbook has more than {MAX_ROWS} rows; split it")
                cells = [_cell(v) for v in values]
                while cells and cells[-1] in (None, ""):
                    cells.pop()
                if cells:
                    sheet.rows.append((line, cells))
            sheets.append(sheet)
    except ImportFailed:
        raise
    except Exception as exc:
        raise file_error(
            f"the XLSX workbook is damaged and can't be read ({type(exc).__name__})"
        ) from exc
    finally:
        workbook.close()
    return sheets


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    return value
