"""Every worker's watchdog: a thread that looks at the order inbox once a second and enqueues
a drain when events or orphaned batches wait and no drain job is queued. It also says the
worker is alive (`live.queueing.worker_seen`), which /readyz and the alerts read.

Nothing that must happen later depends on one process staying alive: no delayed RQ jobs (the
RQ scheduler runs in one worker at a time and is taken over only at another's next
maintenance, minutes later), no "look again in a minute". Each worker watches; a killed
worker's batches are drained by another within its lease plus a tick, and a drain job lost
with a killed web process (events accepted, job never enqueued) costs a second.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from redis import Redis

from live.metrics import WORKER_HEARTBEATS, count_backend_error
from live.queueing import worker_gone, worker_seen
from live.sales.pipeline.service import more_waiting
from live.sales.tasks import drain_waiting, enqueue_drain
from live.settings import load_settings
from live.shops import watch as shops

log = logging.getLogger(__name__)
TICK_SECONDS = 1.0


class Watchdog:
    def __init__(self, redis: Redis, tick: float = TICK_SECONDS, name: str = "") -> None:
        self.redis = redis
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.tick = tick
        self.poll_seconds = load_settings().shop_poll_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="watchdog", daemon=True)

    def start(self) -> Watchdog:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        try:
            worker_gone(self.redis, self.name)
        except Exception:  # Redis away: the entry goes stale on its own
            log.warning("could not sign the worker off", exc_info=True)

    def heartbeat(self) -> None:
        worker_seen(self.redis, self.name)
        WORKER_HEARTBEATS.inc()

    def look(self) -> bool:
        """One look; True when it enqueued a drain. The shops get theirs too: a turn for a
        shop with pushes or fetches waiting, a backfill poll when one is due."""
        try:
            shops.look(self.redis, [], self.poll_seconds)
        except Exception:
            log.warning("watchdog could not look at the shops", exc_info=True)
        if more_waiting(self.redis) and not drain_waiting(self.redis):
            enqueue_drain(self.redis)
            return True
        return False

    def _run(self) -> None:
        while not self._stop.wait(self.tick):
            try:
                self.heartbeat()
                self.look()
            except Exception as exc:  # Redis restarting: look again next tick
                count_backend_error(exc, "watchdog")
                log.warning("watchdog could not look at the order inbox", exc_info=True)
