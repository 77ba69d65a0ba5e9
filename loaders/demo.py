"""The demo corpus of ``make run``: synthetic documents plus the real samples when present."""

from __future__ import annotations

import logging

from core.settings import BackendKind, Settings
from ipsearch.backends import get_backend
from ipsearch.backends.base import IndexSchemaError
from loaders.pipeline import LoadSummary, run_load
from loaders.synthetic import SyntheticOptions, write_weekly_files

log = logging.getLogger(__name__)


def prepare_demo(settings: Settings, docs: int) -> LoadSummary:
    """Write the synthetic files once, then load them and the shared samples (reloads skip them).

    An embedded index built by an older version is dropped and rebuilt: the demo corpus is
    reproducible. An Elasticsearch index is never dropped here (it may hold a corpus of its own):
    an older one is refused with what to do (``ipcommons reanalyse``).
    """
    folder = settings.resolved_data_dir / "demo"
    if not folder.exists():
        write_weekly_files(folder, SyntheticOptions(docs=docs))
    paths = [folder] + ([settings.patents_dir] if settings.patents_dir.is_dir() else [])
    backend = get_backend(settings)
    force = False
    try:
        backend.ensure_index()
    except IndexSchemaError as exc:
        if backend.kind is not BackendKind.embedded:
            raise
        log.warning("%s: rebuilding the demo index", exc)
        backend.drop()
        force = True
    return run_load(settings, paths, force=force)
