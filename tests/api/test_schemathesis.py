"""Property-based: schemathesis generates requests from /openapi.json — valid and invalid — for
every role and without a token, and runs every one of its checks on each answer: no 5xx, the
status, content type, headers and body as documented, schema-valid requests accepted and
invalid ones refused, authentication enforced, 405s naming the path's methods. The document
itself must be valid OpenAPI 3.1.

One allowance, which the document states in its 422s: a request valid against the document may
still break a rule no JSON Schema can state (between fields, against the stored record, naming
a record that doesn't exist); the API answers those 422 with a code of their own
(`rule_broken`, `import_failed`), never `validation_failed`, which is kept for what the
document states. So a schema-valid request answered `validation_failed` still fails here: the
document missed a constraint the API enforces.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import positive_data_acceptance
from starlette.testclient import TestClient

from live.access.roles import Role
from live.access.service import create_token
from live.api.openapi import openapi_document
from live.app import API_ROUTERS
from live.catalog import service as catalog
from live.db import Database
from tests import factories
from tests.conftest import auth

# Generated examples per operation and caller (schemathesis's fuzzing phase: valid and invalid
# requests). Producers may call everything, so their requests reach every validation; other
# callers mostly meet access control, which a few examples settle. 61 operations: about 1,600
# requests, a minute or two per database on this 2-core machine.
#
# Schemathesis's "coverage" phase is off: it enumerates every value of every enum (the
# campaign's timezone alone is 600 requests) and boundary cases of every field, about ten
# minutes here. What it adds beyond the fuzzing is checked directly: every method a path
# doesn't take answers 405 naming the ones it does (test_unsupported_methods_name_the_others).
PRODUCER_EXAMPLES = 10
OTHER_EXAMPLES = 4
OTHER_CALLERS = ("creator", "supplier", "retailer", "nobody")

load_all_checks()


def documented_acceptance(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis's `positive_data_acceptance`, but a 422 with a code other than
    `validation_failed` is a rule the document states in words, not a missed constraint."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if response.status_code == 422:
            code = response.json().get("error", {}).get("code")
            if code != "validation_failed":
                return None
        raise


ALL_CHECKS = [c for c in CHECKS.get_all() if c is not positive_data_acceptance] + [
    documented_acceptance
]


def seed(db: Database) -> dict[str, str]:
    """A little of everything, so generated small ids sometimes hit real records; and a
    retailer's token that names its retailer."""
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
        retailer = catalog.save_retailer(s, {"name": "Cửa hàng đặc sản"})
        _row, token = create_token(s, Role.retailer, "shop", retailer_id=retailer.id)
    return {"retailer": token}


# The document the app serves, built from the same declared routes.
DOCUMENT = openapi_document([e for router in API_ROUTERS for e in router.endpoints])
schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.config.phases.coverage.enabled = False


@pytest.fixture
def api_app(app: Any, db: Database, tokens: dict[str, str]) -> Iterator[Any]:
    tokens.update(seed(db))
    yield app
    # Schemathesis ran the app's lifespan (database, Redis) in its own ASGI client: end it.
    shutdown_lifespans()


def call(case: Any, app: Any, token: str | None) -> None:
    # Checks that probe the app again (without the token, with another method) reach it too.
    case.operation.schema.app = app
    # A negative case that leaves the token out means it: sending it anyway would make an
    # invalid request valid, and its 200 look like the API accepting bad input.
    send_token = token and not case.operation.schema.is_security_param_negated(case)
    case.call_and_validate(
        app=app,
        base_url="http://testserver",
        headers=auth(token) if token and send_token else None,
        checks=ALL_CHECKS,
    )


@schema.parametrize()
@settings(
    max_examples=PRODUCER_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_a_producer_gets_what_the_document_says(
    case: Any, api_app: Any, tokens: dict[str, str]
) -> None:
    call(case, api_app, tokens["producer"])


@pytest.mark.parametrize("caller", OTHER_CALLERS)
@schema.parametrize()
@settings(
    max_examples=OTHER_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_other_caller_gets_what_the_document_says(
    case: Any, caller: str, api_app: Any, tokens: dict[str, str]
) -> None:
    call(case, api_app, tokens.get(caller))


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def test_unsupported_methods_name_the_others(client: TestClient) -> None:
    """What the coverage phase's "unspecified method" cases check, for every documented path:
    405, and an `Allow` listing exactly the path's methods (HEAD with GET)."""
    for path, item in DOCUMENT["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        documented = {m.upper() for m in item}
        allow = ", ".join(sorted(documented | ({"HEAD"} if "GET" in documented else set())))
        for method in set(METHODS) - documented:
            answer = client.request(method, url)
            assert answer.status_code == 405, (method, path, answer.status_code)
            assert answer.headers["allow"] == allow, (method, path)


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
