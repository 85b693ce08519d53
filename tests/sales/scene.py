"""A small campaign with known sales, for the dashboards' tests.

Two sessions, three products of two suppliers, orders sent through the signed webhook and
drained by the worker's code: placed, paid, cancelled, returned, one flash-sale line beyond the
stock (oversold) and one order that matches no session. The expected figures are written out in
the tests that use it, worked by hand from the list below.

S1 (TikTok Shop, 26/9 19:00–21:00, ended): coffee (A) and fish sauce (B)
  o1 19:05 coffee ×2 @65.000, Hà Nội, paid
  o2 19:10 coffee ×1 @65.000 + fish sauce ×1 @120.000, TP. Hồ Chí Minh, cancelled
  o3 19:20 fish sauce ×3 @120.000, Hà Nội, paid then returned
  o4 19:40 fish sauce ×2 @120.000, no province, placed
  o7 19:51 coffee ×2 @65.000, Cần Thơ (flash sale of 2: fits)
  o8 19:52 coffee ×1 @65.000, Cần Thơ (flash sale sold out: oversold)
S2 (Shopee, 27/9 19:00–21:00, scheduled): fish sauce (B) and coconut candy (B)
  o5 19:05 fish sauce ×1 @120.000 + candy ×4 @50.000, Đà Nẵng, paid
No session: o6 26/9 08:00 coffee ×1 @65.000, no code, unknown channel
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update
from starlette.testclient import TestClient

from live.access.roles import Role
from live.access.service import create_token
from live.catalog import service as catalog
from live.db import Database
from live.platforms import Platform
from live.schedule.models import LiveSession, SessionStatus
from live.shows.models import FlashSale
from tests import factories
from tests.sales.conftest import event, post_events

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def local(day: int, hh: int, mm: int) -> datetime:
    return datetime(2024, 9, day, hh, mm, tzinfo=HCM)


def iso(day: int, hh: int, mm: int) -> str:
    return local(day, hh, mm).isoformat()


@dataclass
class SalesScene:
    campaign_id: int
    s1: int
    s2: int
    s1_code: str
    s2_code: str
    coffee: int
    sauce: int
    candy: int
    supplier_a: int
    supplier_b: int
    retailer: int
    other_retailer: int
    tokens: dict[str, str] = field(default_factory=dict)
    skus: dict[str, str] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def build_sales_scene(db: Database) -> SalesScene:
    with db.unit_of_work() as s:
        campaign = factories.campaign(s)
        a = factories.supplier(s, name="Hợp tác xã Cà phê Đắk Lắk", province="Đắk Lắk")
        b = factories.supplier(s, name="Công ty Nước mắm Phú Quốc", province="Kiên Giang")
        coffee = factories.product(
            s,
            supplier_id=a.id,
            sku="CF-500",
            name="Cà phê Buôn Ma Thuột 500g",
            category="Cà phê",
            province="Đắk Lắk",
            ocop_stars=4,
            campaign_stock=100,
        )
        sauce = factories.product(
            s,
            supplier_id=b.id,
            sku="NM-40",
            name="Nước mắm Phú Quốc 40 độ đạm",
            category="Gia vị",
            province="Kiên Giang",
            ocop_stars=5,
            list_price=150_000,
            live_price=120_000,
            campaign_stock=200,
        )
        candy = factories.product(
            s,
            supplier_id=b.id,
            sku="KD-01",
            name="=Kẹo dừa Bến Tre",  # a name a spreadsheet would run as a formula
            category="Bánh kẹo",
            province="Bến Tre",
            ocop_stars=3,
            live_price=50_000,
            campaign_stock=500,
        )
        host = factories.creator(s, name="Hoài Phương Review")
        other_host = factories.creator(s, name="Anh Tư Cà Phê")
        s1 = factories.session(
            s,
            campaign_id=campaign.id,
            host_creator_id=host.id,
            start=local(26, 19, 0),
            segments=[
                {"kind": "product", "planned_seconds": 1200, "product_id": coffee.id},
                {"kind": "product", "planned_seconds": 1200, "product_id": sauce.id},
            ],
        )
        s2 = factories.session(
            s,
            campaign_id=campaign.id,
            host_creator_id=other_host.id,
            platform=Platform.shopee,
            start=local(27, 19, 0),
            segments=[
                {"kind": "product", "planned_seconds": 1200, "product_id": sauce.id},
                {"kind": "product", "planned_seconds": 1200, "product_id": candy.id},
            ],
        )
        s.add(
            FlashSale(
                session_id=s1.id,
                product_id=coffee.id,
                price=65_000,
                quantity=2,
                rehearsal=False,
                started_at=local(26, 19, 50),
                ends_at=local(26, 19, 55),
            )
        )
        s.execute(
            update(LiveSession).where(LiveSession.id == s1.id).values(status=SessionStatus.ended)
        )
        coop = catalog.save_retailer(s, {"name": "Saigon Co.op"})
        bhx = catalog.save_retailer(s, {"name": "Bách Hoá Xanh"})
        tokens = {}
        for who, role, owner in (
            ("producer", Role.producer, {}),
            ("retailer", Role.retailer, {"retailer_id": coop.id}),
            ("other_retailer", Role.retailer, {"retailer_id": bhx.id}),
            ("retailer_without", Role.retailer, {}),
            ("supplier_a", Role.supplier, {"supplier_id": a.id}),
            ("supplier_b", Role.supplier, {"supplier_id": b.id}),
            ("host", Role.creator, {"creator_id": host.id}),
            ("other_host", Role.creator, {"creator_id": other_host.id}),
        ):
            _row, tokens[who] = create_token(s, role, who, **owner)
        return SalesScene(
            campaign_id=campaign.id,
            s1=s1.id,
            s2=s2.id,
            s1_code=s1.code,
            s2_code=s2.code,
            coffee=coffee.id,
            sauce=sauce.id,
            candy=candy.id,
            supplier_a=a.id,
            supplier_b=b.id,
            retailer=coop.id,
            other_retailer=bhx.id,
            tokens=tokens,
        )


def send_scene_orders(client: TestClient, scene: SalesScene) -> None:
    code1, code2 = scene.s1_code, scene.s2_code

    def s1(kind: str, oid: str, at: str, lines: Any = None, **extra: Any) -> dict[str, Any]:
        return event(kind, oid, at, lines, live_code=code1, **extra)

    tiktok = [
        s1("created", "O1", iso(26, 19, 5), [("CF-500", 2, 65_000)], buyer_province="Hà Nội"),
        s1("paid", "O1", iso(26, 19, 6)),
        s1(
            "created",
            "O2",
            iso(26, 19, 10),
            [("CF-500", 1, 65_000), ("NM-40", 1, 120_000)],
            buyer_province="TP. Hồ Chí Minh",
        ),
        s1("cancelled", "O2", iso(26, 19, 30)),
        s1("created", "O3", iso(26, 19, 20), [("NM-40", 3, 120_000)], buyer_province="Hà Nội"),
        s1("paid", "O3", iso(26, 19, 21)),
        s1("returned", "O3", iso(29, 10, 0)),
        s1("created", "O4", iso(26, 19, 40), [("NM-40", 2, 120_000)]),
        s1("created", "O7", iso(26, 19, 51), [("CF-500", 2, 65_000)], buyer_province="Cần Thơ"),
        s1("created", "O8", iso(26, 19, 52), [("CF-500", 1, 65_000)], buyer_province="Cần Thơ"),
        event(
            "created", "O6", iso(26, 8, 0), [("CF-500", 1, 65_000)], channel="not-a-live-channel"
        ),
    ]
    shopee = [
        event(
            "created",
            "O5",
            iso(27, 19, 5),
            [("NM-40", 1, 120_000), ("KD-01", 4, 50_000)],
            live_code=code2,
            buyer_province="Đà Nẵng",
        ),
        event("paid", "O5", iso(27, 19, 6)),
    ]
    for payload, platform in (({"events": tiktok}, "tiktok_shop"), ({"events": shopee}, "shopee")):
        response = post_events(client, payload, platform)
        assert response.status_code == 202, response.text


def one_more_order(
    client: TestClient, scene: SalesScene, order_id: str, quantity: int, minute: int = 30
) -> None:
    """Coffee ordered in S1 at 19:<minute> (before the flash sale), paid."""
    at = local(26, 19, minute)
    response = post_events(
        client,
        {
            "events": [
                event(
                    "created",
                    order_id,
                    at.isoformat(),
                    [("CF-500", quantity, 65_000)],
                    live_code=scene.s1_code,
                    buyer_province="Huế",
                ),
                event("paid", order_id, (at + timedelta(minutes=1)).isoformat()),
            ]
        },
    )
    assert response.status_code == 202, response.text
