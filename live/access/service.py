"""Making, checking and revoking API tokens."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from sqlalchemy import column, select, table
from sqlalchemy.orm import Session

from live.access.models import ApiToken
from live.access.roles import Principal, Role
from live.db import Database, utcnow
from live.errors import NotFound, RuleBroken, Unauthorized, ValidationFailed
from live.tokens import secret_hash

TOKEN_PREFIX = "sl_"


def hash_token(token: str) -> str:
    return secret_hash(token)


def create_token(
    db: Session,
    role: Role,
    name: str = "",
    *,
    creator_id: int | None = None,
    supplier_id: int | None = None,
    retailer_id: int | None = None,
    token: str | None = None,
) -> tuple[ApiToken, str]:
    """Store a new token's hash and return the row and the token, which is never stored.
    `token`: one the caller derived itself (the demo's, stable across restarts)."""
    owners = {"creator_id": creator_id, "supplier_id": supplier_id, "retailer_id": retailer_id}
    for field, ident in owners.items():
        if ident is not None and not _owner_exists(db, field, ident):
            what = field.removesuffix("_id")
            raise RuleBroken.one(field, f"{what} {ident} does not exist")
    expected = {Role.creator: "creator_id", Role.supplier: "supplier_id"}.get(role)
    stray = [f for f, v in owners.items() if v is not None and f != expected]
    if role is Role.retailer:
        stray = [f for f in stray if f != "retailer_id"]
    if stray:
        raise ValidationFailed.one(stray[0], f"a {role.value} token can't belong to that")
    token = token or TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name,
        role=role,
        token_hash=hash_token(token),
        prefix=token[:10],
        creator_id=creator_id,
        supplier_id=supplier_id,
        retailer_id=retailer_id,
    )
    db.add(row)
    db.flush()
    return row, token


def _owner_exists(db: Session, field: str, ident: int) -> bool:
    """Whether the row a token would belong to exists, looked up through the token's own
    foreign key (`creators.id`, ...): access needs no other area's models for it."""
    (key,) = ApiToken.__table__.c[field].foreign_keys
    table_name, _, column_name = key.target_fullname.rpartition(".")
    owners = table(table_name, column(column_name))
    found = db.scalar(select(owners.c[column_name]).where(owners.c[column_name] == ident))
    return found is not None


def authenticate(db: Session, token: str | None) -> Principal:
    if not token:
        raise Unauthorized("a token is required: Authorization: Bearer <token>", code="no_token")
    row = db.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        raise Unauthorized("the token is unknown or revoked", code="bad_token")
    return Principal(
        token_id=row.id,
        role=row.role,
        name=row.name,
        creator_id=row.creator_id,
        supplier_id=row.supplier_id,
        retailer_id=row.retailer_id,
    )


def token_authenticator(db: Database) -> Callable[[str | None], Principal]:
    """Who is calling, for API routing, pages and websockets: registered at app assembly
    (`live/app.py`). Blocking: callers run it in a thread."""

    def authenticate_token(token: str | None) -> Principal:
        with db.reading() as session:
            return authenticate(session, token)

    return authenticate_token


def revoke_token(db: Session, token_id: int) -> ApiToken:
    row = db.get(ApiToken, token_id)
    if row is None:
        raise NotFound("token", token_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row
