"""Every channel × every role: what a websocket sends is what that role's API allows.

For each channel kind the app registers and each way in (every role's token, and the overlay
token), the first state and a change are read off a real socket and flattened into field
paths (`featured.buy_link`, `recent_purchases[].province`). Each path must be one the same
caller's API returns for the same show or campaign (a route that refuses the caller allows
nothing); the overlay, which has no API, gets exactly what the overlay page draws. A field
added to a state later fails this test for every audience it would leak to, until its
projection (`live/shows/audiences.py`, `live/sales/sockets.py`) or the role's API says so.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from live.access.roles import Role
from live.db import Database, utcnow
from live.hub.hub import CLOSE_FORBIDDEN
from live.sales.sockets import AUDIENCES as SALES_AUDIENCES
from live.schedule.schemas import SegmentIn
from live.shows.audiences import AUDIENCES as SHOW_AUDIENCES
from tests import factories
from tests.conftest import auth
from tests.hub.test_protocol import overlay_token, receive
from tests.sales.conftest import drain, event, post_events, redis
from tests.shows.test_commands import ok

__all__ = ["drain", "redis"]

# What overlays/overlay.js reads from a state: nothing else may reach an overlay token.
OVERLAY_DRAWS = {
    "session",
    "session.id",
    "session.title",
    "session.host_name",
    "session.platform",
    "session.channel",
    "show",
    "show.revision",
    "show.phase",
    "show.rehearsal",
    "featured",
    *(f"featured.{f}" for f in ("id", "name", "supplier_name", "province", "ocop_stars")),
    *(f"featured.{f}" for f in ("list_price", "live_price", "stock_left", "image_url")),
    "featured.buy_link",
    "flash_sale",
    *(f"flash_sale.{f}" for f in ("product_id", "price", "quantity", "remaining", "sold")),
    *(f"flash_sale.{f}" for f in ("sold_out", "started_at", "ends_at", "product")),
    *(f"flash_sale.product.{f}" for f in ("id", "name", "supplier_name", "province")),
    *(f"flash_sale.product.{f}" for f in ("ocop_stars", "list_price", "live_price")),
    *(f"flash_sale.product.{f}" for f in ("stock_left", "image_url", "buy_link")),
    "recent_purchases",
    *(f"recent_purchases[].{f}" for f in ("product_name", "province", "quantity", "at")),
}
NEVER_ON_AN_OVERLAY = ("revenue", "goal", "notes", "talking_points", "campaign_stock", "segments")


def paths(value: Any, prefix: str = "") -> set[str]:
    """Every field path in a JSON value; list items share one path (`items[]`)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            path = f"{prefix}.{key}" if prefix else key
            found.add(path)
            found |= paths(inner, path)
    elif isinstance(value, list):
        for item in value:
            found |= paths(item, f"{prefix}[]")
    return found


@pytest.fixture
def scene(db: Database, tokens: dict[str, str], client: TestClient, drain: Any) -> dict[str, Any]:
    """A live show hosted by the creator token's creator, a product featured, a flash sale on,
    purchases in: every part of both states filled in."""
    with db.unit_of_work() as s:
        a = factories.product(s, name="Cà phê Buôn Ma Thuột 500g", province="Đắk Lắk")
        session = factories.session(
            s,
            host_creator_id=int(tokens["creator_id"]),
            segments=[
                SegmentIn(kind="intro", title="Mở đầu", planned_seconds=120, notes="nội bộ"),
                SegmentIn(kind="product", title=a.name, planned_seconds=300, product_id=a.id),
            ],
        )
        sid, cid, code, sku = session.id, session.campaign_id, session.code, a.sku
    producer = client
    producer.headers.update(auth(tokens["producer"]))
    ok(producer, sid, "go_live", 0)
    ok(producer, sid, "next", 1)
    post_events(
        producer,
        {
            "events": [
                event("created", "P1", utcnow().isoformat(), [(sku, 2, 65_000)], live_code=code)
            ]
        },
    )
    drain()
    body = {"command": "flash_sale.start", "revision": 2, "command_id": "flash-1"}
    body |= {"price": 49_000, "quantity": 20, "duration_seconds": 300}
    assert producer.post(f"/api/sessions/{sid}/show/commands", json=body).status_code == 200
    return {"sid": sid, "cid": cid, "overlay": overlay_token(producer, sid)}


def first_state_and_change(client: TestClient, url: str, poke: Any) -> list[dict[str, Any]]:
    with client.websocket_connect(url) as ws:
        state = receive(ws, "state")
        poke()
        change = receive(ws, "change")
    return [state["data"], change["data"]]


def api_paths(client: TestClient, token: str, *urls: str) -> set[str] | None:
    """The field paths of every listed route that answers this caller; None if none does."""
    allowed: set[str] | None = None
    for url in urls:
        response = client.get(url, headers=auth(token))
        if response.status_code == 200:
            allowed = (allowed or set()) | paths(response.json())
        else:
            assert response.status_code in (403, 404), response.text
    return allowed


def test_every_channel_sends_each_role_only_what_its_api_allows(
    client: TestClient, tokens: dict[str, str], scene: dict[str, Any]
) -> None:
    sid, cid = scene["sid"], scene["cid"]
    revision = [3]

    def poke_show() -> None:
        ok(client, sid, "hold" if revision[0] % 2 else "resume", revision[0])
        revision[0] += 1

    hub = client.app.state.hub  # type: ignore[attr-defined]
    channel = f"campaign:{cid}"

    def poke_campaign() -> None:
        async def fan() -> None:
            hub.fanout(channel, "sales", await hub.current_state(channel))

        client.portal.call(fan)  # type: ignore[union-attr]

    checked = []
    for role in Role:
        token = tokens[role.value]
        # The show channel, by each role's token.
        allowed = api_paths(client, token, f"/api/sessions/{sid}/show")
        url = f"/ws/sessions/{sid}?token={token}"
        if allowed is None:
            with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect(url) as ws:
                ws.receive_json()
            assert refused.value.code == CLOSE_FORBIDDEN, role
        else:
            for data in first_state_and_change(client, url, poke_show):
                leaked = paths(data) - allowed
                assert not leaked, f"show channel leaks {sorted(leaked)} to {role}"
        checked.append(("show", role.value))
        # The campaign channel, by each role's token.
        allowed = (
            api_paths(client, token, f"/api/campaigns/{cid}", f"/api/campaigns/{cid}/sales")
            or set()
        )
        url = f"/ws/campaigns/{cid}?token={token}"
        for data in first_state_and_change(client, url, poke_campaign):
            # The channel's own id, and `at`, when the figures last moved: the cue to reread
            # one's own routes.
            leaked = paths(data) - allowed - {"campaign_id", "at"}
            assert not leaked, f"campaign channel leaks {sorted(leaked)} to {role}"
        checked.append(("campaign", role.value))
    # The overlay token: exactly what the overlay draws, never the producer's figures.
    overlay_url = f"/ws/overlay?token={scene['overlay']}"
    for data in first_state_and_change(client, overlay_url, poke_show):
        got = paths(data)
        assert got <= OVERLAY_DRAWS, f"the overlay gets {sorted(got - OVERLAY_DRAWS)}"
        assert not [p for p in got for word in NEVER_ON_AN_OVERLAY if word in p]
    checked.append(("show", "overlay"))
    # A console's preview frame asks for the overlay's view: exactly that, with any console
    # credential; asking for another role's view gets the caller's own.
    for role in ("producer", "creator"):
        preview = f"/ws/sessions/{sid}?view=overlay&token={tokens[role]}"
        for data in first_state_and_change(client, preview, poke_show):
            assert paths(data) <= OVERLAY_DRAWS, role
    creator = f"/ws/sessions/{sid}?view=producer&token={tokens['creator']}"
    allowed = api_paths(client, tokens["creator"], f"/api/sessions/{sid}/show") or set()
    for data in first_state_and_change(client, creator, poke_show):
        assert paths(data) <= allowed
    # Every audience each kind registers was checked (a new audience needs a line here).
    assert set(SHOW_AUDIENCES) <= {a for kind, a in checked if kind == "show"}
    assert set(SALES_AUDIENCES) <= {a for kind, a in checked if kind == "campaign"}
