"""A shop: one account on a selling platform, the channel it stands for, and its keys.

The secrets (the app secret or partner key, the access token) are stored encrypted with the
key from the settings (`live/shops/secrets.py`): a copy of the database alone can't sign an
API call or forge a push. During a rotation the previous app secret is kept, encrypted, until
`previous_until`, and both verify pushes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from live.db import Base, UTCDateTime, utcnow

PUSH_PATH = "/push/{shop_id}"


class Shop(Base):
    __tablename__ = "shops"
    __table_args__ = (UniqueConstraint("platform", "shop_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200), default="")
    # The platform's own id of the account: TikTok shop id, Shopee shop id, Lazada seller id,
    # Shopify shop domain. Kept as a string: platform ids pass 2^53.
    shop_ref: Mapped[str] = mapped_column(String(200))
    # TikTok app key, Shopee partner id, Lazada app key, Shopify client id.
    app_key: Mapped[str] = mapped_column(String(200))
    # The platform channel its orders are attributed by (a session's `channel`).
    channel: Mapped[str] = mapped_column(String(200))
    # Exactly the URL set in the platform's console (Shopee signs it).
    callback_url: Mapped[str] = mapped_column(String(500), default="")
    api_base: Mapped[str] = mapped_column(String(500))
    shop_cipher: Mapped[str] = mapped_column(String(200), default="")
    secrets: Mapped[str] = mapped_column(Text)  # Fernet token: app secret + access token
    previous_secret: Mapped[str | None] = mapped_column(Text)  # Fernet token, in a rotation
    previous_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Detail and list calls a second to this shop's API, so a storm can't get it throttled.
    calls_per_second: Mapped[int] = mapped_column(Integer, default=5)
    # A deactivated shop's pushes are answered and dropped, its backfill poll stops; when it
    # is reactivated its poll reaches back to `deactivated_at` (docs/platforms.md).
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def push_path(self) -> str:
        return PUSH_PATH.format(shop_id=self.id)

    @property
    def previous_secret_until(self) -> datetime | None:
        """Until when the previous app secret still verifies pushes; None once it doesn't."""
        until = self.previous_until
        return until if until is not None and until > utcnow() else None
