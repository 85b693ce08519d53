"""Registering shops, rotating their secrets, and their keys for the workers and the push path.

Secrets go in sealed (`secrets.py`) and never come out of the API or the CLI again: a shop's
listing says which secrets are set and when they were rotated, nothing more.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from live.api.fields import MAX_INT, Line200, Name, Schema, Url, broken_rule
from live.db import Database, utcnow
from live.errors import Conflict, NotFound
from live.platforms.common import Keys
from live.settings import Settings
from live.shops import secrets
from live.shops.models import PUSH_PATH, Shop
from live.shops.schemas import BaseUrl, SellingPlatform, ShopOut, ShopWithHealth

DEFAULT_GRACE_HOURS = 24


class ShopIn(Schema):
    platform: SellingPlatform
    name: Line200 = ""
    shop_ref: Name = Field(
        description="TikTok shop id, Shopee shop id, Lazada seller id or Shopify shop domain"
    )
    app_key: Name = Field(
        description="TikTok app key, Shopee partner id, Lazada app key or Shopify client id"
    )
    app_secret: str = Field(
        min_length=1,
        max_length=500,
        description="app secret / partner key / client secret: stored encrypted, never shown",
    )
    access_token: str = Field(
        "", max_length=2000, description="the shop's API access token: stored encrypted"
    )
    channel: Name = Field(description="the platform channel sessions name (attribution)")
    api_base: BaseUrl = Field(description="the platform API's base URL")
    callback_url: Url = Field(
        "",
        description="exactly the push URL set in the platform's console (Shopee signs it); "
        "empty: this server's /push/{id}",
    )
    shop_cipher: Line200 = Field("", description="TikTok: the shop_cipher of its shop APIs")
    calls_per_second: int = Field(5, ge=1, le=100)


class ShopPatch(Schema):
    """What a producer may change of a registered shop; left out (or null), unchanged. The platform,
    its shop id and the app key are the shop's identity (register another shop to change
    them); the app secret changes by rotation, with its grace period."""

    active: bool | None = Field(
        None,
        description="false deactivates the shop (pushes answered 200 and dropped, no polls); "
        "true reactivates it (a backfill poll reaches back to when it was deactivated)",
    )
    name: Line200 | None = None
    channel: Name | None = Field(None, description="the platform channel sessions name")
    api_base: BaseUrl | None = Field(None, description="the platform API's base URL")
    callback_url: Url | None = Field(
        None,
        description="exactly the push URL set in the platform's console (Shopee signs it); "
        "empty: this server's /push/{id}",
    )
    shop_cipher: Line200 | None = None
    calls_per_second: int | None = Field(None, ge=1, le=100)
    access_token: str | None = Field(
        None,
        max_length=2000,
        description="a new API access token (platforms' tokens expire): stored encrypted",
    )

    @model_validator(mode="before")
    @classmethod
    def _no_secret(cls, data: Any) -> Any:
        # Never in an answer, so never sent back by accident: asking for it is a mistake
        # worth naming, not a read-only field to ignore.
        if isinstance(data, dict) and "app_secret" in data:
            raise broken_rule(
                "app_secret: changes by rotation (POST /api/shops/{id}/rotate), which keeps "
                "the previous one verifying for a grace period"
            )
        return data

    @model_validator(mode="after")
    def _something(self) -> ShopPatch:
        if all(getattr(self, name) is None for name in type(self).model_fields):
            raise broken_rule("nothing to change: give at least one field")
        return self


class RotateIn(Schema):
    app_secret: str = Field(min_length=1, max_length=500)
    access_token: str | None = Field(None, max_length=2000, description="unchanged if left out")
    grace_hours: float = Field(
        DEFAULT_GRACE_HOURS,
        ge=0,
        le=24 * 30,
        description="hours the previous app secret still verifies pushes",
    )


def push_url(settings: Settings, shop_id: int) -> str:
    return settings.public_url + PUSH_PATH.format(shop_id=shop_id)


def shop_out(settings: Settings, shop: Shop) -> ShopOut:
    return ShopOut.model_validate(shop, context={"public_url": settings.public_url})


def with_health(shop: ShopOut, health: dict[str, Any]) -> ShopWithHealth:
    return ShopWithHealth.model_validate({**shop.model_dump(), "health": health})


def add_shop(db: Session, settings: Settings, body: ShopIn) -> Shop:
    existing = db.scalar(
        select(Shop).where(Shop.platform == body.platform, Shop.shop_ref == body.shop_ref)
    )
    if existing is not None:
        raise Conflict(
            f"shop {body.shop_ref} on {body.platform} is registered already (#{existing.id})",
            code="shop_exists",
            details={"field": "shop_ref", "id": existing.id},
        )
    shop = Shop(
        platform=body.platform,
        name=body.name or body.shop_ref,
        shop_ref=body.shop_ref,
        app_key=body.app_key,
        channel=body.channel,
        api_base=body.api_base.rstrip("/"),
        callback_url=body.callback_url,
        shop_cipher=body.shop_cipher,
        calls_per_second=body.calls_per_second,
        secrets=secrets.seal(
            settings, {"app_secret": body.app_secret, "access_token": body.access_token}
        ),
    )
    db.add(shop)
    db.flush()
    if not shop.callback_url:
        shop.callback_url = push_url(settings, shop.id)
    return shop


def change_shop(settings: Settings, shop: Shop, body: ShopPatch) -> Shop:
    """Everything the patch names but `active` (which needs Redis: `activation.set_active`).
    A wrong callback URL or API base is fixed here, not in the database by hand."""
    for name in ("name", "channel", "shop_cipher", "calls_per_second"):
        if getattr(body, name) is not None:
            setattr(shop, name, getattr(body, name))
    if body.api_base is not None:
        shop.api_base = body.api_base.rstrip("/")
    if body.callback_url is not None:
        shop.callback_url = body.callback_url or push_url(settings, shop.id)
    if body.access_token is not None:
        sealed = secrets.open_sealed(settings, shop.secrets)
        sealed["access_token"] = body.access_token
        shop.secrets = secrets.seal(settings, sealed)
    return shop


def get_shop(db: Session, ref: int | str) -> Shop:
    """By id, or by the platform's shop id (`sieulive shop backfill 7495540735365777507`)."""
    shop = None
    # Our ids are int4; a platform's numeric shop id (TikTok's pass 2^63) is not one of ours —
    # and PostgreSQL refuses to compare an int4 key with it.
    if (isinstance(ref, int) or str(ref).isdigit()) and int(ref) <= MAX_INT:
        shop = db.get(Shop, int(ref))
    if shop is None:
        found = db.scalars(select(Shop).where(Shop.shop_ref == str(ref))).all()
        shop = found[0] if len(found) == 1 else None
    if shop is None:
        raise NotFound("shop", ref)
    return shop


def require_active(shop: Shop) -> None:
    """A deactivated shop is not polled, by hand either: reactivate it first."""
    if not shop.active:
        raise Conflict(
            f"shop {shop.id} is deactivated: reactivate it first (its poll then reaches back "
            "to when it was deactivated)",
            code="shop_inactive",
            details={"field": "active"},
        )


def rotate(db: Session, settings: Settings, shop: Shop, body: RotateIn) -> Shop:
    """A new app secret; the previous one keeps verifying pushes for the grace period (the
    platform's console and its retries switch over at their own pace)."""
    current = secrets.open_sealed(settings, shop.secrets)
    now = utcnow()
    shop.previous_secret = secrets.seal(settings, {"app_secret": current["app_secret"]})
    shop.previous_until = now + timedelta(hours=body.grace_hours)
    token = body.access_token if body.access_token is not None else current["access_token"]
    shop.secrets = secrets.seal(settings, {"app_secret": body.app_secret, "access_token": token})
    shop.rotated_at = now
    return shop


def keys_for(settings: Settings, shop: Shop, now: datetime | None = None) -> Keys:
    sealed = secrets.open_sealed(settings, shop.secrets)
    app_secrets = [sealed["app_secret"]]
    if shop.previous_secret and shop.previous_until and shop.previous_until > (now or utcnow()):
        app_secrets.append(secrets.open_sealed(settings, shop.previous_secret)["app_secret"])
    return Keys(
        shop_ref=shop.shop_ref,
        app_key=shop.app_key,
        app_secrets=tuple(app_secrets),
        access_token=sealed.get("access_token", ""),
        api_base=shop.api_base,
        callback_url=shop.callback_url,
        shop_cipher=shop.shop_cipher,
    )


@dataclass(frozen=True)
class ShopView:
    """What the push path and the workers need of a shop, its secrets opened."""

    id: int
    platform: str
    channel: str
    active: bool
    calls_per_second: int
    keys: Keys


def view(settings: Settings, shop: Shop) -> ShopView:
    return ShopView(
        shop.id,
        shop.platform,
        shop.channel,
        shop.active,
        shop.calls_per_second,
        keys_for(settings, shop),
    )


class Keyring:
    """Each web process keeps its shops' opened keys for a few seconds: a push costs no
    database read and no decryption, and a rotation, a new shop or a (de)activation is seen
    within `ttl`."""

    def __init__(self, ttl: float = 5.0) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._shops: dict[int, tuple[float, ShopView | None]] = {}

    def get(self, database: Database, settings: Settings, shop_id: int) -> ShopView | None:
        now = time.monotonic()
        cached = self._shops.get(shop_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        with database.reading() as db:
            shop = db.get(Shop, shop_id)
            found = view(settings, shop) if shop is not None else None
        with self._lock:
            self._shops[shop_id] = (now + self.ttl, found)
        return found

    def forget(self) -> None:
        with self._lock:
            self._shops.clear()
