"""Channels, their whole state, and who sees which part of it. The hub knows no area: each
registers, for its kind of channel, how to read the whole state from the DB (the source of
truth), which kinds of published change carry that state whole, and one projection per
audience — the part of the state that audience may see.

A channel is named "<kind>:<id>" (`show:12`, `campaign:3`); the app registers the kinds when it
assembles (`live/app.py`).

Projections fail closed: a connection is served only for an audience its kind registered; a
whole state reaches each audience only through its projection; a published change of a kind
that is neither whole state nor a registered signal reaches no one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool

from live.errors import NotFound

# The whole state of one channel of a kind, by its id. Blocking (it reads the DB): run in a thread.
StateLoader = Callable[[int], dict[str, Any]]
# The part of a whole state one audience may see. Pure and quick: it runs on the event loop,
# once per change and audience (never per connection).
Projection = Callable[[dict[str, Any]], dict[str, Any]]


def whole(state: dict[str, Any]) -> dict[str, Any]:
    """The projection of an audience that may see everything (its API returns it all)."""
    return state


@dataclass(frozen=True)
class ChannelKind:
    load: StateLoader
    whole_state: frozenset[str]
    audiences: Mapping[str, Projection]
    signals: frozenset[str]


class Channels:
    def __init__(self) -> None:
        self._kinds: dict[str, ChannelKind] = {}

    def register(
        self,
        kind: str,
        load: StateLoader,
        *,
        audiences: Mapping[str, Projection],
        whole_state: Iterable[str] = (),
        signals: Iterable[str] = (),
    ) -> None:
        """`load(id)` reads the whole state of channel `kind:id`; changes published with a kind
        in `whole_state` carry it whole (the hub keeps them as its freshest copy); each audience
        sees a whole state through its projection; `signals` are kinds of change whose small
        data every audience may see as it is (a reload, a revocation)."""
        if not audiences:
            raise ValueError(f"channel kind {kind!r}: name at least one audience")
        self._kinds[kind] = ChannelKind(
            load, frozenset(whole_state), dict(audiences), frozenset(signals)
        )

    def _kind(self, channel: str) -> ChannelKind | None:
        return self._kinds.get(channel.partition(":")[0])

    async def load(self, channel: str) -> dict[str, Any]:
        kind, _, ident = channel.partition(":")
        registered = self._kinds.get(kind)
        if registered is None:
            raise NotFound("channel", f"{kind}:{ident}")
        return await run_in_threadpool(registered.load, int(ident))

    def serves(self, channel: str, audience: str) -> bool:
        registered = self._kind(channel)
        return registered is not None and audience in registered.audiences

    def project(self, channel: str, audience: str, kind: str, data: Any) -> Any | None:
        """What `audience` gets of a change (or of the first state, kind "state"); None: nothing."""
        registered = self._kind(channel)
        if registered is None:
            return None
        projection = registered.audiences.get(audience)
        if projection is None:
            return None
        if kind == "state" or kind in registered.whole_state:
            return projection(data)
        if kind in registered.signals:
            return data
        return None

    def whole_state_kinds(self) -> frozenset[str]:
        """Every kind of change that carries a whole state, the hub's own first frame included."""
        kinds = {"state"}
        for registered in self._kinds.values():
            kinds |= registered.whole_state
        return frozenset(kinds)
