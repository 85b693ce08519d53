"""Schedule HTTP routes: campaigns, sessions and their run-of-show."""

from __future__ import annotations

from pydantic import ValidationError

from live.access.roles import EVERYONE, PRODUCERS, Ctx, Role
from live.api.crud import Listing, get_or_404
from live.api.routing import ApiRouter, validation_fields
from live.errors import NotFound, RuleBroken
from live.schedule import service
from live.schedule.models import Campaign, LiveSession
from live.schedule.rules import sessions_query
from live.schedule.schemas import (
    CampaignIn,
    CampaignOut,
    CampaignPatch,
    CampaignQuery,
    SegmentPatch,
    SessionIn,
    SessionOut,
    SessionPatch,
    SessionQuery,
)

router = ApiRouter(tag="schedule")
NOTE_WRITERS = frozenset({Role.producer, Role.creator})


@router.route(
    "GET", "/api/campaigns", access=EVERYONE, query=CampaignQuery, summary="List campaigns"
)
def list_campaigns(ctx: Ctx, query: CampaignQuery) -> Listing[CampaignOut]:
    with ctx.db.reading() as db:
        rows, total = service.list_campaigns(db, query)
        items = [service.campaign_out(db, r) for r in rows]
        return Listing[CampaignOut].of(items, total, query)


@router.route(
    "POST",
    "/api/campaigns",
    access=PRODUCERS,
    status=201,
    summary="Create a campaign",
)
def create_campaign(ctx: Ctx, body: CampaignIn) -> CampaignOut:
    with ctx.db.unit_of_work() as db:
        return service.campaign_out(db, service.save_campaign(db, body.model_dump()))


@router.route(
    "GET",
    "/api/campaigns/{campaign_id:int}",
    access=EVERYONE,
    summary="One campaign",
)
def get_campaign(ctx: Ctx, campaign_id: int) -> CampaignOut:
    with ctx.db.reading() as db:
        return service.campaign_out(db, get_or_404(db, Campaign, campaign_id))


@router.route(
    "PATCH",
    "/api/campaigns/{campaign_id:int}",
    access=PRODUCERS,
    summary="Edit a campaign; a new changeover buffer is rechecked",
)
def edit_campaign(ctx: Ctx, campaign_id: int, body: CampaignPatch) -> CampaignOut:
    with ctx.db.unit_of_work() as db:
        row = get_or_404(db, Campaign, campaign_id)
        changes = body.model_dump(exclude_unset=True)
        return service.campaign_out(db, service.save_campaign(db, changes, row))


@router.route(
    "DELETE",
    "/api/campaigns/{campaign_id:int}",
    access=PRODUCERS,
    status=204,
    summary="Remove a campaign without sessions",
)
def delete_campaign(ctx: Ctx, campaign_id: int) -> None:
    with ctx.db.unit_of_work() as db:
        service.delete_campaign(db, campaign_id)


@router.route(
    "GET",
    "/api/sessions",
    access=EVERYONE,
    query=SessionQuery,
    summary="List sessions; q searches title, creators, studio and products",
)
def list_sessions(ctx: Ctx, query: SessionQuery) -> Listing[SessionOut]:
    with ctx.db.reading() as db:
        rows, total = service.list_sessions(db, query)
        items = [service.session_out(db, r) for r in rows]
        return Listing[SessionOut].of(items, total, query)


@router.route(
    "POST",
    "/api/sessions",
    access=PRODUCERS,
    status=201,
    summary="Schedule a session with its run-of-show",
)
def create_session(ctx: Ctx, body: SessionIn) -> SessionOut:
    with ctx.db.unit_of_work() as db:
        row, _warnings = service.save_session(db, body.model_dump())
        return service.session_out(db, row)


def _read_session(ctx: Ctx, session_id: int) -> SessionOut:
    with ctx.db.reading() as db:
        row = db.scalar(sessions_query().where(LiveSession.id == session_id))
        if row is None:
            raise NotFound("session", session_id)
        return service.session_out(db, row)


@router.route(
    "GET",
    "/api/sessions/{session_id:int}",
    access=EVERYONE,
    summary="One session with its run-of-show and warnings",
)
def get_session(ctx: Ctx, session_id: int) -> SessionOut:
    return _read_session(ctx, session_id)


@router.route(
    "PATCH",
    "/api/sessions/{session_id:int}",
    access=NOTE_WRITERS,
    summary="Edit a session; `segments` replaces the run-of-show. Creators: notes only",
)
def edit_session(ctx: Ctx, session_id: int, body: SessionPatch) -> SessionOut:
    changes = body.model_dump(exclude_unset=True)
    if "segments" in changes:
        changes["segments"] = body.segments
    with ctx.db.unit_of_work() as db:
        service.edit_session(db, ctx.me, session_id, changes)
    return _read_session(ctx, session_id)


@router.route(
    "PATCH",
    "/api/sessions/{session_id:int}/segments/{segment_id:int}",
    access=NOTE_WRITERS,
    summary="Edit one segment. Creators: notes only",
)
def edit_segment(ctx: Ctx, session_id: int, segment_id: int, body: SegmentPatch) -> SessionOut:
    try:
        with ctx.db.unit_of_work() as db:
            service.edit_segment(
                db, ctx.me, session_id, segment_id, body.model_dump(exclude_unset=True)
            )
    except ValidationError as exc:
        # Each field sent fits its schema (checked before): the segment as merged with the
        # stored one breaks a rule of its kind (a product named on an intro, say).
        raise RuleBroken(validation_fields(exc)) from exc
    return _read_session(ctx, session_id)


@router.route(
    "DELETE",
    "/api/sessions/{session_id:int}",
    access=PRODUCERS,
    status=204,
    summary="Remove a session that has not gone live",
)
def delete_session(ctx: Ctx, session_id: int) -> None:
    with ctx.db.unit_of_work() as db:
        service.delete_session(db, session_id)
