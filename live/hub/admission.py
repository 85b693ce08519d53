"""Websocket upgrades admitted a few per turn of the event loop, so control never starves.

After a web process restarts, thousands of overlays redial within a second. Each reconnection
costs the event loop some work before the app ever sees it: uvicorn answers the upgrade (the
websockets library parses the handshake, builds the connection) and starts the app's task. The
event loop hands over every socket that became readable in one turn, so when the requests of
8,600 overlays arrive together the loop spends one turn of several seconds on them, and a
producer's `feature` command, which needs a few turns to be read, run and answered, waits
behind every one of them (measured: 2.3–6.7 s).

`AdmittingHttpProtocol` is uvicorn's own HTTP protocol (`uvicorn.Config(http=…)` takes a
protocol class) with one change: a websocket upgrade request, once parsed, waits in a
queue with its socket's reading paused, and the queue lets `PER_TURN` upgrades through at each
turn of the loop. The other requests (commands, pages, health checks) are served as they
arrive, between those turns. Nobody is refused and nothing waits longer than the loop needs
to serve those ahead of it: the storm's total work is the same, done in short turns.
"""

from __future__ import annotations

import asyncio
import collections
import weakref

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Upgrades let through per turn of the event loop. Each costs ~0.5 ms of the loop (handshake,
# the app's setup, the first state), so a turn stays near 10 ms and a command's few turns
# well under a second, while the loop is never idle with upgrades waiting.
PER_TURN = 16


class Admissions:
    """The upgrades waiting their turn on one event loop, oldest first."""

    def __init__(self, loop: asyncio.AbstractEventLoop, per_turn: int = PER_TURN) -> None:
        self.loop = loop
        self.per_turn = per_turn
        self.budget = per_turn
        self.waiting: collections.deque[AdmittingHttpProtocol] = collections.deque()
        self.armed = False

    def admit(self, protocol: AdmittingHttpProtocol) -> None:
        """Upgrade now if this turn has room and nobody waits, else queue (reading paused)."""
        if self.budget > 0 and not self.waiting:
            self.budget -= 1
            self._arm()
            protocol.upgrade_now()
            return
        protocol.transport.pause_reading()
        self.waiting.append(protocol)
        self._arm()

    def _arm(self) -> None:
        # A callback scheduled now runs at the next turn: the I/O that arrives meanwhile (a
        # command) is served before it.
        if not self.armed:
            self.armed = True
            self.loop.call_soon(self._turn)

    def _turn(self) -> None:
        self.armed = False
        self.budget = self.per_turn
        while self.waiting and self.budget > 0:
            protocol = self.waiting.popleft()
            if protocol.transport.is_closing():
                continue  # gave up while waiting
            self.budget -= 1
            protocol.transport.resume_reading()
            protocol.upgrade_now()
        if self.waiting:
            self._arm()


_admissions: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Admissions] = (
    weakref.WeakKeyDictionary()
)


def admissions(loop: asyncio.AbstractEventLoop) -> Admissions:
    found = _admissions.get(loop)
    if found is None:
        found = _admissions[loop] = Admissions(loop)
    return found


class AdmittingHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol whose websocket upgrades wait their turn (`Admissions`)."""

    def handle_websocket_upgrade(self) -> None:
        admissions(self.loop).admit(self)

    def upgrade_now(self) -> None:
        super().handle_websocket_upgrade()
