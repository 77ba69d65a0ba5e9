"""Load patent XML into a search backend: split, parse, analyse, write, journal.

The journal row of each file is checkpointed as the backend confirms documents, so an
interrupted load (a dead Elasticsearch node, a killed process) resumes where it stopped, and a
file already loaded to the same target is not loaded again.
"""

from __future__ import annotations

import json
import multiprocessing
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import BaseModel
from sqlalchemy.orm import Session

from core.db import session_factory, utcnow
from core.errors import Unavailable
from core.settings import BackendKind, Settings
from ipsearch.analysis import get_analyzer
from ipsearch.backends import IndexWriter, get_backend
from ipsearch.events import CorpusEvent, announce
from ipsearch.indexdoc import IndexRecord, build_index_doc
from loaders.journal import LoadFile, LoadRun, LoadStatus, previous_file
from loaders.parsers import PARSER_VERSION
from loaders.reader import Failure, Parsed, RawItem, Skipped, iter_raw, process_raw
from loaders.sources import Source, expand

CHECKPOINT_DOCS = 500
CHECKPOINT_SECONDS = 2.0
POOL_CHUNK = 16  # documents per task sent to a worker: fewer round trips through the pool's pipes


class LoadInterrupted(Unavailable):
    """The backend went away mid-load; the journal says where to resume."""


class LoadSummary(BaseModel):
    run_id: int
    status: str
    backend: str
    target: str
    loaded: int
    failed: int
    skipped: int
    files: int
    files_unchanged: int
    quarantine: str | None
    seconds: float
    error: str | None = None


@dataclass
class Progress:
    """Counters passed to the progress callback."""

    files_total: int = 0
    files_done: int = 0
    bytes_total: int = 0
    bytes_done: int = 0
    seen: int = 0
    loaded: int = 0
    failed: int = 0
    skipped: int = 0
    current: str = ""
    started: float = field(default_factory=time.perf_counter)


ProgressCallback = Callable[[Progress], None]


def writer_target(writer: IndexWriter) -> str:
    if writer.kind is BackendKind.elasticsearch:
        return f"{getattr(writer, 'url', '')}/{getattr(writer, 'index', '')}"
    return str(getattr(writer, "path", ""))


# --- the work done per document (in worker processes when --workers > 1) ------------------

WorkResult = tuple[int, int, str, Any]
# (the file's position in the run, its name, one raw item, or the error that stopped reading the file)
Job = tuple[int, str, RawItem | Failure | Exception]


def _work(job: Job) -> tuple[int, WorkResult]:
    index, name, raw = job
    if isinstance(raw, Exception):
        return index, (-1, 0, "error", raw)
    if isinstance(raw, Failure):
        return index, (-1, 0, "fail", raw)
    item = process_raw(name, raw)
    if isinstance(item, Parsed):
        return index, (raw.seq, len(raw.data), "doc", build_index_doc(item.doc, get_analyzer()))
    if isinstance(item, Skipped):
        return index, (raw.seq, len(raw.data), "skip", item.reason)
    return index, (raw.seq, len(raw.data), "fail", item)


@dataclass
class _Planned:
    """One source of the run, looked up in the journal before any parsing starts."""

    source: Source
    checksum: str
    size: int
    prior: LoadFile | None  # the latest journal row of the same bytes into the same target
    unchanged: bool  # already loaded there: nothing to do
    start_seq: int  # documents an interrupted earlier run already confirmed


class _Results:
    """The results of every file's documents, in file order, handed out one file at a time.

    All files feed one pool, so the workers go on parsing the next file while the writer finishes
    this one (one pool per file left them idle at every file's end: a directory of one-document
    CNIPA files got nothing from ``--workers``)."""

    def __init__(self, results: Iterator[tuple[int, WorkResult]]) -> None:
        self._results = results
        self._head: tuple[int, WorkResult] | None = None

    def of(self, index: int) -> Iterator[WorkResult]:
        while True:
            if self._head is None:
                self._head = next(self._results, None)
                if self._head is None:
                    return
            if self._head[0] != index:
                return
            result, self._head = self._head[1], None
            yield result


class _Quarantine:
    """The quarantine report: one JSON line per document that could not be loaded."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: IO[str] | None = None

    def add(self, failure: Failure) -> None:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("a", encoding="utf-8")
        self._fh.write(json.dumps({"file": failure.source, "offset": failure.offset, "number": failure.number,
                                   "error": failure.error}, ensure_ascii=False) + "\n")
        self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()

    @property
    def used(self) -> bool:
        return self._fh is not None


Counter = Literal["seen", "loaded", "failed", "skipped", "bytes_done"]


class Tally:
    """Counts each outcome once on every record that keeps it (the file's journal row, the run,
    the progress shown to the user), so the three never disagree."""

    def __init__(self, *records: LoadFile | LoadRun | Progress) -> None:
        self.records = records

    def add(self, counter: Counter, n: int = 1) -> None:
        for record in self.records:
            setattr(record, counter, getattr(record, counter) + n)


@dataclass
class _OpenFile:
    """A file whose documents are being read or confirmed: its journal row and what is in flight."""

    plan: _Planned
    lf: LoadFile
    tally: Tally
    started: float = field(default_factory=time.perf_counter)
    max_seq: int = -1
    in_flight: int = 0  # documents handed to the writer and not yet confirmed
    read: bool = False  # every document of the file has been handed out
    faults: int = 0  # documents our parser failed on (not the documents' fault)


class _RunWrite:
    """Writes every file's documents through one writer stream, so a batch spans files: a folder of
    one-document files (CNIPA, OPS answers) costs a bulk request per batch, where a stream per file
    paid a refresh, a lookup and a bulk request per file, with nothing overlapping them.

    A file's journal row is checkpointed as the backend confirms its documents (every
    ``CHECKPOINT_DOCS`` documents or ``CHECKPOINT_SECONDS``) and finished once the file has been read
    whole and its last document confirmed; if the load stops, every file not finished is marked
    interrupted at its last confirmed document."""

    def __init__(self, loader: Loader, session: Session, run: LoadRun, quarantine: _Quarantine) -> None:
        self.loader, self.session, self.run, self.quarantine = loader, session, run, quarantine
        self.bytes = Tally(run, loader.counters)  # the journal row keeps its size, not bytes read
        self.open: dict[int, _OpenFile] = {}
        self.unchanged = 0
        self.since_commit, self.last_commit = 0, time.perf_counter()

    def write(self, plans: list[_Planned], results: _Results) -> None:
        writer = self.loader.writer
        try:
            for outcome in writer.write(self._documents(plans, results)):
                index, seq = outcome.tag
                file = self.open[index]
                file.in_flight -= 1
                if outcome.ok:
                    file.tally.add("loaded")
                else:
                    self.quarantine.add(Failure(file.plan.source.name, -1, None,
                                                f"rejected by {writer.kind}: {outcome.error}"))
                    file.tally.add("failed")
                file.lf.items_done = seq + 1
                self._checkpoint()
                self._finish_if_confirmed(index)
                self.loader._report()
        except Exception:
            for file in self.open.values():
                file.lf.status = LoadStatus.interrupted
                file.lf.seconds = (file.lf.seconds or 0) + time.perf_counter() - file.started
            self.session.commit()  # keep what the backend confirmed
            raise

    def _documents(self, plans: list[_Planned], results: _Results) -> Iterator[tuple[tuple[int, int], IndexRecord]]:
        """The parsed documents of every file still to load, tagged (file position, sequence)."""
        for index, plan in enumerate(plans):
            self.loader.counters.current = plan.source.name
            if plan.unchanged:
                self._record_unchanged(plan)
                continue
            file = self._open(index, plan)
            for seq, nbytes, kind, payload in results.of(index):
                if kind == "error":  # the file could not be read on: the load stops on this file
                    raise payload
                file.max_seq = max(file.max_seq, seq)
                self.bytes.add("bytes_done", nbytes)
                if seq >= 0:
                    file.tally.add("seen")
                if kind == "doc":
                    payload["load_run"] = self.run.id
                    file.in_flight += 1
                    yield (index, seq), payload
                    continue
                if kind == "skip":
                    file.tally.add("skipped")
                else:
                    self.quarantine.add(payload)
                    file.tally.add("failed")
                    if isinstance(payload, Failure) and payload.fault:
                        file.faults += 1
                self.loader._report()
            file.read = True
            self._finish_if_confirmed(index)

    def _open(self, index: int, plan: _Planned) -> _OpenFile:
        """The file's journal row: an interrupted one is resumed where the backend stopped confirming."""
        if plan.prior is not None and self.loader._resumes(plan.prior):
            lf = plan.prior
            lf.run_id = self.run.id
        else:
            lf = LoadFile(run_id=self.run.id, source=plan.source.name, checksum=plan.checksum, size=plan.size,
                          parser_version=PARSER_VERSION, backend=self.loader.writer.kind, target=self.loader.target,
                          status=LoadStatus.running)
            self.session.add(lf)
        lf.status = LoadStatus.running
        self.session.commit()
        file = _OpenFile(plan, lf, Tally(lf, self.run, self.loader.counters), max_seq=lf.items_done - 1)
        self.open[index] = file
        return file

    def _finish_if_confirmed(self, index: int) -> None:
        file = self.open[index]
        if not file.read or file.in_flight:
            return
        del self.open[index]
        lf = file.lf
        lf.items_done = max(lf.items_done, file.max_seq + 1)
        # A file our parser faulted on is not done: once the parser is mended, the next load reads it
        # again whole (a done file would be skipped as unchanged, its faulted documents never loaded).
        # Nor is a file of which nothing loaded: an empty or malformed file is refused again, with its
        # reason, each time it is given (done, it read "unchanged" after, and so did any empty file).
        nothing_loaded = lf.failed > 0 and lf.loaded == 0
        lf.status = LoadStatus.failed if file.faults or nothing_loaded else LoadStatus.done
        lf.finished_at = utcnow()
        lf.seconds = (lf.seconds or 0) + time.perf_counter() - file.started
        self.session.commit()
        self._file_done()

    def _record_unchanged(self, plan: _Planned) -> None:
        """A file already loaded to this target: a journal row saying so, nothing written."""
        prior = previous_file(self.session, plan.checksum, self.loader.writer.kind, self.loader.target,
                              PARSER_VERSION)
        assert prior is not None, "an unchanged file has a journal row"
        self.session.add(LoadFile(run_id=self.run.id, source=plan.source.name, checksum=plan.checksum,
                                  parser_version=PARSER_VERSION, size=plan.size, backend=self.loader.writer.kind,
                                  target=self.loader.target, status=LoadStatus.unchanged, finished_at=utcnow(),
                                  items_done=prior.items_done))
        self.bytes.add("bytes_done", plan.size)
        self.session.commit()
        self.unchanged += 1
        self._file_done()

    def _file_done(self) -> None:
        self.run.files_done += 1
        self.loader.counters.files_done = self.run.files_done
        self.loader._report(force=True)

    def _checkpoint(self) -> None:
        self.since_commit += 1
        if self.since_commit >= CHECKPOINT_DOCS or time.perf_counter() - self.last_commit > CHECKPOINT_SECONDS:
            self.session.commit()
            self.since_commit, self.last_commit = 0, time.perf_counter()


class Loader:
    """One load run over a list of paths into one backend."""

    def __init__(self, settings: Settings, backend: BackendKind | None = None, workers: int = 1, force: bool = False,
                 progress: ProgressCallback | None = None, writer: IndexWriter | None = None) -> None:
        self.settings = settings
        self.writer: IndexWriter = writer or get_backend(settings, backend)
        self.target = writer_target(self.writer)
        self.workers = max(1, workers)
        self.force = force
        self.trust_journal = not force  # what the journal says is loaded is there (checked as the run starts)
        self.progress = progress or (lambda p: None)
        self.counters = Progress()
        self._last_report = 0.0

    # --- public --------------------------------------------------------------------------
    def run(self, paths: list[Path], run_id: int | None = None, requested_by: int | None = None) -> LoadSummary:
        session = session_factory(self.settings.effective_database_url)()
        try:
            try:
                sources = list(expand(paths))
            except (OSError, ValueError) as exc:  # InvalidInput is a ValueError
                self._fail_queued_run(session, run_id, exc)
                raise
            run = self._start_run(session, paths, sources, run_id, requested_by)
            quarantine = _Quarantine(self.settings.resolved_data_dir / "quarantine" / f"load-{run.id}.jsonl")
            written = _RunWrite(self, session, run, quarantine)
            pool = self._pool()
            try:
                # The journal cannot vouch for an index deleted since (an embedded file removed to be
                # rebuilt, an Elasticsearch index dropped): an empty index takes every file again.
                self.trust_journal = not self.force and self.writer.count() > 0
                seen: set[str] = set()  # a file that cannot be read fails the run as interrupted, like any other
                plans = [self._plan(session, source, seen) for source in sources]
                self.writer.ensure_index()
                results = _Results(pool.imap(_work, _jobs(plans), chunksize=POOL_CHUNK) if pool is not None
                                   else map(_work, _jobs(plans)))
                with self.writer.loading():
                    written.write(plans, results)
                self.writer.refresh()
            except Exception as exc:  # the backend or the database went away
                session.rollback()
                run.status = LoadStatus.interrupted
                run.error = f"{type(exc).__name__}: {exc}"[:2000]
                run.finished_at = utcnow()
                session.commit()
                raise LoadInterrupted(run.error) from exc
            finally:
                if pool is not None:
                    pool.terminate()
                quarantine.close()
            run.status = LoadStatus.done
            run.finished_at = utcnow()
            run.quarantine_path = str(quarantine.path) if quarantine.used else None
            event = None
            if run.loaded:
                self.writer.update_citations(run.id)
                event = CorpusEvent(run_id=run.id, backend=self.writer.kind, target=self.target,
                                    documents=run.loaded, details={"paths": run.paths})
                session.add(event)
            session.commit()
            if event is not None:
                announce(self.settings, event.id)
            return self._summary(run, len(sources), written.unchanged)
        finally:
            session.close()

    # --- internals -----------------------------------------------------------------------
    @staticmethod
    def _fail_queued_run(session: Session, run_id: int | None, exc: Exception) -> None:
        run = session.get(LoadRun, run_id) if run_id is not None else None
        if run is not None:
            run.status = LoadStatus.failed
            run.error = f"{type(exc).__name__}: {exc}"[:2000]
            run.finished_at = utcnow()
            session.commit()

    def _pool(self) -> Any:
        if self.workers <= 1:
            return None
        get_analyzer().prepare_chinese()  # built once, with jieba's dictionary, inherited by the forked workers
        return multiprocessing.get_context("fork").Pool(self.workers)

    def _start_run(self, session: Session, paths: list[Path], sources: list[Source], run_id: int | None,
                   requested_by: int | None) -> LoadRun:
        run = session.get(LoadRun, run_id) if run_id is not None else None
        if run is None:
            run = LoadRun(backend=self.writer.kind, target=self.target, paths=[str(p) for p in paths],
                          requested_by=requested_by)
            session.add(run)
        run.status = LoadStatus.running
        run.started_at = utcnow()
        run.files_total = len(sources)
        run.bytes_total = sum(s.size() for s in sources)
        session.commit()
        self.counters.files_total = run.files_total
        self.counters.bytes_total = run.bytes_total
        return run

    def _plan(self, session: Session, source: Source, seen: set[str]) -> _Planned:
        """What to do with ``source``; ``seen`` holds the checksums planned before it in this run
        (the same bytes twice are loaded once: the second is unchanged by the time it comes)."""
        checksum = source.checksum()
        prior = previous_file(session, checksum, self.writer.kind, self.target, PARSER_VERSION)
        unchanged = ((not self.force and checksum in seen)
                     or (self.trust_journal and prior is not None and prior.status == LoadStatus.done))
        seen.add(checksum)
        start = prior.items_done if prior is not None and self._resumes(prior) else 0
        return _Planned(source, checksum, source.size(), prior, unchanged, start)

    def _resumes(self, prior: LoadFile) -> bool:
        """An interrupted load of the same bytes goes on where the backend stopped confirming."""
        return prior.status in (LoadStatus.running, LoadStatus.interrupted) and self.trust_journal

    def _report(self, force: bool = False) -> None:
        now = time.perf_counter()
        if force or now - self._last_report > 0.2:
            self._last_report = now
            self.progress(self.counters)

    @staticmethod
    def _summary(run: LoadRun, files: int, unchanged: int) -> LoadSummary:
        seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at and run.started_at else 0.0
        return LoadSummary(run_id=run.id, status=run.status.value, backend=run.backend, target=run.target,
                           loaded=run.loaded, failed=run.failed, skipped=run.skipped, files=files,
                           files_unchanged=unchanged, quarantine=run.quarantine_path, seconds=round(seconds, 3),
                           error=run.error)


def _jobs(plans: list[_Planned]) -> Iterator[Job]:
    """Every raw item still to load, file after file (read by the pool's feeder thread, ahead of
    the writer). An error reading a file travels as that file's last item, so it stops the load
    on that file, not on the one being written when the read ahead met it."""
    for index, plan in enumerate(plans):
        if plan.unchanged:
            continue
        try:
            for raw in iter_raw(plan.source):
                if isinstance(raw, Failure) or raw.seq >= plan.start_seq:
                    yield index, plan.source.name, raw
        except Exception as exc:  # a file deleted or a zip member corrupted since the run began
            yield index, plan.source.name, exc
            return


def run_load(settings: Settings, paths: list[Path], backend: BackendKind | None = None, workers: int = 1,
             force: bool = False, progress: ProgressCallback | None = None, run_id: int | None = None,
             requested_by: int | None = None) -> LoadSummary:
    return Loader(settings, backend, workers, force, progress).run(paths, run_id, requested_by)

