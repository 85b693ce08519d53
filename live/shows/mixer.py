"""What the show asks of the studio's vision mixer (OBS), through one registered object.

The studios area drives each studio's OBS from the run-of-show: it needs the shows' commands
and state, so it imports the shows, and the shows can't import it back. After a command is
applied (in its transaction) and when overlays are told to reload, the show hands the news to
the `StudioMixer` that the studios lend at start-up (`live/assembly.py`); the show's history
asks it what OBS made of each command.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.orm import Session

from live.hub.publish import Publisher
from live.registry import Slot
from live.schedule.models import LiveSession
from live.shows.models import Show


class StudioMixer(Protocol):
    def command_applied(
        self,
        db: Session,
        publisher: Publisher,
        session: LiveSession,
        show: Show,
        command: str,
        command_id: str,
    ) -> None:
        """A show command was applied (not yet committed): switch the studio's scene if the
        command calls for it, recording what was asked; publish only after the commit."""
        ...

    def reload_overlays(self, db: Session, publisher: Publisher, session_id: int) -> None:
        """Press refresh on the studio's OBS browser sources showing this session's overlay."""
        ...

    def outcomes(
        self, db: Session, session_id: int, command_ids: list[str]
    ) -> dict[str, dict[str, Any]]:
        """What OBS made of each of these commands of the session, by command id."""
        ...


# Filled by the studios (`live.studios.director.Director`).
MIXER: Slot[StudioMixer] = Slot("the studio mixer the show drives")
