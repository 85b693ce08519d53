"""What CLI commands print: readable text by default, `--json` for scripts, and progress bars
(rich) that draw on a terminal and stay silent in a pipe, a log file or CI."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


def print_json(data: Any) -> None:
    """One JSON object on one line, on stdout."""
    print(json.dumps(data, ensure_ascii=False, default=str))


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    """A bar on stderr when it is a terminal; off one (a pipe, CI) nothing is drawn — no
    carriage returns piling up on one line — and the command's result says how it ended."""
    console = Console(file=sys.stderr)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def import_summary(filename: str, summary: dict[str, Any]) -> str:
    lines = [f"imported {filename}: {summary.get('rows', 0)} rows, all or nothing — all"]
    for kind, counts in (summary.get("counts") or {}).items():
        lines.append(
            f"  {kind:<10} {counts.get('created', 0)} created, {counts.get('updated', 0)} "
            f"updated, {counts.get('unchanged', 0)} unchanged"
        )
    for sheet in summary.get("sheets") or []:
        ignored = sheet.get("ignored_columns") or []
        if ignored:
            lines.append(f"  sheet {sheet['sheet']}: columns ignored: {', '.join(ignored)}")
    for skipped in summary.get("skipped_sheets") or []:
        lines.append(f"  sheet skipped: {skipped}")
    for warning in summary.get("warnings") or []:
        lines.append(f"  warning: {warning}")
    return "\n".join(lines)


def import_refusal(message: str, errors: list[dict[str, Any]]) -> str:
    lines = [f"import refused, nothing was written: {message}"]
    for err in errors:
        where = f"{err.get('sheet', '')} line {err.get('line', '?')}".strip()
        column = f" ({err['column']})" if err.get("column") else ""
        lines.append(f"  {where}{column}: {err.get('message', '')}")
    return "\n".join(lines)


def reconcile_summary(report: dict[str, Any], repaired: bool) -> str:
    lines = [
        f"orders: {report['orders']} ({report['orders_rebuilt']} rebuilt from "
        f"{report['events']} kept events, {report['orders_without_events']} without events)",
        f"aggregates checked: {report['aggregates_checked']}",
    ]
    found = {
        "orders": report["orders_repaired"],
        "aggregates": report["aggregates_repaired"],
        "live counters": report["counters_repaired"],
        "flash-sale gates": report["gates_repaired"],
    }
    if report["clean"]:
        lines.append("clean: the database, the aggregates and the live counters agree")
        return "\n".join(lines)
    verb = "repaired" if repaired else "differ (not repaired: --check)"
    for what, items in found.items():
        if items:
            lines.append(f"{what} {verb}: {len(items)}")
            lines += [
                f"  {json.dumps(item, ensure_ascii=False, default=str)}" for item in items[:20]
            ]
            if len(items) > 20:
                lines.append(f"  … and {len(items) - 20} more (--json lists them all)")
    return "\n".join(lines)


def webhook_answer(status: int, answer: Any) -> str:
    if isinstance(answer, dict) and "accepted" in answer:
        return f"HTTP {status}: {answer['accepted']} event(s) accepted"
    if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
        error = answer["error"]
        return f"HTTP {status}: {error.get('code')}: {error.get('message')}"
    return f"HTTP {status}: {answer}"


def rehearsal_summary(summary: dict[str, Any]) -> str:
    lines = [
        f"session {summary['session_id']}: {summary['orders']} orders "
        f"({summary['events']} events, {summary['cancelled']} cancelled, "
        f"{summary['flash_orders']} in the flash sale) in {summary['seconds']} s "
        f"= {summary['rate_achieved']} orders/s",
        f"requests: {summary['requests']} sent, {summary['accepted']} events accepted, "
        f"{summary['refused_requests']} refused",
        f"stopped: {summary['stopped_because']}",
    ]
    lines += [f"  error: {e}" for e in summary.get("errors") or []]
    return "\n".join(lines)


def bench_report(result: dict[str, Any]) -> str:
    """A benchmark's result for a person: every figure, indented as the JSON nests them, each
    target with ✓ or ✗, and the verdict last, where the eye lands. `--json` prints the same
    object on one line for scripts and for the docs' tables."""
    lines: list[str] = []
    missed: list[str] = []
    _report_into(lines, missed, result, "")
    lines.append("\n" + (f"targets missed: {', '.join(missed)}" if missed else "all targets met"))
    return "\n".join(lines)


def _report_into(lines: list[str], missed: list[str], data: dict[str, Any], indent: str) -> None:
    for key, value in data.items():
        if key == "targets_met" and isinstance(value, dict):
            lines.append(f"{indent}targets:")
            for target, met in value.items():
                lines.append(f"{indent}  {'✓' if met else '✗'} {target}")
                if not met:
                    missed.append(target)
        elif isinstance(value, dict):
            lines.append(f"{indent}{key}:")
            _report_into(lines, missed, value, indent + "  ")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f"{indent}{key}:")
            for item in value:
                pairs = ", ".join(f"{k} {_figure(v)}" for k, v in item.items())
                lines.append(f"{indent}  - {pairs}")
        else:
            lines.append(f"{indent}{key}: {_figure(value)}")


def _figure(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    if isinstance(value, int | float):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(_figure(v) for v in value) or "none"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
