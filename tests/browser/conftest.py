"""Pages in a real headless Chromium, served by a real uvicorn over loopback HTTP.

The browser is the system's (Debian's `chromium` package), driven by Playwright's sync API;
nothing is ever downloaded. Without a `chromium` on PATH every browser test is skipped, and the
run says so loudly at the end, so a green run can't hide that the pages went untested.

Screenshots land in test-artifacts/screenshots/<test name>[-<step>].png (gitignored).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from live.app import create_app
from live.hub.admission import AdmittingHttpProtocol
from live.settings import Settings

CHROMIUM = shutil.which("chromium")
SKIP_REASON = "BROWSER TESTS SKIPPED: chromium not installed (apt-get install chromium)"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
STARTUP_SECONDS = 20


# The run's header and summary also say it (tests/conftest.py): under xdist only the root
# conftest is loaded by the process that prints them.
@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    if CHROMIUM is None:
        pytest.skip(SKIP_REASON)


class LiveServer:
    """A uvicorn server for one app on a free loopback port, in a background thread.

    `LiveServer(app)`, or `LiveServer(settings=…)` to make the app with its public URL set to
    this server's (so the links the API hands out, such as overlay URLs, open in the browser).
    A context manager too."""

    def __init__(self, app: Any = None, *, settings: Settings | None = None) -> None:
        # Bind first and hand uvicorn the socket: no window in which another process can take
        # the port between choosing and listening.
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        if app is None:
            assert settings is not None, "an app or the settings to make one"
            app = create_app(settings.with_overrides(public_url=self.url))
        self.app = app
        # The sans-I/O websockets protocol: the legacy one warns of its deprecation, and
        # warnings are errors in this suite. Compression off, as for overlays in production.
        config = uvicorn.Config(
            app,
            log_level="warning",
            # As `sieulive serve` runs it: websocket upgrades admitted a few per loop turn.
            http=AdmittingHttpProtocol,
            ws="websockets-sansio",
            ws_per_message_deflate=False,
            lifespan="on",
            # A browser tab left open must not hold the test's teardown for long.
            timeout_graceful_shutdown=2,
        )
        self.server = uvicorn.Server(config)
        # uvicorn installs signal handlers only on the main thread, so a thread is safe.
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=STARTUP_SECONDS)
        self.socket.close()

    def __enter__(self) -> LiveServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture
def live_server(app: Any) -> Iterator[LiveServer]:
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(headless_chromium: Any) -> Any:
    return headless_chromium


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) with a laptop-sized window."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 900}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def screenshot(page: Any, request: pytest.FixtureRequest) -> Callable[..., Path]:
    """`screenshot("step")` saves test-artifacts/screenshots/<test name>-step.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = request.node.name.replace("/", "_").replace("[", "-").rstrip("]")

    def take(step: str = "", *, full_page: bool = False) -> Path:
        path = SCREENSHOTS / (f"{name}-{step}.png" if step else f"{name}.png")
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
