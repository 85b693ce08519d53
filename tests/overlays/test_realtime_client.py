"""overlays/realtime.js on its own, in Chromium, with short timings: the parts of the protocol
that take too long to see through the overlay page (silence, backoff, slow retries)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.overlays.conftest import FakeHub, make_state

pytestmark = pytest.mark.browser


def start(page: Any, hub: FakeHub, **options: Any) -> None:
    """Open the harness page and connect with the given timing options."""
    page.goto(f"{hub.base}/harness.html")
    page.evaluate(
        """([url, options]) => {
            window.log = {states: [], statuses: [], changes: []};
            window.rt = SieuRealtime.connect(Object.assign({
                url: url, kind: 'producer', name: 'harness', version: 't/1',
                onState: (s, meta) => log.states.push([s.show.revision, meta.type, meta.seq]),
                onChange: (kind, data, meta) => log.changes.push([kind, meta.seq]),
                onStatus: (st) => log.statuses.push([st.state, st.code, st.retryInMs]),
            }, options));
        }""",
        [f"ws://127.0.0.1:{hub.port}/ws/overlay?token=t", options],
    )


def status(page: Any) -> dict[str, Any]:
    return page.evaluate("() => rt.status()")


def test_state_first_then_changes_and_other_kinds(page, hub):
    start(page, hub)
    page.wait_for_function("() => log.states.length === 1")
    hello = hub.wait_for(lambda: hub.messages("hello"), what="hello")[0]
    assert hello == hello | {
        "kind": "producer",
        "name": "harness",
        "version": "t/1",
        "revision": None,
    }
    hub.change("presence", {"clients": []})  # not for overlays: passed on, state untouched
    hub.change("show", make_state(hub.server_now(), revision=2))
    page.wait_for_function("() => log.states.length === 2")
    log = page.evaluate("() => log")
    assert log["states"] == [[1, "state", 0], [2, "change", 2]]
    assert log["changes"] == [["presence", 1], ["show", 2]]
    assert status(page)["state"] == "live" and status(page)["connected"] is True


def test_a_throwing_callback_does_not_break_the_client(page, hub):
    page.goto(f"{hub.base}/harness.html")
    page.evaluate(
        """url => { window.seen = 0; window.rt = SieuRealtime.connect({url: url,
            onState: () => { seen += 1; throw new Error('page bug'); },
            onStatus: () => { throw new Error('page bug'); }}); }""",
        f"ws://127.0.0.1:{hub.port}/ws/overlay?token=t",
    )
    page.wait_for_function("() => seen === 1")
    hub.change("show", make_state(hub.server_now(), revision=2))
    page.wait_for_function("() => seen === 2")
    hub.wait_for(lambda: [m for m in hub.messages("shown") if m["revision"] == 2], what="shown 2")


def test_silence_means_a_dead_link_and_a_redial(page, hub):
    hub.mute = True  # accepts, then never says a word, not even pong
    start(page, hub, silenceMs=1200, checkMs=100, backoffBaseMs=100)
    hub.wait_for(lambda: hub.connections >= 2, timeout=8, what="a redial after silence")
    assert status(page)["counters"]["drops"] >= 1


def test_heartbeats_keep_a_quiet_link_alive(page, hub):
    start(page, hub, silenceMs=1500, checkMs=100, pingMs=60_000)
    page.wait_for_function("() => log.states.length === 1")
    for _ in range(6):  # 3 s of heartbeats every 0.5 s, no other traffic
        hub.send({"type": "heartbeat", "epoch": hub.epoch, "server_time": int(hub.server_now())})
        page.wait_for_timeout(500)
    assert hub.connections == 1
    assert status(page)["counters"]["drops"] == 0


def test_unanswered_resync_redials(page, hub):
    start(page, hub, resyncTimeoutMs=800, checkMs=100, backoffBaseMs=100)
    page.wait_for_function("() => log.states.length === 1")
    hub.resync_delay = 5  # the server never gets round to it
    hub.send(hub.frame("show", make_state(hub.server_now(), revision=9), seq=5))
    hub.wait_for(lambda: hub.connections >= 2, timeout=8, what="a redial")
    page.wait_for_function("() => log.states.length >= 2")  # state first on the new link


def test_too_slow_close_redials_at_once_and_resyncs(page, hub):
    start(page, hub, backoffBaseMs=400)
    page.wait_for_function("() => log.states.length === 1")
    hub.close_all(4408, "too slow: reconnect and resync")
    page.wait_for_function("() => log.states.length === 2")
    retries = [s for s in page.evaluate("() => log.statuses") if s[0] == "reconnecting"]
    assert retries[-1][1] == 4408 and retries[-1][2] <= 400


def test_backoff_doubles_with_full_jitter_up_to_the_ceiling(page, hub):
    hub.stop()  # nothing listens: every dial fails
    page.goto("about:blank")
    page.set_content(f"<script>{_realtime_js()}</script>")
    page.evaluate(
        """url => { window.delays = []; window.rt = SieuRealtime.connect({url: url,
            backoffBaseMs: 40, backoffMaxMs: 320,
            onStatus: st => { if (st.state === 'reconnecting') delays.push(st.retryInMs); }}); }""",
        f"ws://127.0.0.1:{hub.port}/ws/overlay",
    )
    page.wait_for_function("() => delays.length >= 9", timeout=15_000)
    delays = page.evaluate("() => delays")
    ceilings = [min(320, 40 * 2**i) for i in range(len(delays))]
    for delay, ceiling in zip(delays, ceilings, strict=True):
        assert 50 <= delay <= max(50, ceiling)
    assert len(set(delays)) > 3  # jittered, not a fixed schedule
    page.evaluate("() => rt.close()")
    assert page.evaluate("() => rt.status().state") == "stopped"


def test_refused_token_retries_slowly_until_it_is_fixed(page, hub):
    hub.deny_code = 4401
    start(page, hub, deniedRetryMs=600)
    page.wait_for_function("() => rt.status().state === 'unauthorized'")
    first = status(page)
    assert 300 <= first["retryInMs"] <= 600
    assert page.evaluate("() => rt.state()") is None
    hub.deny_code = None  # the producer fixed the token
    page.wait_for_function("() => log.states.length === 1", timeout=5_000)
    assert status(page)["state"] == "live"


def test_clock_offset_uses_the_quickest_round_trip(page, hub):
    hub.skew_ms = -90_000  # the server is 90 s behind
    start(page, hub, pingMs=200)
    hub.wait_for(lambda: len(hub.messages("ping")) >= 4, what="pings")
    page.wait_for_timeout(100)
    st = status(page)
    assert abs(st["offsetMs"] + 90_000) < 200
    assert st["rttMs"] is not None and st["rttMs"] < 200
    server_now = page.evaluate("() => rt.serverNow() - Date.now()")
    assert abs(server_now + 90_000) < 200


def test_sent_messages_are_json_the_hub_accepts(page, hub):
    start(page, hub)
    page.wait_for_function("() => log.states.length === 1")
    hub.wait_for(lambda: hub.messages("shown") and hub.messages("ping"), what="shown and ping")
    for message in hub.received:
        assert message["type"] in {"hello", "shown", "ping", "resync"}
        json.dumps(message)


def _realtime_js() -> str:
    from tests.overlays.conftest import OVERLAYS

    return (OVERLAYS / "realtime.js").read_text(encoding="utf-8")
