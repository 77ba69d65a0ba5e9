"""The scratch corpus every search and load benchmark starts from: settings of its own in a
temporary directory, and the real samples next to synthetic weekly files."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

from core.migrate import upgrade
from core.settings import Settings, get_settings
from loaders.synthetic import SyntheticOptions, write_weekly_files


def scratch_settings(tmp: Path, name: str) -> Settings:
    """Settings writing only under ``tmp`` and to indexes named ``bench-<name>-…`` (never the
    user's own), with the database migrated; exits when the services are not up."""
    base = get_settings()
    if not base.elasticsearch_url:
        sys.exit("IPC_ELASTICSEARCH_URL is not set: start the services (make services)")
    settings = base.model_copy(update={"data_dir": tmp / "var", "database_url": None,
                                       "es_index_prefix": f"bench-{name}-{uuid.uuid4().hex[:6]}"})
    upgrade(settings.effective_database_url)
    return settings


def corpus_paths(settings: Settings, tmp: Path, synthetic: int) -> list[Path]:
    """The real samples and ``synthetic`` synthetic documents in weekly files of 1,000."""
    files = write_weekly_files(tmp / "syn", SyntheticOptions(docs=synthetic), docs_per_file=1000)
    return [settings.patents_dir, *files]
