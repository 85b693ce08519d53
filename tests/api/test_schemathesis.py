"""Property-based: schemathesis generates requests from /openapi.json — valid and invalid — and
no answer may be a 5xx. The document itself must be valid OpenAPI 3.1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from starlette.testclient import TestClient

from live.api.openapi import openapi_document
from live.app import API_ROUTERS
from live.db import Database
from tests import factories
from tests.conftest import auth

# Enough to find crashes in each operation while the whole file stays under a minute.
EXAMPLES_PER_OPERATION = 20


def seed(db: Database) -> None:
    """A little of everything, so generated small ids sometimes hit real records."""
    with db.unit_of_work() as s:
        product = factories.product(s, campaign_stock=50)
        factories.product(s)
        session = factories.session(
            s,
            segments=[
                {"kind": "intro", "planned_seconds": 60},
                {"kind": "product", "planned_seconds": 300, "product_id": product.id},
                {
                    "kind": "flash_sale",
                    "planned_seconds": 120,
                    "product_id": product.id,
                    "flash_price": 10_000,
                    "flash_quantity": 5,
                },
            ],
        )
        factories.session(s, campaign_id=session.campaign_id)


# The document the app serves, built from the same declared routes.
schema = schemathesis.openapi.from_dict(
    openapi_document([e for router in API_ROUTERS for e in router.endpoints])
)


@pytest.fixture
def api_app(app: Any, db: Database, tokens: dict[str, str]) -> Iterator[Any]:
    seed(db)
    yield app
    # Schemathesis ran the app's lifespan (database, Redis) in its own ASGI client: end it.
    shutdown_lifespans()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_errors(case: Any, api_app: Any, tokens: dict[str, str]) -> None:
    # Producers may call everything, so requests get past access control into the services.
    case.call_and_validate(
        app=api_app,
        base_url="http://testserver",
        headers=auth(tokens["producer"]),
        checks=[not_a_server_error],
    )


def test_the_openapi_document_is_valid(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    schemathesis.openapi.from_dict(doc).validate()  # against the OpenAPI 3.1 meta-schema
    assert doc["openapi"] == "3.1.0"
    # Every declared API route is described.
    for router in API_ROUTERS:
        for endpoint in router.endpoints:
            path = endpoint.path.replace(":int", "")
            assert endpoint.method.lower() in doc["paths"].get(path, {}), (endpoint.method, path)
    operation_ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))
    # Defaults fit their schema (the meta-schema doesn't check this; spec validators do).
    for where, node in schemas_with_defaults(doc):
        root = {k: v for k, v in node.items() if k != "default"}
        validator = jsonschema_rs.validator_for({**root, "components": doc["components"]})
        assert validator.is_valid(node["default"]), f"{where}: default {node['default']!r}"


def schemas_with_defaults(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if "default" in node and ("type" in node or "anyOf" in node or "$ref" in node):
            yield where, node
        for key, value in node.items():
            yield from schemas_with_defaults(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from schemas_with_defaults(value, f"{where}/{i}")
