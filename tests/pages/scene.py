"""A small campaign for the page and browser tests, built through the factories.

Two days and two studios: a morning coffee session, an afternoon one, a night session that
crosses midnight, and a draft whose run-of-show is longer than its slot (a warning).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update

from live.catalog.models import Product, QualityStatus
from live.db import Database
from live.platforms import Platform
from live.schedule.models import SessionStatus
from tests import factories

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """September `day`, 2024, Vietnam time."""
    return datetime(2024, 9, day, hour, minute, tzinfo=VN)


@dataclass
class Scene:
    campaign_id: int
    coffee: int  # SL-01, 26/9 09:00–11:00, Studio A, sells the Đắk Lắk coffee
    west: int  # SL-02, 26/9 14:00–16:00, Studio B
    night: int  # SL-03, 26/9 22:30 – 27/9 00:30, Studio A
    draft: int  # SL-04, 27/9 10:00–11:00, Studio B, run-of-show 90 min: a warning
    fish_sauce_id: int
    hosts: dict[str, int]


def build_scene(db: Database, cohost_id: int | None = None) -> Scene:
    """The campaign; `cohost_id` (a token's creator) co-hosts SL-02 when given."""
    with db.unit_of_work() as s:
        campaign = factories.campaign(
            s,
            name="Siêu live hàng Việt 2024",
            starts_on=date(2024, 9, 26),
            ends_on=date(2024, 9, 27),
            sales_goal=19_000_000_000,
        )
        phuong = factories.creator(s, name="Hoài Phương Review")
        chi_ba = factories.creator(s, name="Chị Ba Miền Tây")
        anh_tu = factories.creator(s, name="Anh Tư Cà Phê")
        coffee = factories.product(
            s,
            name="Cà phê Buôn Ma Thuột rang xay 500g",
            province="Đắk Lắk",
            list_price=160_000,
            live_price=125_000,
        )
        candy = factories.product(s, name="Kẹo dừa Bến Tre", province="Bến Tre")
        fish_sauce = factories.product(
            s, name="Nước mắm Phú Quốc 40 độ đạm", province="Kiên Giang", live_price=79_000
        )
        common = {"campaign_id": campaign.id, "status": SessionStatus.scheduled}
        morning = factories.session(
            s,
            **common,
            code="SL-01",
            title="Cà phê Tây Nguyên buổi sáng",
            host_creator_id=phuong.id,
            cohost_ids=[anh_tu.id],
            studio="Studio A",
            platform=Platform.tiktok_shop,
            channel="sieulivehangviet",
            start=at(26, 9),
            segments=[
                {"kind": "intro", "title": "Chào buổi sáng", "planned_seconds": 300},
                {"kind": "product", "planned_seconds": 900, "product_id": coffee.id},
                {
                    "kind": "flash_sale",
                    "planned_seconds": 300,
                    "product_id": coffee.id,
                    "flash_price": 99_000,
                    "flash_quantity": 50,
                },
            ],
        )
        west = factories.session(
            s,
            **common,
            code="SL-02",
            title="Đặc sản miền Tây",
            host_creator_id=chi_ba.id,
            cohost_ids=[cohost_id] if cohost_id else [],
            studio="Studio B",
            platform=Platform.shopee,
            channel="sieulive.hcm",
            start=at(26, 14),
            segments=[{"kind": "product", "planned_seconds": 1200, "product_id": candy.id}],
        )
        night = factories.session(
            s,
            **common,
            code="SL-03",
            title="Đêm hội nước mắm",
            host_creator_id=chi_ba.id,
            studio="Studio A",
            platform=Platform.lazada,
            channel="hangviet.official",
            start=at(26, 22, 30),
            notes="Nhớ bật đèn vàng cho cảnh nước mắm.",
            segments=[{"kind": "product", "planned_seconds": 1800, "product_id": fish_sauce.id}],
        )
        draft = factories.session(
            s,
            campaign_id=campaign.id,
            status=SessionStatus.draft,
            code="SL-04",
            title="Trái cây Nam Bộ",
            host_creator_id=phuong.id,
            studio="Studio B",
            platform=Platform.tiktok_shop,
            channel="sieulivehangviet",
            start=at(27, 10),
            scheduled_end=at(27, 11),
            segments=[
                {"kind": "intro", "planned_seconds": 1800},
                {"kind": "product", "planned_seconds": 3600, "product_id": candy.id},
            ],
        )
        return Scene(
            campaign_id=campaign.id,
            coffee=morning.id,
            west=west.id,
            night=night.id,
            draft=draft.id,
            fish_sauce_id=fish_sauce.id,
            hosts={"phuong": phuong.id, "chi_ba": chi_ba.id, "anh_tu": anh_tu.id},
        )


def withdraw_approval(db: Database, product_id: int) -> None:
    """Change the data underneath the schedule, as a hand fix in the database would: the
    service would refuse this while a session sells the product."""
    with db.unit_of_work() as s:
        s.execute(
            update(Product).where(Product.id == product_id).values(qc_status=QualityStatus.pending)
        )
