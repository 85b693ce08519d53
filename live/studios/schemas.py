"""Studio request and answer shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from live.api.fields import Line100, Required100, Schema, left_out

SCENE = "an OBS scene name, exactly as in OBS (null or empty: leave OBS as it is)"


class StudioIn(Schema):
    name: Required100
    standby_scene: Line100 | None = Field(None, description=SCENE)
    hold_scene: Line100 | None = Field(None, description=SCENE)
    ended_scene: Line100 | None = Field(None, description=SCENE)


class StudioPatch(Schema):
    name: Required100 = left_out()
    standby_scene: Line100 | None = Field(None, description=SCENE)
    hold_scene: Line100 | None = Field(None, description=SCENE)
    ended_scene: Line100 | None = Field(None, description=SCENE)


# Answers


class StudioOut(BaseModel):
    """A studio as producers see it: never its bridge token, only whether one is issued and
    its first characters (to tell which one a bridge holds)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    standby_scene: str | None
    hold_scene: str | None
    ended_scene: str | None
    bridge_token_issued: bool
    bridge_token_prefix: str | None
    bridge_token_issued_at: datetime | None
    bridge_connected: bool = Field(description="a bridge with the current token reported lately")
    bridge_seen_at: datetime | None


class StudioList(BaseModel):
    items: list[StudioOut]


class StudioActionOut(BaseModel):
    """One thing asked of (or seen in) the studio's OBS, with its outcome."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    session_id: int | None
    command_id: str | None
    action: Literal["scene", "refresh", "manual"]
    scene: str | None
    status: Literal["sent", "done", "failed", "bridge_offline", "reported"]
    comment: str
    detail: dict[str, Any] | None = Field(description="an overlay refresh: the sources pressed")
    sent_at: datetime
    answered_at: datetime | None
    took_ms: int | None


class BridgeStatus(BaseModel):
    connected: bool
    seen_at: datetime | None


class OnAir(BaseModel):
    """A show of this studio on air now (live or held)."""

    session_id: int
    code: str
    phase: Literal["live", "held"]
    rehearsal: bool


class StudioState(BaseModel):
    """The studio panel's whole state (also what its websocket pushes)."""

    studio: StudioOut
    bridge: BridgeStatus
    obs: dict[str, Any] | None = Field(
        description="OBS's health as the bridge last reported it; null when the bridge is offline"
    )
    on_air: list[OnAir]
    warning: Literal["live_not_streaming"] | None = Field(
        description="a show live for real here while this studio's OBS isn't streaming"
    )
    actions: list[StudioActionOut] = Field(description="the last things asked of OBS, newest first")
    at: datetime


class BridgeToken(BaseModel):
    token: str = Field(description="shown in this answer only: only its hash is kept")
    command: str = Field(description="the command that runs the bridge with this token")


class BridgeRevoked(BaseModel):
    revoked: bool = Field(description="false: the studio had no token")
