"""Liveness and readiness: /healthz answers while the process runs; /readyz only when the
database and Redis both answer and a worker was seen lately, and says which one doesn't."""

from __future__ import annotations

import socket
import time

from starlette.testclient import TestClient

from live.app import create_app
from live.queueing import worker_gone, worker_seen
from live.settings import Settings


def closed_port() -> int:
    """A local port nothing listens on: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_when_everything_answers(client: TestClient, app) -> None:
    worker_seen(client.app.state.redis, "host:1")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok", "workers": "ok"},
    }


def test_readyz_fails_naming_why_when_no_worker_was_seen_lately(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "redis": "ok",
        "workers": "error: no worker seen in the last hour (none running?); orders wait unapplied",
    }
    redis = client.app.state.redis
    worker_seen(redis, "host:2", now=time.time() - 95)
    checks = client.get("/readyz").json()["checks"]
    assert checks["workers"].startswith("error: no worker seen for 95 s (limit 30 s")
    worker_seen(redis, "host:3")
    assert client.get("/readyz").status_code == 200
    worker_gone(redis, "host:3")
    assert client.get("/readyz").status_code == 503, "a worker stopping signs off at once"
    assert client.get("/healthz").status_code == 200, "alive all the same"


def test_readyz_names_an_unreachable_redis(settings: Settings) -> None:
    app = create_app(settings.with_overrides(redis_url=f"redis://127.0.0.1:{closed_port()}/0"))
    with TestClient(app) as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unavailable"
        assert body["checks"]["database"] == "ok"
        assert body["checks"]["redis"].startswith("error: ")
        # Alive all the same: a load balancer keeps the process, and just sends it no traffic.
        assert client.get("/healthz").status_code == 200


def test_readyz_names_an_unreachable_database(settings: Settings) -> None:
    url = f"postgresql+psycopg://nobody@127.0.0.1:{closed_port()}/none?connect_timeout=2"
    app = create_app(settings.with_overrides(database_url=url))
    with TestClient(app) as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        checks = response.json()["checks"]
        assert checks["database"].startswith("error: ")
        assert checks["redis"] == "ok"
        # An API call that needs the database: a 503 naming it, to retry — not a 500.
        answer = client.get("/api/campaigns", headers={"Authorization": "Bearer any-token"})
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
        error = answer.json()["error"]
        assert (error["code"], error["details"]) == ("backend_unavailable", {"backend": "database"})
