"""Secrets in URLs and headers (API, overlay and calendar-feed tokens): random, shown once,
stored only as their SHA-256, so a copy of the database opens nothing."""

from __future__ import annotations

import hashlib
import secrets


def new_secret(prefix: str = "", nbytes: int = 24) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


def secret_hash(secret: str) -> str:
    # The secrets are 192+ random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()
