"""The roles, who is calling, and the access sets routes name.

API routing knows roles only as strings (`live/api/routing.py`): this is where they are named,
where a caller becomes a `Principal`, and where every area's routes find their `Ctx`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from live.api.routing import RequestCtx


class Role(enum.StrEnum):
    producer = "producer"
    creator = "creator"
    retailer = "retailer"
    supplier = "supplier"


EVERYONE: frozenset[Role] = frozenset(Role)
PRODUCERS: frozenset[Role] = frozenset({Role.producer})


@dataclass(frozen=True)
class Principal:
    """Who is calling: a token's role and, for non-producers, whose token it is."""

    token_id: int
    role: Role
    name: str
    creator_id: int | None = None
    supplier_id: int | None = None
    retailer_id: int | None = None


# What an API handler gets besides its inputs: the request, the caller, the process's resources.
Ctx = RequestCtx[Principal]
