"""PostgreSQL restarted (fast shutdown: open connections cut) while clients register works
concurrently through the live API. Every answer is a 201 or a clear 503 with Retry-After (never a
500); clients retry the 503s; afterwards the log has no gap and no duplicate, every registration a
client was told about is in it, and its certificate verifies."""

from __future__ import annotations

import hashlib
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from copyright import log
from copyright.keys import key_set
from copyright.verify import verify_certificate
from core.db import session_scope
from core.settings import Settings
from tests.conftest import TEST_SIGNING_PASSPHRASE
from tests.processes import REPO, serve_api, stop
from tests.smtp import free_port

pytestmark = pytest.mark.serial  # kills a shared server: run alone (see the Makefile)

CLIENTS, EACH = 6, 12
LIMITS = '{"per_user": 100000, "per_ip": 100000}'


@pytest.fixture
def api(pg_url: str, tmp_path: Path, shared_data_dir: Path) -> Iterator[tuple[str, Settings]]:
    settings = Settings(data_dir=tmp_path / "var", database_url=pg_url, shared_data_dir=shared_data_dir,
                        signing_key_passphrase=TEST_SIGNING_PASSPHRASE)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPC_")}
    env.update(IPC_DATA_DIR=str(settings.resolved_data_dir), IPC_DATABASE_URL=pg_url,
               IPC_SHARED_DATA_DIR=str(shared_data_dir), IPC_SIGNING_KEY_PASSPHRASE=TEST_SIGNING_PASSPHRASE,
               IPC_LIMIT_UPLOAD=LIMITS, IPC_LOGIN_ATTEMPTS_PER_MINUTE="1000")
    server = serve_api(env, tmp_path / "uvicorn.log", port)
    url = f"http://127.0.0.1:{port}"
    yield url, settings
    stop(server)


def _member(url: str) -> dict[str, str]:
    email, password = f"artist-{uuid.uuid4().hex[:8]}@example.org", "a long password 123"
    assert httpx.post(f"{url}/api/v1/auth/register", json={"email": email, "password": password}).status_code == 201
    token = httpx.post(f"{url}/api/v1/auth/token", data={"username": email, "password": password}).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def test_registrations_survive_a_postgresql_restart(api: tuple[str, Settings]) -> None:
    url, settings = api
    with session_scope(settings.effective_database_url) as session:
        start_size = log.size(session)
    members = [_member(url) for _ in range(CLIENTS)]
    numbers: list[str] = []
    unexpected: list[str] = []
    unavailable = [0]
    lock = threading.Lock()

    def client(k: int) -> None:
        with httpx.Client(base_url=url, headers=members[k], timeout=30) as c:
            for i in range(EACH):
                digest = hashlib.sha256(f"{uuid.uuid4()}".encode()).hexdigest()
                body = {"work": {"title": f"work {k}-{i}", "work_type": "written"},
                        "content": {"sha256": digest, "size": 100}}
                for _ in range(30):  # retry what the server says to retry
                    try:
                        r = c.post("/api/v1/copyright/registrations", json=body)
                    except httpx.TransportError:
                        time.sleep(0.5)  # the server's own restart of its connections
                        continue
                    if r.status_code == 503:
                        assert r.headers.get("retry-after") and r.headers["content-type"].startswith(
                            "application/problem+json")
                        with lock:
                            unavailable[0] += 1
                        time.sleep(float(r.headers["retry-after"]) / 4)
                        continue
                    with lock:
                        (numbers if r.status_code == 201 else unexpected).append(
                            r.json()["number"] if r.status_code == 201 else f"{r.status_code} {r.text[:200]}")
                    break
                time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    subprocess.run([str(REPO / "scripts" / "services"), "restart-pg"], check=True, capture_output=True, timeout=120)
    for t in threads:
        t.join(timeout=300)
    assert unexpected == []
    assert unavailable[0] > 0  # the restart really happened under the clients
    assert len(numbers) == len(set(numbers)) == CLIENTS * EACH
    with session_scope(settings.effective_database_url) as session:
        size = log.size(session)
        assert size - start_size == CLIENTS * EACH
        log.leaves(session, size)  # raises on a gap below the size
        keys = key_set(session, settings.copyright_log_origin)
    for number in numbers[:: max(1, len(numbers) // 6)]:
        cert = httpx.get(f"{url}/api/v1/copyright/registrations/{number}/certificate").json()
        assert verify_certificate(cert, keys).steps[-1] == "inclusion proof"
