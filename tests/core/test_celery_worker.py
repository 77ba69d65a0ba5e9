"""A Celery task executed by a real worker process, on Redis and on the embedded broker."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from core.celery_app import make_celery
from core.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def _run_ping_through_worker(settings: Settings, env_overrides: dict[str, str | None]) -> dict[str, object]:
    env = {**os.environ}
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    queue = f"q-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [sys.executable, "-m", "api.worker", "worker", "--pool=solo",
         "--loglevel=WARNING", "-Q", queue, "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        app = make_celery(settings)
        result = app.send_task("core.ping", args=["hello"], queue=queue)
        try:
            value = result.get(timeout=90)
        except Exception:
            worker.terminate()
            out = worker.communicate(timeout=20)[0].decode(errors="replace")
            pytest.fail(f"worker did not answer; its output:\n{out[-3000:]}")
        return dict(value)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_task_runs_in_a_real_worker_on_redis(prod_settings: Settings) -> None:
    value = _run_ping_through_worker(prod_settings, {"IPC_BROKER_URL": prod_settings.broker_url,
                                                     "IPC_DATA_DIR": str(prod_settings.resolved_data_dir)})
    assert value["echo"] == "hello"
    assert value["pid"] != os.getpid()


def test_task_runs_in_a_real_worker_on_the_embedded_broker(embedded_settings: Settings) -> None:
    assert embedded_settings.broker_kind == "embedded"
    assert embedded_settings.effective_broker_url.startswith("sqla+sqlite:///")
    value = _run_ping_through_worker(embedded_settings, {"IPC_BROKER_URL": None, "IPC_DATABASE_URL": None,
                                                         "IPC_DATA_DIR": str(embedded_settings.resolved_data_dir)})
    assert value["echo"] == "hello"
    assert value["pid"] != os.getpid()
    assert (embedded_settings.resolved_data_dir / "broker.sqlite").exists()
