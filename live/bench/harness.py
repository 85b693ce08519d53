"""What every benchmark needs around the product it measures: a free port, a server that
answers, the memory a process holds, and the few statistics the reports give."""

from __future__ import annotations

import socket
import statistics
import subprocess
import time
from pathlib import Path

import httpx2 as httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Until `url` answers 200; RuntimeError when the server exits or the time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def ratio(a: float | None, b: float | None) -> float | None:
    """a ÷ b to two decimals; None when either is missing or zero."""
    return round(a / b, 2) if a and b else None


def rate(count: int, seconds: float | None) -> float | None:
    """Per second, to one decimal; None without a duration."""
    return round(count / seconds, 1) if seconds and seconds > 0 else None


def spread(total: int, parts: int) -> list[int]:
    """`total` clients over `parts` client processes, as evenly as it goes."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]
