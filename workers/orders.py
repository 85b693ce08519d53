"""The drain job's old path. Jobs enqueued before the drain moved to `live/sales/tasks.py` name
`workers.orders.drain_inbox`; RQ finds them here after an upgrade."""

from __future__ import annotations

from live.sales.tasks import drain_inbox

__all__ = ["drain_inbox"]
