"""The real corpus loaded once into both backends for the search tests of this package."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.migrate import upgrade
from core.settings import Settings
from ipsearch.backends import get_backend
from ipsearch.service import SearchService
from loaders.pipeline import run_load


@pytest.fixture(scope="package")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory, pg_url: str, es_url: str, broker_url: str,
                    redis_url: str, shared_data_dir: Path) -> Iterator[Settings]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("corpus") / "var", database_url=pg_url,
                        elasticsearch_url=es_url, broker_url=broker_url, redis_url=redis_url,
                        shared_data_dir=shared_data_dir, es_index_prefix=f"patents-corpus-{uuid.uuid4().hex[:8]}")
    upgrade(pg_url)
    for backend in ("es", "embedded"):
        summary = run_load(settings, [shared_data_dir / "patents"], backend=backend)
        assert (summary.loaded, summary.failed) == (272, 0)
    yield settings
    get_backend(settings, "es").drop()


@pytest.fixture(scope="package")
def es_service(corpus_settings: Settings) -> SearchService:
    return SearchService(get_backend(corpus_settings, "es"))


@pytest.fixture(scope="package")
def embedded_service(corpus_settings: Settings) -> SearchService:
    return SearchService(get_backend(corpus_settings, "embedded"))
