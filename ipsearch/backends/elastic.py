"""Elasticsearch backend (official client, 8.x): index ``<alias>-v<INDEX_VERSION>`` behind the alias ``<alias>``."""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError, helpers
from elasticsearch.serializer import OrjsonSerializer
from pydantic import ValidationError

from core.errors import Unavailable
from core.health import ServiceStatus, timed
from core.settings import BackendKind
from ipsearch.analysis import ANALYSIS_VERSION, get_analyzer
from ipsearch.backends import vocabulary_cache
from ipsearch.backends.base import (
    IndexSchemaError,
    StoredClaims,
    WriteOutcome,
    batches,
    prepare_batch,
    written_one_ahead,
)
from ipsearch.backends.vocabulary_cache import VocabularyCache
from ipsearch.families import MAX_GROUP, FamilyRow, row_of
from ipsearch.indexdoc import TEXT_FIELDS, IndexRecord, TextFields, list_field, text_fields
from ipsearch.mapping import ANALYSIS_META, index_body, index_name, vocab_body, vocab_index_name
from ipsearch.model import PatentDocument
from ipsearch.query.ast import Node
from ipsearch.query.plan import Planner
from ipsearch.query.to_es import compile_es
from ipsearch.results import (
    FACET_BUCKETS,
    FACETS,
    HIT_FIELDS,
    YEAR_BUCKETS,
    FacetBucket,
    FamilyHeads,
    Page,
    RawHit,
    SearchParams,
    SortMode,
)
from ipsearch.similar import SIMILAR_FIELDS, SimilarQuery

CITATION_CHUNK = 2000  # bases per terms query / aggregation include list
BULK_CHUNK = 250
VOCABULARY_CHUNK = 5000  # vocabulary terms are tiny documents: many go in one request
PIT_KEEP_ALIVE = "5m"
COMPOSITE_PAGE = 2000  # buckets per composite aggregation request
RESULT_WINDOW = 10_000  # index.max_result_window: from + size of a search stays within it
BULK_MAX_BYTES = 20 * 1024 * 1024
CONNECTIONS_PER_NODE = 40

# Reads of a corpus nobody loaded yet (no index behind the alias) answer as an empty corpus,
# not as a 404 that would reach the user as a server error.
EMPTY_CORPUS: dict[str, Any] = {"ignore_unavailable": True, "allow_no_indices": True}
SORTS: dict[SortMode, list[Any]] = {
    SortMode.relevance: [{"_score": "desc"}, {"pn": "asc"}],
    SortMode.date: [{"publication_date": {"order": "desc", "missing": "_last"}}, {"pn": "asc"}],
    SortMode.date_asc: [{"publication_date": {"order": "asc", "missing": "_last"}}, {"pn": "asc"}],
}
FAMILIES_AGG = "_families"  # not a facet name: the distinct families counted beside a family page


def stale_analysis(index: str, version: int) -> str:
    """What to do about an index whose tokens another version of the analysis made."""
    if version > ANALYSIS_VERSION:
        return (f"the index {index} was analysed by version {version} of the text analysis, newer than this "
                f"platform's {ANALYSIS_VERSION}: upgrade the platform (rewriting it here would undo the newer "
                "analysis)")
    return (f"the index {index} was analysed by version {version} of the text analysis, this version analyses "
            f"with {ANALYSIS_VERSION}: run `ipcommons reanalyse` to rewrite its tokens (it keeps answering meanwhile)")


@dataclass
class Reanalysed:
    """What a reanalysis did: the documents rewritten, and those whose stored document no longer
    reads as one (left as they were)."""

    documents: int = 0
    unreadable: list[str] = field(default_factory=list)


def _reanalysed(doc: dict[str, Any] | None) -> TextFields | None:
    """The text fields of a stored document, analysed now; None if it does not read as a document."""
    try:
        document = PatentDocument.model_validate(doc)
    except ValidationError:
        return None
    return text_fields(document, get_analyzer())


def facet_aggs(names: list[str]) -> dict[str, Any]:
    """The largest values of each facet; the newest years of ``year`` (its fullest 50 could leave the latest out)."""
    return {name: {"terms": {"field": FACETS[name], "size": YEAR_BUCKETS, "order": {"_key": "desc"}}} if name == "year"
            else {"terms": {"field": FACETS[name], "size": FACET_BUCKETS}} for name in names}


def facets_of(resp: Mapping[str, Any]) -> dict[str, list[FacetBucket]]:
    return {name: [FacetBucket(value=str(b["key"]), count=b["doc_count"]) for b in agg["buckets"]]
            for name, agg in resp.get("aggregations", {}).items() if name != FAMILIES_AGG}


def raw_hits(resp: Mapping[str, Any]) -> list[RawHit]:
    return [RawHit(pn=h["_source"]["pn"], score=float(h["_score"] or 0.0), source=h["_source"], sort=h["sort"])
            for h in resp["hits"]["hits"]]


def in_input_order(records: list[tuple[Any, IndexRecord]], results: Iterable[tuple[bool, dict[str, Any]]],
                   vocab_index: str) -> list[WriteOutcome]:
    """One outcome per record, in input order, from ``streaming_bulk``'s results.

    A retried item (429) comes back after the rest of its request, so results are placed by index
    and id, and given only once the whole batch is confirmed: the journal's resume point must never
    pass a document still waiting for its retry. A refused vocabulary term stops the load."""
    positions: dict[str, deque[int]] = defaultdict(deque)  # a publication may come twice in a batch
    for i, (_, doc) in enumerate(records):
        positions[doc["pn"]].append(i)
    outcomes: list[WriteOutcome | None] = [None] * len(records)
    for ok, info in results:
        item = info.get("index", {})
        if item.get("_index") == vocab_index:
            if not ok:
                raise helpers.BulkIndexError("a vocabulary term was refused", [info])
            continue
        i = positions[item["_id"]].popleft()
        outcomes[i] = WriteOutcome(tag=records[i][0], ok=ok, error=None if ok else str(item.get("error", info))[:1000])
    if any(o is None for o in outcomes):  # the load stops and resumes from the last confirmed document
        raise Unavailable("Elasticsearch answered a bulk request without a result for every document")
    return [o for o in outcomes if o is not None]


class ElasticsearchBackend:
    kind = BackendKind.elasticsearch

    def __init__(self, url: str, alias: str = "patents", client: Elasticsearch | None = None) -> None:
        self.url = url
        self.alias = alias
        self.index = index_name(alias)
        self.vocab_index = vocab_index_name(alias)
        # One URL or several, comma-separated (the nodes of a cluster): a request that finds a node down
        # or timing out is retried on another one, within the client's budget of retries.
        nodes = [u.strip() for u in url.split(",") if u.strip()]
        # As many pooled connections as a worker runs requests at once (anyio's 40 threads): with
        # the default 10, the eleventh concurrent search opens and then discards a new connection.
        # orjson reads and writes the JSON (search answers, bulk lines) several times faster than json.
        self.client = client or Elasticsearch(nodes, request_timeout=60, retry_on_timeout=True, max_retries=5,
                                              connections_per_node=CONNECTIONS_PER_NODE,
                                              serializer=OrjsonSerializer())
        self._known_terms: set[str] = set()
        self._unrefreshed = False  # documents were written since the last refresh
        self._expansions = VocabularyCache()

    def health(self) -> ServiceStatus:
        def probe() -> str | None:
            nodes = self.client.options(request_timeout=3).nodes.info(filter_path="nodes.*.version")
            versions = sorted({n["version"] for n in nodes["nodes"].values()})
            health = self.client.options(request_timeout=3).cluster.health()
            return (f"elasticsearch {', '.join(versions)} ({health['status']}, {health['number_of_nodes']} nodes; "
                    f"shards: {health['active_primary_shards']} primary, {health['active_shards']} active, "
                    f"{health['relocating_shards']} relocating, {health['unassigned_shards']} unassigned)")

        status = timed("search", self.kind, self.url, probe)
        if status.ok:
            try:
                status.warning = self._analysis_problem()
            except (ApiError, TransportError) as exc:
                status.warning = f"the index's analysis version could not be read: {type(exc).__name__}: {exc}"[:300]
        return status

    # --- writing ---------------------------------------------------------------------------
    def ensure_index(self) -> None:
        """The index and its alias, with replicas for the cluster's size (``mapping.copies``).

        An index analysed by another version takes no new documents: their tokens would not meet its
        own, and the two halves of the corpus would answer the same query differently."""
        nodes = int(self.client.cluster.health()["number_of_data_nodes"])
        if not self.client.indices.exists(index=self.index):
            self.client.options(ignore_status=400).indices.create(index=self.index, **index_body(nodes))
        elif (problem := self._analysis_problem()) is not None:
            raise IndexSchemaError(problem)
        if not self.client.indices.exists_alias(name=self.alias, index=self.index):
            self.client.indices.put_alias(index=self.index, name=self.alias)
        self._ensure_vocab_index(nodes)
        vocabulary_cache.changed()

    def _ensure_vocab_index(self, nodes: int) -> None:
        if not self.client.indices.exists(index=self.vocab_index):
            self.client.options(ignore_status=400).indices.create(index=self.vocab_index, **vocab_body(nodes))

    def _analysis_problem(self) -> str | None:
        """What to do about the index's tokens if another analysis made them; None if this one did
        (or there is no index yet)."""
        version = self.analysis_version()
        return stale_analysis(self.index, version) if version not in (None, ANALYSIS_VERSION) else None

    def analysis_version(self) -> int | None:
        """The analysis version the index's tokens were made with (1 for an index that records none);
        None when there is no index yet."""
        try:
            mapping = self.client.options(request_timeout=10).indices.get_mapping(index=self.index)
        except NotFoundError:
            return None
        return int(mapping[self.index]["mappings"].get("_meta", {}).get(ANALYSIS_META, 1))

    def reanalyse(self) -> Reanalysed:
        """Rewrite every document's analysed text fields from its stored document, in place, then
        record this version's analysis.

        - The index keeps answering meanwhile: a document is rewritten whole, old or new.
        - Its other fields (families, citations, legal status) are kept.
        - Each rewrite is conditional on the document being as it was read (``if_seq_no``): a
          document another writer changed meanwhile stops the run instead of losing that change.
        - A stored document that no longer reads as one is left as it is and named: its tokens
          cannot be rebuilt, its file can be loaded again once the version is recorded.
        - An interrupted run leaves the old version recorded: running it again finishes the work.
        """
        done = Reanalysed()
        stored = helpers.scan(self.client, index=self.index, _source=["doc"], size=BULK_CHUNK,
                              seq_no_primary_term=True, query={"query": {"match_all": {}}})
        try:
            self.refresh()  # the scan reads each document's sequence number as of the last refresh
            self._ensure_vocab_index(int(self.client.cluster.health()["number_of_data_nodes"]))
            for batch in batches(stored, BULK_CHUNK):
                self._rewrite_texts(batch, done)
            meta = self.client.indices.get_mapping(index=self.index)[self.index]["mappings"].get("_meta", {})
            self.client.indices.put_mapping(index=self.index, meta={**meta, ANALYSIS_META: ANALYSIS_VERSION})
            self.refresh()
        except (ApiError, TransportError, helpers.BulkIndexError, helpers.ScanError) as exc:
            raise Unavailable(f"the reanalysis of {self.index} stopped after {done.documents} documents "
                              f"({type(exc).__name__}: {exc}): run it again to finish (a load still running on "
                              "an older version changes documents under it: stop it first)") from exc
        return done

    def _rewrite_texts(self, hits: list[dict[str, Any]], done: Reanalysed) -> None:
        texts = []
        for hit in hits:
            if (fields := _reanalysed(hit["_source"].get("doc"))) is None:
                done.unreadable.append(hit["_id"])
            else:
                texts.append((hit, fields))
        terms = self._new_terms(fields for _, fields in texts)
        updates = ({"_op_type": "update", "_index": self.index, "_id": hit["_id"], "if_seq_no": hit["_seq_no"],
                    "if_primary_term": hit["_primary_term"], "doc": fields} for hit, fields in texts)
        helpers.bulk(self.client, chain(self._vocabulary_actions(terms), updates),
                     chunk_size=BULK_CHUNK + VOCABULARY_CHUNK, max_chunk_bytes=BULK_MAX_BYTES, max_retries=6,
                     retry_on_status=(429, 503))
        self._remember_terms(terms)
        done.documents += len(texts)

    def _vocabulary_actions(self, terms: set[str]) -> Iterator[dict[str, Any]]:
        return ({"_op_type": "index", "_index": self.vocab_index, "_id": t, "_source": {"term": t}} for t in terms)

    def _new_terms(self, docs: Iterable[Mapping[str, Any]]) -> set[str]:
        """The tokens of ``docs`` this writer has not indexed in the vocabulary yet."""
        new: set[str] = set()
        for doc in docs:
            for name in TEXT_FIELDS:
                for text in list_field(doc, name):
                    new.update(text.split())
        return new - self._known_terms

    def _remember_terms(self, terms: set[str]) -> None:
        if len(self._known_terms) > 2_000_000:
            self._known_terms.clear()
        self._known_terms |= terms
        vocabulary_cache.changed()

    def vocabulary(self, fields: tuple[str, ...], prefix: str, limit: int) -> list[str]:
        """Distinct indexed tokens starting with ``prefix`` (fields share one vocabulary here), kept
        for a few seconds (``vocabulary_cache``): the same wildcard comes back with each page."""
        def fetch() -> list[str]:
            resp = self.client.search(index=self.vocab_index, query={"prefix": {"term": prefix}}, size=limit,
                                      sort="term:asc", source=False, **EMPTY_CORPUS,
                                      docvalue_fields=[{"field": "term"}])
            return [hit["fields"]["term"][0] for hit in resp["hits"]["hits"]]

        return self._expansions.get((self.vocab_index, prefix, limit), fetch)

    def write(self, items: Iterable[tuple[Any, IndexRecord]]) -> Iterator[WriteOutcome]:
        return written_one_ahead(items, BULK_CHUNK, self._write_batch)

    @contextmanager
    def loading(self) -> Iterator[None]:
        """No periodic refresh while a load runs (small segments and merges cost the node CPU the
        load needs); each batch refreshes what the next one searches, and the interval comes back
        after. Once per load: each change is a cluster-state update (15 ms here), and a load of
        many small files paid two per file."""
        self._refresh_interval("-1")
        try:
            yield
        finally:
            self._refresh_interval(index_body()["settings"]["refresh_interval"])

    def _refresh_interval(self, value: str) -> None:
        self.client.options(ignore_status=404).indices.put_settings(
            index=self.index, settings={"index": {"refresh_interval": value}})

    def stored_records(self, pns: list[str]) -> dict[str, IndexRecord]:
        """Realtime gets: documents written by the previous batches are found before any refresh."""
        try:
            resp = self.client.mget(index=self.alias, ids=pns)
        except NotFoundError:
            return {}
        return {d["_id"]: d["_source"] for d in resp["docs"] if d.get("found")}

    def stored_claims(self, pns: list[str]) -> dict[str, StoredClaims]:
        resp = self.client.mget(index=self.alias, ids=pns, source_includes=["doc.lang", "doc.claims"])
        docs = {d["_id"]: d["_source"].get("doc") or {} for d in resp["docs"] if d.get("found")}
        return {pn: {"lang": doc.get("lang"), "claims": doc.get("claims") or {}} for pn, doc in docs.items()}

    def family_rows(self, keys: set[str]) -> list[FamilyRow]:
        query = {"terms": {"family_keys": sorted(keys)}}
        resp = self.client.search(index=self.alias, query=query, size=MAX_GROUP, **EMPTY_CORPUS,
                                  source_includes=["pn", "family_id", "family_basis", "family_keys"])
        return [row_of(hit["_source"]) for hit in resp["hits"]["hits"]]

    def _write_batch(self, items: list[tuple[Any, IndexRecord]]) -> list[WriteOutcome]:
        """Prepare (merge, families) and index one batch; it is sent whole before the next is prepared,
        and searches for the next batch's families see it (refresh)."""
        if self._unrefreshed:
            self.refresh()
        prepared = prepare_batch(items, self)
        if prepared.family_updates:
            helpers.bulk(self.client, ({"_op_type": "update", "_index": self.index, "_id": pn,
                                        "doc": {"family_id": fid}} for pn, fid in prepared.family_updates.items()),
                         chunk_size=BULK_CHUNK, max_retries=6, retry_on_status=(429, 503))
        terms = self._new_terms(doc for _, doc in prepared.records)
        # The batch's new vocabulary terms go first, in the same bulk requests as its documents:
        # the node indexes the two indices' shards side by side, in one round trip.
        vocabulary = self._vocabulary_actions(terms)
        # cited_by starts at 0, so update_citations only rewrites the documents something cites.
        documents = ({"_op_type": "index", "_index": self.index, "_id": doc["pn"], "_source": {"cited_by": 0, **doc}}
                     for _, doc in prepared.records)
        self._unrefreshed = True
        # Retries 429/503 per item with exponential backoff; a dead node raises (the journal
        # keeps what was confirmed, and the load resumes from there). Requests are bounded by
        # bytes; the batch bounds the documents in each.
        results = helpers.streaming_bulk(
            self.client, chain(vocabulary, documents), chunk_size=BULK_CHUNK + VOCABULARY_CHUNK,
            max_chunk_bytes=BULK_MAX_BYTES, max_retries=6, initial_backoff=1, max_backoff=30,
            retry_on_status=(429, 503), raise_on_error=False, raise_on_exception=True)
        outcomes = in_input_order(prepared.records, results, self.vocab_index)
        self._remember_terms(terms)
        return outcomes

    def refresh(self) -> None:
        """Make what was written searchable: the documents, and the words wildcards expand to (in the
        same request), so a wildcard finds a new document as soon as its words do. A missing index
        is an error (NotFoundError), as before: an index without a vocabulary yet refreshes alone."""
        try:
            self.client.indices.refresh(index=[self.alias, self.vocab_index])
        except NotFoundError:
            self.client.indices.refresh(index=self.alias)
        self._unrefreshed = False
        vocabulary_cache.changed()

    def _buckets(self, query: dict[str, Any], sources: list[dict[str, Any]],
                 after: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every bucket of a composite aggregation (after ``after``), page by page. A page short of
        COMPOSITE_PAGE is the last (no bucket selector filters pages here), so the common case is
        one request, not a second one that runs the query again only to return no buckets."""
        while True:
            agg: dict[str, Any] = {"composite": {"size": COMPOSITE_PAGE, "sources": sources}}
            if after:
                agg["composite"]["after"] = after
            resp = self.client.search(index=self.alias, size=0, query=query, aggs={"g": agg}, **EMPTY_CORPUS)
            found = resp.get("aggregations", {}).get("g", {"buckets": []})
            buckets = found["buckets"]
            yield from buckets
            after = found.get("after_key")
            if len(buckets) < COMPOSITE_PAGE or after is None:
                return

    def _distinct(self, query: dict[str, Any], field: str) -> set[str]:
        """Every value of ``field`` in the matching documents."""
        return {str(b["key"]["v"]) for b in self._buckets(query, [{"v": {"terms": {"field": field}}}])}

    def update_citations(self, run_id: int) -> int:
        self.refresh()
        run = {"term": {"load_run": run_id}}
        bases = sorted(self._distinct(run, "pn_base") | self._distinct(run, "cited_bases"))
        updated = 0
        for i in range(0, len(bases), CITATION_CHUNK):
            chunk = bases[i:i + CITATION_CHUNK]
            received = self.top_values(None, None, "cited_bases", len(chunk), include=chunk)
            # A partial update re-indexes the whole document: only those whose count changes.
            actions = ({"_op_type": "update", "_index": self.index, "_id": hit["_id"], "doc": {"cited_by": n}}
                       for hit in helpers.scan(self.client, index=self.alias, _source=["pn_base", "cited_by"],
                                               size=2000, query={"query": {"terms": {"pn_base": chunk}}})
                       if hit["_source"].get("cited_by") != (n := received.get(hit["_source"]["pn_base"], 0)))
            ok, _ = helpers.bulk(self.client, actions, chunk_size=BULK_CHUNK, max_retries=6,
                                 retry_on_status=(429, 503))
            updated += ok
        self.refresh()
        return updated

    def count(self) -> int:
        try:
            return int(self.client.count(index=self.alias)["count"])
        except NotFoundError:
            return 0

    def ids(self) -> set[str]:
        try:
            return {hit["_id"] for hit in helpers.scan(self.client, index=self.alias, _source=False,
                                                        query={"query": {"match_all": {}}}, size=1000)}
        except NotFoundError:
            return set()

    def get(self, pn: str) -> dict[str, Any] | None:
        try:
            return dict(self.client.get(index=self.alias, id=pn)["_source"])
        except NotFoundError:
            return None

    # --- searching -------------------------------------------------------------------------
    def run_search(self, node: Node, planner: Planner, params: SearchParams) -> Page:
        query = compile_es(node, planner)
        body: dict[str, Any] = {"query": query, "size": params.size, "sort": SORTS[params.sort],
                                "track_total_hits": True, "_source": HIT_FIELDS}
        pit = None
        if params.after:
            # Deep pages read one point in time (opened when the first cursor is followed), so they
            # neither skip nor repeat documents while the index changes. The first page, the hot
            # path, is a plain search.
            pit = params.pit or self._open_pit()
            body["pit"] = {"id": pit, "keep_alive": PIT_KEEP_ALIVE}
            body["search_after"] = params.after
        else:
            body.update(index=self.alias, **EMPTY_CORPUS)
        if params.facets:  # on every page: the facets stay beside the hits as one pages on
            body["aggs"] = facet_aggs(params.facets)
        try:
            resp = self.client.search(**body).body
        except NotFoundError:
            if pit is None:
                raise
            # The point in time has ended: closed by the last page (a "previous page" link comes back
            # to an earlier one) or past its keep-alive. The same place, in a new one.
            pit = self._open_pit()
            body["pit"] = {"id": pit, "keep_alive": PIT_KEEP_ALIVE}
            resp = self.client.search(**body).body
        hits = raw_hits(resp)
        total = resp["hits"]["total"]["value"]
        new_pit = resp.get("pit_id", pit)
        if new_pit and (len(hits) < params.size or params.shown + len(hits) >= total):  # the last page
            self.client.options(ignore_status=404).close_point_in_time(id=new_pit)
            new_pit = None
        return Page(total=total, hits=hits, facets=facets_of(resp), pit=new_pit)

    def _open_pit(self) -> str:
        return str(self.client.open_point_in_time(index=self.alias, keep_alive=PIT_KEEP_ALIVE)["id"])

    def family_heads(self, node: Node, planner: Planner, params: SearchParams) -> FamilyHeads:
        """One request: ``collapse`` keeps each family's best hit by the sort, ranked as the scan
        of ``base.scan_family_heads`` would rank them, and a composite aggregation counts the
        families beside the facets (only a count beyond COMPOSITE_PAGE families pages on)."""
        query = compile_es(node, planner)
        offset = params.shown
        take = max(0, min(params.size + 1, RESULT_WINDOW - offset))  # from + size within the result window
        sources = [{"v": {"terms": {"field": "family_id"}}}]
        aggs = facet_aggs(params.facets) | {FAMILIES_AGG: {"composite": {"size": COMPOSITE_PAGE, "sources": sources}}}
        resp = self.client.search(index=self.alias, query=query, sort=SORTS[params.sort], track_total_hits=True,
                                  source_includes=HIT_FIELDS, collapse={"field": "family_id"},
                                  from_=offset if take else 0, size=take, aggs=aggs, **EMPTY_CORPUS).body
        hits = raw_hits(resp)
        counted = resp.get("aggregations", {}).get(FAMILIES_AGG, {"buckets": []})
        families = len(counted["buckets"])
        if families == COMPOSITE_PAGE and counted.get("after_key"):
            families += sum(1 for _ in self._buckets(query, sources, after=counted["after_key"]))
        return FamilyHeads(documents=resp["hits"]["total"]["value"], families=families, heads=hits[:params.size],
                           more=len(hits) > params.size, facets=facets_of(resp))

    def run_ids(self, node: Node, planner: Planner, limit: int = 1_000_000) -> list[str]:
        """Every matching publication number (for collections, exports and conformance)."""
        query = compile_es(node, planner)
        out: list[str] = []
        for hit in helpers.scan(self.client, index=self.alias, query={"query": query}, _source=False, size=2000):
            out.append(hit["_id"])
            if len(out) >= limit:
                break
        return out

    def count_by(self, node: Node, planner: Planner, field: str, by: str | None = None,
                 distinct: str | None = None) -> dict[tuple[str, ...], int]:
        """Exact document counts per value of ``field`` (and ``by``); with ``distinct``, the number of
        distinct values of that field instead. A composite aggregation pages through every bucket."""
        query = compile_es(node, planner)
        sources: list[dict[str, Any]] = [{"k": {"terms": {"field": field}}}]
        if by:
            sources.append({"b": {"terms": {"field": by}}})
        if distinct:
            sources.append({"d": {"terms": {"field": distinct}}})
        out: dict[tuple[str, ...], int] = {}
        for b in self._buckets(query, sources):
            key = tuple(str(b["key"][s]) for s in ("k", "b") if s in b["key"])
            out[key] = out.get(key, 0) + (1 if distinct else b["doc_count"])
        return out

    def count_matching(self, node: Node, planner: Planner) -> int:
        return int(self.client.count(index=self.alias, query=compile_es(node, planner), **EMPTY_CORPUS)["count"])

    def count_distinct(self, node: Node, planner: Planner, field: str) -> int:
        """Exact (a composite aggregation pages through every value), unlike ``cardinality``."""
        return len(self._distinct(compile_es(node, planner), field))

    def top_values(self, node: Node | None, planner: Planner | None, field: str, size: int,
                   include: list[str] | None = None) -> dict[str, int]:
        """A terms aggregation; the index has one shard, so its counts are exact."""
        query: dict[str, Any] = compile_es(node, planner) if node is not None and planner else {"match_all": {}}
        terms: dict[str, Any] = {"field": field, "size": max(size, 1), "order": [{"_count": "desc"}, {"_key": "asc"}]}
        if include is not None:
            if not include:
                return {}
            terms.update(include=include, size=len(include))
            query = {"bool": {"filter": [query, {"terms": {field: include}}]}}
        resp = self.client.search(index=self.alias, size=0, query=query, aggs={"v": {"terms": terms}}, **EMPTY_CORPUS)
        buckets = resp.get("aggregations", {}).get("v", {"buckets": []})["buckets"]
        return {str(b["key"]): int(b["doc_count"]) for b in buckets}

    def top_docs(self, node: Node, planner: Planner, sort: list[tuple[str, str]], size: int,
                 fields: list[str]) -> list[dict[str, Any]]:
        order: list[Any] = [{f: {"order": o, "missing": "_last"}} for f, o in sort] + [{"pn": "asc"}]
        resp = self.client.search(index=self.alias, size=size, query=compile_es(node, planner), sort=order,
                                  source_includes=fields, **EMPTY_CORPUS)
        return [h["_source"] | {"pn": h["_id"]} for h in resp["hits"]["hits"]]

    def explain(self, node: Node, planner: Planner) -> str:
        return json.dumps(compile_es(node, planner), ensure_ascii=False, indent=2)

    def similar(self, query: SimilarQuery) -> list[RawHit]:
        """Text candidates (BM25 over ti, ab, cl), then linked candidates in the same order."""
        text: list[dict[str, Any]] = [{"match": {f: " ".join(query.terms)}} for f in ("ti", "ab", "cl")]
        if not query.terms:
            text = []
        links: list[dict[str, Any]] = [{"terms": {f: values}} for f, values in query.links.items() if values]
        links += [{"prefix": {f: p}} for f, prefixes in query.link_prefixes.items() for p in prefixes]
        links.append({"term": {"cited_bases": query.pn_base}})
        if query.cited_bases:
            links += [{"terms": {"pn_base": query.cited_bases}}, {"terms": {"cited_bases": query.cited_bases}}]
        exclude: list[dict[str, Any]] = [{"ids": {"values": [query.pn]}}]
        if query.family_id:
            exclude.append({"term": {"family_id": query.family_id}})
        searches: list[dict[str, Any]] = [
            {"bool": {"filter": [{"bool": {"should": links}}], "should": text, "must_not": exclude}}]
        if text:
            searches.insert(0, {"bool": {"should": text, "minimum_should_match": 1, "must_not": exclude}})
        hits: list[RawHit] = []
        for search in searches:
            resp = self.client.search(index=self.alias, query=search, size=query.limit, source_includes=SIMILAR_FIELDS,
                                      sort=[{"_score": "desc"}, {"pn": "asc"}], **EMPTY_CORPUS)
            hits += [RawHit(pn=h["_id"], score=float(h["_score"] or 0), source=h["_source"], sort=[])
                     for h in resp["hits"]["hits"]]
        return hits

    def drop(self) -> None:
        self.client.options(ignore_status=404).indices.delete(index=self.index)
        self.client.options(ignore_status=404).indices.delete(index=self.vocab_index)
        self._known_terms.clear()
        vocabulary_cache.changed()
