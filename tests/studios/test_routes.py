"""Studios over HTTP and the bridge's websocket, in one process (the test client)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from live.db import Database
from live.studios.models import Studio, StudioAction
from live.tokens import secret_hash
from tests import factories
from tests.conftest import auth


def command(client: TestClient, session_id: int, name: str, **args: Any) -> dict[str, Any]:
    state = client.get(f"/api/sessions/{session_id}/show").json()
    r = client.post(
        f"/api/sessions/{session_id}/show/commands",
        json={
            "command": name,
            "revision": state["show"]["revision"],
            "command_id": uuid.uuid4().hex,
            **args,
        },
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def wait_for(check: Any, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def bridge_seen(db: Database, studio_id: int) -> Any:
    with db.reading() as s:
        studio = s.get(Studio, studio_id)
        assert studio is not None
        return studio.bridge_seen_at


def bridge_token(client: TestClient, studio_id: int) -> str:
    r = client.post(f"/api/studios/{studio_id}/bridge-token")
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def test_every_studio_a_session_names_is_a_record(producer: TestClient, db: Database) -> None:
    with db.unit_of_work() as s:
        factories.session(s, studio="Phòng Đỏ")
        factories.session(s, studio="phòng  đỏ")
        factories.session(s, studio="Phòng Xanh")
    names = [x["name"] for x in producer.get("/api/studios").json()["items"]]
    assert names == ["Phòng Xanh", "Phòng Đỏ"]


def test_studios_are_made_renamed_and_refuse_a_second_of_one_name(
    producer: TestClient, db: Database
) -> None:
    with db.unit_of_work() as s:
        session_id = factories.session(s, studio="Studio A").id
    r = producer.post("/api/studios", json={"name": "Studio B", "hold_scene": "Tạm dừng"})
    assert r.status_code == 201 and r.json()["hold_scene"] == "Tạm dừng"
    again = producer.post("/api/studios", json={"name": " studio   b "})
    assert again.status_code == 409 and again.json()["error"]["code"] == "studio_exists"
    bad = producer.post("/api/studios", json={"name": ""})
    assert bad.status_code == 422 and bad.json()["error"]["details"]["fields"][0]["field"] == "name"
    a = producer.get(f"/api/sessions/{session_id}/studio").json()["studio"]
    taken = producer.patch(f"/api/studios/{a['id']}", json={"name": "STUDIO B"})
    assert taken.status_code == 409
    r = producer.patch(f"/api/studios/{a['id']}", json={"name": "Studio Sen", "ended_scene": "Chờ"})
    assert r.status_code == 200 and r.json()["ended_scene"] == "Chờ"
    assert producer.get(f"/api/sessions/{session_id}").json()["studio"] == "Studio Sen"
    cleared = producer.patch(f"/api/studios/{a['id']}", json={"ended_scene": None})
    assert cleared.json()["ended_scene"] is None and cleared.json()["name"] == "Studio Sen"


def test_only_producers_see_studios(client: TestClient, tokens: dict[str, str]) -> None:
    assert client.get("/api/studios").status_code == 401
    assert client.get("/api/studios", headers=auth(tokens["creator"])).status_code == 403


def test_the_bridge_token_is_kept_hashed_and_revocable(
    producer: TestClient, db: Database, studio_session: dict[str, Any]
) -> None:
    studio_id = studio_session["studio_id"]
    r = producer.post(f"/api/studios/{studio_id}/bridge-token")
    token = r.json()["token"]
    assert token.startswith("slb_") and f"--token {token}" in r.json()["command"]
    with db.reading() as s:
        row = s.get(Studio, studio_id)
        assert row is not None and row.bridge_token_hash == secret_hash(token)
    # The bridge token is no API token.
    assert producer.get("/api/studios", headers=auth(token)).status_code == 401
    bridge = {"Authorization": f"Bearer {token}"}
    with producer.websocket_connect("/ws/studios/bridge", headers=bridge) as ws:
        assert ws.receive_json()["type"] == "state"
    assert producer.delete(f"/api/studios/{studio_id}/bridge-token").json() == {"revoked": True}
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        producer.websocket_connect("/ws/studios/bridge", headers=bridge) as ws,
    ):
        ws.receive_json()
    assert refused.value.code == 4401


def test_without_a_bridge_the_outcome_is_bridge_offline_in_the_history(
    producer: TestClient, db: Database, studio_session: dict[str, Any]
) -> None:
    session_id = studio_session["id"]
    command(producer, session_id, "go_live")
    command(producer, session_id, "next")
    command(producer, session_id, "next")  # a segment without a scene: nothing asked of OBS
    history = producer.get(f"/api/sessions/{session_id}/show/history").json()["items"]
    obs = [(h["command"], h["obs"] and (h["obs"]["scene"], h["obs"]["status"])) for h in history]
    assert obs == [
        ("go_live", ("Mở đầu", "bridge_offline")),
        ("next", ("Sản phẩm", "bridge_offline")),
        ("next", None),
    ]
    panel = producer.get(f"/api/sessions/{session_id}/studio").json()
    assert panel["bridge"]["connected"] is False
    assert panel["warning"] == "live_not_streaming"
    assert panel["actions"][0]["comment"] == "no bridge connected to this studio's OBS"


def test_a_connected_bridge_gets_the_scene_and_its_answer_is_recorded(
    producer: TestClient, db: Database, studio_session: dict[str, Any]
) -> None:
    session_id, studio_id = studio_session["id"], studio_session["studio_id"]
    token = bridge_token(producer, studio_id)
    headers = {"Authorization": f"Bearer {token}"}
    with producer.websocket_connect("/ws/studios/bridge", headers=headers) as ws:
        assert ws.receive_json()["type"] == "state"
        ws.send_json(
            {
                "type": "health",
                "obs_connected": True,
                "program_scene": "Chờ",
                "streaming": True,
                "stream_duration_ms": 61_000,
                "cpu_usage": 9.5,
                "sneaky": "<script>",
                "scenes": ["Chờ", "Mở đầu", 7],
            }
        )
        # The bridge is told nothing of the panel (only its `obs` actions): the producer is.
        frame = ws.receive_json()
        assert frame["kind"] == "studio" and frame["data"] == {"studio_id": studio_id}
        panel = producer.get(f"/api/sessions/{session_id}/studio").json()
        assert panel["bridge"]["connected"] is True
        assert panel["obs"]["scenes"] == ["Chờ", "Mở đầu"]
        assert "sneaky" not in panel["obs"]
        command(producer, session_id, "go_live")
        obs = next(f for f in iter(ws.receive_json, None) if f.get("kind") == "obs")
        assert obs["data"]["action"] == "scene" and obs["data"]["scene"] == "Mở đầu"
        ws.send_json({"type": "result", "id": obs["data"]["id"], "ok": True, "comment": ""})
        ws.send_json({"type": "result", "id": obs["data"]["id"], "ok": False, "comment": "late"})
        ws.send_json({"type": "scene_changed", "scene": "Mở đầu", "by": "sieulive"})
        ws.send_json({"type": "scene_changed", "scene": "Cận cảnh", "by": "obs"})

        def manual_switch_shown() -> bool:  # on the producer's panel
            actions = producer.get(f"/api/sessions/{session_id}/studio").json()["actions"]
            return bool(actions) and actions[0]["action"] == "manual"

        assert wait_for(manual_switch_shown)
    with db.reading() as s:
        actions = s.scalars(select(StudioAction).order_by(StudioAction.id)).all()
        assert [(a.action, a.scene, a.status) for a in actions] == [
            ("scene", "Mở đầu", "done"),
            ("manual", "Cận cảnh", "reported"),
        ]
        assert actions[1].session_id == session_id
    assert wait_for(lambda: bridge_seen(db, studio_id) is None)  # gone with its socket
    history = producer.get(f"/api/sessions/{session_id}/show/history").json()["items"]
    assert history[0]["obs"]["status"] == "done" and history[0]["obs"]["took_ms"] >= 0


def test_hold_resume_and_end_switch_to_the_studios_scenes(
    producer: TestClient, db: Database, studio_session: dict[str, Any]
) -> None:
    session_id = studio_session["id"]
    for name in ("go_live", "next", "hold", "resume", "end"):
        command(producer, session_id, name)
    with db.reading() as s:
        scenes = s.scalars(select(StudioAction.scene).order_by(StudioAction.id)).all()
    assert scenes == ["Mở đầu", "Sản phẩm", "Tạm dừng", "Sản phẩm", "Chờ"]


def test_reload_overlays_asks_the_bridge_by_the_overlay_tokens_hash(
    producer: TestClient, db: Database, studio_session: dict[str, Any]
) -> None:
    session_id, studio_id = studio_session["id"], studio_session["studio_id"]
    r = producer.post(f"/api/sessions/{session_id}/show/reload-overlays")
    assert r.status_code == 202
    with db.reading() as s:
        first = s.scalars(select(StudioAction)).one()
        assert (first.action, first.status) == ("refresh", "failed")  # no overlay URL yet
    url = producer.post(f"/api/sessions/{session_id}/show/overlay-token").json()["overlay_url"]
    token = url.rpartition("token=")[2]
    headers = {"Authorization": f"Bearer {bridge_token(producer, studio_id)}"}
    with producer.websocket_connect("/ws/studios/bridge", headers=headers) as ws:
        ws.receive_json()
        ws.send_json({"type": "health", "obs_connected": True})
        ws.receive_json()
        producer.post(f"/api/sessions/{session_id}/show/reload-overlays")
        obs = next(f for f in iter(ws.receive_json, None) if f.get("kind") == "obs")
    assert obs["data"]["action"] == "refresh"
    assert obs["data"]["overlay_token_hashes"] == [secret_hash(token)]
    assert token not in str(obs)
