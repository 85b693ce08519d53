"""Token routes for producers: make, list and revoke API tokens."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy import select

from live.access.models import ApiToken
from live.access.roles import PRODUCERS, Ctx, Role
from live.access.service import create_token, revoke_token
from live.api.crud import listing, paginate
from live.api.fields import Id, Line200, Page, Schema
from live.api.routing import ApiRouter

router = ApiRouter(tag="access")


class TokenIn(Schema):
    role: Role
    name: Line200 = ""
    creator_id: Id | None = Field(None, description="whose token, for the creator role")
    supplier_id: Id | None = Field(None, description="whose token, for the supplier role")
    retailer_id: Id | None = None


def token_out(row: ApiToken) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "role": row.role,
        "prefix": row.prefix,
        "creator_id": row.creator_id,
        "supplier_id": row.supplier_id,
        "retailer_id": row.retailer_id,
        "created_at": row.created_at,
        "revoked_at": row.revoked_at,
    }


@router.route(
    "GET", "/api/tokens", access=PRODUCERS, query=Page, summary="List tokens (never the secrets)"
)
def list_tokens(ctx: Ctx, query: Page) -> dict[str, Any]:
    with ctx.db.reading() as db:
        rows, total = paginate(db, select(ApiToken).order_by(ApiToken.id), query)
        return listing([token_out(r) for r in rows], total, query)


@router.route(
    "POST",
    "/api/tokens",
    access=PRODUCERS,
    body=TokenIn,
    status=201,
    summary="Make a token; the secret is in this answer only",
)
def make_token(ctx: Ctx, body: TokenIn) -> dict[str, Any]:
    with ctx.db.unit_of_work() as db:
        row, token = create_token(
            db,
            body.role,
            body.name,
            creator_id=body.creator_id,
            supplier_id=body.supplier_id,
            retailer_id=body.retailer_id,
        )
        return {**token_out(row), "token": token}


@router.route(
    "DELETE", "/api/tokens/{token_id:int}", access=PRODUCERS, status=204, summary="Revoke a token"
)
def delete_token(ctx: Ctx, token_id: int) -> None:
    with ctx.db.unit_of_work() as db:
        revoke_token(db, token_id)
