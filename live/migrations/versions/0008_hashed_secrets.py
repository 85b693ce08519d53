"""overlay and calendar-feed tokens stored as their SHA-256 only

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00

API tokens were stored hashed; the overlay token of each show and the calendar-feed token of
each creator were stored as they are, so a copy of the database (a backup, a read-only SQL
leak) opened every overlay and feed. Each is replaced by its SHA-256 hex digest: a URL given
out before (in an OBS scene, in a phone's calendar) keeps working, because a token is looked
up by its hash. The secrets themselves are shown once, when made.

A show's hash may be null (no overlay URL made yet): new shows get none until a producer
makes one. SQLite rebuilds `shows` for that (no table refers to it); `creators`, which many
tables refer to, only has its column renamed, which SQLite does in place.

Downgrade renames the columns back and leaves the hashes in them: the old code then hands
out URLs carrying the hash, and URLs given out before stop working (make new ones).
"""

import hashlib
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sha256(secret: str) -> str:
    # = live.tokens.secret_hash, copied: a migration must not change when the app does.
    return hashlib.sha256(secret.encode()).hexdigest()


def _hash_column(table: str, key: str, column: str) -> None:
    bind = op.get_bind()
    t = sa.table(table, sa.column(key, sa.Integer), sa.column(column, sa.String))
    for ident, secret in bind.execute(sa.select(t.c[key], t.c[column])).all():
        if secret is not None:
            bind.execute(sa.update(t).where(t.c[key] == ident).values({column: _sha256(secret)}))


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("shows") as batch:
        batch.alter_column(
            "overlay_token",
            new_column_name="overlay_token_hash",
            existing_type=sa.String(length=64),
            nullable=True,
        )
        batch.drop_constraint("uq_shows_overlay_token", type_="unique")
    with op.batch_alter_table("shows") as batch:  # on the renamed column: a batch of its own
        batch.create_unique_constraint("uq_shows_overlay_token_hash", ["overlay_token_hash"])
    _hash_column("shows", "session_id", "overlay_token_hash")
    # Renamed in place: a rebuild of `creators` would trip the foreign keys pointing at it.
    op.execute("ALTER TABLE creators RENAME COLUMN calendar_token TO calendar_token_hash")
    if postgres:
        op.execute(
            "ALTER TABLE creators RENAME CONSTRAINT uq_creators_calendar_token"
            " TO uq_creators_calendar_token_hash"
        )
    _hash_column("creators", "id", "calendar_token_hash")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(
            "ALTER TABLE creators RENAME CONSTRAINT uq_creators_calendar_token_hash"
            " TO uq_creators_calendar_token"
        )
    op.execute("ALTER TABLE creators RENAME COLUMN calendar_token_hash TO calendar_token")
    bind = op.get_bind()
    shows = sa.table("shows", sa.column("session_id"), sa.column("overlay_token_hash"))
    for (session_id,) in bind.execute(
        sa.select(shows.c.session_id).where(shows.c.overlay_token_hash.is_(None))
    ).all():
        filler = secrets.token_urlsafe(24)  # the old schema's overlay token: a secret
        bind.execute(
            sa.update(shows)
            .where(shows.c.session_id == session_id)
            .values(overlay_token_hash=filler)
        )
    with op.batch_alter_table("shows") as batch:
        batch.drop_constraint("uq_shows_overlay_token_hash", type_="unique")
        batch.alter_column(
            "overlay_token_hash",
            new_column_name="overlay_token",
            existing_type=sa.String(length=64),
            nullable=False,
        )
    with op.batch_alter_table("shows") as batch:
        batch.create_unique_constraint("uq_shows_overlay_token", ["overlay_token"])
