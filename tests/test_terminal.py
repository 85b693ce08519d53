"""What CLI commands print: readable text, `--json` for scripts."""

from __future__ import annotations

import json

from live.cli import main
from live.terminal import bench_report, import_refusal, reconcile_summary, webhook_answer


def test_reconcile_prints_readable_text_or_json(cli_env, capsys):
    assert main(["reconcile", "--check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("orders: 0 (0 rebuilt from 0 kept events, 0 without events)\n")
    assert "clean: the database, the aggregates and the live counters agree" in out
    assert main(["reconcile", "--check", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["clean"] is True


def test_a_report_with_differences_lists_them():
    report = {
        "orders": 3,
        "orders_rebuilt": 3,
        "orders_without_events": 0,
        "events": 6,
        "aggregates_checked": 9,
        "orders_repaired": [],
        "aggregates_repaired": [{"session": 1, "gross_units": [4, 5]}],
        "counters_repaired": [],
        "gates_repaired": [],
        "clean": False,
    }
    text = reconcile_summary(report, repaired=False)
    assert "aggregates differ (not repaired: --check): 1" in text
    assert '{"session": 1, "gross_units": [4, 5]}' in text


def test_answers_and_refusals_read_as_sentences():
    assert webhook_answer(202, {"accepted": 3}) == "HTTP 202: 3 event(s) accepted"
    refused = {"error": {"code": "bad_signature", "message": "the signature does not match"}}
    assert webhook_answer(401, refused) == ("HTTP 401: bad_signature: the signature does not match")
    text = import_refusal("2 rows are wrong", [{"sheet": "a.csv", "line": 3, "message": "bad"}])
    assert text == "import refused, nothing was written: 2 rows are wrong\n  a.csv line 3: bad"


def test_a_benchmark_reads_as_text_with_its_verdict_last() -> None:
    result = {
        "orders": 20000,
        "batched": {"lag_p99_ms": 574.3, "exact": True, "inexact": []},
        "storm": {"rounds": [{"round": "storm_1_1", "seconds": 4.07}]},
        "ratios": {"storm_n_vs_storm_1": 0.93, "by_pair": [0.8, 1.01]},
        "targets_met": {"lag_p99_le_1000ms": True, "storm_n_workers_not_slower_than_1": False},
    }
    text = bench_report(result)
    assert "orders: 20,000" in text
    assert "  lag_p99_ms: 574.3" in text
    assert "  inexact: none" in text
    assert "    - round storm_1_1, seconds 4.07" in text
    assert "  by_pair: 0.8, 1.01" in text
    assert "  ✓ lag_p99_le_1000ms" in text and "  ✗ storm_n_workers_not_slower_than_1" in text
    assert text.splitlines()[-1] == "targets missed: storm_n_workers_not_slower_than_1"
    assert "{" not in text  # not JSON


def test_a_benchmark_that_meets_every_target_says_so() -> None:
    nested = {"reconnect_storm": {"targets_met": {"command_p99_le_1s": True}}}
    assert bench_report(nested).splitlines()[-1] == "all targets met"
