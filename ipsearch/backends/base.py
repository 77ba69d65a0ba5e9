"""The interfaces every search backend implements."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, TypeVar

from core.errors import Unavailable
from core.health import ServiceStatus
from core.settings import BackendKind
from ipsearch.analysis import get_analyzer
from ipsearch.families import FamilyRow, row_of, settle
from ipsearch.indexdoc import merged_record
from ipsearch.results import FamilyHeads

if TYPE_CHECKING:
    from ipsearch.indexdoc import IndexRecord
    from ipsearch.query.ast import Node
    from ipsearch.query.plan import Planner
    from ipsearch.results import Page, RawHit, SearchParams
    from ipsearch.similar import SimilarQuery


class IndexSchemaError(Unavailable):
    """The index was built by another version of the platform: it takes no new documents until it
    is brought up to date (the message says how)."""


class StoredClaims(TypedDict):
    """A document's claims as it stores them (``PatentDocument.claims`` as JSON), per language."""

    lang: str | None
    claims: dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class WriteOutcome:
    """What happened to one written document; ``tag`` is the caller's, returned in input order."""

    tag: Any
    ok: bool
    error: str | None = None


T = TypeVar("T")

# Family rows are found among the first MAX_FAMILY_SCAN ranked documents (at most), so family
# paging reaches at least the first MAX_FAMILY_SCAN documents' families.
MAX_FAMILY_SCAN = 10_000


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last one shorter), read lazily."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def written_one_ahead(items: Iterable[T], size: int,
                      write_batch: Callable[[list[T]], list[WriteOutcome]]) -> Iterator[WriteOutcome]:
    """Write ``items`` in batches of ``size``, each on a helper thread while the caller's
    iterator makes the next one: a load parses and analyses documents while the server indexes
    the previous batch, instead of waiting for it.

    One batch at most is in flight, so each batch is written after the previous one is confirmed
    (what it prepares may read what that one wrote). Outcomes come in input order once their batch
    is confirmed; if making a batch fails, the batch in flight is still awaited and its outcomes
    given before the error, so a journal keeps every confirmed document. Leaving early waits for
    the batch in flight: no request outlives the load."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-write") as pool:
        pending: Future[list[WriteOutcome]] | None = None
        try:
            for batch in batches(items, size):
                confirmed = pending.result() if pending is not None else []
                pending = pool.submit(write_batch, batch)
                yield from confirmed
        except Exception:
            if pending is not None and not pending.cancelled():
                yield from pending.result()
            raise
        if pending is not None:
            yield from pending.result()


class RecordStore(Protocol):
    """What preparing a batch reads from a backend."""

    def stored_records(self, pns: list[str]) -> dict[str, IndexRecord]:
        """The stored records of ``pns`` that exist (with their ``doc``)."""
        ...

    def family_rows(self, keys: set[str]) -> list[FamilyRow]:
        """The stored documents having any of the family ``keys``."""
        ...


@dataclass
class PreparedBatch:
    records: list[tuple[Any, IndexRecord]]  # one per input item, in input order
    family_updates: dict[str, str]  # stored documents outside the batch whose family id changes


def prepare_batch(batch: list[tuple[Any, IndexRecord]], store: RecordStore) -> PreparedBatch:
    """What both writers do before writing a batch: a publication already stored (or earlier in the
    batch) is merged with the new version (``ipsearch.indexdoc.merged_record``: full text and
    bibliographic data of one publication become one document, whichever arrived first), then the
    families of the batch are settled against the corpus (``ipsearch.families``)."""
    stored = store.stored_records(list(dict.fromkeys(record["pn"] for _, record in batch)))
    latest: dict[str, IndexRecord] = dict(stored)
    records: list[tuple[Any, IndexRecord]] = []
    for tag, record in batch:
        previous = latest.get(record["pn"])
        if previous is not None:
            record = merged_record(previous, record, get_analyzer())
        latest[record["pn"]] = record
        records.append((tag, record))
    batch_pns = {record["pn"] for _, record in batch}
    old_keys = {k for record in stored.values() for k in record.get("family_keys") or []}
    ids = settle([row_of(latest[pn]) for pn in batch_pns], store.family_rows, old_keys)
    for _, record in records:
        record["family_id"] = ids.get(record["pn"], record["family_id"])
    updates = {pn: fid for pn, fid in ids.items() if pn not in batch_pns}
    return PreparedBatch(records, updates)


class IndexWriter(Protocol):
    kind: BackendKind

    def ensure_index(self) -> None:
        """Create the index/schema if missing (idempotent)."""

    def write(self, items: Iterable[tuple[Any, IndexRecord]]) -> Iterator[WriteOutcome]:
        """Index ``(tag, index_doc)`` pairs; yield one outcome per item, in order, once durable."""
        ...

    def refresh(self) -> None: ...

    def loading(self) -> AbstractContextManager[None]:
        """A bulk load runs until the block ends: the writer may trade search freshness for speed
        (Elasticsearch stops its periodic refresh), and restores it after, whatever happened."""
        ...

    def update_citations(self, run_id: int) -> int:
        """Set ``cited_by`` (how many corpus documents cite it) on the documents load run ``run_id``
        wrote and on the corpus documents they cite; returns how many documents were updated."""
        ...

    def count(self) -> int: ...

    def ids(self) -> set[str]: ...

    def get(self, pn: str) -> dict[str, Any] | None: ...

    def drop(self) -> None:
        """Delete the whole index (tests, rebuilds)."""


class SearchBackend(IndexWriter, Protocol):
    """What the search service, collections and analytics need from a backend."""

    def health(self) -> ServiceStatus: ...

    def vocabulary(self, fields: tuple[str, ...], prefix: str, limit: int) -> list[str]:
        """Distinct indexed tokens starting with ``prefix`` (wildcard expansion)."""
        ...

    def run_search(self, node: Node, planner: Planner, params: SearchParams) -> Page: ...

    def stored_claims(self, pns: list[str]) -> dict[str, StoredClaims]:
        """The claims each of ``pns`` stores (those the index holds), with its language."""
        ...

    def run_ids(self, node: Node, planner: Planner, limit: int = 1_000_000) -> list[str]: ...

    def family_heads(self, node: Node, planner: Planner, params: SearchParams) -> FamilyHeads:
        """``params.size`` family rows after the ``params.shown`` rows of the pages before
        (``params.after`` is not used), with the matching documents' total and ``params.facets``,
        and how many families match."""
        ...

    def similar(self, query: SimilarQuery) -> list[RawHit]:
        """Candidates for similar patents (``ipsearch.similar`` ranks them): up to ``query.limit``
        documents best matching ``query.terms`` in ti, ab or cl by the backend's own relevance, plus up
        to ``query.limit`` linked ones (any of ``query.links``, cited by it, citing it, citing what it
        cites), these too in text-relevance order; never the query document or its family. Each
        hit's source holds ``ipsearch.similar.SIMILAR_FIELDS``."""
        ...

    def explain(self, node: Node, planner: Planner) -> str:
        """What this backend would run for ``node``, for people reading ``ipcommons explain``."""
        ...

    def count_by(self, node: Node, planner: Planner, field: str, by: str | None = None,
                 distinct: str | None = None) -> dict[tuple[str, ...], int]:
        """Exact document counts per value of ``field`` (and ``by``), or distinct values of ``distinct``."""
        ...

    def count_matching(self, node: Node, planner: Planner) -> int:
        """How many documents match."""
        ...

    def count_distinct(self, node: Node, planner: Planner, field: str) -> int:
        """How many distinct values of ``field`` the matching documents have (``family_id``:
        inventions rather than documents)."""
        ...

    def top_values(self, node: Node | None, planner: Planner | None, field: str, size: int,
                   include: list[str] | None = None) -> dict[str, int]:
        """Documents per value of ``field``: the ``size`` largest (count descending, then value), or
        with ``include`` the counts of exactly those values. ``node`` None means the whole corpus."""
        ...

    def top_docs(self, node: Node, planner: Planner, sort: list[tuple[str, str]], size: int,
                 fields: list[str]) -> list[dict[str, Any]]:
        """The first ``size`` documents by ``sort`` ((field, "asc" | "desc") pairs, missing values
        last, then publication number), with ``fields`` of each."""
        ...


def scan_family_heads(backend: SearchBackend, node: Node, planner: Planner, params: SearchParams) -> FamilyHeads:
    """``SearchBackend.family_heads`` for any backend: ranked hits are read from the top in
    batches, keeping the first of each family, until the rows up to ``shown + size`` and one more
    are known (or MAX_FAMILY_SCAN documents were read)."""
    offset = params.shown
    want = offset + params.size + 1
    batch = params.model_copy(update={"size": min(500, max(3 * want, 50)), "after": None, "pit": None, "shown": 0})
    best: dict[str, RawHit] = {}
    first: Page | None = None
    scanned = 0
    while True:
        page = backend.run_search(node, planner, batch)
        first = first or page
        for hit in page.hits:
            best.setdefault(hit.source.get("family_id") or hit.pn, hit)
        scanned += len(page.hits)
        if len(best) >= want or len(page.hits) < batch.size or scanned >= MAX_FAMILY_SCAN:
            break
        batch = batch.model_copy(update={"after": page.hits[-1].sort, "pit": page.pit, "facets": [],
                                         "shown": scanned})
    return FamilyHeads(documents=first.total, families=backend.count_distinct(node, planner, "family_id"),
                       heads=list(best.values())[offset:offset + params.size],
                       more=len(best) > offset + params.size, facets=first.facets)
