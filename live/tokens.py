"""Secrets in URLs and headers (API, overlay and calendar-feed tokens): random, shown once,
stored only as their SHA-256, so a copy of the database opens nothing."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path


def new_secret(prefix: str = "", nbytes: int = 24) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


def secret_hash(secret: str) -> str:
    # The secrets are 192+ random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def kept_secret(path: Path) -> str:
    """A secret made on first use and kept in a file only its owner may read (the dev set-up's
    webhook secret, the key its demo tokens derive from): the same after every restart."""
    if path.exists():
        value = path.read_text().strip()
        if value:
            return value
    path.parent.mkdir(parents=True, exist_ok=True)
    value = new_secret("dev_")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    return value
