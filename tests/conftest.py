"""Shared fixtures. The production stack is real: Elasticsearch, PostgreSQL and Redis started by
``scripts/services`` (``make test`` exports their IPC_* URLs). A missing service or missing shared
data is a failure, never a skip."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from argon2 import profiles
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, sync_playwright

from api.app import create_app
from core.accounts import passwords
from core.db import reset_engines
from core.migrate import upgrade
from core.settings import Settings
from ipsearch.backends import get_backend
from ipsearch.service import SearchService
from loaders.pipeline import run_load
from tests.databases import migrated, new_postgres_database

REPO = Path(__file__).resolve().parents[1]
# One platform per test session: every fixture decrypts the shared database's signing keys alike.
TEST_SIGNING_PASSPHRASE = "test signing passphrase"
# Accounts made in this process hash with argon2's cheapest parameters (see passwords.use_parameters);
# tests/core/test_accounts_service.py checks the production ones, and subprocesses (servers, the CLI) use those.
passwords.use_parameters(profiles.CHEAPEST)


def pytest_configure(config: pytest.Config) -> None:
    """`make test` runs the suite in two pytest-xdist workers. They share the real servers: each test
    has its own PostgreSQL database and index prefix, but tests flush Redis, so each worker gets
    Redis databases of its own (the broker's and the cache's). Set in the environment, so the CLI,
    servers and Celery workers that tests start inherit them."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1", … only inside an xdist worker
    if not worker:
        return
    first = 2 + 2 * int(worker.removeprefix("gw"))  # databases 0 and 1 stay the single process's
    for offset, name in enumerate(("IPC_BROKER_URL", "IPC_REDIS_URL")):
        url = os.environ.get(name)
        if url:
            os.environ[name] = f"{url.rpartition('/')[0]}/{first + offset}"


def _required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the suite with `make test` (it starts the real services)")
    return value


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    path = Path(os.environ.get("IPC_SHARED_DATA_DIR", REPO.parent / "shared" / "data")).resolve()
    if not (path / "patents" / "PROVENANCE.md").is_file():
        pytest.fail(f"shared real data not found at {path} (set IPC_SHARED_DATA_DIR)")
    return path


@pytest.fixture(scope="session")
def es_url() -> str:
    return _required_env("IPC_ELASTICSEARCH_URL")


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = _required_env("IPC_REDIS_URL")
    redis.Redis.from_url(url).ping()
    return url


@pytest.fixture(scope="session")
def broker_url() -> str:
    return _required_env("IPC_BROKER_URL")


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    return _required_env("IPC_DATABASE_URL")


@pytest.fixture(scope="session")
def pg_url(pg_server_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated to head, dropped afterwards."""
    with new_postgres_database(pg_server_url, "ipc_test") as url:
        upgrade(url)
        yield url
        reset_engines()


@pytest.fixture
def prod_settings(tmp_path: Path, pg_url: str, es_url: str, broker_url: str, redis_url: str,
                  shared_data_dir: Path) -> Settings:
    """The production stack: PostgreSQL, Elasticsearch, Redis broker and rate limits."""
    redis.Redis.from_url(redis_url).flushdb()
    redis.Redis.from_url(broker_url).flushdb()  # no stale task messages from earlier tests
    return Settings(data_dir=tmp_path / "var", database_url=pg_url, elasticsearch_url=es_url,
                    broker_url=broker_url, redis_url=redis_url, shared_data_dir=shared_data_dir,
                    es_index_prefix=f"patents-test-{uuid.uuid4().hex[:8]}",
                    signing_key_passphrase=TEST_SIGNING_PASSPHRASE)


@pytest.fixture
def embedded_settings(tmp_path: Path, shared_data_dir: Path) -> Settings:
    """The embedded default: everything under a fresh data dir, no server."""
    settings = Settings(data_dir=tmp_path / "var", shared_data_dir=shared_data_dir, database_url=None,
                        elasticsearch_url=None, broker_url=None, redis_url=None)
    migrated(settings.effective_database_url)
    return settings


@pytest.fixture
def client(prod_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(prod_settings)) as c:
        yield c


@pytest.fixture
def embedded_client(embedded_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(embedded_settings)) as c:
        yield c


# --- the real corpus loaded once into both backends (search and analytics tests) ----------------

@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory, pg_url: str, es_url: str, broker_url: str,
                    redis_url: str, shared_data_dir: Path) -> Iterator[Settings]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("corpus") / "var", database_url=pg_url,
                        elasticsearch_url=es_url, broker_url=broker_url, redis_url=redis_url,
                        shared_data_dir=shared_data_dir, es_index_prefix=f"patents-corpus-{uuid.uuid4().hex[:8]}")
    upgrade(pg_url)
    for backend in ("es", "embedded"):
        summary = run_load(settings, [shared_data_dir / "patents"], backend=backend)
        # 287 documents written (272 + 15 from the 9 EPO OPS responses), 281 publications: full text,
        # family and legal responses of a publication are merged into its document
        assert (summary.loaded, summary.failed) == (287, 0)
    yield settings
    get_backend(settings, "es").drop()


@pytest.fixture(scope="session")
def es_service(corpus_settings: Settings) -> SearchService:
    return SearchService(get_backend(corpus_settings, "es"))


@pytest.fixture(scope="session")
def embedded_service(corpus_settings: Settings) -> SearchService:
    return SearchService(get_backend(corpus_settings, "embedded"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright, one for the whole session: Playwright's sync API
    allows one running instance per process, so every browser test shares this one."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is not installed: run `scripts/services install`")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_db(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    """The URL of an empty database, not migrated: a SQLite file or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/fresh.db"
        return
    with new_postgres_database(request.getfixturevalue("pg_server_url"), "ipc_fresh") as url:
        yield url
