"""`sieulive import FILE --kind KIND`: the same import, in-process, with a progress bar."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from live.cli import main
from live.db import Database
from tests.imports.conftest import counts
from tests.imports.lineup import PRODUCTS, SUPPLIERS, csv_bytes

FILES = Path(__file__).parent / "files"


def test_import_files_from_the_command_line(
    cli_env: None, db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suppliers = tmp_path / "nha-cung-cap.csv"
    suppliers.write_bytes(csv_bytes(SUPPLIERS))
    products = tmp_path / "san-pham.csv"
    products.write_bytes(csv_bytes(PRODUCTS))
    assert main(["import", str(suppliers), "--kind", "suppliers"]) == 0
    assert main(["import", str(products), "--kind", "products"]) == 0
    out, err = capsys.readouterr()
    assert "imported san-pham.csv: 3 rows" in out
    assert "  products   3 created, 0 updated, 0 unchanged" in out
    # Off a terminal the progress bar draws nothing: no carriage returns piled on a line.
    assert "\r" not in err and "[" not in err, err
    assert counts(db)["products"] == 3
    assert main(["import", str(products), "--kind", "products", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["counts"] == {"products": {"created": 0, "updated": 0, "unchanged": 3}}


def test_a_refused_import_prints_each_bad_line(
    cli_env: None, db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suppliers = tmp_path / "nha-cung-cap.csv"
    suppliers.write_bytes(csv_bytes(SUPPLIERS))
    assert main(["import", str(suppliers)]) == 0
    before = counts(db)
    capsys.readouterr()
    bad = FILES / "products-bad-rows.csv"
    assert main(["import", str(bad), "--kind", "products"]) == 1
    err = capsys.readouterr().err
    assert "import refused, nothing was written" in err
    for line in range(3, 10):
        assert f"products-bad-rows.csv line {line}:" in err
    assert counts(db) == before


def test_a_file_that_is_not_a_spreadsheet(
    cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(FILES / "photo.png")]) == 1
    assert "not a CSV or XLSX spreadsheet" in capsys.readouterr().err
