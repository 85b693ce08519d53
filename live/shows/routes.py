"""Show control over HTTP: commands, state, history, connected clients, overlay URLs."""

from __future__ import annotations

import logging
import time

from sqlalchemy import select

from live.access.roles import PRODUCERS, Ctx, Role
from live.api.fields import Page, local_time
from live.api.routing import ApiRouter
from live.errors import Forbidden, NotFound
from live.hub import presence
from live.hub.publish import RedisPublisher
from live.logs import log_context
from live.metrics import timing_show_command
from live.schedule.models import LiveSession
from live.shows import service
from live.shows.mixer import MIXER
from live.shows.models import ShowCommand
from live.shows.schemas import (
    CommandIn,
    CommandOut,
    HistoryItem,
    OverlayUrl,
    Reloading,
    ShowClient,
    ShowClients,
    ShowHistory,
    ShowState,
)
from live.shows.service import show_channel

log = logging.getLogger(__name__)
router = ApiRouter(tag="shows")
CONSOLES = frozenset({Role.producer, Role.creator})


def publisher(ctx: Ctx) -> RedisPublisher:
    return RedisPublisher(ctx.request.app.state.redis)


def overlay_url(ctx: Ctx, token: str) -> str:
    return f"{ctx.public_url}/overlays/overlay.html?token={token}"


@router.route(
    "GET",
    "/api/sessions/{session_id:int}/show",
    access=CONSOLES,
    summary="The whole current show state",
)
def get_show(ctx: Ctx, session_id: int) -> ShowState:
    with ctx.db.unit_of_work() as db:
        state = service.current_state(db, session_id)
        if ctx.me.role is Role.creator and not service.hosts(db, session_id, ctx.me.creator_id):
            raise Forbidden(
                "creators see the shows of their own sessions only", code="not_your_session"
            )
        if ctx.me.role is Role.producer:
            # The URL itself is shown once, by POST …/show/overlay-token: only its hash is kept.
            show = service.ensure_show(db, session_id)
            state["overlay_url_issued"] = service.overlay_url_issued(show)
        return ShowState.model_validate(state)


@router.route(
    "POST",
    "/api/sessions/{session_id:int}/show/commands",
    access=PRODUCERS,
    summary="Send a show command with the revision you saw (409 if stale)",
)
def send_command(ctx: Ctx, session_id: int, body: CommandIn) -> CommandOut:
    command = body.command.value
    with (
        log_context(command_id=body.command_id, session_id=session_id),
        timing_show_command(command) as result,
    ):
        with ctx.db.unit_of_work() as db:
            state, applied = service.run_command(
                db,
                publisher(ctx),
                session_id,
                body.command,
                body.revision,
                body.command_id,
                body.args(),
                service.Actor(name=ctx.me.name or ctx.me.role.value, token_id=ctx.me.token_id),
            )
        result["outcome"] = "applied" if applied else "repeated"
        log.info("show command %s %s", command, result["outcome"])
    return CommandOut(applied=applied, state=ShowState.model_validate(state))


@router.route(
    "GET",
    "/api/sessions/{session_id:int}/show/history",
    access=PRODUCERS,
    query=Page,
    summary="Every command applied, with who sent it",
)
def show_history(ctx: Ctx, session_id: int, query: Page) -> ShowHistory:
    with ctx.db.reading() as db:
        # Times in the campaign's offset, like the show state and every other response.
        session = db.get(LiveSession, session_id)
        if session is None:
            raise NotFound("session", session_id)
        zone = session.campaign.timezone
        rows = db.scalars(
            select(ShowCommand)
            .where(ShowCommand.session_id == session_id)
            .order_by(ShowCommand.id)
            .limit(query.limit)
            .offset(query.offset)
        ).all()
        # What the studio's OBS made of each command (a scene switched, failed, bridge offline).
        obs = MIXER.get().outcomes(db, session_id, [r.command_id for r in rows])
        return ShowHistory(
            items=[
                HistoryItem.model_validate(r).model_copy(
                    update={"at": local_time(r.at, zone), "obs": obs.get(r.command_id)}
                )
                for r in rows
            ],
            limit=query.limit,
            offset=query.offset,
        )


@router.route(
    "GET",
    "/api/sessions/{session_id:int}/show/clients",
    access=PRODUCERS,
    summary="Connected overlays and consoles; stale or gone ones flagged",
)
def show_clients(ctx: Ctx, session_id: int) -> ShowClients:
    with ctx.db.unit_of_work() as db:
        show = (
            service.ensure_show(db, session_id) if service.session_exists(db, session_id) else None
        )
        if show is None:
            raise NotFound("session", session_id)
        revision, revised_at = show.revision, show.updated_at.timestamp()
    raw = ctx.request.app.state.redis.hgetall(presence.KEY + show_channel(session_id))
    clients = presence.listing(raw, revision, revised_at, time.time())
    return ShowClients(items=[ShowClient.model_validate(c) for c in clients])


@router.route(
    "POST",
    "/api/sessions/{session_id:int}/show/reload-overlays",
    access=PRODUCERS,
    status=202,
    summary="Make every overlay of the session reload its page",
)
def reload_overlays(ctx: Ctx, session_id: int) -> Reloading:
    with ctx.db.unit_of_work() as db:
        if not service.session_exists(db, session_id):
            raise NotFound("session", session_id)
        # And the studio's OBS presses refresh on the browser sources showing this overlay.
        MIXER.get().reload_overlays(db, publisher(ctx), session_id)
    publisher(ctx).publish(show_channel(session_id), "reload", {"at": time.time()})
    return Reloading(reloading=True)


@router.route(
    "POST",
    "/api/sessions/{session_id:int}/show/overlay-token",
    access=PRODUCERS,
    summary="Make the overlay URL, shown in this answer only; overlays on an older one go",
)
def rotate_overlay_token(ctx: Ctx, session_id: int) -> OverlayUrl:
    with ctx.db.unit_of_work() as db:
        token = service.new_overlay_token(db, publisher(ctx), session_id)
    return OverlayUrl(overlay_url=overlay_url(ctx, token))
