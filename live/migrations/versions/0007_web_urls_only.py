"""products keep only http(s) image and buy URLs

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 09:00:00

Before this, `image_url` and `buy_link` took any text: `javascript:` or `data:` URLs could be
stored, and the overlay turns `buy_link` into an on-stream QR code. The API and imports now
refuse anything but an http(s) address; here the ones stored before are cleared (there is no
safe address to put instead), each product named in the log so a producer can type the right
one. Kept in step with `live.api.fields.web_url_problem`, by hand: a migration must not change
when the app's code does.
"""

import logging
from collections.abc import Sequence
from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")
products = sa.table(
    "products",
    sa.column("id", sa.Integer),
    sa.column("sku", sa.String),
    sa.column("image_url", sa.String),
    sa.column("buy_link", sa.String),
)


def _is_web_url(value: str) -> bool:
    if any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 — raises on a port that is not a number
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(products.c.id, products.c.sku, products.c.image_url, products.c.buy_link).where(
            sa.or_(products.c.image_url.is_not(None), products.c.buy_link.is_not(None))
        )
    ).all()
    for row in rows:
        cleared = {
            column: None
            for column in ("image_url", "buy_link")
            if getattr(row, column) and not _is_web_url(getattr(row, column))
        }
        if cleared:
            log.warning(
                "product %s (%s): cleared %s, not an http(s) address",
                row.id,
                row.sku,
                " and ".join(cleared),
            )
            bind.execute(sa.update(products).where(products.c.id == row.id).values(**cleared))


def downgrade() -> None:
    pass  # what was cleared is gone; the schema is unchanged
