"""What a show's state shows of its sales, asked of sales through one registered object.

Sales attributes orders to shows (it reads their featured products and flash sales), so it
imports the shows; the shows can't import it back. The cards' stock left, a flash sale's units
sold, the session's figures and its recent purchases come from the `SalesOnAir` that sales lends
at start-up (`live/assembly.py`, run by every entry point).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from sqlalchemy.orm import Session

from live.catalog.models import Product
from live.registry import Slot
from live.shows.models import FlashSale


class SalesOnAir(Protocol):
    def stock_left(self, db: Session, products: Iterable[Product]) -> dict[int, int]:
        """Each product's stock left, the figure every dashboard shows too."""
        ...

    def flash_sold(self, db: Session, sale: FlashSale) -> int:
        """Units the flash sale granted (oversold orders not counted)."""
        ...

    def session_sales(self, db: Session, session_id: int) -> dict[str, Any]:
        """The session's orders, units and revenue, net and gross."""
        ...

    def recent_purchases(self, db: Session, session_id: int) -> list[dict[str, Any]]:
        """What the ticker shows: product, province, quantity, time — no buyer data."""
        ...


# Filled by sales (`live.sales.reporting.figures.FiguresOnAir`).
SALES: Slot[SalesOnAir] = Slot("the sales figures a show shows")
