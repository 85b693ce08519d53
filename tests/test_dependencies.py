"""Reproducible deployments: the libraries whose internals the code uses stay within the
versions tested, and constraints.txt (what the Dockerfile installs) pins every runtime
dependency inside pyproject's ranges."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
# The hub writes frames to uvicorn's transport (its websockets-sansio protocol) and encodes
# them with websockets' Frame: see docs/operations.md, "Reproducible deployments".
INTERNALS_USED = ("uvicorn", "websockets")


def requirements() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    return {canonicalize_name(r.name): r for r in reqs}


def constraints() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, pinned = line.partition("==")
            assert pinned, f"constraints.txt: {line!r} is not pinned with =="
            pins[canonicalize_name(name)] = Version(pinned)
    return pins


def test_libraries_whose_internals_we_use_are_within_a_tested_minor_range():
    reqs = requirements()
    for name in INTERNALS_USED:
        spec = reqs[name].specifier
        installed = Version(version(name))
        assert installed in spec, f"{name} {installed} is outside the tested {spec}"
        upper = [s for s in spec if s.operator == "<"]
        assert upper, f"{name}: no upper bound"
        bound = Version(upper[0].version)
        assert bound.release[:1] == installed.release[:1], f"{name}: {spec} is too wide"


def test_constraints_pin_every_runtime_dependency_within_its_range():
    pins = constraints()
    for name, req in requirements().items():
        assert name in pins, f"constraints.txt does not pin {name}"
        assert pins[name] in req.specifier, f"{name}=={pins[name]} is outside {req.specifier}"


def test_the_image_installs_from_the_constraints():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY pyproject.toml README.md constraints.txt ./" in dockerfile
    assert "pip install -c constraints.txt ." in dockerfile
