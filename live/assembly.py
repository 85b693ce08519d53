"""Putting the areas together: what one area lends another, registered once at start-up.

Layers point down (docs/architecture.md): the catalog doesn't import the schedule that plans
its products, the shows don't import the sales they show. Each declares what it needs as a
protocol and a slot (`live/registry.py`); `assemble()` fills every slot. Every entry point —
the web app, the CLI, the workers, the test suite — calls it before serving anything; calling
it again changes nothing.
"""

from __future__ import annotations

from live.catalog.uses import USES
from live.sales.reporting.figures import FiguresOnAir
from live.schedule.on_air import SHOWS
from live.schedule.plans import SchedulePlans
from live.shows.mixer import MIXER
from live.shows.on_air import SALES
from live.shows.positions import ShowPositions
from live.studios.director import Director


def assemble() -> None:
    USES.register(SchedulePlans())
    SALES.register(FiguresOnAir())
    MIXER.register(Director())
    SHOWS.register(ShowPositions())
