"""An Elasticsearch index analysed by an older version: refused for loads, reported by the health
check, and brought up to date in place by ``reanalyse`` from the documents it stores."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import helpers

from core.errors import InvalidInput, NotFound, Unavailable
from core.settings import BackendKind, Settings
from ipsearch.analysis import ANALYSIS_VERSION, get_analyzer
from ipsearch.backends import elastic, get_backend
from ipsearch.backends.base import IndexSchemaError
from ipsearch.backends.elastic import ElasticsearchBackend
from ipsearch.indexdoc import TEXT_FIELDS, text_fields
from ipsearch.mapping import ANALYSIS_META
from ipsearch.model import PatentDocument
from ipsearch.reanalysis import reanalyse
from ipsearch.service import SearchService
from loaders.demo import prepare_demo
from loaders.pipeline import LoadInterrupted, run_load

REPO = Path(__file__).resolve().parents[2]
UPPER_CASE_TITLE = "EP3441763A1"  # METHOD FOR DETECTING BASOPHIL ACTIVATION
ANALYSED = (*TEXT_FIELDS, "terms")


def _es(settings: Settings) -> ElasticsearchBackend:
    backend = get_backend(settings, BackendKind.elasticsearch)
    assert isinstance(backend, ElasticsearchBackend)
    return backend


def _sources(backend: ElasticsearchBackend) -> dict[str, dict[str, Any]]:
    backend.refresh()
    return {hit["_id"]: hit["_source"] for hit in helpers.scan(backend.client, index=backend.index,
                                                               query={"query": {"match_all": {}}})}


def _age(backend: ElasticsearchBackend) -> None:
    """Make the index look analysed by version 1, which did not lemmatise upper-case words: each
    title's tokens its lower-cased words, and no version in the mapping."""
    def old_tokens(source: dict[str, Any]) -> list[str]:
        titles = PatentDocument.model_validate(source["doc"]).titles
        return [" ".join(re.findall(r"\w+", t.text.lower())) for t in titles]

    helpers.bulk(backend.client, ({"_op_type": "update", "_index": backend.index, "_id": pn,
                                   "doc": {"ti": old_tokens(source)}} for pn, source in _sources(backend).items()))
    backend.client.indices.put_mapping(index=backend.index, meta={})
    backend.refresh()


@pytest.fixture
def loaded(prod_settings: Settings, shared_data_dir: Path) -> Iterator[ElasticsearchBackend]:
    summary = run_load(prod_settings, [shared_data_dir / "patents" / "epo"], backend=BackendKind.elasticsearch)
    assert summary.loaded > 10 and summary.failed == 0
    backend = _es(prod_settings)
    yield backend
    backend.drop()


def test_a_new_index_records_its_analysis(loaded: ElasticsearchBackend) -> None:
    assert loaded.analysis_version() == ANALYSIS_VERSION
    assert loaded.health().warning is None
    loaded.ensure_index()  # up to date: loads go on


def test_an_older_index_is_refused_for_loads_and_reported(loaded: ElasticsearchBackend, prod_settings: Settings,
                                                          shared_data_dir: Path) -> None:
    _age(loaded)
    assert loaded.analysis_version() == 1
    with pytest.raises(IndexSchemaError, match="ipcommons reanalyse"):
        loaded.ensure_index()
    with pytest.raises(LoadInterrupted, match="analysed by version 1"):
        run_load(prod_settings, [shared_data_dir / "patents" / "cnipa"], backend=BackendKind.elasticsearch)
    health = loaded.health()
    assert health.ok and health.warning is not None and "ipcommons reanalyse" in health.warning


def test_reanalyse_rewrites_the_tokens_and_keeps_the_rest(loaded: ElasticsearchBackend,
                                                          prod_settings: Settings) -> None:
    before = _sources(loaded)
    _age(loaded)
    service = SearchService(loaded)
    assert UPPER_CASE_TITLE not in [h.pn for h in service.search("TI=detecting AND CC=EP").hits]

    done = reanalyse(prod_settings)

    assert (done.from_version, done.to_version, done.documents) == (1, ANALYSIS_VERSION, len(before))
    assert loaded.analysis_version() == ANALYSIS_VERSION and loaded.health().warning is None
    assert UPPER_CASE_TITLE in [h.pn for h in service.search("TI=detecting AND CC=EP").hits]
    after = _sources(loaded)
    analyzer = get_analyzer()
    for pn, source in after.items():
        fresh = text_fields(PatentDocument.model_validate(source["doc"]), analyzer)
        assert {f: source.get(f) for f in ANALYSED} == {f: fresh.get(f) for f in ANALYSED}, pn
        assert source == before[pn], pn  # families, citations, legal status and the rest as they were
    assert reanalyse(prod_settings).documents == 0  # nothing left to do
    loaded.ensure_index()


def test_wildcards_expand_to_the_new_tokens(loaded: ElasticsearchBackend, prod_settings: Settings) -> None:
    _age(loaded)
    loaded.client.indices.delete(index=loaded.vocab_index)  # lost, or never made: the run makes it anew
    assert UPPER_CASE_TITLE not in [h.pn for h in SearchService(loaded).search("TI=detec* AND CC=EP").hits]
    reanalyse(prod_settings)
    assert "detect" in loaded.vocabulary(("ti",), "detec", 100)
    assert UPPER_CASE_TITLE in [h.pn for h in SearchService(loaded).search("TI=detec* AND CC=EP").hits]


def test_a_stored_document_that_no_longer_reads_is_left_and_named(loaded: ElasticsearchBackend,
                                                                   prod_settings: Settings) -> None:
    _age(loaded)
    loaded.client.update(index=loaded.index, id=UPPER_CASE_TITLE, doc={"doc": {"pn": "not a number"}}, refresh=True)
    done = reanalyse(prod_settings)
    assert done.unreadable == [UPPER_CASE_TITLE] and done.documents == loaded.count() - 1
    assert loaded.analysis_version() == ANALYSIS_VERSION  # so that its file can be loaded again


def test_a_document_changed_during_the_run_stops_it(loaded: ElasticsearchBackend, prod_settings: Settings,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A load of an older version still writing: its change is not overwritten with tokens made from
    the document as it was read, and the old version stays recorded until a run goes through."""
    _age(loaded)
    reanalysed = elastic._reanalysed

    def written_meanwhile(doc: dict[str, Any] | None) -> Any:
        if doc is not None and doc["pn"]["normalised"] == UPPER_CASE_TITLE:
            loaded.client.update(index=loaded.index, id=UPPER_CASE_TITLE, doc={"cited_by": 7})
        return reanalysed(doc)

    monkeypatch.setattr(elastic, "_reanalysed", written_meanwhile)
    with pytest.raises(Unavailable, match="run it again"):
        reanalyse(prod_settings)
    assert loaded.analysis_version() == 1 and loaded.get(UPPER_CASE_TITLE)["cited_by"] == 7  # type: ignore[index]
    monkeypatch.setattr(elastic, "_reanalysed", reanalysed)
    assert reanalyse(prod_settings).unreadable == [] and loaded.analysis_version() == ANALYSIS_VERSION


def test_an_index_of_a_newer_analysis_is_not_rewritten_back(loaded: ElasticsearchBackend,
                                                            prod_settings: Settings) -> None:
    loaded.client.indices.put_mapping(index=loaded.index, meta={ANALYSIS_META: ANALYSIS_VERSION + 1})
    with pytest.raises(IndexSchemaError, match="upgrade the platform"):
        loaded.ensure_index()
    with pytest.raises(InvalidInput, match="upgrade the platform"):
        reanalyse(prod_settings)
    assert "upgrade the platform" in (loaded.health().warning or "")


def test_other_notes_in_the_mapping_are_kept(loaded: ElasticsearchBackend, prod_settings: Settings) -> None:
    _age(loaded)
    loaded.client.indices.put_mapping(index=loaded.index, meta={"owner": "the office's search team"})
    reanalyse(prod_settings)
    mapping = loaded.client.indices.get_mapping(index=loaded.index)[loaded.index]["mappings"]
    assert mapping["_meta"] == {"owner": "the office's search team", ANALYSIS_META: ANALYSIS_VERSION}


def test_the_demo_never_drops_an_elasticsearch_index(loaded: ElasticsearchBackend, prod_settings: Settings) -> None:
    _age(loaded)
    documents = loaded.count()
    with pytest.raises(IndexSchemaError, match="ipcommons reanalyse"):
        prepare_demo(prod_settings, docs=1)
    assert loaded.count() == documents


def test_there_is_nothing_to_reanalyse_without_an_index(prod_settings: Settings) -> None:
    with pytest.raises(NotFound, match="load documents first"):
        reanalyse(prod_settings)


def test_the_embedded_index_is_rebuilt_not_reanalysed(embedded_settings: Settings) -> None:
    with pytest.raises(InvalidInput, match=r"load your files again \(`ipcommons load PATH"):
        reanalyse(embedded_settings)
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPC_")}
    env.update(IPC_DATA_DIR=str(embedded_settings.resolved_data_dir), COLUMNS="300")
    r = subprocess.run([sys.executable, "-m", "api.cli", "reanalyse"], cwd=REPO, env=env, text=True,
                       capture_output=True, timeout=120)
    assert r.returncode == 2 and "ipcommons load PATH" in r.stderr, r.stdout + r.stderr


def test_the_version_is_in_the_mapping(loaded: ElasticsearchBackend) -> None:
    mapping = loaded.client.indices.get_mapping(index=loaded.index)[loaded.index]["mappings"]
    assert mapping["_meta"] == {ANALYSIS_META: ANALYSIS_VERSION}
