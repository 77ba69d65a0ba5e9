"""The load pipeline against the real backends: same documents in both, idempotent, journaled."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select, text

from core.db import get_engine, session_scope
from core.migrate import alembic_config, upgrade
from core.settings import Settings
from ipsearch.backends import get_backend
from ipsearch.backends.elastic import ElasticsearchBackend
from ipsearch.events import CorpusEvent, latest_event_id
from ipsearch.mapping import index_body
from loaders import pipeline
from loaders.journal import LoadFile, LoadStatus
from loaders.pipeline import LoadInterrupted, Progress, run_load


@pytest.fixture
def es_backend(prod_settings: Settings) -> Iterator[ElasticsearchBackend]:
    backend = get_backend(prod_settings, "es")
    assert isinstance(backend, ElasticsearchBackend)
    yield backend
    backend.drop()


def test_real_corpus_into_both_backends_gives_the_same_documents(
        prod_settings: Settings, es_backend: ElasticsearchBackend, shared_data_dir: Path) -> None:
    patents = shared_data_dir / "patents"
    es = run_load(prod_settings, [patents], backend="es")
    embedded = run_load(prod_settings, [patents], backend="embedded")
    # 272 documents + 15 in the OPS responses (test_ops.py counts them off the XML); those 15 are 9
    # publications, since full text, family and legal responses merge into a publication's document
    assert (es.loaded, es.failed, es.skipped) == (272 + 15, 0, 5)
    assert (embedded.loaded, embedded.failed, embedded.skipped) == (272 + 15, 0, 5)
    es_ids = es_backend.ids()
    assert len(es_ids) == 272 + 9
    assert es_ids == get_backend(prod_settings, "embedded").ids()
    doc = es_backend.get("CN113781974A")
    assert doc is not None and doc["ipc_subclass"] == ["G09G"] and doc["owner_keys"] == ["三星显示"]
    assert "显示" in doc["ti"][0].split()


def test_an_index_deleted_since_its_files_were_loaded_takes_them_again(embedded_settings: Settings,
                                                                       shared_data_dir: Path) -> None:
    """The README's way to rebuild an embedded index: delete its file, load again."""
    epo = shared_data_dir / "patents" / "epo"
    assert run_load(embedded_settings, [epo], backend="embedded").loaded == 11
    embedded_settings.embedded_index_path.unlink()
    again = run_load(embedded_settings, [epo], backend="embedded")
    assert (again.loaded, again.files_unchanged) == (11, 0)
    assert get_backend(embedded_settings, "embedded").count() == 11


def test_reload_changes_nothing_and_force_reindexes_in_place(
        prod_settings: Settings, es_backend: ElasticsearchBackend, shared_data_dir: Path) -> None:
    epo = shared_data_dir / "patents" / "epo"
    with session_scope(prod_settings.effective_database_url) as session:
        before = latest_event_id(session)  # the worker's database is shared with the tests before this one
    first = run_load(prod_settings, [epo], backend="es")
    assert first.loaded == 11 and first.files_unchanged == 0
    again = run_load(prod_settings, [epo], backend="es")
    assert again.loaded == 0 and again.files_unchanged == 11
    forced = run_load(prod_settings, [epo], backend="es", force=True)
    assert forced.loaded == 11
    es_backend.refresh()
    assert es_backend.count() == 11  # _id is the publication number: no duplicates
    with session_scope(prod_settings.effective_database_url) as session:
        rows = session.scalars(select(LoadFile).where(LoadFile.run_id == again.run_id)).all()
        assert {r.status for r in rows} == {LoadStatus.unchanged}
        # this test's own events: tests/analytics/test_rules.py adds events naming a made-up run 7,
        # which this test's first run could be
        events = session.scalars(select(CorpusEvent).where(CorpusEvent.id > before, CorpusEvent.run_id.in_(
            [first.run_id, again.run_id, forced.run_id])).order_by(CorpusEvent.id)).all()
        assert [e.run_id for e in events] == [first.run_id, forced.run_id]  # no event when nothing loaded
        assert events[0].documents == 11


def test_files_an_older_parser_read_are_read_again(embedded_settings: Settings, shared_data_dir: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """'Unchanged' holds for one parser version: after a parser change (loaders.parsers.PARSER_VERSION)
    the same files are read again, once, and what they now give replaces what an older parser gave."""
    cnipa = shared_data_dir / "patents" / "cnipa"
    first = run_load(embedded_settings, [cnipa], backend="embedded")
    assert first.loaded > 0 and run_load(embedded_settings, [cnipa], backend="embedded").loaded == 0
    backend = get_backend(embedded_settings, "embedded")
    stored = backend.get("CN101096965A")
    assert stored is not None and len(stored["inventors"]) == 6
    monkeypatch.setattr(pipeline, "PARSER_VERSION", pipeline.PARSER_VERSION + 1)
    again = run_load(embedded_settings, [cnipa], backend="embedded")
    assert (again.loaded, again.files_unchanged) == (first.loaded, 0)
    assert run_load(embedded_settings, [cnipa], backend="embedded").files_unchanged == first.files
    with session_scope(embedded_settings.effective_database_url) as session:
        versions = session.scalars(select(LoadFile.parser_version).where(LoadFile.run_id == again.run_id)).all()
        assert set(versions) == {pipeline.PARSER_VERSION}
    reread = backend.get("CN101096965A")
    assert reread is not None and reread["load_run"] == again.run_id
    assert backend.count() == len(backend.ids()) and reread | {"load_run": first.run_id} == stored


def test_parallel_workers_give_the_same_result(embedded_settings: Settings, tmp_path: Path) -> None:
    from loaders.synthetic import SyntheticOptions, write_weekly_files

    files = write_weekly_files(tmp_path / "syn", SyntheticOptions(docs=600, paragraphs=3), docs_per_file=250)
    summary = run_load(embedded_settings, files, backend="embedded", workers=2)
    assert (summary.loaded, summary.failed) == (600, 0)
    ids = get_backend(embedded_settings, "embedded").ids()
    assert ids == {f"US{90000000 + i}B2" for i in range(600)}


def _refresh_interval(backend: ElasticsearchBackend) -> str | None:
    settings = backend.client.indices.get_settings(index=backend.index, include_defaults=True)[backend.index]
    index = settings["settings"]["index"]
    return index.get("refresh_interval") or settings["defaults"]["index"]["refresh_interval"]


def test_a_load_pauses_periodic_refresh_across_all_its_files_and_restores_it(
        prod_settings: Settings, es_backend: ElasticsearchBackend, shared_data_dir: Path) -> None:
    seen: list[tuple[int, str | None]] = []

    def progress(p: Progress) -> None:
        seen.append((p.files_done, _refresh_interval(es_backend)))

    summary = run_load(prod_settings, [shared_data_dir / "patents" / "epo"], backend="es", progress=progress)
    assert summary.loaded == 11
    between_files = [interval for done, interval in seen if 0 < done < 11]
    assert between_files and set(between_files) == {"-1"}  # one setting for the whole load, not one per file
    assert _refresh_interval(es_backend) == index_body()["settings"]["refresh_interval"]


def test_an_interrupted_load_restores_periodic_refresh(
        prod_settings: Settings, es_backend: ElasticsearchBackend, shared_data_dir: Path) -> None:
    def progress(p: Progress) -> None:
        if p.files_done == 3:
            raise ConnectionError("the node went away")

    with pytest.raises(LoadInterrupted):
        run_load(prod_settings, [shared_data_dir / "patents" / "epo"], backend="es", progress=progress)
    assert _refresh_interval(es_backend) == index_body()["settings"]["refresh_interval"]


def test_workers_over_many_one_document_files_journal_each_file(embedded_settings: Settings, tmp_path: Path) -> None:
    """One stream of work across files (the pool is not drained at each file's end): every file
    still gets its own journal row with its own counts, and the same bytes twice load once."""
    from loaders.synthetic import SyntheticOptions, write_weekly_files

    files = write_weekly_files(tmp_path / "syn", SyntheticOptions(docs=40, paragraphs=2), docs_per_file=1)
    copy = tmp_path / "syn" / "zz-copy-of-the-first.xml"
    copy.write_bytes(files[0].read_bytes())
    summary = run_load(embedded_settings, [tmp_path / "syn"], backend="embedded", workers=2)
    assert (summary.loaded, summary.failed, summary.files, summary.files_unchanged) == (40, 0, 41, 1)
    with session_scope(embedded_settings.effective_database_url) as session:
        rows = session.scalars(select(LoadFile).where(LoadFile.run_id == summary.run_id)).all()
        by_name = {Path(r.source).name: r for r in rows}
        assert by_name.pop(copy.name).status == LoadStatus.unchanged
        assert {(r.status, r.loaded, r.items_done) for r in by_name.values()} == {(LoadStatus.done, 1, 1)}
        assert len(by_name) == 40
    assert get_backend(embedded_settings, "embedded").ids() == {f"US{90000000 + i}B2" for i in range(40)}


def test_batches_span_files_and_a_failed_batch_leaves_its_files_to_resume(
        embedded_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Forty one-document files are written in batches of 16 documents (one stream across files,
    not a batch per file). When the second batch fails, the first batch's files are done, the
    second's are interrupted with nothing confirmed, the rest not begun; the next load writes
    exactly the 24 documents missing."""
    from ipsearch.backends import embedded
    from ipsearch.backends.base import WriteOutcome
    from ipsearch.indexdoc import IndexRecord
    from loaders.synthetic import SyntheticOptions, write_weekly_files

    write_weekly_files(tmp_path / "syn", SyntheticOptions(docs=40, paragraphs=1), docs_per_file=1)
    monkeypatch.setattr(embedded, "BATCH", 16)
    real_write_batch = embedded.EmbeddedBackend._write_batch
    sizes: list[int] = []

    def second_batch_fails(self: embedded.EmbeddedBackend,
                           items: list[tuple[Any, IndexRecord]]) -> Iterator[WriteOutcome]:
        sizes.append(len(items))
        if len(sizes) == 2:
            raise ConnectionError("the disk went away")
        return real_write_batch(self, items)

    monkeypatch.setattr(embedded.EmbeddedBackend, "_write_batch", second_batch_fails)
    with pytest.raises(LoadInterrupted, match="the disk went away"):
        run_load(embedded_settings, [tmp_path / "syn"], backend="embedded")
    assert sizes == [16, 16]
    with session_scope(embedded_settings.effective_database_url) as session:
        rows = session.scalars(select(LoadFile).order_by(LoadFile.id)).all()
        assert [(r.status, r.items_done) for r in rows] == ([(LoadStatus.done, 1)] * 16
                                                             + [(LoadStatus.interrupted, 0)] * 16)
    assert len(get_backend(embedded_settings, "embedded").ids()) == 16

    monkeypatch.setattr(embedded.EmbeddedBackend, "_write_batch", real_write_batch)
    summary = run_load(embedded_settings, [tmp_path / "syn"], backend="embedded")
    assert (summary.loaded, summary.files_unchanged, summary.failed) == (24, 16, 0)
    assert get_backend(embedded_settings, "embedded").ids() == {f"US{90000000 + i}B2" for i in range(40)}


def test_the_vocabulary_holds_every_indexed_token(
        prod_settings: Settings, es_backend: ElasticsearchBackend, shared_data_dir: Path) -> None:
    """Wildcards expand over the vocabulary index, written in the same bulk requests as the
    documents: after a load it holds exactly the tokens of the documents' text fields."""
    from elasticsearch import helpers

    from ipsearch.indexdoc import TEXT_FIELDS, list_field

    run_load(prod_settings, [shared_data_dir / "patents" / "epo", shared_data_dir / "patents" / "cnipa"],
             backend="es")
    expected: set[str] = set()
    for pn in es_backend.ids():
        record = es_backend.get(pn)
        assert record is not None
        expected.update(t for field in TEXT_FIELDS for text in list_field(record, field) for t in text.split())
    es_backend.client.indices.refresh(index=es_backend.vocab_index)
    stored = {hit["_id"] for hit in helpers.scan(es_backend.client, index=es_backend.vocab_index, _source=False)}
    assert len(expected) > 5_000 and stored == expected


def test_a_file_that_cannot_be_read_interrupts_the_run(embedded_settings: Settings, tmp_path: Path) -> None:
    """A zip member whose bytes no longer match its CRC fails the run as interrupted, with the
    reason, whether the checksum or the parse meets it first (never a run left 'running')."""
    import zipfile

    from loaders.journal import LoadRun
    from loaders.synthetic import SyntheticOptions, write_weekly_files

    xml = write_weekly_files(tmp_path / "syn", SyntheticOptions(docs=3, paragraphs=1), docs_per_file=3)[0]
    archive = tmp_path / "broken.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.write(xml, "a.xml")
    data = bytearray(archive.read_bytes())
    at = data.index(b"<us-patent-grant")
    data[at + 1] ^= 0x20  # one flipped bit inside the stored member: its CRC no longer holds
    archive.write_bytes(bytes(data))
    with pytest.raises(LoadInterrupted, match="CRC"):
        run_load(embedded_settings, [archive], backend="embedded")
    with session_scope(embedded_settings.effective_database_url) as session:
        run = session.scalars(select(LoadRun).order_by(LoadRun.id.desc())).first()
        assert run is not None and run.status == LoadStatus.interrupted and "CRC" in (run.error or "")


def test_an_error_reading_a_file_stops_the_load_on_that_file(tmp_path: Path) -> None:
    """The writer reads ahead into the next file; an error there belongs to that file, not to the
    one being written."""
    from loaders.pipeline import _jobs, _Planned, _Results, _work
    from loaders.sources import Source
    from loaders.synthetic import SyntheticOptions, write_weekly_files

    first = write_weekly_files(tmp_path / "syn", SyntheticOptions(docs=3, paragraphs=1), docs_per_file=3)[0]
    gone = tmp_path / "deleted-since-the-run-began.xml"
    plans = [_Planned(Source(first), "c1", 1, None, False, 0), _Planned(Source(gone), "c2", 1, None, False, 0)]
    results = _Results(map(_work, _jobs(plans)))
    assert [kind for _, _, kind, _ in results.of(0)] == ["doc", "doc", "doc"]
    [(_, _, kind, error)] = results.of(1)  # the writer raises it when it reaches this file
    assert kind == "error" and isinstance(error, FileNotFoundError)


def test_files_journaled_before_migration_0018_are_read_again(embedded_settings: Settings,
                                                              shared_data_dir: Path) -> None:
    """Journal rows from before parser versions were recorded count as version 0: the next load
    reads their files again with the current parser; nothing of the journal is lost."""
    epo = shared_data_dir / "patents" / "epo"
    url = embedded_settings.effective_database_url
    first = run_load(embedded_settings, [epo], backend="embedded")
    get_engine(url).dispose()
    command.downgrade(alembic_config(url), "0017")  # the journal as it was before the revision
    upgrade(url)
    with get_engine(url).connect() as conn:
        rows = conn.execute(text("SELECT status, parser_version FROM load_files")).all()
    assert len(rows) == first.files and {tuple(r) for r in rows} == {("done", 0)}
    again = run_load(embedded_settings, [epo], backend="embedded")
    assert (again.loaded, again.files_unchanged) == (first.loaded, 0)
