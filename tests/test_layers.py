"""The import contract: layers point down only, and no two packages import each other.

Every package of `live` (and `live`'s single modules, and `workers/`) sits in one layer:

  bottom          settings, the database, Redis, errors, text, words, money, JSON, slots
  infrastructure  API routing, the websocket hub, job queueing — they know no area
  areas           access, catalog, schedule, shows, sales, imports, platforms, shops
  entry points    the app, pages, CLI, workers, benchmarks, the demo, migrations, assembly

A module may import its own layer and the layers below it, never one above; and the packages'
import graph has no cycle, in any layer. Every import counts, including those inside functions
and under `TYPE_CHECKING`: a lazy import is a dependency all the same. (A job enqueued by its
name, `"live.imports.tasks.run_import"`, is not an import.) `docs/architecture.md` says why.

A new package must be placed in a layer below, or this test fails naming it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LAYERS: list[tuple[str, frozenset[str]]] = [
    (
        "bottom",
        frozenset(
            {
                "live",  # the package itself: its version
                "live.settings",
                "live.db",
                "live.redis_conn",
                "live.errors",
                "live.text",
                "live.i18n",
                "live.money",
                "live.jsontext",
                "live.registry",
                "live.limits",
                "live.tokens",
                "live.logs",
                "live.metrics",
            }
        ),
    ),
    ("infrastructure", frozenset({"live.api", "live.hub", "live.queueing"})),
    (
        "areas",
        frozenset(
            {
                "live.access",
                "live.catalog",
                "live.schedule",
                "live.shows",
                "live.sales",
                "live.imports",
                "live.platforms",
                "live.shops",
                "live.studios",
            }
        ),
    ),
    (
        "entry points",
        frozenset(
            {
                "live.app",
                "live.monitoring",
                "live.assembly",
                "live.pages",
                "live.cli",
                "live.terminal",
                "live.bench",
                "live.demo",
                "live.models",  # every model, for Alembic: nothing below may import it
                "live.migrate",
                "live.migrations",
                "workers",
            }
        ),
    ),
]
RANK = {unit: rank for rank, (_name, units) in enumerate(LAYERS) for unit in units}
LAYER_NAME = {unit: name for name, units in LAYERS for unit in units}


def unit_of(module: str) -> str | None:
    """The package (or top-level module) a module belongs to; None outside the project."""
    parts = module.split(".")
    if parts[0] == "workers":
        return "workers"
    if parts[0] != "live":
        return None
    return ".".join(parts[:2])


def module_name(path: Path, root: Path) -> str:
    name = ".".join(path.relative_to(root).with_suffix("").parts)
    return name.removesuffix(".__init__")


@dataclass(frozen=True)
class Import:
    file: str  # the importing file, relative to the repository
    line: int
    source: str  # the importing unit
    target: str  # the imported unit
    module: str  # the imported module, as written (resolved when relative)


def imports_of(path: Path, root: Path) -> Iterable[Import]:
    module = module_name(path, root)
    source = unit_of(module)
    if source is None:
        return
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from live import redis_conn` imports the module live.redis_conn;
            # `from live import __version__` only the package.
            names = [
                f"{base}.{alias.name}" if _is_module(root, f"{base}.{alias.name}") else base
                for alias in node.names
            ]
        for name in names:
            target = unit_of(name)
            if target is None or target == source:
                continue
            yield Import(str(path.relative_to(root)), node.lineno, source, target, name)


def _is_module(root: Path, dotted: str) -> bool:
    path = root.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def project_imports(root: Path) -> list[Import]:
    files = sorted((root / "live").rglob("*.py")) + sorted((root / "workers").rglob("*.py"))
    return [i for path in files for i in imports_of(path, root)]


def units_of(root: Path) -> set[str]:
    units = {"workers"}
    for path in (root / "live").iterdir():
        if path.name.startswith((".", "_")) and path.name != "__init__.py":
            continue
        if path.is_dir() and (path / "__init__.py").exists():
            units.add(f"live.{path.name}")
        elif path.suffix == ".py":
            units.add("live" if path.name == "__init__.py" else f"live.{path.stem}")
    return units


def unplaced(root: Path) -> list[str]:
    return [
        f"{unit} is in no layer: place it in LAYERS (tests/test_layers.py)"
        for unit in sorted(units_of(root))
        if unit not in RANK
    ]


def upward(imports: list[Import]) -> list[str]:
    problems = []
    for i in imports:
        if i.source not in RANK or i.target not in RANK:
            continue  # reported by `unplaced`
        if RANK[i.target] > RANK[i.source]:
            problems.append(
                f"{i.file}:{i.line} imports {i.module}: {LAYER_NAME[i.source]} "
                f"({i.source}) may not import {LAYER_NAME[i.target]} ({i.target})"
            )
    return problems


def cycles(imports: list[Import]) -> list[str]:
    """Each strongly connected group of packages, with the imports that tie it."""
    edges: dict[str, set[str]] = defaultdict(set)
    for i in imports:
        edges[i.source].add(i.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(unit: str) -> None:
        index[unit] = low[unit] = len(index)
        stack.append(unit)
        for target in sorted(edges[unit]):
            if target not in index:
                visit(target)
                low[unit] = min(low[unit], low[target])
            elif target in stack:
                low[unit] = min(low[unit], index[target])
        if low[unit] == index[unit]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == unit:
                    break
            if len(group) > 1:
                groups.append(group)

    for unit in sorted(set(edges)):
        if unit not in index:
            visit(unit)
    problems = []
    for group in groups:
        ties = sorted(
            f"{i.file}:{i.line} imports {i.module}"
            for i in imports
            if i.source in group and i.target in group
        )
        problems.append(f"a cycle between {', '.join(sorted(group))}:\n    " + "\n    ".join(ties))
    return problems


# The project


def test_every_package_is_in_a_layer() -> None:
    assert unplaced(ROOT) == []


def test_no_package_imports_a_layer_above_its_own() -> None:
    problems = upward(project_imports(ROOT))
    assert not problems, "imports that point up:\n" + "\n".join(problems)


def test_no_two_packages_import_each_other() -> None:
    problems = cycles(project_imports(ROOT))
    assert not problems, "\n".join(problems)


# The checks themselves, on a made-up tree


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_an_upward_import_is_named_with_its_file_and_module(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "live/__init__.py": "",
            "live/hub/__init__.py": "",
            "live/hub/channels.py": "def load():\n    from live.shows.service import state\n",
            "live/shows/__init__.py": "",
            "live/shows/service.py": "from live.hub import channels\n",
        },
    )
    problems = upward(project_imports(root))
    assert problems == [
        "live/hub/channels.py:2 imports live.shows.service: infrastructure (live.hub) may not "
        "import areas (live.shows)"
    ]


def test_a_cycle_is_named_with_every_import_that_closes_it(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "live/__init__.py": "",
            "live/sales/__init__.py": "",
            "live/sales/attribution.py": "from live.shows.models import Show\n",
            "live/shows/__init__.py": "",
            "live/shows/state.py": "from live.sales import figures\n",
            "live/sales/figures.py": "",
            "live/catalog/__init__.py": "from live import text\n",
        },
    )
    assert cycles(project_imports(root)) == [
        "a cycle between live.sales, live.shows:\n"
        "    live/sales/attribution.py:1 imports live.shows.models\n"
        "    live/shows/state.py:1 imports live.sales.figures"
    ]


def test_a_package_in_no_layer_is_named(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"live/__init__.py": "", "live/gadgets/__init__.py": ""})
    assert unplaced(root) == [
        "live.gadgets is in no layer: place it in LAYERS (tests/test_layers.py)"
    ]


def test_from_live_import_a_module_counts_as_that_module(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "live/__init__.py": "__version__ = '1'\n",
            "live/db.py": "from live import __version__\nfrom live import app\n",
            "live/app.py": "",
        },
    )
    assert [(i.target, i.module) for i in project_imports(root)] == [
        ("live", "live"),
        ("live.app", "live.app"),
    ]
