"""Catalog HTTP routes: thin, one service call each."""

from __future__ import annotations

from live.access.roles import EVERYONE, PRODUCERS, Ctx, Role
from live.api.crud import Listing, get_or_404, paginate
from live.api.routing import ApiRouter
from live.catalog import service
from live.catalog.models import Creator, Product, Retailer, Supplier
from live.catalog.schemas import (
    CreatorIn,
    CreatorOut,
    CreatorPatch,
    NameQuery,
    ProductIn,
    ProductOut,
    ProductPatch,
    ProductQuery,
    RetailerIn,
    RetailerOut,
    RetailerPatch,
    SupplierIn,
    SupplierOut,
    SupplierPatch,
    SupplierQuery,
)
from live.errors import Forbidden

router = ApiRouter(tag="catalog")


@router.route(
    "GET", "/api/suppliers", access=EVERYONE, query=SupplierQuery, summary="List suppliers"
)
def list_suppliers(ctx: Ctx, query: SupplierQuery) -> Listing[SupplierOut]:
    with ctx.db.reading() as db:
        rows, total = service.list_suppliers(db, query)
        return Listing[SupplierOut].of([SupplierOut.model_validate(r) for r in rows], total, query)


@router.route(
    "POST",
    "/api/suppliers",
    access=PRODUCERS,
    status=201,
    summary="Add a supplier",
)
def create_supplier(ctx: Ctx, body: SupplierIn) -> SupplierOut:
    with ctx.db.unit_of_work() as db:
        return SupplierOut.model_validate(service.save_supplier(db, body.model_dump()))


@router.route(
    "GET",
    "/api/suppliers/{supplier_id:int}",
    access=EVERYONE,
    summary="One supplier",
)
def get_supplier(ctx: Ctx, supplier_id: int) -> SupplierOut:
    with ctx.db.reading() as db:
        return SupplierOut.model_validate(get_or_404(db, Supplier, supplier_id))


@router.route(
    "PATCH",
    "/api/suppliers/{supplier_id:int}",
    access=PRODUCERS,
    summary="Edit a supplier",
)
def edit_supplier(ctx: Ctx, supplier_id: int, body: SupplierPatch) -> SupplierOut:
    with ctx.db.unit_of_work() as db:
        row = get_or_404(db, Supplier, supplier_id)
        changes = body.model_dump(exclude_unset=True)
        return SupplierOut.model_validate(service.save_supplier(db, changes, row))


@router.route(
    "DELETE",
    "/api/suppliers/{supplier_id:int}",
    access=PRODUCERS,
    status=204,
    summary="Remove a supplier without products",
)
def delete_supplier(ctx: Ctx, supplier_id: int) -> None:
    with ctx.db.unit_of_work() as db:
        service.delete_supplier(db, supplier_id)


@router.route(
    "GET",
    "/api/products",
    access=EVERYONE,
    query=ProductQuery,
    summary="List products; q searches without accents",
)
def list_products(ctx: Ctx, query: ProductQuery) -> Listing[ProductOut]:
    with ctx.db.reading() as db:
        rows, total = paginate(db, service.products_query(query), query)
        return Listing[ProductOut].of([ProductOut.model_validate(r) for r in rows], total, query)


@router.route(
    "POST",
    "/api/products",
    access=PRODUCERS,
    status=201,
    summary="Add a product",
)
def create_product(ctx: Ctx, body: ProductIn) -> ProductOut:
    with ctx.db.unit_of_work() as db:
        row = service.save_product(db, body.model_dump(), reviewer=ctx.me.name)
        return ProductOut.model_validate(row)


@router.route(
    "GET",
    "/api/products/{product_id:int}",
    access=EVERYONE,
    summary="One product",
)
def get_product(ctx: Ctx, product_id: int) -> ProductOut:
    with ctx.db.reading() as db:
        return ProductOut.model_validate(get_or_404(db, Product, product_id))


@router.route(
    "PATCH",
    "/api/products/{product_id:int}",
    access=PRODUCERS,
    summary="Edit a product, its quality check or stock",
)
def edit_product(ctx: Ctx, product_id: int, body: ProductPatch) -> ProductOut:
    with ctx.db.unit_of_work() as db:
        row = get_or_404(db, Product, product_id)
        changes = body.model_dump(exclude_unset=True)
        return ProductOut.model_validate(service.save_product(db, changes, row, ctx.me.name))


@router.route(
    "DELETE",
    "/api/products/{product_id:int}",
    access=PRODUCERS,
    status=204,
    summary="Remove a product that no run-of-show uses",
)
def delete_product(ctx: Ctx, product_id: int) -> None:
    with ctx.db.unit_of_work() as db:
        service.delete_product(db, product_id)


@router.route("GET", "/api/retailers", access=EVERYONE, query=NameQuery, summary="List retailers")
def list_retailers(ctx: Ctx, query: NameQuery) -> Listing[RetailerOut]:
    with ctx.db.reading() as db:
        rows, total = service.list_retailers(db, query)
        return Listing[RetailerOut].of([RetailerOut.model_validate(r) for r in rows], total, query)


@router.route(
    "POST",
    "/api/retailers",
    access=PRODUCERS,
    status=201,
    summary="Add a retailer",
)
def create_retailer(ctx: Ctx, body: RetailerIn) -> RetailerOut:
    with ctx.db.unit_of_work() as db:
        return RetailerOut.model_validate(service.save_retailer(db, body.model_dump()))


@router.route(
    "GET",
    "/api/retailers/{retailer_id:int}",
    access=EVERYONE,
    summary="One retailer",
)
def get_retailer(ctx: Ctx, retailer_id: int) -> RetailerOut:
    with ctx.db.reading() as db:
        return RetailerOut.model_validate(get_or_404(db, Retailer, retailer_id))


@router.route(
    "PATCH",
    "/api/retailers/{retailer_id:int}",
    access=PRODUCERS,
    summary="Edit a retailer",
)
def edit_retailer(ctx: Ctx, retailer_id: int, body: RetailerPatch) -> RetailerOut:
    with ctx.db.unit_of_work() as db:
        row = get_or_404(db, Retailer, retailer_id)
        changes = body.model_dump(exclude_unset=True)
        return RetailerOut.model_validate(service.save_retailer(db, changes, row))


@router.route(
    "DELETE",
    "/api/retailers/{retailer_id:int}",
    access=PRODUCERS,
    status=204,
    summary="Remove a retailer",
)
def delete_retailer(ctx: Ctx, retailer_id: int) -> None:
    with ctx.db.unit_of_work() as db:
        service.delete_retailer(db, retailer_id)


def _sees_feed(ctx: Ctx, creator_id: int) -> bool:
    me = ctx.me
    return me.role is Role.producer or (me.role is Role.creator and me.creator_id == creator_id)


@router.route("GET", "/api/creators", access=EVERYONE, query=NameQuery, summary="List creators")
def list_creators(ctx: Ctx, query: NameQuery) -> Listing[CreatorOut]:
    with ctx.db.reading() as db:
        rows, total = service.list_creators(db, query)
        return Listing[CreatorOut].of([CreatorOut.model_validate(r) for r in rows], total, query)


@router.route(
    "POST",
    "/api/creators",
    access=PRODUCERS,
    status=201,
    summary="Add a creator; the answer carries the calendar feed URL, shown this once",
)
def create_creator(ctx: Ctx, body: CreatorIn) -> CreatorOut:
    with ctx.db.unit_of_work() as db:
        row = service.save_creator(db, body.model_dump())
        row, token = service.new_calendar_token(db, row.id)
        return _with_feed(ctx, row, token)


@router.route(
    "GET",
    "/api/creators/{creator_id:int}",
    access=EVERYONE,
    summary="One creator (its calendar feed URL is shown only when made: …/calendar-token)",
)
def get_creator(ctx: Ctx, creator_id: int) -> CreatorOut:
    with ctx.db.reading() as db:
        return CreatorOut.model_validate(get_or_404(db, Creator, creator_id))


@router.route(
    "PATCH",
    "/api/creators/{creator_id:int}",
    access=PRODUCERS,
    summary="Edit a creator",
)
def edit_creator(ctx: Ctx, creator_id: int, body: CreatorPatch) -> CreatorOut:
    with ctx.db.unit_of_work() as db:
        row = get_or_404(db, Creator, creator_id)
        row = service.save_creator(db, body.model_dump(exclude_unset=True), row)
        return CreatorOut.model_validate(row)


@router.route(
    "DELETE",
    "/api/creators/{creator_id:int}",
    access=PRODUCERS,
    status=204,
    summary="Remove a creator who hosts no session",
)
def delete_creator(ctx: Ctx, creator_id: int) -> None:
    with ctx.db.unit_of_work() as db:
        service.delete_creator(db, creator_id)


@router.route(
    "POST",
    "/api/creators/{creator_id:int}/calendar-token",
    access=frozenset({Role.producer, Role.creator}),
    summary="Make the calendar feed URL, shown in this answer only; an older one stops working",
)
def rotate_calendar(ctx: Ctx, creator_id: int) -> CreatorOut:
    if not _sees_feed(ctx, creator_id):
        raise Forbidden("only the creator or a producer", code="not_your_calendar")
    with ctx.db.unit_of_work() as db:
        row, token = service.new_calendar_token(db, creator_id)
        return _with_feed(ctx, row, token)


def _with_feed(ctx: Ctx, row: Creator, token: str) -> CreatorOut:
    """The creator with its calendar feed URL: shown in this answer only (kept hashed)."""
    url = service.calendar_url(ctx.public_url, token)
    return CreatorOut.model_validate(row).model_copy(update={"calendar_url": url})
