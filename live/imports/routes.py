"""Import HTTP routes: upload a spreadsheet (queued for a worker), follow its progress."""

from __future__ import annotations

from typing import Any

from live.access.roles import PRODUCERS, Ctx
from live.api.crud import listing
from live.api.fields import Page
from live.api.routing import ApiResponse, ApiRouter
from live.imports import service
from live.imports.schemas import ImportOut, ImportQuery
from live.imports.uploads import read_upload

router = ApiRouter(tag="imports")


@router.route(
    "POST",
    "/api/imports",
    access=PRODUCERS,
    query=ImportQuery,
    upload=True,
    status=202,
    response=ImportOut,
    summary="Import a CSV or XLSX file all or nothing; queued, follow it at the Location",
)
def create_import(ctx: Ctx, query: ImportQuery, upload: bytes) -> ApiResponse:
    file = read_upload(
        ctx.request.headers.get("content-type", ""),
        upload,
        filename=query.filename,
        kind=query.kind,
    )
    job = service.create_import(
        ctx.db,
        ctx.request.app.state.redis,
        filename=file.filename,
        content=file.content,
        kind=file.kind,
        created_by=ctx.me.name or f"token {ctx.me.token_id}",
    )
    return ApiResponse(job, status_code=202, headers={"Location": f"/api/imports/{job['id']}"})


@router.route("GET", "/api/imports", access=PRODUCERS, query=Page, summary="List imports")
def list_imports(ctx: Ctx, query: Page) -> dict[str, Any]:
    with ctx.db.reading() as db:
        rows, total = service.list_imports(db, ctx.request.app.state.redis, query)
        return listing(rows, total, query)


@router.route(
    "GET",
    "/api/imports/{import_id:int}",
    access=PRODUCERS,
    response=ImportOut,
    summary="One import: status, progress (processed_rows of total_rows), errors, summary",
)
def get_import(ctx: Ctx, import_id: int) -> dict[str, Any]:
    with ctx.db.reading() as db:
        return service.get_import(db, ctx.request.app.state.redis, import_id)
