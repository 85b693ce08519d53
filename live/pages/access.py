"""Who may open a page: the API's tokens, carried the ways a browser can carry them.

A page takes `Authorization: Bearer`, the `sieulive_token` cookie, or `?token=` in the URL.
The URL form exists because links are what producers hand out (chat, printed run sheets): the
first visit trades it for an HttpOnly cookie and a 303 to the same address without it, so the
token doesn't linger in the address bar, the history or a screenshot.

Each page endpoint carries `.access` like the API's, so the route-policy test covers pages too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from live.access.roles import Principal
from live.api.cookies import COOKIE, csrf_token
from live.api.fields import MAX_INT
from live.api.routing import Access, RequestCtx, bearer_token, identify
from live.errors import DomainError, Forbidden, NotFound, Unauthorized
from live.i18n import LANGUAGE_COOKIE, Translator, pick_language
from live.pages.rendering import render

TOKEN_COOKIE = COOKIE
TOKEN_COOKIE_SECONDS = 30 * 24 * 3600
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600

# Pages show schedules and, to producers, the whole campaign: never cached by a shared proxy,
# never framed, and no token-bearing URL is ever sent onward as a Referer.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Vary": "Cookie, Authorization",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
}


@dataclass
class PageCtx(RequestCtx[Principal]):
    """What a page handler gets: an API handler's context, the language, and how to render."""

    t: Translator

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        return render(self.request, template, self.t, status, principal=self.principal, **context)


def without_token(request: Request) -> str:
    """The same address, minus `?token=`, relative so proxies in front don't matter."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
    return request.url.path + (f"?{urlencode(kept)}" if kept else "")


def page_csrf(request: Request) -> str | None:
    """What the page's script sends as X-CSRF-Token with its writes (`live/api/cookies.py`).

    Pages never carry the API token: their scripts' calls ride the HttpOnly cookie, and this
    digest of it, useless without the cookie, tells the page's own writes from forged ones."""
    cookie = request.cookies.get(TOKEN_COOKIE)
    return csrf_token(cookie) if cookie else None


def _remember_language(request: Request, response: Response) -> None:
    requested = request.query_params.get("lang", "").lower()
    if requested and pick_language(requested) == requested:
        response.set_cookie(
            LANGUAGE_COOKIE, requested, max_age=LANGUAGE_COOKIE_SECONDS, samesite="lax"
        )


def _set_token_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        TOKEN_COOKIE,
        token,
        max_age=TOKEN_COOKIE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def error_page(request: Request, t: Translator, exc: DomainError) -> Response:
    """The error as a page in the reader's language; the code stays visible for support."""
    heading, text = _explain(t, exc)
    response = render(
        request, "error.html", t, exc.status_code, error=exc, heading=heading, text=text
    )
    if isinstance(exc, Unauthorized):
        response.headers["WWW-Authenticate"] = 'Bearer realm="sieulive"'
    return response


def _explain(t: Translator, exc: DomainError) -> tuple[str, str]:
    if isinstance(exc, Unauthorized):
        bad = exc.code == "bad_token"
        return t("error_401_title"), t("error_bad_token" if bad else "error_no_token")
    if isinstance(exc, Forbidden):
        if t.has(f"error_{exc.code}"):  # a refusal with its own words (not_your_session)
            return t("error_403_title"), t(f"error_{exc.code}", **exc.details)
        role = str(exc.details.get("role", ""))
        if not t.has(f"role_{role}"):
            return t("error_403_title"), exc.message
        return t("error_403_title"), t("error_403_text", role=t(f"role_{role}"))
    if exc.status_code == 404:
        return t("error_404_title"), t("error_404_text", message=exc.message)
    return t("error_other_title"), exc.message


async def _identify(request: Request, access: Access, token: str | None) -> Principal | None:
    # The app's authenticator (live/app.py) finds Principals.
    caller = await identify(request, access, token, action="open this page")
    return cast(Principal | None, caller)


PageHandler = Callable[..., Response]


def page(access: Access) -> Callable[[PageHandler], Callable[[Request], Any]]:
    """Turn `handler(ctx, **path_params) -> Response` into a page endpoint behind `access`."""

    def wrap(handler: PageHandler) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            t = Translator(
                pick_language(
                    request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)
                )
            )
            response = await _answer(request, t)
            _remember_language(request, response)
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        async def _answer(request: Request, t: Translator) -> Response:
            from_url = request.query_params.get("token")
            from_cookie = request.cookies.get(TOKEN_COOKIE)
            token = from_url or bearer_token(request) or from_cookie
            try:
                principal = await _identify(request, access, token)
                if from_url is not None:
                    redirect = RedirectResponse(without_token(request), status_code=303)
                    _set_token_cookie(request, redirect, from_url)
                    return redirect
                params: dict[str, Any] = dict(request.path_params)
                for name, value in params.items():
                    if isinstance(value, int) and value > MAX_INT:
                        raise NotFound(name.removesuffix("_id"), value)
                ctx = PageCtx(request=request, principal=principal, t=t)
                response: Response = await run_in_threadpool(handler, ctx, **params)
                return response
            except DomainError as exc:
                response = error_page(request, t, exc)
                if isinstance(exc, Unauthorized) and token == from_cookie and from_cookie:
                    # A revoked token in the cookie would fail on every page: forget it.
                    response.delete_cookie(TOKEN_COOKIE, httponly=True, samesite="lax")
                return response

        endpoint.access = access  # type: ignore[attr-defined]
        endpoint.__name__ = handler.__name__
        endpoint.__doc__ = handler.__doc__
        return endpoint

    return wrap
