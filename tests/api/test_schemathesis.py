"""Hostile clients generated from the API's own OpenAPI schema (Schemathesis) against the live API:
uvicorn serving the app on the production stack (PostgreSQL, Elasticsearch, Redis), every
operation, anonymously and as a signed-in member, a bounded number of examples each. No answer
may be a server error, and every answer must be one the schema declares: its status code,
content type and body."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance, unsupported_method

from api.app import create_app
from core.settings import Settings
from tests.conftest import TEST_SIGNING_PASSPHRASE
from tests.processes import serve_api, stop
from tests.smtp import free_port

EXAMPLES = 8  # per operation and caller: bounded, so make test stays fast
# Checks about what the server *accepts* are left out: a request can fit the schema and still be
# refused for its meaning (an e-mail already taken, a query of stop words), and Schemathesis's
# "invalid" variants are sometimes valid (a multipart file whose content is the text "null").
# Every check about what the server *answers* runs: no 5xx, declared status codes, content types,
# bodies and headers (``Allow`` included). Also left out: the answer to a method no operation of
# the path declares, because ``/agencies/recommend`` (GET) also matches ``/agencies/{agency_id}``
# (PATCH): such a PATCH is a 422 for its id, not a 405.
NOT_ABOUT_ANSWERS = [negative_data_rejection, positive_data_acceptance, unsupported_method]

# The schema is the code's: built from the app on a throwaway embedded data dir (no server needed
# to describe the API); the calls go to a live server below.
schema = schemathesis.openapi.from_dict(
    create_app(Settings(data_dir=Path(tempfile.mkdtemp(prefix="ipc-openapi-")), database_url=None,
                        elasticsearch_url=None, broker_url=None, redis_url=None)).openapi())


@pytest.fixture(scope="module")
def live_api(tmp_path_factory: pytest.TempPathFactory, pg_url: str, es_url: str, broker_url: str, redis_url: str,
             shared_data_dir: Path) -> Iterator[str]:
    data = tmp_path_factory.mktemp("schemathesis") / "var"
    data.mkdir(parents=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPC_")}
    env.update(IPC_DATA_DIR=str(data), IPC_DATABASE_URL=pg_url, IPC_ELASTICSEARCH_URL=es_url,
               IPC_BROKER_URL=broker_url, IPC_REDIS_URL=redis_url, IPC_SHARED_DATA_DIR=str(shared_data_dir),
               IPC_ES_INDEX_PREFIX=f"patents-schemathesis-{uuid.uuid4().hex[:8]}",
               IPC_SIGNING_KEY_PASSPHRASE=TEST_SIGNING_PASSPHRASE)  # the session's keys
    server = serve_api(env, data / "uvicorn.log", port)
    url = f"http://127.0.0.1:{port}"
    yield url
    stop(server)


@pytest.fixture(scope="module")
def member(live_api: str) -> dict[str, str]:
    email = f"member-{uuid.uuid4().hex[:8]}@example.org"
    password = "a long password 123"
    created = httpx.post(f"{live_api}/api/v1/auth/register", json={"email": email, "password": password})
    assert created.status_code == 201
    token = httpx.post(f"{live_api}/api/v1/auth/token", data={"username": email, "password": password}).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_anonymous_callers_get_no_server_error_and_only_declared_answers(case: schemathesis.Case,
                                                                         live_api: str) -> None:
    case.call_and_validate(base_url=live_api, excluded_checks=NOT_ABOUT_ANSWERS)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_members_get_no_server_error_and_only_declared_answers(case: schemathesis.Case, live_api: str,
                                                                member: dict[str, str]) -> None:
    case.call_and_validate(base_url=live_api, headers=member, excluded_checks=NOT_ABOUT_ANSWERS)
