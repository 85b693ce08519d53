"""Catalog rules: suppliers, products with their quality check, retailers, creators.

Functions take an open session; the caller's unit of work commits. Product edits that touch
what the schedule relies on (quality, certificates, stock) recheck the sessions using it,
through what the schedule registers (`live/catalog/uses.py`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from live.api.crud import fitted, get_or_404, matching, paginate
from live.api.fields import as_utc
from live.catalog.models import (
    Availability,
    Certification,
    Creator,
    Product,
    QualityStatus,
    Retailer,
    Supplier,
)
from live.catalog.schemas import (
    CreatorIn,
    NameQuery,
    ProductIn,
    ProductQuery,
    RetailerIn,
    SupplierIn,
    SupplierQuery,
)
from live.catalog.uses import USES
from live.errors import Conflict, RuleBroken
from live.text import search_key
from live.tokens import new_secret, secret_hash


def _flush_unique(db: Session, what: str, field: str) -> None:
    """Turn a unique-constraint violation into a 409 naming the field."""
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError as exc:
        raise Conflict(
            f"another {what} already has this {field}",
            code="duplicate",
            details={"field": field},
        ) from exc


# Suppliers


def list_suppliers(db: Session, q: SupplierQuery) -> tuple[list[Supplier], int]:
    stmt = select(Supplier).order_by(Supplier.name, Supplier.id)
    if q.q:
        stmt = stmt.where(matching(Supplier.search_key, q.q))
    if q.province:
        stmt = stmt.where(Supplier.province == q.province)
    return paginate(db, stmt, q)


def save_supplier(db: Session, data: dict[str, Any], supplier: Supplier | None = None) -> Supplier:
    renamed = supplier is not None and data.get("name", supplier.name) != supplier.name
    supplier = supplier or Supplier()
    for key, value in data.items():
        setattr(supplier, key, value)
    supplier.search_key = fitted(
        Supplier.search_key, search_key(supplier.name, supplier.province, supplier.tax_code)
    )
    db.add(supplier)
    _flush_unique(db, "supplier", "tax_code")
    if renamed:
        # Products are found by their supplier's name too.
        for product in supplier.products:
            product.search_key = product_search_key(product)
    return supplier


def delete_supplier(db: Session, supplier_id: int) -> None:
    supplier = get_or_404(db, Supplier, supplier_id)
    if db.scalar(select(Product.id).where(Product.supplier_id == supplier_id).limit(1)):
        raise Conflict("the supplier still has products", code="in_use")
    db.delete(supplier)


# Products


def products_query(q: ProductQuery) -> Select[Any]:
    stmt = (
        select(Product)
        .options(selectinload(Product.certifications), selectinload(Product.supplier))
        .order_by(Product.name, Product.id)
    )
    if q.q:
        stmt = stmt.where(matching(Product.search_key, q.q))
    if q.supplier_id:
        stmt = stmt.where(Product.supplier_id == q.supplier_id)
    if q.province:
        stmt = stmt.where(Product.province == q.province)
    if q.category:
        stmt = stmt.where(Product.category == q.category)
    if q.qc_status:
        stmt = stmt.where(Product.qc_status == q.qc_status)
    if q.ocop_stars:
        stmt = stmt.where(Product.ocop_stars == q.ocop_stars)
    return stmt


def save_product(
    db: Session, data: dict[str, Any], product: Product | None = None, reviewer: str = ""
) -> Product:
    """Create or update a product; then every session using it is checked again."""
    is_new = product is None
    renamed = product is not None and data.get("name", product.name) != product.name
    product = product or Product()
    certifications = data.pop("certifications", None)
    if "supplier_id" in data and db.get(Supplier, data["supplier_id"]) is None:
        raise RuleBroken.one("supplier_id", f"supplier {data['supplier_id']} does not exist")
    reviewed = "qc_status" in data and data["qc_status"] != product.qc_status
    for key, value in data.items():
        setattr(product, key, value)
    if (
        product.live_price is not None
        and product.list_price is not None
        and (product.live_price > product.list_price)
    ):
        raise RuleBroken.one("live_price", "must not be above list_price")
    if reviewed and product.qc_status != QualityStatus.pending and not product.qc_reviewer:
        product.qc_reviewer = reviewer or None
    if certifications is not None:
        product.certifications = [Certification(**c) for c in certifications]
    db.add(product)
    _flush_unique(db, "product of this supplier", "sku")
    db.refresh(product, ["supplier"])
    product.search_key = product_search_key(product)
    db.flush()  # the answer shows the updated_at this write stores
    if not is_new:  # nothing plans a product that didn't exist
        USES.get().product_changed(db, product.id, renamed=renamed)
    return product


def product_search_key(product: Product) -> str:
    return fitted(
        Product.search_key,
        search_key(
            product.name, product.sku, product.category, product.province, product.supplier.name
        ),
    )


def delete_product(db: Session, product_id: int) -> None:
    product = get_or_404(db, Product, product_id)
    if USES.get().product_in_use(db, product_id):
        raise Conflict("the product is in a run-of-show", code="in_use")
    db.delete(product)


# Retailers


def list_retailers(db: Session, q: NameQuery) -> tuple[list[Retailer], int]:
    stmt = select(Retailer).order_by(Retailer.name, Retailer.id)
    if q.q:
        stmt = stmt.where(matching(Retailer.search_key, q.q))
    return paginate(db, stmt, q)


def save_retailer(db: Session, data: dict[str, Any], retailer: Retailer | None = None) -> Retailer:
    retailer = retailer or Retailer()
    for key, value in data.items():
        setattr(retailer, key, value)
    retailer.search_key = fitted(Retailer.search_key, search_key(retailer.name))
    db.add(retailer)
    _flush_unique(db, "retailer", "name")
    return retailer


def delete_retailer(db: Session, retailer_id: int) -> None:
    db.delete(get_or_404(db, Retailer, retailer_id))


# Creators


def list_creators(db: Session, q: NameQuery) -> tuple[list[Creator], int]:
    stmt = (
        select(Creator)
        .options(selectinload(Creator.availability))
        .order_by(Creator.name, Creator.id)
    )
    if q.q:
        stmt = stmt.where(matching(Creator.search_key, q.q))
    return paginate(db, stmt, q)


def save_creator(db: Session, data: dict[str, Any], creator: Creator | None = None) -> Creator:
    renamed = creator is not None and data.get("name", creator.name) != creator.name
    if creator is None:
        # A feed nobody has yet: the answer that creates the creator makes the one it shows.
        creator = Creator(handles={}, calendar_token_hash=secret_hash(new_secret()))
    availability = data.pop("availability", None)
    if "handles" in data:
        data["handles"] = {str(k): v for k, v in data["handles"].items()}
    for key, value in data.items():
        setattr(creator, key, value)
    if availability is not None:
        # Availability belongs to no campaign: a time without an offset is Vietnam time.
        creator.availability = [
            Availability(starts_at=as_utc(a["starts_at"]), ends_at=as_utc(a["ends_at"]))
            for a in availability
        ]
    creator.search_key = fitted(
        Creator.search_key, search_key(creator.name, *creator.handles.values())
    )
    db.add(creator)
    _flush_unique(db, "creator", "name")
    if renamed:
        USES.get().creator_renamed(db, creator.id)
    return creator


def delete_creator(db: Session, creator_id: int) -> None:
    creator = get_or_404(db, Creator, creator_id)
    if USES.get().creator_in_use(db, creator_id):
        raise Conflict("the creator is in sessions", code="in_use")
    db.delete(creator)


def new_calendar_token(db: Session, creator_id: int) -> tuple[Creator, str]:
    """Make the creator's feed token and return it (the only time it is seen: its hash is
    kept); the feed URL made before stops working (a lost phone)."""
    creator = get_or_404(db, Creator, creator_id)
    token = new_secret()
    creator.calendar_token_hash = secret_hash(token)
    return creator, token


def calendar_url(public_url: str, token: str) -> str:
    return f"{public_url}/calendar/{token}.ics"


__all__ = [
    "CreatorIn",
    "ProductIn",
    "RetailerIn",
    "SupplierIn",
]
