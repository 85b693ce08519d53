"""The monitoring profile: Prometheus's alert rules and scrape config, Grafana's provisioned
dashboard, all checked against the metrics the service really exports. With `promtool` on the
PATH the rules are also checked and unit-tested by Prometheus itself (alerts_test.yml)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.test_monitoring import EXPECTED

ROOT = Path(__file__).resolve().parent.parent
MONITORING = ROOT / "monitoring"
RULES = MONITORING / "prometheus" / "alerts.yml"
# Exported besides EXPECTED (histogram and counter series, Prometheus's own).
SUFFIXES = ("_total", "_bucket", "_count", "_sum", "_created")
OTHER_METRICS = {
    "sieulive_inbox_limit",
    "sieulive_order_batch_apply_seconds",
    "sieulive_worker_heartbeats",
}


def metric_names(expr: str) -> set[str]:
    return {name for name in re.findall(r"\b(sieulive_[a-z_]+)", expr)}


def exported(name: str) -> bool:
    base = name
    for suffix in SUFFIXES:
        base = base.removesuffix(suffix)
    return base in EXPECTED | OTHER_METRICS


def test_the_alert_rules_name_real_metrics_and_a_runbook_that_exists():
    rules = yaml.safe_load(RULES.read_text())["groups"][0]["rules"]
    names = {rule["alert"] for rule in rules}
    assert {
        "SieuliveDashboardLagHigh",
        "SieuliveOrderBatchStuck",
        "SieuliveNoLiveWorker",
        "SieuliveRedisMemoryHigh",
        "SieuliveOverlayStale",
    } <= names
    operations = (ROOT / "docs" / "operations.md").read_text()
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", heading.lower()).replace(" ", "-")
        for heading in re.findall(r"^#+ (.+)$", operations, re.M)
    }
    for rule in rules:
        assert set(rule) >= {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert re.fullmatch(r"\d+[smh]", rule["for"]), rule["alert"]
        assert rule["labels"]["severity"] in {"page", "warn"}
        for name in metric_names(rule["expr"]):
            assert exported(name), f"{rule['alert']}: {name} is not exported"
        assert rule["expr"].count("(") == rule["expr"].count(")"), rule["alert"]
        page, _, anchor = rule["annotations"]["runbook"].partition("#")
        assert page == "docs/operations.md" and anchor in anchors, rule["alert"]


def test_prometheus_scrapes_every_web_and_worker_replica_with_the_rules():
    config = yaml.safe_load((MONITORING / "prometheus" / "prometheus.yml").read_text())
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["sieulive-web"]["dns_sd_configs"] == [{"names": ["web"], "type": "A", "port": 8000}]
    assert jobs["sieulive-worker"]["dns_sd_configs"][0]["port"] == 9100
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["prometheus"]["profiles"] == ["monitoring"]
    assert services["grafana"]["profiles"] == ["monitoring"]
    assert services["worker"]["environment"]["SIEULIVE_WORKER_METRICS_PORT"] == "9100"
    for service in ("prometheus", "grafana"):
        for volume in services[service]["volumes"]:
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{service} mounts a missing {source}"


def test_the_grafana_dashboard_shows_what_the_issue_asks_with_real_metrics():
    dashboard = json.loads((MONITORING / "grafana" / "dashboards" / "sieulive.json").read_text())
    titles = " | ".join(p["title"] for p in dashboard["panels"]).lower()
    for wanted in ("orders a minute", "lag", "inbox", "workers", "websocket", "overlays"):
        assert wanted in titles, wanted
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            for name in metric_names(target["expr"]):
                assert exported(name), f"{panel['title']}: {name} is not exported"
    provider = yaml.safe_load(
        (MONITORING / "grafana" / "provisioning" / "dashboards" / "sieulive.yml").read_text()
    )
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_checks_the_rules_and_their_unit_tests(tmp_path):
    checked = subprocess.run(
        ["promtool", "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = subprocess.run(
        ["promtool", "test", "rules", "alerts_test.yml"],
        cwd=MONITORING / "prometheus",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
