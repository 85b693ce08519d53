"""One import's working state: what the database already holds (by natural key), what this file
claimed, the errors found so far, and each row's write in its own savepoint.

Every row is tried, so every bad row is reported; a bad row's savepoint is rolled back and
the whole transaction is, too, at the end, when any row was bad.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from live.catalog.models import Creator, Product, Supplier
from live.errors import DomainError, ValidationFailed
from live.imports.cells import CellError, digits_code, is_blank
from live.imports.problems import RowError
from live.imports.sheets import Row
from live.schedule.models import Campaign
from live.schedule.rules import sessions_query
from live.text import nfc

log = logging.getLogger("sieulive.imports")
T = TypeVar("T")
Progress = Callable[[int, int], None]
OUTCOMES = ("created", "updated", "unchanged")

# Which column a scheduling rule's conflict is about.
RULE_COLUMNS = {
    "creator_overlap": "host",
    "studio_overlap": "studio",
    "channel_overlap": "channel",
    "product_not_approved": "sku",
    "certificate_expired": "sku",
    "unknown_product": "sku",
    "flash_stock_exceeded": "flash_quantity",
}
# A product edit that breaks a planned session is about the product's own columns.
PRODUCT_RULE_COLUMNS = {
    "product_not_approved": "qc_status",
    "certificate_expired": "certifications",
    "flash_stock_exceeded": "campaign_stock",
}


def name_key(name: str) -> str:
    """Names match as people read them: case, spacing and NFC/NFD don't matter."""
    return " ".join(nfc(name).casefold().split())


class Importer:
    def __init__(self, db: Session, *, reviewer: str, total: int, progress: Progress | None):
        self.db = db
        self.reviewer = reviewer
        self.total = total
        self.progress = progress
        self.done = 0
        self.errors: list[RowError] = []
        self.warnings: list[dict[str, Any]] = []
        self.counts: dict[str, dict[str, int]] = {}
        # Natural keys met in this file -> the row that claimed them (duplicates, failed rows).
        self.claimed: dict[tuple[Any, ...], Row] = {}
        self.failed: dict[tuple[Any, ...], Row] = {}
        self._load()

    # What the database holds

    def _load(self) -> None:
        db = self.db
        self.campaigns = list(db.scalars(select(Campaign).order_by(Campaign.id)))
        self.suppliers_by_tax: dict[str, Supplier] = {}
        self.suppliers_by_name: dict[str, dict[int, Supplier]] = {}
        for s in db.scalars(select(Supplier)):
            self.remember_supplier(s)
        self.products: dict[tuple[int, str], Product] = {}
        self.products_by_sku: dict[str, dict[int, Product]] = {}
        for p in db.scalars(select(Product).options(selectinload(Product.certifications))):
            self.remember_product(p)
        self.creators = {name_key(c.name): c for c in db.scalars(select(Creator))}
        self.sessions = {s.code: s for s in db.scalars(sessions_query())}

    def remember_supplier(self, s: Supplier, old: tuple[str, str | None] | None = None) -> None:
        if old is not None:
            self.suppliers_by_name.get(name_key(old[0]), {}).pop(s.id, None)
            if old[1]:
                self.suppliers_by_tax.pop(old[1], None)
        self.suppliers_by_name.setdefault(name_key(s.name), {})[s.id] = s
        if s.tax_code:
            self.suppliers_by_tax[s.tax_code] = s

    def remember_product(self, p: Product) -> None:
        self.products[(p.supplier_id, p.sku)] = p
        self.products_by_sku.setdefault(p.sku, {})[p.id] = p

    def supplier_for_row(self, tax_code: str | None, name: str) -> Supplier | None:
        """The supplier a suppliers row updates: same tax code, else same name (and no other
        tax code: two businesses may share a name)."""
        if tax_code and tax_code in self.suppliers_by_tax:
            return self.suppliers_by_tax[tax_code]
        same_name = list(self.suppliers_by_name.get(name_key(name), {}).values())
        if tax_code:
            same_name = [s for s in same_name if not s.tax_code]
        if len(same_name) > 1:
            raise CellError(
                f"{len(same_name)} suppliers are named {name!r}; add the tax code to tell them"
                " apart"
            )
        return same_name[0] if same_name else None

    def supplier_by_ref(self, value: Any) -> Supplier:
        """A supplier named in another sheet: by tax code, or by its exact name."""
        ref = digits_code(value, 10)
        if ref in self.suppliers_by_tax:
            return self.suppliers_by_tax[ref]
        same_name = list(self.suppliers_by_name.get(name_key(ref), {}).values())
        if len(same_name) == 1:
            return same_name[0]
        if same_name:
            raise CellError(f"{len(same_name)} suppliers are named {ref!r}; use the tax code")
        self.refuse_failed(("supplier", ref), ("supplier", name_key(ref)), what=f"supplier {ref!r}")
        raise CellError(
            f"unknown supplier {ref!r}: no supplier has this tax code or name "
            "(import the suppliers first: a workbook's supplier sheet or --kind suppliers)"
        )

    def creator_by_name(self, name: str) -> Creator:
        creator = self.creators.get(name_key(name))
        if creator is None:
            self.refuse_failed(("creator", name_key(name)), what=f"creator {name!r}")
            raise CellError(f"unknown creator {name!r}: import or add the creator first")
        return creator

    def refuse_failed(self, *keys: tuple[Any, ...], what: str) -> None:
        """A reference to a row of this file that had errors says so, not just "unknown"."""
        for key in keys:
            row = self.failed.get(key)
            if row is not None:
                raise CellError(
                    f"{what} is not imported: its row ({row.sheet.name} line {row.line}) has errors"
                )

    # Errors

    def fail(self, row: Row, key: str, message: str) -> None:
        row.failed = True
        row.failed_keys.add(key)
        field = row.sheet.title(key) if key else ""
        self.errors.append(RowError(row.sheet.name, row.line, field, message))

    def read(self, row: Row, key: str, reader: Callable[..., T], *args: Any) -> T | None:
        """A cell through its reader; a bad one is reported and read as None."""
        return self.check(row, key, reader, row.raw(key), *args)

    def check(self, row: Row, key: str, func: Callable[..., T], *args: Any) -> T | None:
        """`func(*args)`, its CellError reported on the row's column `key`."""
        try:
            return func(*args)
        except CellError as exc:
            self.fail(row, key, str(exc))
            return None

    def require(self, row: Row, *keys: str) -> None:
        for key in keys:
            if is_blank(row.raw(key)):
                self.fail(row, key, "must not be empty")

    def claim(self, row: Row, key: tuple[Any, ...], label: str, column: str = "") -> bool:
        """False (and an error) when an earlier row of this file has the same natural key."""
        first = self.claimed.get(key)
        if first is not None:
            where = f"line {first.line}" + (
                f" of {first.sheet.name}" if first.sheet is not row.sheet else ""
            )
            self.fail(row, column, f"{label} is already on {where}")
            return False
        self.claimed[key] = row
        return True

    def humanise(self, row: Row, message: str, fields: dict[str, str]) -> str:
        """Say "Giá live" where the schema says live_price."""
        message = message.removeprefix("Value error, ")
        for schema_field, key in sorted(fields.items(), key=lambda kv: -len(kv[0])):
            if "_" in schema_field and (row.has(key) or key == schema_field):
                message = re.sub(rf"\b{schema_field}\b", f"“{row.sheet.title(key)}”", message)
        return message

    def validate(
        self, row: Row, model: type[BaseModel], data: dict[str, Any], fields: dict[str, str]
    ) -> BaseModel | None:
        """The API's own schema checks the row; each problem names its column. A column whose
        cell could not be read is not reported twice. None when the row is bad."""
        try:
            valid = model.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors(include_url=False, include_input=False):
                top = str(err["loc"][0]) if err["loc"] else self._mentioned(err["msg"], fields)
                key = fields.get(top, top)
                if key not in row.failed_keys:
                    self.fail(row, key, self.humanise(row, err["msg"], fields))
            return None
        return None if row.failed else valid

    @staticmethod
    def _mentioned(message: str, fields: dict[str, str]) -> str:
        """The field a whole-record check is about: the first one its message names."""
        found = [(m.start(), f) for f in fields if (m := re.search(rf"\b{f}\b", message))]
        return min(found)[1] if found else ""

    def service_errors(self, row: Row, exc: DomainError, fields: dict[str, str]) -> None:
        if isinstance(exc, ValidationFailed):
            for item in exc.details.get("fields", []):
                top = str(item["field"]).split(".")[0]
                self.fail(row, fields.get(top, top), self.humanise(row, item["message"], fields))
        elif exc.code == "schedule_conflict":
            rules = PRODUCT_RULE_COLUMNS if row.sheet.kind == "products" else RULE_COLUMNS
            for conflict in exc.details.get("conflicts", []):
                self.fail(row, rules.get(conflict["rule"], ""), conflict["message"])
        elif "field" in exc.details:
            field = str(exc.details["field"])
            key = fields.get(field, field)
            self.fail(row, key, self.humanise(row, exc.message, fields))
        else:
            self.fail(row, "", exc.message)

    def attempt(
        self,
        row: Row,
        write: Callable[[], T],
        fields: dict[str, str],
        on_error: Callable[[DomainError], None] | None = None,
    ) -> T | None:
        """Write one row (or one session's run-of-show) in a savepoint: a refused row leaves
        nothing behind, and the next rows are still checked."""
        try:
            with self.db.begin_nested():
                return write()
        except DomainError as exc:
            if on_error is not None:
                on_error(exc)
            else:
                self.service_errors(row, exc, fields)
        except SQLAlchemyError as exc:
            log.warning("import row refused by the database: %s", exc)
            reason = type(getattr(exc, "orig", None) or exc).__name__
            self.fail(row, "", f"the database refused this row ({reason})")
        return None

    # Outcomes

    def warn(self, row: Row, warnings: list[dict[str, Any]]) -> None:
        """Scheduling warnings (a run-of-show longer than its slot) don't refuse the import."""
        for w in warnings:
            self.warnings.append(
                {
                    "sheet": row.sheet.name,
                    "line": row.line,
                    "rule": w["rule"],
                    "message": w["message"],
                }
            )

    def tally(self, kind: str, outcome: str, n: int = 1) -> None:
        counts = self.counts.setdefault(kind, dict.fromkeys(OUTCOMES, 0))
        counts[outcome] = counts.get(outcome, 0) + n

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.progress is not None:
            self.progress(self.done, self.total)
