"""The producers' shops page: every platform shop with its health (last push, last poll,
pending fetches, failures) and status, a button to deactivate or reactivate it, and a form to
register one. Secrets go in, never come out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import anyio.from_thread
from pydantic import ValidationError
from sqlalchemy import select
from starlette.responses import Response

from live.access.roles import PRODUCERS
from live.api.cookies import same_site
from live.errors import DomainError, Forbidden
from live.pages.access import PageCtx, page
from live.shops import pushes
from live.shops.activation import set_active
from live.shops.models import Shop
from live.shops.service import ShopIn, add_shop, get_shop, shop_out

FIELDS = ("platform", "name", "shop_ref", "app_key", "app_secret", "access_token", "channel",
          "api_base", "callback_url", "shop_cipher")  # fmt: skip


def _ago(moment: float | None, t: Any) -> str:
    if moment is None:
        return t("shops_never")
    seconds = max(0, int(datetime.now(UTC).timestamp() - moment))
    return (
        t("shops_seconds_ago", n=seconds)
        if seconds < 120
        else t("shops_minutes_ago", n=seconds // 60)
    )


def _rows(ctx: PageCtx) -> list[dict[str, Any]]:
    redis = ctx.request.app.state.redis
    with ctx.db.reading() as db:
        shops = [
            shop_out(ctx.settings, s).model_dump()
            for s in db.scalars(select(Shop).order_by(Shop.id))
        ]
    for shop in shops:
        health = pushes.health(redis, shop["id"])
        shop["health"] = health
        shop["last_push"] = _ago(health["last_push_at"], ctx.t)
        shop["last_poll"] = _ago(health["last_poll_at"], ctx.t)
        if shop["deactivated_at"] is not None:
            shop["since"] = shop["deactivated_at"].strftime("%d/%m %H:%M UTC")
    return shops


async def _form(ctx: PageCtx) -> Any:
    return await ctx.request.form()


@page(PRODUCERS)
def shops_page(ctx: PageCtx) -> Response:
    return ctx.render("shops.html", shops=_rows(ctx), form={}, errors=[], added=None, notice=None)


@page(PRODUCERS)
def shop_active_page(ctx: PageCtx, shop_id: int) -> Response:
    """The row's Deactivate / Reactivate button (a form POST with the page cookie: SameSite
    keeps other sites' forms from sending it, and their Origin is refused)."""
    if not same_site(ctx.request.headers, ctx.settings.public_url):
        raise Forbidden("the form came from another site", code="cross_site")
    form = anyio.from_thread.run(_form, ctx)
    active = str(form.get("active") or "") == "1"
    with ctx.db.unit_of_work() as db:
        shop = set_active(db, ctx.request.app.state.redis, get_shop(db, shop_id), active)
        name = shop.name
    ring = getattr(ctx.request.app.state, "shop_keyring", None)
    if ring is not None:
        ring.forget()
    notice = ctx.t("shops_reactivated" if active else "shops_deactivated", name=name)
    return ctx.render("shops.html", shops=_rows(ctx), form={}, errors=[], added=None, notice=notice)


@page(PRODUCERS)
def add_shop_page(ctx: PageCtx) -> Response:
    origin = ctx.request.headers.get("origin")
    if origin and origin != f"{ctx.request.url.scheme}://{ctx.request.url.netloc}":
        raise Forbidden("the form came from another site", code="cross_site")
    form = anyio.from_thread.run(_form, ctx)
    data = {name: str(form.get(name) or "") for name in FIELDS}
    errors: list[str] = []
    added = None
    try:
        body = ShopIn.model_validate(data)
        with ctx.db.unit_of_work() as db:
            shop = add_shop(db, ctx.settings, body)
            db.flush()
            added = shop_out(ctx.settings, shop).model_dump()
        ctx.request.app.state.redis.sadd(pushes.KNOWN, added["id"])
    except ValidationError as exc:
        errors = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    except DomainError as exc:
        errors = [exc.message]
    # The secrets are never sent back, not even into the form after an error.
    kept = {k: v for k, v in data.items() if k not in ("app_secret", "access_token")}
    status = 201 if added else 422
    return ctx.render(
        "shops.html", status, shops=_rows(ctx), form={} if added else kept, errors=errors,
        added=added, notice=None,
    )  # fmt: skip
