"""Shop answers. Secrets go in (`ShopIn`, `RotateIn` in service.py) and never come out: an
answer says only that they are set."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    computed_field,
    field_validator,
)

from live.api.fields import Url

# The selling platforms (`live.platforms.SELLING`), as the document states them.
SellingPlatform = Literal["tiktok_shop", "shopee", "lazada", "shopify"]

# An API's base URL: an http(s) address, never empty.
BaseUrl = Annotated[Url, Field(min_length=1)]


class ShopOut(BaseModel):
    """A shop as producers see it, read from the row; its push path is made a URL with the
    public URL given as validation context (`service.shop_out`)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    platform: SellingPlatform
    name: str
    shop_ref: str
    app_key: str
    channel: str
    api_base: str
    callback_url: str
    push_url: str = Field(
        validation_alias=AliasChoices("push_url", "push_path"),
        description="where the platform pushes: this server's /push/{id}",
    )
    shop_cipher: str
    calls_per_second: int
    active: bool = Field(
        description="false: deactivated — its pushes are answered 200 and dropped, its "
        "backfill poll stops; reactivated, a poll reaches back to when it was deactivated"
    )
    deactivated_at: datetime | None
    rotated_at: datetime | None
    previous_secret_until: datetime | None = Field(
        description="the previous app secret verifies pushes until then (a rotation's grace)"
    )
    created_at: datetime

    # Never read from the row (whose `secrets` is the sealed token): the answer only says so.
    @computed_field(description="never the secrets themselves")  # type: ignore[prop-decorator]
    @property
    def secrets(self) -> Literal["set"]:
        return "set"

    @field_validator("push_url", mode="before")
    @classmethod
    def _push_url(cls, path: str, info: ValidationInfo) -> str:
        # The row knows its path; the public URL is the settings' (given as context).
        return str((info.context or {}).get("public_url", "")) + path


class ShopHealth(BaseModel):
    """What the producer sees of a shop's pushes, polls and fetches (`pushes.health`); times
    are Unix seconds."""

    last_push_at: float | None
    pushes: int
    repeated_pushes: int
    pushes_waiting: int
    last_poll_at: float | None
    last_poll_orders: int
    last_poll_error: str | None
    lost_pushes_recovered: int
    pending_fetches: int
    detail_calls: int
    orders_fetched: int
    failures: int
    last_error: str | None
    last_error_at: float | None
    unreadable_pushes: int
    other_shop_pushes: int
    ignored_pushes: int = Field(description="pushes answered and dropped while deactivated")
    last_ignored_at: float | None


class ShopWithHealth(ShopOut):
    health: ShopHealth


class ShopList(BaseModel):
    items: list[ShopWithHealth]
    redis_memory_bytes: int = Field(description="Redis's memory in use: a burst queues there")


class BackfillQueued(BaseModel):
    shop: int
    since: datetime | None = Field(description="null: since the last poll")
    queued: bool
