"""A batch's rows in one statement on PostgreSQL: a column of values a parameter, `unnest`ed.

An executemany of 500 rows is 500 executions of the statement on the server, and SQLAlchemy
processes each of the 500 × columns parameters in Python. Here each column goes as one array
parameter (in binary: no escaping), and the server plans and runs one statement: a fraction of
the executemany's cost (measured: docs/orders.md, "The drain made faster").

The statement walks the rows in the order given (`WITH ORDINALITY … ORDER BY`), so a batch's
inserts and locks keep the key order the callers sort them in: two workers sharing rows queue up
behind each other instead of deadlocking. PostgreSQL only; SQLite keeps its executemany.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

Column = tuple[str, str]  # (column name, PostgreSQL type of one value: "text", "int8", …)


def _source(columns: Sequence[Column]) -> tuple[str, str]:
    """`unnest(%b::t1[], …) WITH ORDINALITY AS u(c1, …, n)` and the list `u.c1, …`."""
    # %b: arrays in binary; the text format escapes every value with a regex in Python
    # (8 ms of CPU for a batch of 500 events, against 1 ms).
    arrays = ", ".join(f"%b::{kind}[]" for _name, kind in columns)
    names = ", ".join(name for name, _kind in columns)
    picked = ", ".join(f"u.{name}" for name, _kind in columns)
    return f"unnest({arrays}) WITH ORDINALITY AS u({names}, n)", picked


def insert(
    db: Session,
    table: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    *,
    on_conflict: str = "",
    values: Sequence[str] | None = None,
) -> None:
    """INSERT INTO table (columns) the rows (each a sequence in `columns`' order), in order.

    `values` replaces the selected expressions (e.g. a cast of one column); `on_conflict` is
    the statement's ON CONFLICT clause."""
    if not rows:
        return
    source, picked = _source(columns)
    names = ", ".join(name for name, _kind in columns)
    select = ", ".join(values) if values is not None else picked
    sql = f"INSERT INTO {table} ({names}) SELECT {select} FROM {source} ORDER BY u.n {on_conflict}"
    db.connection().exec_driver_sql(sql, tuple(list(column) for column in zip(*rows, strict=True)))


def update(
    db: Session,
    table: str,
    key: Column,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
) -> None:
    """UPDATE table SET columns FROM the rows (each: key, then `columns`' values) WHERE the
    table's `key` matches."""
    if not rows:
        return
    source, _picked = _source([key, *columns])
    assignments = ", ".join(f"{name} = u.{name}" for name, _kind in columns)
    sql = f"UPDATE {table} SET {assignments} FROM {source} WHERE {table}.{key[0]} = u.{key[0]}"
    db.connection().exec_driver_sql(sql, tuple(list(column) for column in zip(*rows, strict=True)))
