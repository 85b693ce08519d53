"""order events kept, applied batches, line numbers

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 03:40:00

Lines get their number within the order and a unique (order_id, line_no): lines stored twice
by the old two-writer race keep distinct numbers here, so the upgrade never fails on them;
`sieulive reconcile` finds them against the kept events of orders placed from now on.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import live.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_key", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("order_id", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", live.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("received_at", live.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("batch_key", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_events")),
        sa.UniqueConstraint("event_key", name=op.f("uq_order_events_event_key")),
    )
    op.create_index("ix_order_events_order", "order_events", ["platform", "order_id"])
    op.create_table(
        "order_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_key", sa.String(length=64), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=False),
        sa.Column("deltas", sa.JSON(), nullable=False),
        sa.Column("applied_at", live.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_batches")),
        sa.UniqueConstraint("batch_key", name=op.f("uq_order_batches_batch_key")),
    )
    op.create_index(op.f("ix_order_batches_applied_at"), "order_batches", ["applied_at"])

    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("line_no", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE order_lines SET line_no = (SELECT count(*) FROM order_lines AS earlier"
        " WHERE earlier.order_id = order_lines.order_id AND earlier.id < order_lines.id)"
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.alter_column("line_no", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_order_lines_order_id_line_no"), ["order_id", "line_no"]
        )


def downgrade() -> None:
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_order_lines_order_id_line_no"), type_="unique")
        batch_op.drop_column("line_no")
    op.drop_index(op.f("ix_order_batches_applied_at"), table_name="order_batches")
    op.drop_table("order_batches")
    op.drop_index("ix_order_events_order", table_name="order_events")
    op.drop_table("order_events")
