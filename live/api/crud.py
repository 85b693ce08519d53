"""Small pieces every area's service uses: fetch-or-404, pagination, partial updates."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, create_model
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from live.api.fields import Page, left_out
from live.errors import NotFound
from live.text import fold

T = TypeVar("T")


def get_or_404(db: Session, model: type[T], ident: int, what: str | None = None) -> T:
    row = db.get(model, ident)
    if row is None:
        raise NotFound(what or model.__name__.lower(), ident)
    return row


def paginate(db: Session, stmt: Select[Any], page: Page) -> tuple[list[Any], int]:
    total = db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(db.scalars(stmt.limit(page.limit).offset(page.offset)))
    return rows, total


LIKE_ESCAPE = "\\"


def like_literal(text: str) -> str:
    """`text` for a LIKE/ILIKE pattern (with `escape=LIKE_ESCAPE`) matching itself only: its
    `%`, `_` and the escape character lose their meaning, so "50%" means fifty percent and
    "%" alone finds names with a percent sign, not everything. Every pattern built from what
    a user typed goes through here."""
    return (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


def matching(column: Any, typed: str) -> Any:
    """`column` (a folded search key) contains what the user typed, accents or not."""
    return column.like(f"%{like_literal(fold(typed))}%", escape=LIKE_ESCAPE)


def fitted(column: Any, value: str) -> str:
    """Cut a derived value (a search key) to its column's length: PostgreSQL refuses a longer
    one. Folding can lengthen text ("ﬃ" folds to "ffi"), and a session's key names all its
    products, so the inputs' own limits don't bound it."""
    length = getattr(column.type, "length", None)
    return value[:length] if length else value


Item = TypeVar("Item", bound=BaseModel)


class Listing(BaseModel, Generic[Item]):
    """One page of a list: its items, how many there are in all, and which page this is."""

    items: list[Item]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, items: list[Item], total: int, page: Page) -> Listing[Item]:
        return cls(items=items, total=total, limit=page.limit, offset=page.offset)


def listing(items: list[Any], total: int, page: Page) -> dict[str, Any]:
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


def partial(model: type[BaseModel]) -> type[BaseModel]:
    """The same schema with every field optional: a PATCH body.

    A left-out field stays as it is. Each field keeps its constraints (length, no control
    characters), and null is taken only where the full schema takes it: nulling a name used to
    reach the database as a NOT NULL violation.
    """
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        annotation: Any = info.annotation
        if info.metadata:
            annotation = Annotated[(annotation, *info.metadata)]
        fields[name] = (annotation, left_out(description=info.description))
    patch: type[BaseModel] = create_model(
        f"{model.__name__}Patch", __base__=model.__base__, **fields
    )
    return patch


def apply(row: object, changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        setattr(row, key, value)
