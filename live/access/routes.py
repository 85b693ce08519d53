"""Token routes for producers: make, list and revoke API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field
from sqlalchemy import select

from live.access.models import ApiToken
from live.access.roles import PRODUCERS, Ctx, Role
from live.access.service import create_token, revoke_token
from live.api.crud import Listing, paginate
from live.api.fields import Id, Line200, Page, Schema, absent, when
from live.api.routing import ApiRouter

router = ApiRouter(tag="access")
OWNERS = ("creator_id", "supplier_id", "retailer_id")
# Whose token each role's may be: the others are left out.
OWNED_BY = {Role.creator: "creator_id", Role.supplier: "supplier_id", Role.retailer: "retailer_id"}


def _owner_rule(role: Role) -> Any:
    others = [f for f in OWNERS if f != OWNED_BY.get(role)]
    return when("role", [role.value], absent(*others), {})


class TokenIn(Schema):
    """A creator's token may name its creator, a supplier's its supplier, a retailer's its
    retailer; a producer's none."""

    model_config = ConfigDict(json_schema_extra={"allOf": [_owner_rule(r) for r in Role]})

    role: Role
    name: Line200 = ""
    creator_id: Id | None = Field(None, description="whose token, for the creator role")
    supplier_id: Id | None = Field(None, description="whose token, for the supplier role")
    retailer_id: Id | None = Field(None, description="whose token, for the retailer role")


class TokenOut(Schema):
    id: int
    name: str
    role: Role
    prefix: str
    creator_id: int | None
    supplier_id: int | None
    retailer_id: int | None
    created_at: datetime
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="the secret, in this answer only: only its hash is kept")


@router.route(
    "GET", "/api/tokens", access=PRODUCERS, query=Page, summary="List tokens (never the secrets)"
)
def list_tokens(ctx: Ctx, query: Page) -> Listing[TokenOut]:
    with ctx.db.reading() as db:
        rows, total = paginate(db, select(ApiToken).order_by(ApiToken.id), query)
        return Listing[TokenOut].of([TokenOut.model_validate(r) for r in rows], total, query)


@router.route(
    "POST",
    "/api/tokens",
    access=PRODUCERS,
    body=TokenIn,
    status=201,
    summary="Make a token; the secret is in this answer only",
)
def make_token(ctx: Ctx, body: TokenIn) -> NewTokenOut:
    with ctx.db.unit_of_work() as db:
        row, token = create_token(
            db,
            body.role,
            body.name,
            creator_id=body.creator_id,
            supplier_id=body.supplier_id,
            retailer_id=body.retailer_id,
        )
        return NewTokenOut(**TokenOut.model_validate(row).model_dump(), token=token)


@router.route(
    "DELETE", "/api/tokens/{token_id:int}", access=PRODUCERS, status=204, summary="Revoke a token"
)
def delete_token(ctx: Ctx, token_id: int) -> None:
    with ctx.db.unit_of_work() as db:
        revoke_token(db, token_id)
