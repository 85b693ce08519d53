"""Studios over HTTP: the records, their scenes, the bridge's token, the studio panel's state."""

from __future__ import annotations

from typing import Any

from live.access.roles import PRODUCERS, Ctx
from live.api.routing import ApiRouter
from live.db import after_commit
from live.hub.publish import RedisPublisher
from live.studios import service
from live.studios.schemas import (
    BridgeRevoked,
    BridgeToken,
    StudioIn,
    StudioList,
    StudioOut,
    StudioPatch,
    StudioState,
)

router = ApiRouter(tag="studios")


def publisher(ctx: Ctx) -> RedisPublisher:
    return RedisPublisher(ctx.request.app.state.redis)


def _republish(ctx: Ctx, db: Any, studio: Any) -> None:
    state = service.studio_state(db, studio)
    channel = service.studio_channel(studio.id)
    after_commit(db, lambda: publisher(ctx).publish(channel, "studio", state))


@router.route(
    "GET",
    "/api/studios",
    access=PRODUCERS,
    summary="Every studio (each one a session names included), with its bridge's status",
)
def list_studios(ctx: Ctx) -> StudioList:
    with ctx.db.unit_of_work() as db:
        return StudioList(items=[service.studio_out(s) for s in service.list_studios(db)])


@router.route("POST", "/api/studios", access=PRODUCERS, status=201, summary="Add a studio")
def create_studio(ctx: Ctx, body: StudioIn) -> StudioOut:
    with ctx.db.unit_of_work() as db:
        return service.studio_out(service.create_studio(db, body.model_dump()))


@router.route(
    "GET",
    "/api/studios/{studio_id:int}",
    access=PRODUCERS,
    summary="A studio's whole state: bridge, OBS health, shows on air, last OBS actions",
)
def get_studio(ctx: Ctx, studio_id: int) -> StudioState:
    with ctx.db.reading() as db:
        return StudioState.model_validate(service.studio_state_by_id(db, studio_id))


@router.route(
    "PATCH",
    "/api/studios/{studio_id:int}",
    access=PRODUCERS,
    summary="Rename a studio (its sessions follow) or set its stand-by, hold and ended scenes",
)
def edit_studio(ctx: Ctx, studio_id: int, body: StudioPatch) -> StudioOut:
    with ctx.db.unit_of_work() as db:
        studio = service.get_studio(db, studio_id)
        service.edit_studio(db, studio, body.model_dump(exclude_unset=True))
        _republish(ctx, db, studio)
        return service.studio_out(studio)


@router.route(
    "POST",
    "/api/studios/{studio_id:int}/bridge-token",
    access=PRODUCERS,
    summary="Make the studio's bridge token, shown in this answer only; an older one stops",
)
def make_bridge_token(ctx: Ctx, studio_id: int) -> BridgeToken:
    with ctx.db.unit_of_work() as db:
        studio = service.get_studio(db, studio_id)
        token, revoked = service.new_bridge_token(db, studio)
        channel = service.studio_channel(studio_id)
        if revoked:
            after_commit(db, lambda: publisher(ctx).publish(channel, "revoke_bridge", {}))
        _republish(ctx, db, studio)
    server = ctx.settings.public_url
    return BridgeToken(
        token=token, command=f"sieulive obs-bridge --server {server} --token {token}"
    )


@router.route(
    "DELETE",
    "/api/studios/{studio_id:int}/bridge-token",
    access=PRODUCERS,
    summary="Revoke the studio's bridge token; a bridge connected with it is disconnected",
)
def revoke_bridge_token(ctx: Ctx, studio_id: int) -> BridgeRevoked:
    with ctx.db.unit_of_work() as db:
        studio = service.get_studio(db, studio_id)
        revoked = service.revoke_bridge_token(db, studio)
        channel = service.studio_channel(studio_id)
        after_commit(db, lambda: publisher(ctx).publish(channel, "revoke_bridge", {}))
        _republish(ctx, db, studio)
    return BridgeRevoked(revoked=revoked)


@router.route(
    "GET",
    "/api/sessions/{session_id:int}/studio",
    access=PRODUCERS,
    summary="The session's studio and its whole state, for the producer console",
)
def session_studio(ctx: Ctx, session_id: int) -> StudioState:
    with ctx.db.unit_of_work() as db:
        state = service.studio_state(db, service.session_studio(db, session_id))
        return StudioState.model_validate(state)
