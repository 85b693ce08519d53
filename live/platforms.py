"""The platforms sessions stream on and orders come from.

A creator has a handle on each, a session streams on one of them (a channel there), and order
webhooks arrive per platform. The catalog, the schedule and sales all name them and none owns
them, so the list lives here, below all three.
"""

from __future__ import annotations

import enum


class Platform(enum.StrEnum):
    tiktok_shop = "tiktok_shop"
    shopee = "shopee"
    lazada = "lazada"
    facebook = "facebook"
    portal = "portal"  # the fair's own portal, ketnoicungcau.vn
