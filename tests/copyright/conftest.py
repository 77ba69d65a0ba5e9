"""The registry on the embedded backend (SQLite in a fresh data dir) with a known signing passphrase."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy.orm import Session

from core.db import session_factory
from core.settings import Settings
from tests.conftest import TEST_SIGNING_PASSPHRASE


@pytest.fixture
def settings(embedded_settings: Settings) -> Settings:
    return embedded_settings.model_copy(update={"signing_key_passphrase": SecretStr(TEST_SIGNING_PASSPHRASE)})


@pytest.fixture
def session(settings: Settings) -> Iterator[Session]:
    with session_factory(settings.effective_database_url)() as s:
        yield s
