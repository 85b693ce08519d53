"""Channels and their whole state. The hub knows no area: each registers, for its kind of
channel, how to read the whole state from the DB (the source of truth) and which kinds of
published change carry that state whole.

A channel is named "<kind>:<id>" (`show:12`, `campaign:3`); the app registers the kinds when it
assembles (`live/app.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool

from live.errors import NotFound

# The whole state of one channel of a kind, by its id. Blocking (it reads the DB): run in a thread.
StateLoader = Callable[[int], dict[str, Any]]


@dataclass(frozen=True)
class ChannelKind:
    load: StateLoader
    whole_state: frozenset[str]


class Channels:
    def __init__(self) -> None:
        self._kinds: dict[str, ChannelKind] = {}

    def register(self, kind: str, load: StateLoader, *, whole_state: Iterable[str] = ()) -> None:
        """`load(id)` reads the whole state of channel `kind:id`; changes published with a kind
        in `whole_state` carry it whole, so the hub keeps them as its freshest copy."""
        self._kinds[kind] = ChannelKind(load, frozenset(whole_state))

    async def load(self, channel: str) -> dict[str, Any]:
        kind, _, ident = channel.partition(":")
        registered = self._kinds.get(kind)
        if registered is None:
            raise NotFound("channel", f"{kind}:{ident}")
        return await run_in_threadpool(registered.load, int(ident))

    def whole_state_kinds(self) -> frozenset[str]:
        """Every kind of change that carries a whole state, the hub's own first frame included."""
        kinds = {"state"}
        for registered in self._kinds.values():
            kinds |= registered.whole_state
        return frozenset(kinds)
