"""Who the client is: X-Forwarded-For is believed only from a configured proxy (IPC_TRUSTED_PROXIES),
and then its right-most address that is not a proxy; forged values from anyone else change nothing,
neither in the app nor behind ``ipcommons serve`` (whose uvicorn no longer rewrites the client)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.app import create_app
from core.settings import Settings
from tests.processes import start, stop
from tests.smtp import free_port

LIMIT = 3
WRONG = {"username": "nobody@example.org", "password": "a wrong password 123"}


def _client(settings: Settings, peer: str) -> TestClient:
    return TestClient(create_app(settings), client=(peer, 40000))


def _statuses(client: TestClient, forwarded: list[str]) -> list[int]:
    return [client.post("/api/v1/auth/token", data=WRONG, headers={"X-Forwarded-For": f}).status_code
            for f in forwarded]


def test_forged_forwarded_for_from_a_client_is_ignored(embedded_settings: Settings) -> None:
    settings = embedded_settings.model_copy(update={"login_attempts_per_minute": LIMIT})
    with _client(settings, "198.51.100.7") as client:
        statuses = _statuses(client, [f"203.0.113.{i}" for i in range(10)])
    assert statuses[:LIMIT] == [401] * LIMIT and set(statuses[LIMIT:]) == {429}


def test_a_trusted_proxy_names_the_client_right_most_first(embedded_settings: Settings) -> None:
    settings = embedded_settings.model_copy(update={"login_attempts_per_minute": LIMIT,
                                                    "trusted_proxies": ["10.0.0.0/8"]})
    with _client(settings, "10.1.2.3") as client:
        # The client forges the left part; the proxies append the address they saw.
        forged = _statuses(client, [f"192.0.2.{i}, 203.0.113.50, 10.9.9.9" for i in range(10)])
        assert forged[:LIMIT] == [401] * LIMIT and set(forged[LIMIT:]) == {429}
        assert _statuses(client, ["203.0.113.51"]) == [401]  # another client behind the proxy: its own limit


def test_trusted_proxies_setting_is_checked(embedded_settings: Settings) -> None:
    assert Settings(trusted_proxies="10.0.0.5, 172.16.0.0/12").trusted_proxies == ["10.0.0.5/32", "172.16.0.0/12"]
    for bad in ("*", "0.0.0.0/0", "proxy.example.org"):
        with pytest.raises(ValidationError):
            Settings(trusted_proxies=bad)


@pytest.fixture
def served(embedded_settings: Settings) -> Iterator[str]:
    """``ipcommons serve`` on loopback, the address uvicorn would otherwise believe by default."""
    port = free_port()
    data = embedded_settings.resolved_data_dir
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPC_")}
    env.update(IPC_DATA_DIR=str(data), IPC_LOGIN_ATTEMPTS_PER_MINUTE=str(LIMIT))
    server = start([sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--no-worker"], env,
                   Path(data) / "serve.log")
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/healthz", timeout=2)
            break
        except httpx.TransportError:
            time.sleep(0.3)
    else:
        stop(server)
        pytest.fail((Path(data) / "serve.log").read_text()[-2000:])
    yield url
    stop(server)


def test_ipcommons_serve_does_not_believe_a_forged_forwarded_for(served: str) -> None:
    statuses = [httpx.post(f"{served}/api/v1/auth/token", data=WRONG,
                           headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(10)]
    assert statuses[:LIMIT] == [401] * LIMIT and set(statuses[LIMIT:]) == {429}
