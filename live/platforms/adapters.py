"""Every selling platform's adapter, by platform name."""

from __future__ import annotations

from live.platforms import lazada, shopee, shopify, tiktok_shop
from live.platforms.common import Adapter

ADAPTERS: dict[str, Adapter] = {
    a.platform: a for a in (tiktok_shop.ADAPTER, shopee.ADAPTER, lazada.ADAPTER, shopify.ADAPTER)
}


def adapter(platform: str) -> Adapter:
    return ADAPTERS[platform]
