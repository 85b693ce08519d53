"""Where the catalog's products and creators are used, asked of the schedule through one
registered object.

The schedule plans products and creators into sessions, so it imports the catalog; the catalog
can't import it back. What a catalog edit needs from it — is this product or creator planned,
and recheck and reindex the sessions using one that changed — goes through the `Uses` the
schedule lends at start-up (`live/assembly.py`, run by every entry point).
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from live.registry import Slot


class Uses(Protocol):
    def product_in_use(self, db: Session, product_id: int) -> bool:
        """Whether a run-of-show places the product."""
        ...

    def creator_in_use(self, db: Session, creator_id: int) -> bool:
        """Whether the creator hosts or co-hosts a session."""
        ...

    def product_changed(self, db: Session, product_id: int, *, renamed: bool) -> None:
        """Recheck the sessions using an edited product (Conflict when the edit breaks one),
        and rewrite their search keys when it was renamed."""
        ...

    def creator_renamed(self, db: Session, creator_id: int) -> None:
        """Rewrite the search keys of the sessions the creator hosts or co-hosts."""
        ...


# Filled by the schedule (`live.schedule.plans.SchedulePlans`).
USES: Slot[Uses] = Slot("where the catalog's products and creators are used")
