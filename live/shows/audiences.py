"""Who sees what of a show's state. Registered with the hub for the show channel
(`live/shows/sockets.py`): the hub projects each change once per audience present.

- **producer**: the whole state — what `GET /api/sessions/{id}/show` returns a producer.
- **creator**: the whole state of the sessions they host — what the same route returns them
  (the socket refuses a creator any other session).
- **overlay**: only what the overlay draws: the featured product's card (prices, stock left,
  QR/buy link), the flash sale, the purchases ticker (product, province, quantity — never who
  bought), the show's phase and revision, and the session's on-air names (branding). No
  revenue, goal, notes, talking points, run-of-show or campaign stock. The overlay token sits
  in OBS scene files on studio PCs — the least protected credential there is — so the
  projection is an allow-list: a field added to the state later stays off it until it is
  named here.
"""

from __future__ import annotations

from typing import Any

from live.hub.channels import Projection, whole

OVERLAY = "overlay"

CARD = (
    "id",
    "name",
    "supplier_name",
    "province",
    "ocop_stars",
    "list_price",
    "live_price",
    "stock_left",
    "image_url",
    "buy_link",
)
FLASH = (
    "product_id",
    "price",
    "quantity",
    "remaining",
    "sold",
    "sold_out",
    "started_at",
    "ends_at",
)
SHOW = ("revision", "phase", "rehearsal")
SESSION = ("id", "title", "host_name", "platform", "channel")  # the on-air names
PURCHASE = ("product_name", "province", "quantity", "at")


def _pick(source: Any, names: tuple[str, ...]) -> dict[str, Any] | None:
    if not isinstance(source, dict):
        return None
    return {name: source.get(name) for name in names}


def for_overlay(state: dict[str, Any]) -> dict[str, Any]:
    flash = _pick(state.get("flash_sale"), FLASH)
    if flash is not None:
        flash["product"] = _pick(state["flash_sale"].get("product"), CARD)
    return {
        "session": _pick(state.get("session"), SESSION),
        "show": _pick(state.get("show"), SHOW),
        "featured": _pick(state.get("featured"), CARD),
        "flash_sale": flash,
        "recent_purchases": [
            _pick(p, PURCHASE) for p in state.get("recent_purchases") or () if isinstance(p, dict)
        ],
    }


AUDIENCES: dict[str, Projection] = {
    "producer": whole,
    "creator": whole,
    OVERLAY: for_overlay,
}
