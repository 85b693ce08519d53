"""Every route of the app against a declared access policy.

The table below is the policy, written down by hand: who may call each route. The tests walk
every route `create_app()` serves — API, pages, mounts, websockets — and check that

  (a) the route has a row here and declares the same access on its endpoint (`.access`);
  (b) each role's token gets 403 where the row says no and neither 401 nor 403 where it says
      yes; no token, a bad token and a revoked token get 401.

So a new route without a row fails the suite, naming the route. Adding a route: add its row in
its area's block, and a value for any new path parameter in `world`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.routing import BaseRoute, Host, Mount, Route, WebSocketRoute
from starlette.testclient import TestClient

from live.access.roles import Role
from live.access.service import create_token
from live.app import create_app
from live.catalog import service as catalog
from live.db import Database
from live.imports.models import ImportJob
from live.settings import Settings
from live.shops.service import ShopIn, add_shop
from live.studios.service import studio_named
from tests import factories
from tests.conftest import auth

PUBLIC = "public"
P, C, R, S = "producer", "creator", "retailer", "supplier"
ROLES = (P, C, R, S)
EVERYONE = frozenset(ROLES)
PRODUCERS = frozenset({P})
HOSTS = frozenset({P, C})  # producers, and creators on their own sessions
RETAIL = frozenset({P, R})  # producers, and retailers (aggregates only)
SUPPLIERS = frozenset({P, S})  # producers, and suppliers on their own products
WS = "WS"  # the "method" of a websocket route
MOUNT = "MOUNT"  # a mounted app without routes of its own (static files)

Allowed = str | frozenset[str]

POLICY: dict[tuple[str, str], Allowed] = {
    # Health and the API description: load balancers and tools call them without a token.
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,  # its own bearer token when SIEULIVE_METRICS_TOKEN is set
    ("GET", "/openapi.json"): PUBLIC,
    # Catalog: everyone reads; producers write. Creators rotate their own calendar feed.
    ("GET", "/api/suppliers"): EVERYONE,
    ("POST", "/api/suppliers"): PRODUCERS,
    ("GET", "/api/suppliers/{supplier_id:int}"): EVERYONE,
    ("PATCH", "/api/suppliers/{supplier_id:int}"): PRODUCERS,
    ("DELETE", "/api/suppliers/{supplier_id:int}"): PRODUCERS,
    ("GET", "/api/products"): EVERYONE,
    ("POST", "/api/products"): PRODUCERS,
    ("GET", "/api/products/{product_id:int}"): EVERYONE,
    ("PATCH", "/api/products/{product_id:int}"): PRODUCERS,
    ("DELETE", "/api/products/{product_id:int}"): PRODUCERS,
    ("GET", "/api/retailers"): EVERYONE,
    ("POST", "/api/retailers"): PRODUCERS,
    ("GET", "/api/retailers/{retailer_id:int}"): EVERYONE,
    ("PATCH", "/api/retailers/{retailer_id:int}"): PRODUCERS,
    ("DELETE", "/api/retailers/{retailer_id:int}"): PRODUCERS,
    ("GET", "/api/creators"): EVERYONE,
    ("POST", "/api/creators"): PRODUCERS,
    ("GET", "/api/creators/{creator_id:int}"): EVERYONE,
    ("PATCH", "/api/creators/{creator_id:int}"): PRODUCERS,
    ("DELETE", "/api/creators/{creator_id:int}"): PRODUCERS,
    ("POST", "/api/creators/{creator_id:int}/calendar-token"): HOSTS,
    # Schedule: everyone reads; producers plan; creators edit notes of their own sessions.
    ("GET", "/api/campaigns"): EVERYONE,
    ("POST", "/api/campaigns"): PRODUCERS,
    ("GET", "/api/campaigns/{campaign_id:int}"): EVERYONE,
    ("PATCH", "/api/campaigns/{campaign_id:int}"): PRODUCERS,
    ("DELETE", "/api/campaigns/{campaign_id:int}"): PRODUCERS,
    ("GET", "/api/sessions"): EVERYONE,
    ("POST", "/api/sessions"): PRODUCERS,
    ("GET", "/api/sessions/{session_id:int}"): EVERYONE,
    ("PATCH", "/api/sessions/{session_id:int}"): HOSTS,
    ("DELETE", "/api/sessions/{session_id:int}"): PRODUCERS,
    ("PATCH", "/api/sessions/{session_id:int}/segments/{segment_id:int}"): HOSTS,
    # Access: only producers see and make tokens.
    ("GET", "/api/tokens"): PRODUCERS,
    ("POST", "/api/tokens"): PRODUCERS,
    ("DELETE", "/api/tokens/{token_id:int}"): PRODUCERS,
    # Imports (live/imports): producers only.
    ("GET", "/api/imports"): PRODUCERS,
    ("POST", "/api/imports"): PRODUCERS,
    ("GET", "/api/imports/{import_id:int}"): PRODUCERS,
    # Pages and the iCalendar feed (live/pages): the feed's secret URL is its credential.
    ("GET", "/"): EVERYONE,
    ("GET", "/campaigns"): EVERYONE,
    ("GET", "/campaigns/{campaign_id:int}/calendar"): EVERYONE,
    # A creator's "get my calendar link" button: a new feed URL for themself, shown once.
    ("POST", "/campaigns/{campaign_id:int}/calendar"): frozenset({C}),
    ("GET", "/calendar/{feed_token}.ics"): PUBLIC,
    ("GET", "/static/{name}"): PUBLIC,
    # The consoles (live/pages/consoles.py): the producer's desk; the host's phone.
    ("GET", "/sessions/{session_id:int}/producer"): PRODUCERS,
    ("GET", "/sessions/{session_id:int}/creator"): HOSTS,
    # Run the show (live/shows): producers command; the host's console reads the state.
    ("GET", "/api/sessions/{session_id:int}/show"): HOSTS,
    ("POST", "/api/sessions/{session_id:int}/show/commands"): PRODUCERS,
    ("GET", "/api/sessions/{session_id:int}/show/history"): PRODUCERS,
    ("GET", "/api/sessions/{session_id:int}/show/clients"): PRODUCERS,
    ("POST", "/api/sessions/{session_id:int}/show/reload-overlays"): PRODUCERS,
    ("POST", "/api/sessions/{session_id:int}/show/overlay-token"): PRODUCERS,
    ("GET", "/api/hub/stats"): PRODUCERS,
    # Studios and their OBS (live/studios): producers only; the bridge's token opens its socket.
    ("GET", "/api/studios"): PRODUCERS,
    ("POST", "/api/studios"): PRODUCERS,
    ("GET", "/api/studios/{studio_id:int}"): PRODUCERS,
    ("PATCH", "/api/studios/{studio_id:int}"): PRODUCERS,
    ("POST", "/api/studios/{studio_id:int}/bridge-token"): PRODUCERS,
    ("DELETE", "/api/studios/{studio_id:int}/bridge-token"): PRODUCERS,
    ("GET", "/api/sessions/{session_id:int}/studio"): PRODUCERS,
    # Platform shops (live/shops): producers register and watch them; a push's own platform
    # signature is its credential.
    ("GET", "/api/shops"): PRODUCERS,
    ("POST", "/api/shops"): PRODUCERS,
    ("GET", "/api/shops/{shop_id:int}"): PRODUCERS,
    ("PATCH", "/api/shops/{shop_id:int}"): PRODUCERS,
    ("POST", "/api/shops/{shop_id:int}/rotate"): PRODUCERS,
    ("POST", "/api/shops/{shop_id:int}/backfill"): PRODUCERS,
    ("POST", "/push/{shop_id:int}"): PUBLIC,
    ("GET", "/shops"): PRODUCERS,
    ("POST", "/shops"): PRODUCERS,
    ("POST", "/shops/{shop_id:int}/active"): PRODUCERS,
    # Order webhooks (live/sales): the HMAC signature is the platform's credential.
    ("POST", "/webhooks/orders/{platform}"): PUBLIC,
    # Sales dashboards (live/sales/routes.py): retailers the campaign's aggregates and their
    # shortlist; suppliers their own products; creators their own sessions; producers all.
    ("GET", "/api/campaigns/{campaign_id:int}/leaderboard"): RETAIL,
    ("GET", "/api/campaigns/{campaign_id:int}/sales-filters"): RETAIL,
    ("GET", "/api/campaigns/{campaign_id:int}/sales-over-time"): RETAIL,
    ("GET", "/api/campaigns/{campaign_id:int}/sales"): PRODUCERS,
    ("GET", "/api/sessions/{session_id:int}/sales"): HOSTS,
    ("GET", "/api/suppliers/{supplier_id:int}/sales"): SUPPLIERS,
    ("GET", "/api/sessions/{session_id:int}/settlement"): SUPPLIERS,
    ("GET", "/api/shortlist"): RETAIL,
    ("POST", "/api/shortlist"): frozenset({R}),
    ("DELETE", "/api/shortlist/{product_id:int}"): frozenset({R}),
    ("GET", "/api/shortlist/export"): RETAIL,
    ("GET", "/api/orders/unattributed"): PRODUCERS,
    ("GET", "/api/orders/oversold"): PRODUCERS,
    ("GET", "/api/orders/unmapped"): PRODUCERS,
    ("GET", "/api/queues"): PRODUCERS,
    ("POST", "/api/queues/failed/{job_id}/retry"): PRODUCERS,
    ("POST", "/api/queues/dead/requeue"): PRODUCERS,
    ("GET", "/campaigns/{campaign_id:int}/retail"): RETAIL,
    ("GET", "/campaigns/{campaign_id:int}/sales"): PRODUCERS,
    ("GET", "/suppliers/{supplier_id:int}/sales"): SUPPLIERS,
    ("GET", "/static/vendor/{name}"): PUBLIC,
    # The OBS overlay pages: static files, no secret in them.
    (MOUNT, "/overlays"): PUBLIC,
    # Websockets (live/hub): the overlay token in the URL is the overlay's credential.
    (WS, "/ws/overlay"): PUBLIC,
    (WS, "/ws/sessions/{session_id:int}"): HOSTS,
    (WS, "/ws/campaigns/{campaign_id:int}"): EVERYONE,
    # The studio bridge's token (no API token) is its credential; the panels are producers'.
    (WS, "/ws/studios/bridge"): PUBLIC,
    (WS, "/ws/studios/{studio_id:int}"): PRODUCERS,
}

# Path parameters are filled from the `world` fixture below with records the caller owns (the
# creator token's own creator and session, the supplier token's supplier), so an allowed role is
# never refused for ownership. A new integer path parameter needs a value there; string
# parameters (a feed's secret) get "x".
_PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")


@dataclass(frozen=True)
class Served:
    """One (method, path) the app serves and the access its endpoint declares."""

    method: str
    path: str
    endpoint: Any

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def name(self) -> str:
        # API endpoints wrap their handler; name the handler, where someone would look.
        code = getattr(getattr(self.endpoint, "spec", None), "handler", self.endpoint)
        where = f"{getattr(code, '__module__', '?')}.{getattr(code, '__name__', '?')}"
        return f"{self.method} {self.path} ({where})"

    @property
    def declared(self) -> Allowed | None:
        access = getattr(self.endpoint, "access", None)
        if access is None:
            return None
        if access == PUBLIC:
            return PUBLIC
        return frozenset(str(getattr(role, "value", role)) for role in access)


def served(routes: list[BaseRoute], prefix: str = "") -> Iterator[Served]:
    """Every route, recursing into mounts; HEAD is Starlette's echo of GET."""
    for route in routes:
        if isinstance(route, Route):
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                yield Served(method, prefix + route.path, route.endpoint)
        elif isinstance(route, WebSocketRoute):
            yield Served(WS, prefix + route.path, route.endpoint)
        elif isinstance(route, Mount | Host):
            inner = getattr(route, "routes", None)
            if inner:
                yield from served(list(inner), prefix + getattr(route, "path", ""))
            else:
                yield Served(MOUNT, prefix + getattr(route, "path", ""), route.app)
        else:
            yield Served(type(route).__name__, prefix + str(getattr(route, "path", "?")), route)


ALL_ROUTES = list(served(create_app().routes))


def describe(allowed: Allowed | None) -> str:
    if allowed is None or allowed == PUBLIC:
        return repr(allowed)
    return "{" + ", ".join(sorted(allowed)) + "}"


def test_every_route_has_a_policy_row() -> None:
    missing = [r for r in ALL_ROUTES if r.key not in POLICY]
    lines = [
        f"  {r.name}: add ({r.method!r}, {r.path!r}): {describe(r.declared)} to POLICY"
        for r in missing
    ]
    assert not missing, "routes without a policy row in tests/access/test_policy.py:\n" + "\n".join(
        lines
    )


def test_every_policy_row_is_a_route() -> None:
    keys = {r.key for r in ALL_ROUTES}
    stale = [key for key in POLICY if key not in keys]
    assert not stale, f"policy rows for routes the app no longer serves: {stale}"


@pytest.mark.parametrize("route", ALL_ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_declared_access_matches_the_policy(route: Served) -> None:
    assert route.declared is not None, (
        f"{route.name} declares no access: give its endpoint `.access` (PUBLIC, a role set)"
    )
    if route.key in POLICY:
        assert route.declared == POLICY[route.key], (
            f"{route.name} declares {describe(route.declared)},"
            f" the policy says {describe(POLICY[route.key])}"
        )


# Calling every route as every role


@pytest.fixture
def world(db: Database, settings: Settings, tokens: dict[str, str]) -> dict[str, Any]:
    """Records to put in paths, owned by the token holders, and a spare token to revoke."""
    with db.unit_of_work() as s:
        creator_id, supplier_id = int(tokens["creator_id"]), int(tokens["supplier_id"])
        # The supplier has a product and the creator hosts a session: deleting either is a 409,
        # so no call below takes a token away from the role that holds it.
        product = factories.product(s, supplier_id=supplier_id)
        session = factories.session(
            s,
            host_creator_id=creator_id,
            segments=[{"kind": "product", "planned_seconds": 60, "product_id": product.id}],
        )
        retailer = catalog.save_retailer(s, {"name": "Saigon Co.op"})
        spare, _token = create_token(s, Role.producer, "spare")
        upload = ImportJob(filename="lineup.csv", content=b"", created_by="policy")
        s.add(upload)
        s.flush()
        studio = studio_named(s, session.studio)
        assert studio is not None
        shop = add_shop(
            s,
            settings,
            ShopIn(
                platform="shopee",
                shop_ref="policy-shop",
                app_key="2001",
                app_secret="s3cret",
                channel="shopee",
                api_base="https://partner.shopeemobile.com",
            ),
        )
        return {
            "campaign_id": session.campaign_id,
            "session_id": session.id,
            "segment_id": session.segments[0].id,
            "creator_id": creator_id,
            "supplier_id": supplier_id,
            "product_id": product.id,
            "retailer_id": retailer.id,
            "token_id": spare.id,
            "import_id": upload.id,
            "studio_id": studio.id,
            "shop_id": shop.id,
        }


def concrete(path: str, values: dict[str, Any]) -> str:
    def fill(match: re.Match[str]) -> str:
        name, kind = match.group(1), match.group(2) or "str"
        if name in values:
            return str(values[name])
        assert kind not in ("int", "float"), (
            f"no value for path parameter {name!r} of {path}: add it to the `world` fixture"
        )
        return "x"

    return _PARAM.sub(fill, path)


def call(client: TestClient, route: Served, url: str, token: str | None) -> int:
    """The status a caller with `token` gets: HTTP status, or websocket close code - 4000."""
    if route.method == WS:
        query = f"?token={token}" if token else ""
        with client.websocket_connect(url + query) as ws:
            message = ws.receive()
            if message["type"] == "websocket.close":
                return int(message.get("code", 1000)) - 4000
            return 101
    if route.method == MOUNT:
        url = url.rstrip("/") + "/"
    # Bearer for the API; pages take ?token= (a browser link) — both carry the same token.
    # Pages trade ?token= for a cookie: each call is a new caller with an empty cookie jar.
    client.cookies.clear()
    headers = auth(token) if token else {}
    params = {"token": token} if token else {}
    method = "GET" if route.method == MOUNT else route.method
    body = {"notes": "policy check"} if method in ("POST", "PATCH", "PUT") else None
    response = client.request(method, url, headers=headers, params=params, json=body)
    return response.status_code


@pytest.fixture
def lenient(app: Any) -> Iterator[TestClient]:
    # A 500 here is the schemathesis suite's business; this one is about who gets in.
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


# Public routes whose credential is the caller's own signature, answered 401 without it as the
# platform's documentation asks (TikTok Shop, Shopee, Lazada, Shopify pushes).
OWN_SIGNATURE = {("POST", "/push/{shop_id:int}")}


@pytest.mark.parametrize(
    "route", [r for r in ALL_ROUTES if r.key in POLICY], ids=lambda r: f"{r.method} {r.path}"
)
def test_each_role_gets_what_the_policy_says(
    route: Served, lenient: TestClient, tokens: dict[str, str], world: dict[str, Any]
) -> None:
    allowed = POLICY[route.key]
    url = concrete(route.path, world)
    if allowed == PUBLIC:
        if route.key in OWN_SIGNATURE:  # no token opens it: an unsigned push is a 401
            assert call(lenient, route, url, None) == 401, route.name
        elif route.method != WS:  # a public socket checks its own credential (overlay token)
            assert call(lenient, route, url, None) not in (401, 403), route.name
        return
    got = {role: call(lenient, route, url, tokens[role]) for role in ROLES}
    expected_refusals = {role for role in ROLES if role not in allowed}
    wrong = {
        role: status
        for role, status in got.items()
        if (role in expected_refusals) != (status == 403) or status == 401
    }
    assert not wrong, f"{route.name}: policy {describe(allowed)}, got {got}"
    assert call(lenient, route, url, None) == 401, f"{route.name} without a token"
    assert call(lenient, route, url, "sl_not-a-real-token") == 401, f"{route.name}, bad token"


def test_a_revoked_token_is_refused_everywhere(
    lenient: TestClient, db: Database, world: dict[str, Any]
) -> None:
    with db.unit_of_work() as s:
        row, token = create_token(s, Role.producer, "soon revoked")
    producer = {"Authorization": f"Bearer {token}"}
    assert lenient.get("/api/sessions", headers=producer).status_code == 200
    assert lenient.delete(f"/api/tokens/{row.id}", headers=producer).status_code == 204
    for route in ALL_ROUTES:
        if POLICY.get(route.key, PUBLIC) == PUBLIC:
            continue
        status = call(lenient, route, concrete(route.path, world), token)
        assert status == 401, f"{route.name} with a revoked token: {status}"


def test_errors_say_why(client: TestClient, tokens: dict[str, str]) -> None:
    missing = client.get("/api/sessions").json()["error"]
    assert missing["code"] == "no_token"
    bad = client.get("/api/sessions", headers=auth("sl_nope")).json()["error"]
    assert bad["code"] == "bad_token"
    wrong_role = client.post("/api/campaigns", headers=auth(tokens["retailer"]), json={})
    assert wrong_role.status_code == 403
    assert wrong_role.json()["error"]["details"] == {"role": "retailer", "allowed": ["producer"]}
