"""Studio request shapes."""

from __future__ import annotations

from pydantic import Field

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
