"""The README's first command: `sieulive dev` starts everything on embedded defaults, and
every link it prints or hands out points at the port it was given."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _start_dev(tmp_path: Path, port: int) -> tuple[subprocess.Popen[str], dict[str, str], str]:
    """`sieulive dev`, its printed tokens and output so far, once it answers /readyz."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "live.cli", "dev", "--data-dir", str(tmp_path), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    output = ""
    assert proc.stdout is not None
    deadline = time.monotonic() + 90
    while "supplier " not in output and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        output += line
    tokens = dict(re.findall(r"^\s+(producer|creator|retailer|supplier)\s+(sl_\S+)$", output, re.M))
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(f"{base}/readyz").status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    return proc, tokens, output


def test_dev_links_still_work_after_a_restart_and_metrics_add_up(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc, first, output = _start_dev(tmp_path, port)
    try:
        assert set(first) == {"producer", "creator", "retailer", "supplier"}, output
        ready = httpx.get(f"{base}/readyz").json()
        assert ready["checks"]["workers"] == "ok", ready
        metrics = httpx.get(f"{base}/metrics").text
        assert re.search(r"^sieulive_workers_live 1\.0$", metrics, re.M), metrics[-2000:]
        # The worker's heartbeats, counted in its own process, show in the web's /metrics.
        assert re.search(r"^sieulive_worker_heartbeats_total [1-9]", metrics, re.M)
    finally:
        _stop(proc)
    proc, again, output = _start_dev(tmp_path, port)
    try:
        assert again == first, "the same links after a restart"
        headers = {"Authorization": f"Bearer {first['producer']}"}
        assert httpx.get(f"{base}/api/sessions", headers=headers).status_code == 200
    finally:
        _stop(proc)


def test_dev_runs_web_and_worker_with_the_demo_campaign(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "live.cli", "dev", "--data-dir", str(tmp_path), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    output = ""
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 90
        while "supplier " not in output and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            output += line
        tokens = dict(
            re.findall(r"^\s+(producer|creator|retailer|supplier)\s+(sl_\S+)$", output, re.M)
        )
        assert set(tokens) == {"producer", "creator", "retailer", "supplier"}, output
        calendar = re.search(r"calendar \(producer\): (\S+)", output)
        assert calendar, output
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        headers = {"Authorization": f"Bearer {tokens['producer']}"}
        sessions = httpx.get(f"{base}/api/sessions", headers=headers).json()
        assert sessions["total"] == 19
        page = httpx.get(calendar.group(1), follow_redirects=True)
        assert page.status_code == 200
        assert "SLHV-01" in page.text
        links_point_at_the_port(output, base, tokens, sessions)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def links_point_at_the_port(
    output: str, base: str, tokens: dict[str, str], sessions: dict[str, Any]
) -> None:
    """`dev --port N`: the welcome's links, the overlay URL for OBS (the API's answer, which
    the producer console shows as is), a creator's calendar feed URL and the links inside the
    feed all start with the address served — no SIEULIVE_PUBLIC_URL set."""
    printed = re.findall(r"https?://[^\s)]+", output)
    assert printed, output
    assert all(link.startswith(base + "/") for link in printed), printed
    headers = {"Authorization": f"Bearer {tokens['producer']}"}
    sid = sessions["items"][0]["id"]
    made = httpx.post(f"{base}/api/sessions/{sid}/show/overlay-token", headers=headers).json()
    assert made["overlay_url"].startswith(f"{base}/overlays/overlay.html?token="), made
    assert httpx.get(made["overlay_url"]).status_code == 200
    creator_id = sessions["items"][0]["host_creator_id"]
    feed = httpx.post(f"{base}/api/creators/{creator_id}/calendar-token", headers=headers).json()
    assert feed["calendar_url"].startswith(f"{base}/calendar/"), feed
    ics = httpx.get(feed["calendar_url"])
    assert ics.status_code == 200
    urls = re.findall(r"^URL[^:]*:(\S+)", ics.text.replace("\r\n ", ""), re.M)
    assert urls and all(u.startswith(f"{base}/campaigns/") for u in urls), urls
