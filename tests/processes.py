"""Real processes a test starts and stops (uvicorn, a Celery worker, a witness)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def start(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Run ``argv`` from the repository with its output in ``log``: a file, not a pipe, so a chatty
    process never blocks on a full pipe."""
    with log.open("ab") as out:
        return subprocess.Popen(argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate, then kill what does not end within 20 s."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


class NotServing(RuntimeError):
    """A server process that did not answer its health check in time (its log's tail attached)."""


def serve_api(env: dict[str, str], log: Path, port: int, *extra: str) -> subprocess.Popen[bytes]:
    """uvicorn serving the app on ``port`` with ``env``, once ``/healthz`` answers 200 (60 s at most);
    ``extra`` are more uvicorn options (``--workers 2``)."""
    server = start([sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1",
                    "--port", str(port), "--no-proxy-headers", *extra], env, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.3)
    stop(server)
    raise NotServing(f"the API did not start: {log.read_text(errors='replace')[-2000:]}")


def live_processes(parent: int | None = None, group: int | None = None) -> list[int]:
    """The live processes (from /proc: no psutil needed; zombies, already ended, not counted) whose
    parent is ``parent`` or whose process group is ``group``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue
        if state != "Z" and (int(ppid) == parent or int(pgrp) == group):
            found.append(int(stat.parent.name))
    return found
