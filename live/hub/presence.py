"""Who is watching a show: every overlay and console registers what it is and which revision
it shows, so the producer sees an overlay that is stale or gone.

Kept in Redis (a hash per channel), not in the process, because the producer console may be on
another web process than the overlay.
"""

from __future__ import annotations

import json
import time
from typing import Any

KEY = "sieulive:presence:"
GONE_AFTER_S = 60  # no ping for two heartbeats and a margin: the page is gone
STALE_AFTER_S = 5  # behind the show's revision this long: the overlay is stale


def _key(channel: str) -> str:
    return KEY + channel


async def register(redis: Any, channel: str, client_id: str, info: dict[str, Any]) -> None:
    entry = {**info, "last_seen": time.time()}
    await redis.hset(_key(channel), client_id, json.dumps(entry, ensure_ascii=False))
    await redis.expire(_key(channel), 24 * 3600)


async def forget(redis: Any, channel: str, client_id: str) -> None:
    await redis.hdel(_key(channel), client_id)


def listing(
    raw: dict[bytes, bytes], revision: int, revised_at: float, now: float | None = None
) -> list[dict[str, Any]]:
    """The registered clients with a status: ok, stale (behind the show's revision for more
    than a few seconds after it changed) or gone (no ping for a minute)."""
    now = now or time.time()
    result = []
    for client_id, value in raw.items():
        try:
            entry = json.loads(value)
        except ValueError:
            continue
        age = now - float(entry.get("last_seen", 0))
        shown = entry.get("revision")
        behind = isinstance(shown, int) and shown < revision
        behind_for = now - revised_at if behind else 0.0
        if age > GONE_AFTER_S:
            status = "gone"
        elif behind and behind_for > STALE_AFTER_S:
            status = "stale"
        else:
            status = "ok"
        result.append(
            {
                "id": client_id.decode() if isinstance(client_id, bytes) else client_id,
                "kind": entry.get("kind"),
                "name": entry.get("name"),
                "version": entry.get("version"),
                "revision": shown,
                "status": status,
                "last_seen_s": round(age, 1),
                "user_agent": entry.get("user_agent"),
            }
        )
    return sorted(result, key=lambda c: (str(c["kind"]), str(c["name"]), c["id"]))
