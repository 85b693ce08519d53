"""Routing: what a route declares is what it takes and answers.

Handlers' annotations declare the body, query and answer; `route()` keyword arguments of the
same names agree with them; answers go through the declared model; a 405 names every method
of the path; a rule no schema states is `rule_broken`, never `validation_failed`.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError, model_validator
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.testclient import TestClient

from live.api.fields import Schema, broken_rule
from live.api.openapi import openapi_document
from live.api.routing import (
    PUBLIC,
    ApiEndpoint,
    ApiRouter,
    RequestCtx,
    annotated,
    api_routes,
    validation_failed,
)
from live.app import API_ROUTERS, domain_error, http_error
from live.errors import DomainError, RuleBroken
from live.settings import Settings

ENDPOINTS = [e for router in API_ROUTERS for e in router.endpoints]


def label(e: ApiEndpoint) -> str:
    return f"{e.method} {e.path}"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=label)
def test_what_a_route_declares_is_what_its_handler_is_typed_with(endpoint: ApiEndpoint) -> None:
    # `body=SupplierPatch` on a handler typed `body: SupplierIn` once documented one thing and
    # validated another; the annotations are the declaration, so they can't disagree.
    declared = annotated(endpoint.handler)
    assert endpoint.body is declared.body, f"{label(endpoint)}: body"
    assert endpoint.query is declared.query, f"{label(endpoint)}: query"
    assert endpoint.response is declared.response, f"{label(endpoint)}: answer"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=label)
def test_every_json_answer_has_a_model(endpoint: ApiEndpoint) -> None:
    if endpoint.status == 204 or "application/json" not in endpoint.produces:
        return
    assert endpoint.response is not None, (
        f"{label(endpoint)} answers JSON without a response model: type its handler's return"
    )


class Thing(Schema):
    name: str


class ThingOut(BaseModel):
    id: int
    name: str


class Pair(Schema):
    low: int
    high: int

    @model_validator(mode="after")
    def _ordered(self) -> Pair:  # a rule between fields
        if self.high < self.low:
            raise broken_rule("high must not be below low")
        return self


HANDLERS: Any = {HTTPException: http_error, DomainError: domain_error}


def small_app(*routers: ApiRouter) -> TestClient:
    app = Starlette(routes=api_routes(routers), exception_handlers=HANDLERS)
    app.state.settings = Settings()  # the body limits
    return TestClient(app)


def test_an_answer_goes_through_the_declared_model() -> None:
    router = ApiRouter(tag="t")

    @router.route("GET", "/things/{thing_id:int}", access=PUBLIC, summary="one")
    def get_thing(ctx: RequestCtx[Any], thing_id: int) -> ThingOut:
        # A row with more than the model says: only the model's fields go out.
        row: Any = {"id": thing_id, "name": "a", "secret_hash": "x"}
        return row

    @router.route("GET", "/broken", access=PUBLIC, summary="bad")
    def broken(ctx: RequestCtx[Any]) -> ThingOut:
        row: Any = {"id": "not a number", "name": "a"}
        return row

    client = small_app(router)
    assert client.get("/things/3").json() == {"id": 3, "name": "a"}
    # An answer the document doesn't promise fails loudly, on the server.
    with pytest.raises(ValidationError):
        client.get("/broken")


def test_a_405_names_every_method_of_the_path_across_routers() -> None:
    reads, writes = ApiRouter(tag="r"), ApiRouter(tag="w")

    @reads.route("GET", "/things", access=PUBLIC, summary="list")
    def list_things(ctx: RequestCtx[Any]) -> ThingOut:
        return ThingOut(id=1, name="a")

    @writes.route("POST", "/things", access=PUBLIC, summary="add", status=201)
    def add_thing(ctx: RequestCtx[Any], body: Thing) -> ThingOut:
        return ThingOut(id=2, name=body.name)

    client = small_app(reads, writes)
    answer = client.delete("/things")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, HEAD, POST"
    assert client.post("/things", json={"name": "b"}).status_code == 201


def test_the_real_app_names_every_method(client: TestClient) -> None:
    answer = client.put("/api/campaigns")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, HEAD, POST"
    assert client.put("/api/products/1").headers["allow"] == "DELETE, GET, HEAD, PATCH"


def test_a_handler_may_answer_another_declared_status_and_headers() -> None:
    router = ApiRouter(tag="t")

    @router.route(
        "POST",
        "/things",
        access=PUBLIC,
        summary="add",
        status=201,
        other_success={200: "already there"},
    )
    def add_thing(ctx: RequestCtx[Any], body: Thing) -> ThingOut:
        if body.name == "old":
            ctx.status = 200
        ctx.headers["Location"] = "/things/1"
        return ThingOut(id=1, name=body.name)

    client = small_app(router)
    new = client.post("/things", json={"name": "new"})
    assert (new.status_code, new.headers["location"]) == (201, "/things/1")
    assert client.post("/things", json={"name": "old"}).status_code == 200
    doc = openapi_document(router.endpoints)
    assert set(doc["paths"]["/things"]["post"]["responses"]) >= {"200", "201"}


def test_json_bodies_are_strict_as_the_document_says() -> None:
    router = ApiRouter(tag="t")

    @router.route("POST", "/pairs", access=PUBLIC, summary="add")
    def add_pair(ctx: RequestCtx[Any], body: Pair) -> ThingOut:
        return ThingOut(id=body.low, name=str(body.high))

    client = small_app(router)
    # JSON Schema's integer: 5.0 is 5.
    assert client.post("/pairs", json={"low": 5.0, "high": 6}).json() == {"id": 5, "name": "6"}
    for bad in ("5", True, 5.5):
        refused = client.post("/pairs", json={"low": bad, "high": 6})
        assert refused.status_code == 422, bad
        assert refused.json()["error"]["code"] == "validation_failed"
    # Each field fits; together they break a rule no schema states.
    rule = client.post("/pairs", json={"low": 6, "high": 5})
    assert rule.status_code == 422
    assert rule.json()["error"]["code"] == "rule_broken"


def test_only_rules_between_fields_are_rule_broken() -> None:
    with pytest.raises(ValidationError) as both:
        Pair.model_validate({"low": 6, "high": "x"})
    assert not isinstance(validation_failed(both.value), RuleBroken)
    with pytest.raises(ValidationError) as rule:
        Pair.model_validate({"low": 6, "high": 5})
    assert isinstance(validation_failed(rule.value), RuleBroken)


def test_exports_state_their_content_types(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    settlement = paths["/api/sessions/{session_id}/settlement"]["get"]
    assert set(settlement["responses"]["200"]["content"]) == {
        "application/json",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    query = {p["name"]: p for p in settlement["parameters"] if p["in"] == "query"}
    assert query["supplier_id"]["required"] is True
    export = paths["/api/shortlist/export"]["get"]["responses"]["200"]["content"]
    assert set(export) == {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }


def test_the_document_states_what_text_and_dates_must_be(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    params = {p["name"]: p["schema"] for p in doc["paths"]["/api/campaigns"]["get"]["parameters"]}
    assert "\\x00-\\x08" in params["q"]["pattern"]  # control characters refused in q
    campaign = doc["components"]["schemas"]["CampaignIn"]["properties"]
    assert campaign["starts_on"]["pattern"].startswith("^(?:(?:20\\d\\d|2100)")
    assert "Asia/Ho_Chi_Minh" in campaign["timezone"]["enum"]


def test_sub_resources_of_a_missing_session_are_404(producer: TestClient) -> None:
    # …/show/history answered 200 {"items": []} for a session that doesn't exist.
    for path in ("show", "show/history", "show/clients", "sales"):
        answer = producer.get(f"/api/sessions/99999/{path}")
        assert answer.status_code == 404, path
        assert answer.json()["error"]["code"] == "not_found"
