"""Who is watching a channel: every overlay and console registers what it is and which revision
it shows, so the producer sees an overlay that is connected, reconnecting, behind or gone.

Kept in Redis (a hash per channel), not in the process, because the producer console may be on
another web process than the overlay. One entry per page, not per connection: a page names
itself with a stable `instance` id in its `hello`, so its reconnections update one entry (the
producer sees "reconnecting since 14:02:11" and then "connected" again, not a new line).

Writes are batched: a web process flushes what its connections registered a few times a
second in one pipeline, so 10,000 overlays saying hello after a restart cost a handful of Redis
round trips instead of 20,000, and never hold up a connection's first state.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

log = logging.getLogger(__name__)

KEY = "sieulive:presence:"
GONE_AFTER_S = 60  # no ping for two heartbeats and a margin, or away this long: gone
BEHIND_AFTER_S = 5  # behind the show's revision this long after it changed: behind
# Pings refresh an entry every 20 s (PRESENCE_REFRESH_S in sockets.py); an entry still marked
# connected but unrefreshed this long lost its web process without a word (SIGKILL, a crash):
# its page is reconnecting somewhere.
SILENT_AFTER_S = 30
FLUSH_EVERY_S = 0.2


def _key(channel: str) -> str:
    return KEY + channel


class Writer:
    """This process's pending presence writes, flushed in one pipeline per tick; the last
    write of an entry wins."""

    def __init__(self, redis: Any) -> None:
        self.redis = redis
        self._pending: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def put(self, channel: str, entry_id: str, entry: dict[str, Any]) -> None:
        self._pending[(channel, entry_id)] = {**entry, "last_seen": time.time()}
        self._start()

    def forget(self, channel: str, entry_id: str) -> None:
        self._pending[(channel, entry_id)] = None
        self._start()

    def _start(self) -> None:
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="presence")

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            await asyncio.sleep(FLUSH_EVERY_S)
            with contextlib.suppress(Exception):
                await self.flush()

    async def flush(self) -> None:
        pending, self._pending = self._pending, {}
        if not pending:
            return
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for (channel, entry_id), entry in pending.items():
                    if entry is None:
                        pipe.hdel(_key(channel), entry_id)
                    else:
                        pipe.hset(_key(channel), entry_id, json.dumps(entry, ensure_ascii=False))
                        pipe.expire(_key(channel), 24 * 3600)
                await pipe.execute()
        except Exception as exc:
            # Redis away: entries age by themselves; what a page registers next time wins.
            log.warning("presence not written (%s)", exc)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        with contextlib.suppress(Exception):
            await self.flush()


def _status(entry: dict[str, Any], revision: int, revised_at: float, now: float) -> dict[str, Any]:
    """connected · behind (showing an older revision for more than a few seconds) ·
    reconnecting (since when, next try at the latest) · gone."""
    seen = float(entry.get("last_seen", 0))
    connected = entry.get("connected", True)
    shown = entry.get("revision")
    retry_s = float(entry.get("retry_max_ms") or 0) / 1000
    if connected and now - seen > SILENT_AFTER_S:
        connected = False  # its web process died without a word
        since = seen
    else:
        since = float(entry.get("disconnected_at") or seen)
    if not connected:
        away = now - since
        if away > GONE_AFTER_S:
            return {"status": "gone", "since": since}
        # The page redials at least every `retry_max_ms`: its next try comes by then.
        next_try = now + retry_s if retry_s else None
        return {"status": "reconnecting", "since": since, "next_try_by": next_try}
    behind = isinstance(shown, int) and shown < revision
    if behind and now - revised_at > BEHIND_AFTER_S:
        return {"status": "behind", "since": revised_at}
    return {"status": "connected", "since": float(entry.get("connected_at") or seen)}


def listing(
    raw: dict[bytes, bytes], revision: int, revised_at: float, now: float | None = None
) -> list[dict[str, Any]]:
    """The registered pages with their connection: connected, behind, reconnecting or gone."""
    now = now or time.time()
    result = []
    for client_id, value in raw.items():
        try:
            entry = json.loads(value)
        except ValueError:
            continue
        status = _status(entry, revision, revised_at, now)
        next_try = status.get("next_try_by")
        result.append(
            {
                "id": client_id.decode() if isinstance(client_id, bytes) else client_id,
                "kind": entry.get("kind"),
                "role": entry.get("role"),
                "name": entry.get("name"),
                "version": entry.get("version"),
                "revision": entry.get("revision"),
                "status": status["status"],
                "since": round(status["since"], 3),
                "next_try_within_s": None if next_try is None else round(next_try - now, 1),
                "reconnects": entry.get("reconnects", 0),
                "last_seen_s": round(now - float(entry.get("last_seen", 0)), 1),
                "user_agent": entry.get("user_agent"),
            }
        )
    return sorted(result, key=lambda c: (str(c["kind"]), str(c["name"]), c["id"]))
