"""The list of campaigns, each leading to its calendar."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from live.i18n import Translator
from live.schedule.models import Campaign, LiveSession


@dataclass
class CampaignCard:
    id: int
    name: str
    dates: str
    sessions: str
    goal: str | None


def campaign_cards(db: Session, t: Translator) -> list[CampaignCard]:
    counts: dict[int, int] = {
        campaign_id: n
        for campaign_id, n in db.execute(
            select(LiveSession.campaign_id, func.count()).group_by(LiveSession.campaign_id)
        )
    }
    campaigns = db.scalars(select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id))
    return [
        CampaignCard(
            id=c.id,
            name=c.name,
            dates=t.dates(c.starts_on, c.ends_on),
            sessions=t.count("index_sessions", counts.get(c.id, 0)),
            goal=t.money(c.sales_goal) if c.sales_goal else None,
        )
        for c in campaigns
    ]
