"""studios as records, their OBS actions, and an OBS scene per segment

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 07:00:00

Sessions named their studio as free text. Each distinct name (spaces collapsed, case folded:
"Studio A" and "studio  a" are one studio) becomes a studio record named as its first session
wrote it; every session keeps its text, which is how it finds its studio. New studios get no
bridge token (a producer makes one) and no stand-by, hold or ended scene.

Downgrade drops the new tables and the segment column; the sessions' studio text was never
touched.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import live.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _name_key(name: str) -> str:
    # = live.studios.models.name_key, copied: a migration must not change when the app does.
    return " ".join(name.split()).casefold()


def upgrade() -> None:
    op.create_table(
        "studios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=600), nullable=False),
        sa.Column("standby_scene", sa.String(length=256), nullable=True),
        sa.Column("hold_scene", sa.String(length=256), nullable=True),
        sa.Column("ended_scene", sa.String(length=256), nullable=True),
        sa.Column("bridge_token_hash", sa.String(length=64), nullable=True),
        sa.Column("bridge_token_prefix", sa.String(length=16), nullable=True),
        sa.Column("bridge_token_issued_at", live.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("bridge_seen_at", live.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("obs_health", sa.JSON(), nullable=True),
        sa.Column("created_at", live.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studios")),
        sa.UniqueConstraint("name_key", name=op.f("uq_studios_name_key")),
        sa.UniqueConstraint("bridge_token_hash", name=op.f("uq_studios_bridge_token_hash")),
    )
    op.create_table(
        "studio_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("studio_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("command_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("scene", sa.String(length=256), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("sent_at", live.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", live.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("took_ms", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["studio_id"],
            ["studios.id"],
            name=op.f("fk_studio_actions_studio_id_studios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_studio_actions_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studio_actions")),
    )
    op.create_index(
        op.f("ix_studio_actions_studio_id"), "studio_actions", ["studio_id"], unique=False
    )
    op.create_index(
        op.f("ix_studio_actions_session_id"), "studio_actions", ["session_id"], unique=False
    )
    op.add_column("segments", sa.Column("obs_scene", sa.String(length=256), nullable=True))

    bind = op.get_bind()
    sessions = sa.table("sessions", sa.column("id", sa.Integer), sa.column("studio", sa.String))
    studios = sa.table(
        "studios",
        sa.column("name", sa.String),
        sa.column("name_key", sa.String),
        sa.column("created_at", live.db.UTCDateTime(timezone=True)),
    )
    first_named: dict[str, str] = {}
    for (name,) in bind.execute(sa.select(sessions.c.studio).order_by(sessions.c.id)).all():
        key = _name_key(name or "")
        if key and key not in first_named:
            first_named[key] = " ".join(name.split())
    if first_named:
        now = live.db.utcnow()
        bind.execute(
            sa.insert(studios),
            [{"name": n, "name_key": k, "created_at": now} for k, n in first_named.items()],
        )


def downgrade() -> None:
    with op.batch_alter_table("segments") as batch:
        batch.drop_column("obs_scene")
    op.drop_index(op.f("ix_studio_actions_session_id"), table_name="studio_actions")
    op.drop_index(op.f("ix_studio_actions_studio_id"), table_name="studio_actions")
    op.drop_table("studio_actions")
    op.drop_table("studios")
