"""Bringing an Elasticsearch index's tokens up to this version's text analysis, in place.

A change of the analysis (``analysis.ANALYSIS_VERSION``) leaves an index's tokens as the old
analysis made them: queries, analysed the new way, would miss what they should find. Reloading
every file would mean keeping every file; each record already holds its whole document, so the
tokens are rebuilt from it. (The embedded index is rebuilt instead: ``make run`` does it for the
demo, ``ipcommons load --force`` for a corpus of one's own.)
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
    documents: int  # rewritten; 0 when the index was already up to date
    seconds: float


def reanalyse(settings: Settings) -> Reanalysis:
    """Rewrite the configured Elasticsearch index's tokens if an older analysis made them."""
    if settings.search_backend_kind is not BackendKind.elasticsearch:
        raise InvalidInput("the embedded index is not reanalysed but rebuilt: `ipcommons load --force` "
                           "(make run rebuilds the demo by itself)")
    from ipsearch.backends.elastic import ElasticsearchBackend

    backend = get_backend(settings, BackendKind.elasticsearch)
    assert isinstance(backend, ElasticsearchBackend)
    version = backend.analysis_version()
    if version is None:
        raise NotFound(f"there is no index {backend.index} to reanalyse: load documents first")
    started = time.perf_counter()
    documents = backend.reanalyse() if version != ANALYSIS_VERSION else 0
    return Reanalysis(index=backend.index, from_version=version, to_version=ANALYSIS_VERSION, documents=documents,
                      seconds=round(time.perf_counter() - started, 3))
