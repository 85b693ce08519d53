"""A slot for what one area lends another at start-up.

An area below can't import one above it (the catalog doesn't know the schedule that plans its
products; the shows don't know the sales they show). It declares what it needs as a protocol
and a `Slot`; the area above fills the slot when every entry point assembles the application
(`live/assembly.py`). An empty slot fails loudly: a forgotten registration is a bug, not a
quiet zero on air.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class Slot(Generic[T]):
    def __init__(self, what: str) -> None:
        self.what = what
        self._value: T | None = None

    def register(self, value: T) -> None:
        self._value = value

    def get(self) -> T:
        if self._value is None:
            raise RuntimeError(
                f"{self.what} is not registered: call live.assembly.assemble() at start-up"
            )
        return self._value
