"""Import HTTP routes: upload a spreadsheet (queued for a worker), follow its progress."""

from __future__ import annotations

from live.access.roles import PRODUCERS, Ctx
from live.api.crud import Listing
from live.api.fields import Page
from live.api.routing import ApiRouter
from live.imports import service
from live.imports.schemas import ImportBrief, ImportOut, ImportQuery
from live.imports.uploads import read_upload

router = ApiRouter(tag="imports")


@router.route(
    "POST",
    "/api/imports",
    access=PRODUCERS,
    query=ImportQuery,
    upload=True,
    status=202,
    summary="Import a CSV or XLSX file all or nothing; queued, follow it at the Location",
)
def create_import(ctx: Ctx, query: ImportQuery, upload: bytes) -> ImportOut:
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
    ctx.headers["Location"] = f"/api/imports/{job.id}"
    return job


@router.route("GET", "/api/imports", access=PRODUCERS, query=Page, summary="List imports")
def list_imports(ctx: Ctx, query: Page) -> Listing[ImportBrief]:
    with ctx.db.reading() as db:
        rows, total = service.list_imports(db, ctx.request.app.state.redis, query)
        return Listing[ImportBrief].of(rows, total, query)


@router.route(
    "GET",
    "/api/imports/{import_id:int}",
    access=PRODUCERS,
    summary="One import: status, progress (processed_rows of total_rows), errors, summary",
)
def get_import(ctx: Ctx, import_id: int) -> ImportOut:
    with ctx.db.reading() as db:
        return service.get_import(db, ctx.request.app.state.redis, import_id)
