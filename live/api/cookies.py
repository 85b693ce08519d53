"""The page cookie as a credential: where it is accepted and how forged calls are told apart.

Pages trade the token a link carries for the HttpOnly `sieulive_token` cookie, so no script
(and no page's HTML) ever holds an API token. The browser then sends the cookie by itself —
also on requests another site makes it send. Two checks keep those out:

- **Origin.** A browser names the page that made a request in `Origin` on every websocket
  handshake and every write. A cookie-carried call whose Origin is another site's (or
  `null`, a sandboxed frame's) is refused. The service's own origin is the address the
  browser used (the request's `Host`) or the configured public URL. A call without Origin
  comes from no browser page, so no other site can have made it.
- **CSRF token for writes.** A write carried by the cookie must also carry `X-CSRF-Token`,
  which the page got in its HTML: a digest of the cookie's token that opens nothing by
  itself. Another site can neither read it nor set a custom header without the server's
  CORS consent (it gives none).

Calls with `Authorization: Bearer` (scripts, the CLI, platforms) carry their credential
deliberately and need neither check.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import urlsplit

from live.errors import Forbidden

COOKIE = "sieulive_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token(token: str) -> str:
    """The page's proof for writes: a one-way digest of its cookie's token, so the same on
    every web process and for the cookie's whole life, and useless without the cookie."""
    return hashlib.sha256(b"sieulive csrf\0" + token.encode()).hexdigest()


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def same_site(headers: Mapping[str, str], public_url: str = "") -> bool:
    """Whether the request's Origin, if any, is the service's own.

    Own means the host and port the browser addressed (`Host`, any scheme: a proxy may end
    TLS in front), or the configured public URL's origin."""
    origin = headers.get("origin")
    if origin is None:
        return True
    origin = origin.strip().lower()
    host = headers.get("host", "").strip().lower()
    if host and urlsplit(origin).netloc == host and origin.startswith(("http://", "https://")):
        return True
    return bool(public_url) and origin == _origin_of(public_url)


def check_cookie_call(
    method: str, headers: Mapping[str, str], token: str, public_url: str = ""
) -> None:
    """Refuse a cookie-carried call another site could have made (403 `cross_site`)."""
    if not same_site(headers, public_url):
        raise Forbidden(
            "refused: the request came from another site's page",
            code="cross_site",
            details={"origin": headers.get("origin", "")[:200]},
        )
    if method.upper() in SAFE_METHODS:
        return
    sent = headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent.encode(), csrf_token(token).encode()):
        raise Forbidden(
            "a write with the page cookie needs the page's X-CSRF-Token header",
            code="csrf_token_missing" if not sent else "csrf_token_wrong",
            details={"header": "X-CSRF-Token"},
        )
