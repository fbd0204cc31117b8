"""A real ``python -m search_app serve`` process on a free loopback port, for the tests that need one.

``serving()`` fails (it never silently goes on) when the server exits or does not answer ``/healthz``
within ``READY_SECONDS``.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

READY_SECONDS = 60  # bound on waiting for a server to answer (pyvi import, cold disk)


@dataclass
class Server:
    port: int
    proc: subprocess.Popen
    log: Path

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
        """(status, headers, body) of ``GET path``; a new connection each time, 10 s timeout."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def json(self, path: str) -> dict:
        status, _, body = self.get(path)
        assert (path, status) == (path, 200)
        return json.loads(body)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(index: Path, log: Path, *, use_env: bool = False, threads: int = 4, cache_mb: int | None = None):
    """Run ``python -m search_app serve`` over ``index`` on a free loopback port until the block ends."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VNLEX_")}
    env.update(PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
    cmd = [sys.executable, "-m", "search_app", "serve"]
    settings = {"index": str(index), "host": "127.0.0.1", "port": str(port), "threads": str(threads)}
    if cache_mb is not None:
        settings["cache_mb"] = str(cache_mb)
    if use_env:
        env.update({f"VNLEX_{k.upper()}_DIR" if k == "index" else f"VNLEX_{k.upper()}": v for k, v in settings.items()})
    else:
        cmd += [arg for k, v in settings.items() for arg in (f"--{k.replace('_', '-')}", v)]
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(port, proc, log)
    try:
        deadline = time.monotonic() + READY_SECONDS
        while True:
            assert proc.poll() is None, f"server exited with {proc.returncode}:\n{server.log_text()}"
            try:
                if server.get("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"server not answering after {READY_SECONDS} s:\n{server.log_text()}"
            time.sleep(0.1)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
