"""Catalog HTTP routes: thin, one service call each."""

from __future__ import annotations

from typing import Any

from live.access.roles import EVERYONE, PRODUCERS, Ctx, Role
from live.api.crud import get_or_404, listing, paginate, partial
from live.api.routing import ApiRouter
from live.catalog import service
from live.catalog.models import Creator, Product, Retailer, Supplier
from live.catalog.schemas import (
    CreatorIn,
    CreatorOut,
    NameQuery,
    ProductIn,
    ProductOut,
    ProductQuery,
    RetailerIn,
    RetailerOut,
    SupplierIn,
    SupplierOut,
    SupplierQuery,
)

router = ApiRouter(tag="catalog")
SupplierPatch = partial(SupplierIn)
ProductPatch = partial(ProductIn)
RetailerPatch = partial(RetailerIn)
CreatorPatch = partial(CreatorIn)


@router.route(
    "GET", "/api/suppliers", access=EVERYONE, query=SupplierQuery, summary="List suppliers"
)
def list_suppliers(ctx: Ctx, query: SupplierQuery) -> dict[str, Any]:
    with ctx.db.reading() as db:
        rows, total = service.list_suppliers(db, query)
        return listing([service.supplier_out(r) for r in rows], total, query)


@router.route(
    "POST",
    "/api/suppliers",
    access=PRODUCERS,
    body=SupplierIn,
    status=201,
    response=SupplierOut,
    summary="Add a supplier",
)
def create_supplier(ctx: Ctx, body: SupplierIn) -> dict[str, Any]:
    with ctx.db.unit_of_work() as db:
        return service.supplier_out(service.save_supplier(db, body.model_dump()))


@router.route(
    "GET",
    "/api/suppliers/{supplier_id:int}",
    access=EVERYONE,
    response=SupplierOut,
    summary="One supplier",
)
def get_supplier(ctx: Ctx, supplier_id: int) -> dict[str, Any]:
    with ctx.db.reading() as db:
        return service.supplier_out(get_or_404(db, Supplier, supplier_id))


@router.route(
    "PATCH",
    "/api/suppliers/{supplier_id:int}",
    access=PRODUCERS,
    body=SupplierPatch,
    response=SupplierOut,
    summary="Edit a supplier",
)
def edit_supplier(ctx: Ctx, supplier_id: int, body: SupplierIn) -> dict[str, Any]:
    with ctx.db.unit_of_work() as db:
        row = get_or_404(db, Supplier, supplier_id)
        return service.supplier_out(
            service.save_supplier(db, body.model_dump(exclude_unset=True), row)
        )


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
def list_products(ctx: Ctx, query: ProductQuery) -> dict[str, Any]:
    with ctx.db.reading() as db:
        rows, total = paginate(db, service.products_query(query), query)
        return listing([service.product_out(r) for r in rows], total, query)


@router.route(
    "POST",
    "/api/products",
    access=PRODUCERS,
    body=ProductIn,
    status=201,
    response=ProductOut,
    summary="Add a product",
)
def create_product(ctx: Ctx, body: ProductIn) -> dict[str, Any]:
    with ctx.db.unit_of_work() as db:
        row = service.save_product(db, body.model_dump(), reviewer=ctx.me.name)
        return service.product_out(row)


@router.route(
    "GET",
    "/api/products/{product_id:int}",
    access=EVERYONE,
    response=ProductOut,
    summary="One product",
)
def get_product(ctx: Ctx, product_id: int) -> dict[str, Any]:
    with ctx.db.reading() as db:
        return service.product_out(get_or_404(db, Product, product_id))


@router.route(
    "PATCH",
    "/api/products/{product_id:int}",
    access=PRODUCERS,
    body=ProductPatch,
    response=ProductOut,
    summary="Edit a product, its quality check or stock",
)
def edit_product(ctx: Ctx, product_id: int, body: ProductIn) -> dict[str, Any]:
    with ctx.db.unit_of_work() as db:
        row = get_or_404(db, Product, product_id)
        changes = body.model_dump(exclude_unset=True)
        return service.product_out(service.save_product(db, changes, row, ctx.me.name))


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
def list_retailers(ctx: Ctx, query: NameQuery) -> dict[str, Any]:
    with ctx.db.reading() as db:
        rows, total = service.list_retailers(db, query)
        return listing([service.retailer_out(r) for r in rows], total, query)


@router.route(
    "POST",
    "/api/retailers",
    access=PRODUCERS,
    body=RetailerIn,
    status=201,
    response=RetailerOut,
    summary="Add a retailer",
)
def create_retailer(ctx: Ctx, body: RetailerIn) -> dict[str, Any]:
    with ctx.db.unit_of_work() as db:
        return service.retailer_out(service.save_retailer(db, body.model_dump()))


@router.route(
    "GET",
    "/api/retailers/{retailer_id:int}",
    access=EVERYONE,
    response=RetailerOut,
    summary="One retailer",
)
def get_retailer(ctx: Ctx, retailer_id: int) -> dict[str, Any]:
    with ctx.db.reading() as db:
        return service.retailer_out(get_or_404(db, Retailer, retailer_id))


@router.route(
    "PATCH",
    "/api/retailers/{retailer_id:int}",
    access=PRODUCERS,
    body=RetailerPatch,
    response=RetailerOut,
    summary="Edit a retailer",
)
def edit_retailer(ctx: Ctx, retailer_id: int, body: RetailerIn) -> dict[str, Any]:
    with ctx.db.unit_of_work() as db:
        row = get_or_404(db, Retailer, retailer_id)
        return service.retailer_out(
            service.save_retailer(db, body.model_dump(exclude_unset=True), row)
        )


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
def list_creators(ctx: Ctx, query: NameQuery) -> dict[str, Any]:
    with ctx.db.reading() as db:
        rows, total = service.list_creators(db, query)
        return listing([service.creator_out(r) for r in rows], total, query)


@router.route(
    "POST",
    "/api/creators",
    access=PRODUCERS,
    body=CreatorIn,
    status=201,
    response=CreatorOut,
    summary="Add a creator; the answer carries the calendar feed URL, shown this once",
)
def create_creator(ctx: Ctx, body: CreatorIn) -> dict[str, Any]:
    with ctx.db.unit_of_work() as db:
        row = service.save_creator(db, body.model_dump())
        row, token = service.new_calendar_token(db, row.id)
        return service.creator_out(row, service.calendar_url(ctx.public_url, token))


@router.route(
    "GET",
    "/api/creators/{creator_id:int}",
    access=EVERYONE,
    response=CreatorOut,
    summary="One creator (its calendar feed URL is shown only when made: …/calendar-token)",
)
def get_creator(ctx: Ctx, creator_id: int) -> dict[str, Any]:
    with ctx.db.reading() as db:
        return service.creator_out(get_or_404(db, Creator, creator_id))


@router.route(
    "PATCH",
    "/api/creators/{creator_id:int}",
    access=PRODUCERS,
    body=CreatorPatch,
    response=CreatorOut,
    summary="Edit a creator",
)
def edit_creator(ctx: Ctx, creator_id: int, body: CreatorIn) -> dict[str, Any]:
    with ctx.db.unit_of_work() as db:
        row = get_or_404(db, Creator, creator_id)
        row = service.save_creator(db, body.model_dump(exclude_unset=True), row)
        return service.creator_out(row)


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
    response=CreatorOut,
    summary="Make the calendar feed URL, shown in this answer only; an older one stops working",
)
def rotate_calendar(ctx: Ctx, creator_id: int) -> dict[str, Any]:
    if not _sees_feed(ctx, creator_id):
        from live.errors import Forbidden

        raise Forbidden("only the creator or a producer", code="not_your_calendar")
    with ctx.db.unit_of_work() as db:
        row, token = service.new_calendar_token(db, creator_id)
        return service.creator_out(row, service.calendar_url(ctx.public_url, token))
