"""The platforms sessions stream on and orders come from, and each one's own wire shapes.

A creator has a handle on each, a session streams on one of them (a channel there), and order
notifications arrive per platform. The catalog, the schedule and sales all name them and none
owns them, so the list lives here, below all three.

The modules beside it speak each selling platform's language — its push bodies and
signatures, its detail and list APIs, its order statuses — and nothing of sieulive's: they
turn a platform's bytes into `common.PlatformOrder` and `common.Notice`, and the shops area
(`live/shops/`) turns those into order events for the pipeline. One module per platform:
`tiktok_shop`, `shopee`, `lazada`, `shopify`; `adapters` lists them; `sim/` plays all four
for rehearsals, tests and the benchmark.
"""

from __future__ import annotations

import enum


class Platform(enum.StrEnum):
    tiktok_shop = "tiktok_shop"
    shopee = "shopee"
    lazada = "lazada"
    facebook = "facebook"
    portal = "portal"  # the fair's own portal, ketnoicungcau.vn
    shopify = "shopify"  # a brand's own store


# The platforms that push order notifications sieulive can verify and fetch details for.
SELLING = (Platform.tiktok_shop, Platform.shopee, Platform.lazada, Platform.shopify)
