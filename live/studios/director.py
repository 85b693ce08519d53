"""The run-of-show drives the studio's OBS: what the show lends through `live.shows.mixer`.

A command applied to a show (by any producer, by auto-advance, on any web process, before or
after a restart: the show is in the database) may call for a scene: taking a segment that
names one, hold and resume, the end. The action is recorded in the command's transaction with
its outcome so far — sent, or `bridge_offline` when no bridge reported lately — and sent to the
studio's bridge over the hub after the commit; the bridge's answer completes it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from live.db import after_commit, utcnow
from live.hub.publish import Publisher
from live.schedule.models import LiveSession
from live.shows.commands import CommandName
from live.shows.models import Phase, Show
from live.studios import service
from live.studios.models import ActionStatus, Studio, StudioAction

TAKES_A_SEGMENT = {
    CommandName.go_live.value,
    CommandName.next.value,
    CommandName.previous.value,
    CommandName.jump.value,
    CommandName.resume.value,  # back from hold: the segment's own scene again
}
OFFLINE_COMMENT = "no bridge connected to this studio's OBS"


def scene_for(studio: Studio, session: LiveSession, show: Show, command: str) -> str | None:
    """The scene a command calls for in this studio; None: leave OBS as it is."""
    if command in TAKES_A_SEGMENT:
        segment = next((s for s in session.segments if s.position == show.current_position), None)
        return segment.obs_scene if segment is not None else None
    if command == CommandName.hold.value:
        return studio.hold_scene
    if command == CommandName.end.value:
        # A rehearsal's end leaves the show on stand-by, ready for the real run.
        return studio.standby_scene if show.phase is Phase.standby else studio.ended_scene
    return None


def _action(
    db: Session, studio: Studio, session_id: int, **fields: Any
) -> tuple[StudioAction, dict[str, Any] | None]:
    """Record an action; returns it and the message for the bridge (None when offline)."""
    online = service.bridge_online(studio)
    action = StudioAction(
        studio_id=studio.id,
        session_id=session_id,
        status=ActionStatus.sent if online else ActionStatus.bridge_offline,
        comment="" if online else OFFLINE_COMMENT,
        sent_at=utcnow(),
        **{k: v for k, v in fields.items() if k != "message"},
    )
    db.add(action)
    db.flush()
    message = {"id": action.id, **fields["message"]} if online else None
    return action, message


def _publish_after_commit(
    db: Session, publisher: Publisher, studio: Studio, message: dict[str, Any] | None
) -> None:
    channel = service.studio_channel(studio.id)
    state = service.studio_state(db, studio)

    def publish() -> None:
        if message is not None:
            publisher.publish(channel, "obs", message)  # first: the bridge is waiting
        publisher.publish(channel, "studio", state)

    after_commit(db, publish)


class Director:
    def command_applied(
        self,
        db: Session,
        publisher: Publisher,
        session: LiveSession,
        show: Show,
        command: str,
        command_id: str,
    ) -> None:
        studio = service.studio_of(db, session)
        if studio is None:
            return
        scene = scene_for(studio, session, show, command)
        message = None
        if scene:
            _action_row, message = _action(
                db,
                studio,
                session.id,
                command_id=command_id,
                action="scene",
                scene=scene,
                message={"action": "scene", "scene": scene},
            )
        # Always: what is on air here (and so the not-streaming warning) may have changed.
        _publish_after_commit(db, publisher, studio, message)

    def reload_overlays(self, db: Session, publisher: Publisher, session_id: int) -> None:
        session = db.get(LiveSession, session_id)
        studio = service.studio_of(db, session) if session is not None else None
        if studio is None:
            return
        token_hash = db.scalar(select(Show.overlay_token_hash).where(Show.session_id == session_id))
        if token_hash is None:
            db.add(
                StudioAction(
                    studio_id=studio.id,
                    session_id=session_id,
                    action="refresh",
                    status=ActionStatus.failed,
                    comment="no overlay URL made for this session yet",
                    sent_at=utcnow(),
                )
            )
            db.flush()
            _publish_after_commit(db, publisher, studio, None)
            return
        # The bridge finds the browser sources whose URL carries a token of this hash: the
        # token itself is nowhere on the server to send.
        _action_row, message = _action(
            db,
            studio,
            session_id,
            action="refresh",
            message={"action": "refresh", "overlay_token_hashes": [token_hash]},
        )
        _publish_after_commit(db, publisher, studio, message)

    def outcomes(
        self, db: Session, session_id: int, command_ids: list[str]
    ) -> dict[str, dict[str, Any]]:
        if not command_ids:
            return {}
        rows = db.scalars(
            select(StudioAction).where(
                StudioAction.session_id == session_id,
                StudioAction.command_id.in_(command_ids),
            )
        ).all()
        return {
            a.command_id: {
                "scene": a.scene,
                "status": a.status,
                "comment": a.comment,
                "took_ms": a.took_ms,
            }
            for a in rows
            if a.command_id is not None
        }
