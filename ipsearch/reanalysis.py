"""Bringing an Elasticsearch index's tokens up to this version's text analysis, in place.

A change of the analysis (``analysis.ANALYSIS_VERSION``) leaves an index's tokens as the old
analysis made them: queries, analysed the new way, would miss what they should find. Reloading
every file would mean keeping every file; each record already holds its whole document, so the
tokens are rebuilt from it. (The embedded index is rebuilt instead: ``make run`` does it for the
demo; for a corpus of one's own, delete the index file and load the files again.)
"""

from __future__ import annotations

import time

from pydantic import BaseModel

from core.errors import InvalidInput, NotFound
from core.settings import BackendKind, Settings
from ipsearch.analysis import ANALYSIS_VERSION
from ipsearch.backends import get_backend


class Reanalysis(BaseModel):
    index: str
    from_version: int
    to_version: int
    documents: int  # rewritten; 0 when the index was up to date already
    unreadable: list[str]  # stored documents that no longer read as one: left as they were
    seconds: float


def reanalyse(settings: Settings) -> Reanalysis:
    """Rewrite the configured Elasticsearch index's tokens if an older analysis made them."""
    if settings.search_backend_kind is not BackendKind.elasticsearch:
        raise InvalidInput(f"the embedded index is not reanalysed but rebuilt: delete {settings.embedded_index_path} "
                           "and load your files again (`ipcommons load PATH...`; make run rebuilds the demo by itself)")
    from ipsearch.backends.elastic import ElasticsearchBackend, Reanalysed, stale_analysis  # as get_backend: lazily

    backend = get_backend(settings, BackendKind.elasticsearch)
    if not isinstance(backend, ElasticsearchBackend):
        raise TypeError(f"{backend!r} is not the Elasticsearch backend")
    version = backend.analysis_version()
    if version is None:
        raise NotFound(f"there is no index {backend.index} to reanalyse: load documents first")
    if version > ANALYSIS_VERSION:
        raise InvalidInput(stale_analysis(backend.index, version))
    started = time.perf_counter()
    done = backend.reanalyse() if version != ANALYSIS_VERSION else Reanalysed()
    return Reanalysis(index=backend.index, from_version=version, to_version=ANALYSIS_VERSION,
                      documents=done.documents, unreadable=done.unreadable,
                      seconds=round(time.perf_counter() - started, 3))
