"""Publishing changes to the hub. Only services publish, and only after their commit.

Every web process subscribes once per channel on Redis pub/sub and writes to its own clients,
so a command handled by process A reaches an overlay connected to process B.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from redis import Redis

from live import jsontext

log = logging.getLogger(__name__)

PREFIX = "sieulive:hub:"


def topic_prefix(redis: Redis) -> str:
    """Pub/sub ignores Redis database numbers: deployments (or test workers) sharing one Redis
    server on different databases must not hear each other, so the database is in the topic."""
    kwargs = getattr(getattr(redis, "connection_pool", None), "connection_kwargs", {})
    return f"{PREFIX}{kwargs.get('db', 0)}:"


def encode(message: dict[str, Any]) -> str:
    return jsontext.dumps(message, compact=True)


class Publisher(Protocol):
    def publish(self, channel: str, kind: str, data: dict[str, Any]) -> None: ...


class RedisPublisher:
    """Publishes `{"channel", "kind", "data"}` on the channel's Redis pub/sub topic."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.prefix = topic_prefix(redis)

    def publish(self, channel: str, kind: str, data: dict[str, Any]) -> None:
        message = encode({"channel": channel, "kind": kind, "data": data})
        try:
            self.redis.publish(self.prefix + channel, message)
        except Exception:
            # The DB already holds the change; clients resync from it on their next connect
            # or heartbeat gap, so a lost publish delays a frame but never loses state.
            log.exception("publishing %s on %s failed", kind, channel)


class NullPublisher:
    def publish(self, channel: str, kind: str, data: dict[str, Any]) -> None:
        return None
