"""Show command shapes: each carries the revision the sender saw and its own command id."""

from __future__ import annotations

from pydantic import Field, model_validator

from live.api.fields import Id, Schema
from live.shows.commands import CommandName

CommandId = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")


class CommandIn(Schema):
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
