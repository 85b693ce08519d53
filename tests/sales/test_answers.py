"""The sales answers are what the document says, with real figures in every row.

Schemathesis checks every answer against /openapi.json, but on a database with hardly any
sales its report rows are empty lists. Here the sales scene fills every kind of row (each
session, product, platform, bucket, settlement line, odd order, a failed job), and each answer
is validated against its schema, which must name every key of every object in it (no
free-form mapping left). The pages' first figures are the same answers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import jsonschema_rs
import pytest
from rq import Queue, SimpleWorker

from live.db import Database
from tests.sales.scene import SalesScene, build_sales_scene, send_scene_orders
from tests.sales.test_routes import flaky_job


@pytest.fixture
def scene(client: Any, db: Database, drain: Any, redis: Any) -> SalesScene:
    scene = build_sales_scene(db)
    send_scene_orders(client, scene)
    drain()
    queue = Queue("imports", connection=redis)
    queue.enqueue(flaky_job)
    SimpleWorker([queue], connection=redis).work(burst=True)
    added = client.post(
        "/api/shortlist", json={"product_id": scene.sauce}, headers=scene.auth("retailer")
    )
    assert added.status_code == 201
    return scene


def sales_answers(scene: SalesScene) -> list[tuple[str, str]]:
    """(URL, who asks) of every sales route that answers JSON."""
    campaign, s1, s2 = f"/api/campaigns/{scene.campaign_id}", scene.s1, scene.s2
    return [
        (f"{campaign}/leaderboard", "retailer"),
        (f"{campaign}/leaderboard?platform=tiktok_shop&ocop_stars=4", "retailer"),
        (f"{campaign}/sales-filters", "retailer"),
        (f"{campaign}/sales-over-time?category=C%C3%A0%20ph%C3%AA", "retailer"),
        (f"{campaign}/sales", "producer"),
        (f"/api/sessions/{s1}/sales", "producer"),
        (f"/api/sessions/{s2}/sales", "producer"),
        (f"/api/suppliers/{scene.supplier_a}/sales", "supplier_a"),
        (f"/api/sessions/{s1}/settlement?supplier_id={scene.supplier_b}", "supplier_b"),
        ("/api/shortlist", "producer"),
        ("/api/orders/unattributed", "producer"),
        (f"/api/orders/oversold?campaign_id={scene.campaign_id}", "producer"),
        (f"/api/orders/unmapped?campaign_id={scene.campaign_id}", "producer"),
        ("/api/queues", "producer"),
    ]


def answer_schema(document: dict[str, Any], url: str) -> dict[str, Any]:
    """The schema of the JSON a GET of `url` answers with, from the document's paths."""
    path = urlsplit(url).path
    (item,) = [
        item
        for template, item in document["paths"].items()
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[0-9]+", template), path)
    ]
    content = item["get"]["responses"]["200"]["content"]
    schema: dict[str, Any] = content["application/json"]["schema"]
    return schema


def objects_in(value: Any, schema: dict[str, Any], document: dict[str, Any]) -> Iterator[Any]:
    """Each object of the answer with the schema that describes it (refs and nullable
    `anyOf`s followed)."""
    while "$ref" in schema or "anyOf" in schema:
        if "$ref" in schema:
            schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        else:
            kinds = [s for s in schema["anyOf"] if s.get("type") != "null"]
            assert len(kinds) == 1, schema
            schema = kinds[0]
    if isinstance(value, dict):
        yield value, schema
        for key, item in value.items():
            yield from objects_in(item, schema["properties"][key], document)
    elif isinstance(value, list):
        for item in value:
            yield from objects_in(item, schema["items"], document)


def described_objects(schema: dict[str, Any], document: dict[str, Any]) -> set[str]:
    """The names of the object schemas an answer's schema reaches."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                name = node["$ref"].rsplit("/", 1)[1]
                target = document["components"]["schemas"][name]
                if target.get("type") == "object" and name not in found:
                    found.add(name)
                    walk(target)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return found


# Rows that need a worker process alive or killed mid-batch: empty in the scene, filled in
# tests/sales/test_storm_workers.py and tests/sales/pipeline/test_recovery.py.
NO_ROWS_HERE = {"WorkerState", "BatchInFlight"}


def test_sales_answers_with_real_figures_are_what_the_document_says(
    client: Any, scene: SalesScene
) -> None:
    document = client.get("/openapi.json").json()
    reached: set[str] = set()
    met: set[str] = set()
    for url, who in sales_answers(scene):
        answer = client.get(url, headers=scene.auth(who))
        assert answer.status_code == 200, (url, answer.text)
        body = answer.json()
        schema = answer_schema(document, url)
        validator = jsonschema_rs.validator_for({**schema, "components": document["components"]})
        errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(body)]
        assert not errors, (url, errors)
        reached |= described_objects(schema, document)
        for value, object_schema in objects_in(body, schema, document):
            # Every key named, nothing else allowed: a row is a model, not a mapping.
            assert object_schema.get("additionalProperties") is False, (url, object_schema)
            assert set(value) <= set(object_schema["properties"]), url
            met.add(object_schema["title"])
    # Every kind of row was checked with figures in it, not as an empty list.
    assert met == reached - NO_ROWS_HERE


def test_the_rows_are_filled(client: Any, scene: SalesScene) -> None:
    """The scene reaches every kind of row the answers above are checked with."""
    who = scene.auth("producer")
    sales = client.get(f"/api/campaigns/{scene.campaign_id}/sales", headers=who).json()
    assert sales["sessions"] and sales["products"]
    session = client.get(f"/api/sessions/{scene.s1}/sales", headers=who).json()
    assert session["products"] and session["platforms"]
    supplier = client.get(f"/api/suppliers/{scene.supplier_a}/sales", headers=who).json()
    assert [c["session_id"] for c in supplier["products"][0]["sessions"]] == [scene.s1, None]
    queues = client.get("/api/queues", headers=who).json()
    assert [len(q["failed_jobs"]) for q in queues["queues"] if q["name"] == "imports"] == [1]
    oversold = client.get("/api/orders/oversold", headers=who).json()
    assert oversold["items"][0]["lines"]


def test_the_applied_filters_name_only_those_applied(client: Any, scene: SalesScene) -> None:
    url = f"/api/campaigns/{scene.campaign_id}/leaderboard?platform=tiktok_shop&category="
    body = client.get(url, headers=scene.auth("retailer")).json()
    assert body["filters"] == {"platform": "tiktok_shop"}


def page_figures(client: Any, url: str, who: dict[str, str]) -> dict[str, Any]:
    page = client.get(url, headers=who)
    assert page.status_code == 200
    data = page.text.split('<script type="application/json" id="sales-data">')[1]
    figures: dict[str, Any] = json.loads(data.split("</script>")[0])
    return figures


def timeless(answer: dict[str, Any]) -> dict[str, Any]:
    """An answer without the time it was made at."""
    return {k: v for k, v in answer.items() if k != "at"}


def test_the_pages_carry_the_apis_answers(client: Any, scene: SalesScene) -> None:
    """What a page draws first is what its script fetches next: the same answers, to the
    character (times included), so the script reads one shape."""
    who = scene.auth("producer")
    c = scene.campaign_id
    desk = page_figures(client, f"/campaigns/{c}/sales", who)

    def api(url: str) -> Any:
        return client.get(url, headers=who).json()

    assert timeless(desk["board"]) == timeless(api(f"/api/campaigns/{c}/leaderboard"))
    assert desk["chart"] == api(f"/api/campaigns/{c}/sales-over-time")
    assert desk["sessions"] == api(f"/api/campaigns/{c}/sales")["sessions"]
    assert desk["shortlist"] == api("/api/shortlist")["items"]
    assert desk["oversold"] == api(f"/api/orders/oversold?campaign_id={c}&limit=20")
    assert desk["unattributed"] == api("/api/orders/unattributed?limit=20")
    assert desk["unmapped"] == api(f"/api/orders/unmapped?campaign_id={c}&limit=20")
    assert timeless(desk["queues"]) == timeless(api("/api/queues"))
    own = scene.auth("supplier_a")
    mine = page_figures(client, f"/suppliers/{scene.supplier_a}/sales", own)
    fetched = client.get(f"/api/suppliers/{scene.supplier_a}/sales", headers=own).json()
    assert timeless(mine["sales"]) == timeless(fetched)
