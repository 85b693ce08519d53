"""Show command shapes: each carries the revision the sender saw and its own command id."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from live.api.fields import Id, Schema, needs, when
from live.shows.commands import CommandName

CommandId = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")


def _requires(command: CommandName, then: dict[str, Any]) -> Any:
    return when("command", [command.value], then, {})


class CommandIn(Schema):
    """`jump` needs `position`; `flash_sale_start` needs `price`, `quantity` and
    `duration_seconds`; `auto_advance` needs `enabled`."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                _requires(CommandName.jump, needs("position")),
                _requires(
                    CommandName.flash_sale_start, needs("price", "quantity", "duration_seconds")
                ),
                _requires(
                    CommandName.auto_advance,
                    {"required": ["enabled"], "properties": {"enabled": {"type": "boolean"}}},
                ),
            ]
        }
    )

    command: CommandName
    revision: int = Field(ge=0, le=2_147_483_647, description="the show revision the sender saw")
    command_id: str = CommandId
    position: int | None = Field(None, ge=1, le=10_000, description="jump: segment position")
    product_id: Id | None = None
    price: int | None = Field(None, ge=1, le=2_147_483_647, description="flash sale, đồng")
    quantity: int | None = Field(None, ge=1, le=1_000_000)
    duration_seconds: int | None = Field(None, ge=10, le=4 * 3600)
    rehearsal: bool = False
    enabled: bool | None = None

    @model_validator(mode="after")
    def _arguments(self) -> CommandIn:
        needs = {
            CommandName.jump: ["position"],
            CommandName.flash_sale_start: ["price", "quantity", "duration_seconds"],
            CommandName.auto_advance: ["enabled"],
        }.get(self.command, [])
        missing = [f for f in needs if getattr(self, f) is None]
        if missing:
            raise ValueError(f"{self.command.value} needs {', '.join(missing)}")
        return self

    def args(self) -> dict[str, object]:
        return self.model_dump(
            exclude={"command", "revision", "command_id"}, exclude_none=True, mode="json"
        )


# Answers


class ShowState(BaseModel):
    """The whole show state, as consoles and overlays get it (also the websocket's first
    frame). Its parts are described in docs; keys added later pass through."""

    model_config = ConfigDict(extra="allow")

    session: dict[str, Any]
    show: dict[str, Any]
    segments: list[dict[str, Any]]
    featured: dict[str, Any] | None
    featured_since: datetime | None
    flash_sale: dict[str, Any] | None
    sales: dict[str, Any]
    recent_purchases: list[dict[str, Any]]
    overlay_url_issued: bool | None = Field(
        None, description="producers: whether an overlay URL was made (it is shown once)"
    )


class CommandOut(BaseModel):
    applied: bool = Field(description="false: a retry of a command already applied")
    state: ShowState


class HistoryItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    revision: int
    command: str = Field(validation_alias="name")
    command_id: str
    args: dict[str, Any]
    actor: str
    at: datetime
    # What the studio's OBS made of the command (live/studios); None: nothing asked of OBS.
    obs: dict[str, Any] | None = None


class ShowHistory(BaseModel):
    items: list[HistoryItem]
    limit: int
    offset: int


class ShowClient(BaseModel):
    """An overlay or console page and its connection, as it last reported itself
    (live/hub/presence.py): connected, behind (connected but showing an older revision),
    reconnecting (since when, next try within how long) or gone."""

    id: str
    kind: str | None
    role: str | None = None
    name: str | None
    version: str | None
    revision: int | None
    status: Literal["connected", "behind", "reconnecting", "gone"]
    since: float = Field(description="Unix time the page entered this status")
    next_try_within_s: float | None = Field(
        None, description="reconnecting: the page redials within this many seconds"
    )
    reconnects: int = 0
    last_seen_s: float
    user_agent: str | None


class ShowClients(BaseModel):
    items: list[ShowClient]


class Reloading(BaseModel):
    reloading: bool


class OverlayUrl(BaseModel):
    overlay_url: str = Field(description="shown in this answer only: only its hash is kept")
