"""The sales dashboards in headless Chromium, against the real app on uvicorn with its hub:
orders are sent through the signed webhook and drained while the page is open, and the
leaderboard and the chart follow without a reload."""

from __future__ import annotations

import csv
import io
import json
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis as redis_lib
from rq import Queue, SimpleWorker

from live.db import Database
from live.sales.pipeline import service
from live.settings import Settings
from tests.browser.conftest import SCREENSHOTS, LiveServer
from tests.sales.conftest import event, signed
from tests.sales.scene import SalesScene, build_sales_scene, iso, send_scene_orders
from tests.sales.test_routes import flaky_job

pytestmark = pytest.mark.browser
Shot = Callable[..., Path]
WAIT_MS = 15_000


def post(server: LiveServer, events: list[dict[str, Any]], platform: str = "tiktok_shop") -> None:
    body = json.dumps({"events": events}, ensure_ascii=False).encode()
    request = urllib.request.Request(
        f"{server.url}/webhooks/orders/{platform}", data=body, headers=signed(body), method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 202


class _Poster:
    """send_scene_orders() wants a client with .post(); this one posts to the live server."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server

    def post(self, path: str, content: bytes, headers: dict[str, str]) -> Any:
        request = urllib.request.Request(
            self.server.url + path, data=content, headers=headers, method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return type("Answer", (), {"status_code": response.status, "text": ""})()


@pytest.fixture
def redis(settings: Settings) -> Iterator[Any]:
    client = redis_lib.Redis.from_url(settings.redis_url or "")
    yield client
    client.close()


@pytest.fixture
def drain(db: Database, redis: Any) -> Callable[[], Any]:
    """The worker's drain, run in the test's process as the RQ job runs it."""
    return lambda: service.drain(db, redis)


@pytest.fixture
def scene(db: Database, live_server: LiveServer, drain: Any) -> SalesScene:
    scene = build_sales_scene(db)
    send_scene_orders(_Poster(live_server), scene)  # type: ignore[arg-type]
    drain()
    return scene


def coffee(order_id: str, quantity: int, scene: SalesScene, minute: int = 30) -> list[Any]:
    return [
        event(
            "created",
            order_id,
            iso(26, 19, minute),
            [("CF-500", quantity, 65_000)],
            live_code=scene.s1_code,
            buyer_province="Huế",
        ),
        event("paid", order_id, iso(26, 19, minute + 1)),
    ]


def board_rows(page: Any) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = page.evaluate(
        """() => [...document.querySelectorAll('[data-board-rows] tr')].map((tr) => [
              tr.querySelector('.product-name').textContent,
              tr.querySelector('[data-cell=net_units]').textContent])"""
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


CHART_TOTAL = "() => SieuSales.chart().data.datasets[0].data.reduce((a, b) => a + b, 0)"


def test_the_retailer_dashboard_updates_while_orders_are_sent(
    page: Any, live_server: LiveServer, scene: SalesScene, drain: Any, screenshot: Shot
) -> None:
    url = f"{live_server.url}/campaigns/{scene.campaign_id}/retail"
    page.goto(f"{url}?token={scene.tokens['retailer']}")
    assert page.url == url  # the token went into an HttpOnly cookie
    assert page.get_by_role("heading", name="Siêu live hàng Việt · Sản phẩm bán chạy").is_visible()
    assert board_rows(page) == [
        ("Cà phê Buôn Ma Thuột 500g", "4"),
        ("=Kẹo dừa Bến Tre", "4"),
        ("Nước mắm Phú Quốc 40 độ đạm", "3"),
    ]
    assert page.locator("[data-stat=net_revenue]").inner_text() == "820.000\u00a0₫"
    # The chart has a fetch of its own: wait for it rather than read it once after the table.
    page.wait_for_function(f"() => ({CHART_TOTAL})() === 820000", timeout=WAIT_MS)
    page.wait_for_selector("[data-conn=live]", timeout=WAIT_MS)
    page.evaluate("() => { window.__sameDocument = true; }")
    screenshot("before")

    # Orders come in while the page is open: the worker drains them, the hub publishes the
    # campaign's snapshot, the page fetches the figures again.
    post(live_server, coffee("LIVE-1", 3, scene))
    drain()
    page.wait_for_function(
        "() => document.querySelector('[data-board-rows] tr [data-cell=net_units]')"
        ".textContent === '7'",
        timeout=WAIT_MS,
    )
    page.wait_for_function(f"() => ({CHART_TOTAL})() === 820000 + 195000", timeout=WAIT_MS)
    assert page.locator("[data-stat=net_revenue]").inner_text() == "1.015.000\u00a0₫"

    # A big order of candy on Shopee takes the lead: the table reorders itself.
    post(
        live_server,
        [
            event(
                "created",
                "LIVE-2",
                iso(27, 19, 20),
                [("KD-01", 20, 50_000)],
                live_code=scene.s2_code,
                buyer_province="Hà Nội",
            )
        ],
        "shopee",
    )
    drain()
    page.wait_for_function(
        "() => document.querySelector('[data-board-rows] .product-name').textContent"
        " === '=Kẹo dừa Bến Tre'",
        timeout=WAIT_MS,
    )
    assert board_rows(page)[0] == ("=Kẹo dừa Bến Tre", "24")
    page.wait_for_function(f"() => ({CHART_TOTAL})() === 2015000", timeout=WAIT_MS)
    assert page.evaluate("() => window.__sameDocument") is True  # never reloaded

    # Shortlist the fish sauce, then download the list as the retailer would.
    row = page.locator(f"[data-board-rows] tr[data-product='{scene.sauce}']")
    row.get_by_role("button", name="Chọn để nhập hàng").click()
    page.wait_for_selector(f"[data-shortlisted='{scene.sauce}']", timeout=WAIT_MS)
    assert row.get_by_role("button", name="Đã chọn ✓").is_visible()
    with page.expect_download() as caught:
        page.get_by_role("button", name="Tải CSV").click()
    download = caught.value
    assert download.suggested_filename == "danh-sach-nguon-hang-saigon-co-op.csv"
    text = Path(download.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1][:2] == ["NM-40", "Nước mắm Phú Quốc 40 độ đạm"]

    # A filter narrows the board and the chart and stays in the address.
    page.select_option("select[name=platform]", "shopee")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-board-rows] tr').length === 2", timeout=WAIT_MS
    )
    assert "platform=shopee" in page.url
    page.wait_for_function(f"() => ({CHART_TOTAL})() === 1320000", timeout=WAIT_MS)
    screenshot("after", full_page=True)


def test_a_burst_of_orders_costs_a_few_fetches(
    page: Any, live_server: LiveServer, scene: SalesScene, drain: Any
) -> None:
    page.goto(
        f"{live_server.url}/campaigns/{scene.campaign_id}/retail?token={scene.tokens['retailer']}"
    )
    page.wait_for_selector("[data-conn=live]", timeout=WAIT_MS)
    page.wait_for_timeout(500)
    before = page.evaluate("() => SieuSales.stats.refreshes")
    started = page.evaluate("() => Date.now()")
    for n in range(20):  # twenty batches, each drained: up to twenty frames
        post(live_server, coffee(f"BURST-{n}", 1, scene, minute=n % 40))
        drain()
    page.wait_for_function(
        "() => document.querySelector('[data-board-rows] tr [data-cell=net_units]')"
        ".textContent === '24'",
        timeout=WAIT_MS,
    )
    elapsed = (page.evaluate("() => Date.now()") - started) / 1000
    fetched = page.evaluate("() => SieuSales.stats.refreshes") - before
    assert 1 <= fetched <= elapsed / 0.4 + 2, (fetched, elapsed)


def test_producer_desk_and_supplier_page(
    page: Any,
    live_server: LiveServer,
    scene: SalesScene,
    redis: Any,
    screenshot: Shot,
) -> None:
    queue = Queue("default", connection=redis)
    job = queue.enqueue(flaky_job)
    SimpleWorker([queue], connection=redis).work(burst=True)

    page.goto(
        f"{live_server.url}/campaigns/{scene.campaign_id}/sales?token={scene.tokens['producer']}"
    )
    oversold = page.locator("[data-orders=oversold]")
    assert "O8" in oversold.inner_text()
    assert "O6" in page.locator("[data-orders=unattributed]").inner_text()
    unmapped = page.locator("[data-orders=unmapped]").inner_text()
    assert "Đơn có mã hàng lạ" in unmapped and "(0)" in unmapped  # every SKU is known here
    failed = page.locator(f"[data-job='{job.id}']")
    assert "RuntimeError: Không kết nối được kho hàng" in failed.inner_text()
    page.wait_for_selector("[data-conn=live]", timeout=WAIT_MS)
    screenshot("producer", full_page=True)
    failed.get_by_role("button", name="Chạy lại").click()
    page.wait_for_selector(f"[data-job='{job.id}']", state="detached", timeout=WAIT_MS)
    assert "Đã đưa việc" in page.locator("[data-retry-status]").inner_text()
    assert page.locator("[data-queue=default] td").nth(1).inner_text() == "1"  # waiting again

    supplier = page.context.new_page()
    supplier.goto(
        f"{live_server.url}/suppliers/{scene.supplier_b}/sales?token={scene.tokens['supplier_b']}"
    )
    products = supplier.locator("[data-products-rows]").inner_text()
    assert "Nước mắm Phú Quốc 40 độ đạm" in products
    assert "Cà phê" not in products  # another supplier's product
    sauce = supplier.locator(f"[data-products-rows] tr[data-product='{scene.sauce}']")
    assert sauce.locator("[data-cell=stock_left]").inner_text() == "197"
    s1 = supplier.locator(f"[data-session='{scene.s1}']")
    with supplier.expect_download() as caught:
        s1.get_by_role("button", name="XLSX").click()
    assert caught.value.suggested_filename.endswith(".xlsx")
    assert "Có khi phiên kết thúc" in supplier.locator(f"[data-session='{scene.s2}']").inner_text()
    supplier.screenshot(
        path=str(SCREENSHOTS / "test_producer_desk_and_supplier_page-supplier.png"), full_page=True
    )
    supplier.close()


def test_the_creator_console_shows_its_sessions_sales_as_orders_come(
    page: Any, live_server: LiveServer, scene: SalesScene, drain: Any, screenshot: Shot
) -> None:
    """The host beside the camera sees the session's sales move without touching the page."""
    url = f"{live_server.url}/sessions/{scene.s1}/creator"
    page.goto(f"{url}?token={scene.tokens['host']}")
    figures = "[data-sales=orders], [data-sales=units], [data-sales=revenue]"
    page.wait_for_selector(figures)
    sales = json.loads(
        urllib.request.urlopen(
            urllib.request.Request(
                f"{live_server.url}/api/sessions/{scene.s1}/sales",
                headers=scene.auth("host"),
            ),
            timeout=10,
        ).read()
    )
    orders_before = page.locator("[data-sales=orders]").inner_text()
    assert int(orders_before.replace(".", "")) == sales["orders"]
    screenshot("before")

    post(live_server, coffee("CREATOR-1", 2, scene))
    drain()
    page.wait_for_function(
        "(before) => document.querySelector('[data-sales=orders]').textContent !== before",
        arg=orders_before,
        timeout=WAIT_MS,
    )
    assert int(page.locator("[data-sales=orders]").inner_text()) == int(orders_before) + 1
    revenue = page.locator("[data-sales=revenue]").inner_text()
    assert revenue.endswith("₫") and "." in revenue  # 125.000 ₫, Vietnamese grouping
    screenshot("after")
