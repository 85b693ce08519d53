"""The page cookie's checks, rule by rule (against a real server: tests/hub/test_cross_site.py)."""

from __future__ import annotations

import pytest

from live.api.cookies import check_cookie_call, csrf_token, same_site
from live.errors import Forbidden


@pytest.mark.parametrize(
    ("origin", "host", "public_url", "ok"),
    [
        (None, "127.0.0.1:8300", "", True),  # no browser page made it
        ("http://127.0.0.1:8300", "127.0.0.1:8300", "", True),
        ("https://live.example.vn", "live.example.vn", "", True),  # TLS ended by a proxy
        ("HTTP://127.0.0.1:8300", "127.0.0.1:8300", "", True),
        ("https://live.example.vn", "10.0.0.5:8000", "https://live.example.vn", True),
        ("http://evil.example", "127.0.0.1:8300", "", False),
        ("http://127.0.0.1:8301", "127.0.0.1:8300", "", False),  # another port: another origin
        ("null", "127.0.0.1:8300", "", False),  # a sandboxed frame
        ("ws://127.0.0.1:8300", "127.0.0.1:8300", "", False),
        ("http://evil.example", "evil.example", "https://live.example.vn", True),  # (*)
        ("https://evil.example", "10.0.0.5:8000", "https://live.example.vn", False),
    ],
)
def test_same_site(origin: str | None, host: str, public_url: str, ok: bool) -> None:
    # (*) A page whose Origin matches the Host it addressed: a name pointed at this server
    # (DNS rebinding). It gets no cookie of the real name, so there is nothing to forge.
    headers = {"host": host} | ({"origin": origin} if origin is not None else {})
    assert same_site(headers, public_url) is ok


def test_a_write_needs_the_csrf_token_of_its_own_cookie() -> None:
    own = {"host": "127.0.0.1:8000", "origin": "http://127.0.0.1:8000"}
    check_cookie_call("GET", own, "sl_a")  # reads need no token
    check_cookie_call("POST", {**own, "x-csrf-token": csrf_token("sl_a")}, "sl_a")
    for sent, code in ((None, "csrf_token_missing"), (csrf_token("sl_b"), "csrf_token_wrong")):
        headers = own | ({"x-csrf-token": sent} if sent else {})
        with pytest.raises(Forbidden) as refused:
            check_cookie_call("PATCH", headers, "sl_a")
        assert refused.value.code == code
    assert csrf_token("sl_a") == csrf_token("sl_a") != csrf_token("sl_b")
    assert "sl_a" not in csrf_token("sl_a")
