"""The demo campaign, modelled on "Siêu live hàng Việt" at HCMC's supply-demand fair (26/9/2024).

Deterministic: the same data on every machine. Everything goes through the services, so the
seeded schedule obeys every scheduling rule it demonstrates.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from live.access.models import ApiToken
from live.access.roles import Role
from live.access.service import TOKEN_PREFIX, create_token, hash_token
from live.catalog import service as catalog
from live.catalog.models import Creator, Product, QualityStatus, Retailer, Supplier
from live.db import Database, utcnow
from live.demo import data
from live.platforms import Platform
from live.schedule import service as schedule
from live.schedule.models import Campaign, SegmentKind, SessionStatus
from live.schedule.schemas import SegmentIn

CAMPAIGN_NAME = "Siêu live hàng Việt 2024"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FAIR_DAYS = [date(2024, 9, 26), date(2024, 9, 27), date(2024, 9, 28), date(2024, 9, 29)]
# Each studio streams to its own shop channel, so parallel studios never share a channel.
STUDIO_CHANNELS = [
    (Platform.tiktok_shop, "sieulivehangviet"),
    (Platform.shopee, "sieulive.hcm"),
    (Platform.lazada, "hangviet.official"),
]
# (day index, studio index, local start "HH:MM") for the 19 sessions; the late ones cross
# midnight. Two hours each, with at least the 30-minute changeover between them.
SLOTS = [
    (0, 0, "09:00"),
    (0, 1, "14:00"),
    (0, 2, "19:30"),
    (0, 0, "22:30"),
    (1, 1, "09:00"),
    (1, 2, "10:00"),
    (1, 0, "14:00"),
    (1, 1, "19:30"),
    (1, 2, "22:30"),
    (2, 0, "09:00"),
    (2, 1, "10:00"),
    (2, 2, "14:00"),
    (2, 0, "19:30"),
    (2, 1, "22:30"),
    (3, 2, "09:00"),
    (3, 0, "10:00"),
    (3, 1, "14:00"),
    (3, 2, "19:30"),
    (3, 0, "21:00"),
]
SESSION_MINUTES = 120
DEMO_TOKEN_PREFIX = "demo "


def seed_demo(db: Database) -> bool:
    """Seed the demo campaign once; returns False when it is already there."""
    with db.unit_of_work() as session:
        if session.scalar(select(Campaign.id).where(Campaign.name == CAMPAIGN_NAME)):
            return False
        suppliers = _suppliers(session)
        products = _products(session, suppliers)
        creators = _creators(session)
        _retailers(session)
        campaign = schedule.save_campaign(
            session,
            {
                "name": CAMPAIGN_NAME,
                "starts_on": FAIR_DAYS[0],
                "ends_on": FAIR_DAYS[-1],
                "timezone": "Asia/Ho_Chi_Minh",
                "sales_goal": 19_000_000_000,
                "changeover_buffer_minutes": 30,
                "attribution_grace_minutes": 15,
            },
        )
        _sessions(session, campaign, creators, products)
    return True


def _suppliers(db: Session) -> dict[str, Supplier]:
    return {
        s.tax_code: catalog.save_supplier(
            db,
            {
                "name": s.name,
                "province": s.province,
                "tax_code": s.tax_code,
                "contact_name": s.contact_name,
                "contact_phone": s.contact_phone,
                "contact_email": s.contact_email,
            },
        )
        for s in data.SUPPLIERS
    }


def _products(db: Session, suppliers: dict[str, Supplier]) -> list[Product]:
    products = []
    for p in data.PRODUCTS:
        products.append(
            catalog.save_product(
                db,
                {
                    "supplier_id": suppliers[p.supplier_tax_code].id,
                    "sku": p.sku,
                    "name": p.name,
                    "category": p.category,
                    "province": p.province,
                    "list_price": p.list_price,
                    "live_price": p.live_price,
                    "ocop_stars": p.ocop_stars,
                    "certifications": [
                        {"name": name, "number": None, "expires_on": date.fromisoformat(exp)}
                        for name, exp in p.certifications
                    ],
                    # The fair's quality-control programme checked every product on air.
                    "qc_status": QualityStatus.approved,
                    "qc_reviewer": "Chương trình hợp tác kiểm soát chất lượng",
                    "qc_note": None,
                    "campaign_stock": p.campaign_stock,
                    "talking_points": p.talking_points,
                    "image_url": p.image_url,
                    "buy_link": p.buy_link,
                },
            )
        )
    return products


def _creators(db: Session) -> list[Creator]:
    result = []
    for c in data.CREATORS:
        result.append(
            catalog.save_creator(
                db,
                {
                    "name": c.name,
                    "handles": dict(c.handles),
                    "availability": [
                        {
                            "starts_at": datetime.combine(FAIR_DAYS[0], datetime.min.time(), TZ),
                            "ends_at": datetime.combine(
                                FAIR_DAYS[-1] + timedelta(days=1), datetime.min.time(), TZ
                            )
                            + timedelta(hours=2),
                        }
                    ],
                },
            )
        )
    return result


def _retailers(db: Session) -> list[Retailer]:
    return [
        catalog.save_retailer(db, {"name": r.name, "contact_email": r.contact_email})
        for r in data.RETAILERS
    ]


def _run_of_show(products: list[Product]) -> list[SegmentIn]:
    """Intro, products, a flash sale around the middle, a giveaway, a break, the outro."""
    segments: list[dict[str, Any]] = [
        {
            "kind": SegmentKind.intro,
            "title": "Chào khán giả, giới thiệu phiên live",
            "planned_seconds": 300,
        },
    ]
    for i, product in enumerate(products):
        if i == len(products) // 2:
            segments.append(
                {"kind": SegmentKind.break_, "title": "Nghỉ giữa giờ", "planned_seconds": 180}
            )
        segments.append(
            {
                "kind": SegmentKind.product,
                "title": product.name,
                "planned_seconds": 420,
                "product_id": product.id,
            }
        )
    flash = products[0]
    segments.insert(
        len(segments) // 2,
        {
            "kind": SegmentKind.flash_sale,
            "title": f"Flash sale: {flash.name}",
            "planned_seconds": 300,
            "product_id": flash.id,
            "flash_price": max(1000, flash.live_price * 85 // 100 // 1000 * 1000),
            "flash_quantity": min(100, flash.campaign_stock // 2),
        },
    )
    segments += [
        {"kind": SegmentKind.giveaway, "title": "Mini game tặng quà", "planned_seconds": 240},
        {"kind": SegmentKind.outro, "title": "Cảm ơn và hẹn gặp lại", "planned_seconds": 180},
    ]
    return [SegmentIn.model_validate(s) for s in segments]


def _sessions(
    db: Session, campaign: Campaign, creators: list[Creator], products: list[Product]
) -> None:
    per_session = -(-len(products) // len(SLOTS))
    studios = data.STUDIOS
    for n, (day, studio, start) in enumerate(SLOTS):
        hour, minute = map(int, start.split(":"))
        begins = datetime.combine(FAIR_DAYS[day], datetime.min.time(), TZ).replace(
            hour=hour, minute=minute
        )
        lineup = products[n * per_session : (n + 1) * per_session] or products[:per_session]
        provinces = sorted({p.province for p in lineup})
        platform, channel = STUDIO_CHANNELS[studio]
        host = creators[n]
        # A few sessions pair the host with the previous day's host as co-host.
        cohosts = [creators[n - 5].id] if n >= 5 and n % 4 == 0 else []
        schedule.save_session(
            db,
            {
                "campaign_id": campaign.id,
                "code": f"SLHV-{n + 1:02d}",
                "title": f"Đặc sản {', '.join(provinces[:3])}",
                "host_creator_id": host.id,
                "cohost_ids": cohosts,
                "platform": platform,
                "channel": channel,
                "studio": studios[studio],
                "scheduled_start": begins,
                "scheduled_end": begins + timedelta(minutes=SESSION_MINUTES),
                "status": SessionStatus.scheduled,
                "notes": "",
                "segments": _run_of_show(lineup),
            },
        )


def demo_tokens(db: Database, key: str | None = None) -> dict[str, str]:
    """A demo token per role. With the data folder's `key` (what `sieulive dev` passes) each
    token is derived from it, so a restart prints the same links and bookmarked consoles and
    dashboards keep working; only their hashes are stored, like any token's. Without a key,
    fresh random tokens. Either way other demo tokens are revoked."""
    with db.unit_of_work() as session:
        creator_id = session.scalar(select(Creator.id).order_by(Creator.id).limit(1))
        supplier_id = session.scalar(select(Supplier.id).order_by(Supplier.id).limit(1))
        retailer_id = session.scalar(select(Retailer.id).order_by(Retailer.id).limit(1))
        wanted = {role: _demo_token(key, role) if key else None for role in Role}
        kept = {
            row.role: row
            for row in session.scalars(
                select(ApiToken).where(
                    ApiToken.name.startswith(DEMO_TOKEN_PREFIX), ApiToken.revoked_at.is_(None)
                )
            )
        }
        tokens = {}
        for role in Role:
            token = wanted[role]
            row = kept.pop(role, None)
            if token is not None and row is not None and row.token_hash == hash_token(token):
                tokens[role.value] = token  # the same link as before the restart
                continue
            if row is not None:
                row.revoked_at = utcnow()
            _row, tokens[role.value] = create_token(
                session,
                role,
                f"{DEMO_TOKEN_PREFIX}{role.value}",
                creator_id=creator_id if role is Role.creator else None,
                supplier_id=supplier_id if role is Role.supplier else None,
                retailer_id=retailer_id if role is Role.retailer else None,
                token=token,
            )
        for stray in kept.values():
            stray.revoked_at = utcnow()
    return tokens


def _demo_token(key: str, role: Role) -> str:
    digest = hmac.new(key.encode(), f"demo-token:{role.value}".encode(), hashlib.sha256)
    return TOKEN_PREFIX + base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")
