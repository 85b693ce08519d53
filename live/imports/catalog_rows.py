"""Suppliers, products and creators rows, written through the catalog's own services.

A column the sheet leaves out leaves that field as it is; a column that is there sets it (an
empty cell clears it), except the quality-check status, which an empty cell keeps.
"""

from __future__ import annotations

from typing import Any

from live.catalog import service as catalog
from live.catalog.models import Creator, Product, QualityStatus, Supplier
from live.catalog.schemas import CreatorIn, ProductIn, SupplierIn
from live.imports import cells
from live.imports.importer import Importer, name_key
from live.imports.sheets import Row, Sheet
from live.platforms import Platform

SUPPLIER_FIELDS = {f: f for f in SupplierIn.model_fields}
PRODUCT_FIELDS = {**{f: f for f in ProductIn.model_fields}, "supplier_id": "supplier"}
CREATOR_FIELDS = {"name": "name", "handles": "name"}
HANDLE_COLUMNS = {p.value: p for p in Platform}


def _set_text(row: Row, data: dict[str, Any], key: str, *, nullable: bool = True) -> None:
    if row.has(key):
        value = row.text(key)
        data[key] = (value or None) if nullable else value


def _outcome(existing: object | None, before: dict[str, Any], after: dict[str, Any]) -> str:
    if existing is None:
        return "created"
    return "unchanged" if before == after else "updated"


# Suppliers


def supplier_snapshot(s: Supplier) -> dict[str, Any]:
    return {f: getattr(s, f) for f in SupplierIn.model_fields}


def import_suppliers(imp: Importer, sheet: Sheet) -> None:
    for row in sheet.rows:
        _supplier_row(imp, row)
        imp.advance()


def _supplier_row(imp: Importer, row: Row) -> None:
    imp.require(row, "name", "province")
    name = row.text("name")
    tax_code = cells.digits_code(row.raw("tax_code"), 10) or None if row.has("tax_code") else None
    identity = ("supplier", tax_code) if tax_code else ("supplier", name_key(name))
    if name and not imp.claim(
        row, identity, f"the supplier {tax_code or name!r}", "tax_code" if tax_code else "name"
    ):
        return
    existing = None
    try:
        existing = imp.supplier_for_row(tax_code, name)
    except cells.CellError as exc:
        imp.fail(row, "name", str(exc))
    data = supplier_snapshot(existing) if existing else {}
    data.update(name=name, province=row.text("province"))
    for key in ("tax_code", "contact_name", "contact_email"):
        _set_text(row, data, key)
    if row.has("tax_code"):
        data["tax_code"] = tax_code
    if row.has("contact_phone"):
        data["contact_phone"] = cells.digits_code(row.raw("contact_phone"), 10) or None
    valid = imp.validate(row, SupplierIn, data, SUPPLIER_FIELDS)
    if valid is None:
        _forget(imp, row, identity, ("supplier", name_key(name)))
        return
    payload = valid.model_dump()
    outcome = _outcome(existing, supplier_snapshot(existing) if existing else {}, payload)
    if outcome != "unchanged":
        old = (existing.name, existing.tax_code) if existing else None
        saved = imp.attempt(
            row, lambda: catalog.save_supplier(imp.db, dict(payload), existing), SUPPLIER_FIELDS
        )
        if saved is None:
            _forget(imp, row, identity, ("supplier", name_key(name)))
            return
        imp.remember_supplier(saved, old)
    imp.tally("suppliers", outcome)


def _forget(imp: Importer, row: Row, *keys: tuple[Any, ...]) -> None:
    """Rows pointing at this one will say it had errors rather than "unknown"."""
    for key in keys:
        if key[1]:
            imp.failed.setdefault(key, row)


# Products


def product_snapshot(p: Product) -> dict[str, Any]:
    data = {f: getattr(p, f) for f in ProductIn.model_fields if f != "certifications"}
    data["certifications"] = [
        {"name": c.name, "number": c.number, "expires_on": c.expires_on} for c in p.certifications
    ]
    return data


def import_products(imp: Importer, sheet: Sheet) -> None:
    for row in sheet.rows:
        _product_row(imp, row)
        imp.advance()


def _product_row(imp: Importer, row: Row) -> None:
    imp.require(row, "sku", "name", "supplier", "province", "list_price", "live_price")
    sku = row.text("sku")
    supplier = None
    if not cells.is_blank(row.raw("supplier")):
        supplier = imp.read(row, "supplier", imp.supplier_by_ref)
    identity = ("product", supplier.id if supplier else None, sku)
    if (
        supplier is not None
        and sku
        and not imp.claim(row, identity, f"the product code {sku!r}", "sku")
    ):
        return
    existing = imp.products.get((supplier.id, sku)) if supplier else None
    data = product_snapshot(existing) if existing else {}
    data.update(sku=sku, name=row.text("name"), province=row.text("province"))
    data["supplier_id"] = supplier.id if supplier else None
    data["list_price"] = imp.read(row, "list_price", cells.money)
    data["live_price"] = imp.read(row, "live_price", cells.money)
    _set_text(row, data, "category", nullable=False)
    _set_text(row, data, "talking_points", nullable=False)
    for key in ("qc_reviewer", "qc_note", "image_url", "buy_link"):
        _set_text(row, data, key)
    if row.has("ocop_stars"):
        data["ocop_stars"] = imp.read(row, "ocop_stars", cells.ocop_stars)
    if row.has("campaign_stock"):
        data["campaign_stock"] = imp.read(row, "campaign_stock", cells.whole_number) or 0
    if not cells.is_blank(row.raw("qc_status")):
        data["qc_status"] = imp.read(row, "qc_status", cells.quality)
    elif existing is None:
        data["qc_status"] = QualityStatus.pending
    if row.has("certifications"):
        certs = imp.read(
            row, "certifications", cells.certifications, row.raw("certification_expiry")
        )
        data["certifications"] = _keep_numbers(certs or [], existing)
    valid = imp.validate(row, ProductIn, data, PRODUCT_FIELDS)
    if valid is None:
        _forget(imp, row, identity)
        return
    payload = valid.model_dump()
    before = product_snapshot(existing) if existing else {}
    outcome = _outcome(existing, before, payload)
    if outcome != "unchanged":
        if existing is not None and payload["certifications"] == before["certifications"]:
            # Re-sending the same certificates would replace their rows with equal new ones.
            del payload["certifications"]
        saved = imp.attempt(
            row,
            lambda: catalog.save_product(imp.db, payload, existing, reviewer=imp.reviewer),
            PRODUCT_FIELDS,
        )
        if saved is None:
            _forget(imp, row, identity)
            return
        imp.remember_product(saved)
    imp.tally("products", outcome)


def _keep_numbers(certs: list[dict[str, Any]], existing: Product | None) -> list[dict[str, Any]]:
    """The sheet has no column for certificate numbers: keep the ones already recorded."""
    known = {
        (name_key(c.name), c.expires_on): c.number
        for c in (existing.certifications if existing else [])
    }
    return [{**c, "number": known.get((name_key(c["name"]), c["expires_on"]))} for c in certs]


# Creators


def creator_snapshot(c: Creator) -> dict[str, Any]:
    return {"name": c.name, "handles": dict(c.handles)}


def import_creators(imp: Importer, sheet: Sheet) -> None:
    for row in sheet.rows:
        _creator_row(imp, row)
        imp.advance()


def _creator_row(imp: Importer, row: Row) -> None:
    imp.require(row, "name")
    name = row.text("name")
    identity = ("creator", name_key(name))
    if name and not imp.claim(row, identity, f"the creator {name!r}", "name"):
        return
    existing = imp.creators.get(name_key(name))
    handles = dict(existing.handles) if existing else {}
    for key in HANDLE_COLUMNS:
        if row.has(key):
            handle = row.text(key)
            if handle:
                handles[key] = handle
            else:
                handles.pop(key, None)
    data = {"name": name, "handles": handles}
    valid = imp.validate(row, CreatorIn, data, CREATOR_FIELDS)
    if valid is None:
        _forget(imp, row, identity)
        return
    payload = valid.model_dump(include={"name", "handles"})
    payload["handles"] = {str(k): v for k, v in payload["handles"].items()}
    outcome = _outcome(existing, creator_snapshot(existing) if existing else {}, payload)
    if outcome != "unchanged":
        saved = imp.attempt(
            row, lambda: catalog.save_creator(imp.db, dict(payload), existing), CREATOR_FIELDS
        )
        if saved is None:
            _forget(imp, row, identity)
            return
        if existing is not None:
            imp.creators.pop(name_key(existing.name), None)
        imp.creators[name_key(saved.name)] = saved
    imp.tally("creators", outcome)
