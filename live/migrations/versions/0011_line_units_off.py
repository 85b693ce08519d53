"""order lines: units cancelled or returned on their own; shops: when one was deactivated

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 07:00:00

A platform that keeps a status per line (Lazada) can cancel one line of an order while the
others are delivered: the line's `cancelled_quantity` / `returned_quantity` say how many of its
units are off, whatever the order's state. Every stored line has none off.

A shop deactivated by a producer keeps `active = false` and the moment it was deactivated,
from which its backfill poll reaches back when it is reactivated.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import live.db

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        batch.add_column(
            sa.Column("cancelled_quantity", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("returned_quantity", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("shops") as batch:
        batch.add_column(
            sa.Column("deactivated_at", live.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("shops") as batch:
        batch.drop_column("deactivated_at")
    with op.batch_alter_table("order_lines") as batch:
        batch.drop_column("returned_quantity")
        batch.drop_column("cancelled_quantity")
