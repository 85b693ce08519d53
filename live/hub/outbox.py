"""One frame to many connections, written a bounded number of connections per turn of the
event loop.

Writing a change to 10,000 overlays costs the loop 0.1–0.9 s (a `send` per connection, more
when other processes share the cores). Written in one go, that is a turn of the loop during
which nothing else runs: the producer's command that caused the change is answered only after
the last overlay got it, and a reconnecting overlay's setup waits too. The outbox writes
`WRITES_PER_TURN` connections, then lets the loop serve whatever else is waiting before the
next ones. Frames keep their order: what is handed over later starts after what came before.
Nothing is dropped or merged here, so the total work is the same; only the turns are short. (The
hub may withdraw a whole state that a newer one supersedes before it reached everyone: `withdraw`
says whom it had not reached.)
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

# Connections written per turn of the event loop: ~10 µs each on a quiet machine, up to ~90 µs
# with every core busy, so a turn lasts 10–90 ms.
WRITES_PER_TURN = 1000


class Recipient(Protocol):
    @property
    def gone(self) -> bool: ...

    def offer(self, text: str, wire: bytes | None = None) -> bool: ...


R = TypeVar("R", bound=Recipient)

# The connections a frame goes to, the frame's text and its encoded bytes (None: each
# connection encodes it).
Group = tuple[Sequence[R], str, bytes | None]


@dataclass(eq=False)
class Sending(Generic[R]):
    groups: Sequence[Group[R]]
    done: Callable[[], None] | None
    group: int = 0  # the group being written
    index: int = 0  # its next connection

    @property
    def finished(self) -> bool:
        """Written to every connection."""
        return self.group >= len(self.groups)


class Outbox(Generic[R]):
    """Frames waiting to be written, oldest first. `drop` is told of each connection that
    could not take its frame (too slow)."""

    def __init__(self, drop: Callable[[R], None], per_turn: int = WRITES_PER_TURN) -> None:
        self.drop = drop
        self.per_turn = per_turn
        self.queue: collections.deque[Sending[R]] = collections.deque()
        self.armed = False

    def send(
        self, groups: Sequence[Group[R]], done: Callable[[], None] | None = None
    ) -> Sending[R]:
        """Write each group's frame to its connections; `done` once the last one was written.
        With nothing ahead of it, the first turn's worth is written before this returns (a
        small fan-out is written at once)."""
        sending = Sending(groups, done)
        idle = not self.queue
        self.queue.append(sending)
        if idle:
            self._turn()
        return sending

    def withdraw(self, sending: Sending[R]) -> list[R]:
        """Write no more of `sending`; the connections it had not reached yet (none once it was
        written to all). `done` is not called."""
        try:
            self.queue.remove(sending)
        except ValueError:
            return []
        rest: list[R] = []
        for g in range(sending.group, len(sending.groups)):
            members = sending.groups[g][0]
            rest.extend(members[sending.index if g == sending.group else 0 :])
        return rest

    def _turn(self) -> None:
        self.armed = False
        budget = self.per_turn
        while self.queue and budget > 0:
            sending = self.queue[0]
            budget = self._write(sending, budget)
            if sending.finished:
                self.queue.popleft()
                if sending.done is not None:
                    sending.done()
        if self.queue and not self.armed:
            # Scheduled now, it runs at the next turn: what arrived meanwhile goes first.
            self.armed = True
            asyncio.get_running_loop().call_soon(self._turn)

    def _write(self, sending: Sending[R], budget: int) -> int:
        too_slow: list[R] = []
        while sending.group < len(sending.groups) and budget > 0:
            members, text, wire = sending.groups[sending.group]
            end = min(len(members), sending.index + budget)
            for i in range(sending.index, end):
                client = members[i]
                # One that left or was dropped since the frame was handed over is skipped.
                if not client.gone and not client.offer(text, wire):
                    too_slow.append(client)
            budget -= end - sending.index
            if end == len(members):
                sending.group += 1
                sending.index = 0
            else:
                sending.index = end
        for client in too_slow:
            self.drop(client)
        return budget
