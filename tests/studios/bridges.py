"""A real `sieulive obs-bridge` process, as a studio technician starts it beside OBS: the
bridge tests and the studio panel's browser test start and stop it the same way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.studios.fake_obs import FakeObs


class Bridge:
    def __init__(self, server: str, token: str, obs: FakeObs, password: str, log: Path) -> None:
        self.args = [
            sys.executable,
            "-m",
            "live.cli",
            "obs-bridge",
            "--server",
            server,
            "--obs",
            obs.url,
            "--obs-password",
            password,
        ]
        self.env = {**os.environ, "SIEULIVE_BRIDGE_TOKEN": token}
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Bridge:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(self.args, env=self.env, stdout=out, stderr=out)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def links(self) -> int:
        """How many times it connected to sieulive so far."""
        return self.output().count("connected to sieulive")
