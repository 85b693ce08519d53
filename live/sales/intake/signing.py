"""Webhook signatures: HMAC-SHA256 over "{timestamp}.{raw body}" with the platform's secret.

The timestamp in the signed text stops replays of old deliveries; five minutes of clock skew
are tolerated, as platforms' clocks and retries drift.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from live.errors import Unauthorized

TIMESTAMP_HEADER = "x-sieulive-timestamp"
SIGNATURE_HEADER = "x-sieulive-signature"
MAX_SKEW_SECONDS = 300


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(
    secret: str | None,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: float | None = None,
) -> None:
    if not secret:
        raise Unauthorized(
            "no webhook secret is configured for this platform", code="unknown_platform"
        )
    if not timestamp or not signature:
        raise Unauthorized(
            "the timestamp and signature headers are required",
            code="missing_signature",
            details={"headers": [TIMESTAMP_HEADER, SIGNATURE_HEADER]},
        )
    if not timestamp.isdigit():
        raise Unauthorized("the timestamp must be Unix seconds", code="bad_timestamp")
    skew = abs((now or time.time()) - int(timestamp))
    if skew > MAX_SKEW_SECONDS:
        raise Unauthorized(
            f"the timestamp is {int(skew)} s off (at most {MAX_SKEW_SECONDS})",
            code="stale_timestamp",
        )
    if not hmac.compare_digest(sign(secret, timestamp, body), signature.strip()):
        raise Unauthorized("the signature does not match the body", code="bad_signature")
