"""platform shops: accounts on TikTok Shop, Shopee, Lazada and Shopify, secrets encrypted

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 07:00:00

A shop's secrets are Fernet tokens made with SIEULIVE_SHOP_KEY (never stored here); during a
rotation the previous app secret stays, encrypted, until `previous_until`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import live.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("shop_ref", sa.String(length=200), nullable=False),
        sa.Column("app_key", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=200), nullable=False),
        sa.Column("callback_url", sa.String(length=500), nullable=False),
        sa.Column("api_base", sa.String(length=500), nullable=False),
        sa.Column("shop_cipher", sa.String(length=200), nullable=False),
        sa.Column("secrets", sa.Text(), nullable=False),
        sa.Column("previous_secret", sa.Text(), nullable=True),
        sa.Column("previous_until", live.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("calls_per_second", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", live.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", live.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shops")),
        sa.UniqueConstraint("platform", "shop_ref", name=op.f("uq_shops_platform_shop_ref")),
    )


def downgrade() -> None:
    op.drop_table("shops")
