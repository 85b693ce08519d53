"""Every table, imported in one place so Alembic and `create_all` see the whole schema."""

from live.access.models import ApiToken
from live.catalog.models import Availability, Certification, Creator, Product, Retailer, Supplier
from live.db import Base
from live.imports.models import ImportJob
from live.sales.models import Order, OrderBatch, OrderEvent, OrderLine, SalesTotal
from live.sales.reporting.shortlist import ShortlistEntry
from live.schedule.models import Campaign, LiveSession, Segment, session_cohosts
from live.shops.models import Shop
from live.shows.models import FeaturedPeriod, FlashSale, SegmentRun, Show, ShowCommand
from live.studios.models import Studio, StudioAction

__all__ = [
    "ApiToken",
    "Availability",
    "Base",
    "Campaign",
    "Certification",
    "Creator",
    "FeaturedPeriod",
    "FlashSale",
    "ImportJob",
    "LiveSession",
    "Order",
    "OrderBatch",
    "OrderEvent",
    "OrderLine",
    "Product",
    "Retailer",
    "SalesTotal",
    "Segment",
    "SegmentRun",
    "Shop",
    "ShortlistEntry",
    "Show",
    "ShowCommand",
    "Studio",
    "StudioAction",
    "Supplier",
    "session_cohosts",
]
