"""The embedded backend's statements: facets keep the matches as the outer loop, pages are chosen
by score before any stored row is read, and stored bodies live apart from the scalar columns.

Results are compared with Elasticsearch in tests/ipsearch/test_conformance.py; what is checked
here is the plan SQLite makes of the statement: left to its own choice it once drove a few
matches' facet lookups from the whole field, scanning the matches for every value (seconds per
search on 10,000 documents, with the right buckets)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable

import pytest

from core.settings import Settings
from ipsearch.analysis import get_analyzer
from ipsearch.backends import get_backend
from ipsearch.backends.base import IndexSchemaError
from ipsearch.backends.embedded import (
    FACET_SCAN_FROM,
    SCHEMA_VERSION,
    EmbeddedBackend,
    facets_statement,
)
from ipsearch.indexdoc import IndexRecord, build_index_doc, list_field
from ipsearch.model import Claim, DocKind, LangText, PartialDate, PatentDocument, normalise_number
from ipsearch.query.to_sql import SqlQuery
from ipsearch.service import SearchService

PAGE_FACETS = ["ipc_subclass", "applicant", "country", "year", "kind"]
QUERIES = [SqlQuery(where="", text_match='"neural"'), SqlQuery(where="d.country = ?", params=["US"])]


def _plan(backend: EmbeddedBackend, sq: SqlQuery, total: int) -> list[str]:
    sql, params = facets_statement(sq, PAGE_FACETS, total)
    return [row[3] for row in backend.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]


@pytest.fixture
def backend(embedded_settings: Settings) -> EmbeddedBackend:
    found = get_backend(embedded_settings, "embedded")
    assert isinstance(found, EmbeddedBackend)
    found.ensure_index()
    return found


@pytest.mark.parametrize("sq", QUERIES)
def test_a_few_matches_look_up_their_own_values(backend: EmbeddedBackend, sq: SqlQuery) -> None:
    plan = _plan(backend, sq, total=10)
    lookups = [i for i, step in enumerate(plan) if step.startswith("SEARCH v USING INDEX ix_doc_values_pn")]
    assert len(lookups) == 2  # applicant and ipc_subclass, each by the match's publication number
    for at in lookups:  # and each inside a loop over the matches
        assert any(step == "SCAN m" for step in plan[:at])
    assert not any("ix_doc_values_field_value" in step for step in plan)
    assert sum(step == "SCAN m" for step in plan) == 3  # the two list facets and the scalar columns, once


@pytest.mark.parametrize("sq", QUERIES)
def test_many_matches_read_the_field_index_once(backend: EmbeddedBackend, sq: SqlQuery) -> None:
    plan = _plan(backend, sq, total=FACET_SCAN_FROM + 1)
    assert sum("ix_doc_values_field_value (field=?)" in step for step in plan) == 2
    assert sum(step.startswith("LIST SUBQUERY") for step in plan) == 2  # the matches, as a set to test against
    assert not any("ix_doc_values_pn" in step for step in plan)


# --- pages chosen by score alone (the relevance cut) -----------------------------------------------

def _record(number: int, claim: str) -> IndexRecord:
    doc = PatentDocument(
        pn=normalise_number("US", str(number), "B2"), doc_kind=DocKind.grant,
        publication_date=PartialDate.parse("20200101"), titles=[LangText(lang="en", text=f"Built {number}")],
        claims={"en": [Claim(number=1, text=claim, independent=True)]}, source_format="test-built", synthetic=True)
    return build_index_doc(doc, get_analyzer())


# Built documents (labelled synthetic): three score groups, the middle one a tie of nine, so a page
# boundary and a cursor fall inside the tie; one document has only the filtered word.
TIED = [_record(93_000_000 + i, "A lamp with a housing") for i in range(9)]
STRONG = [_record(93_000_100 + i, "A lamp lamp lamp" + " lamp" * i) for i in range(3)]
WEAK = [_record(93_000_200 + i, "A lamp with a housing and a base and a cover" + " and a rim" * i)
        for i in range(4)]
OTHER = [_record(93_000_300 + i, "A housing only" if i == 0 else f"A gear train number {i}") for i in range(40)]


@pytest.fixture
def service(backend: EmbeddedBackend) -> SearchService:
    assert all(o.ok for o in backend.write(enumerate(TIED + STRONG + WEAK + OTHER)))
    return SearchService(backend)


def _walk(service: SearchService, q: str, size: int) -> list[tuple[str, float]]:
    """Every hit of ``q``, page by page through the cursors."""
    seen: list[tuple[str, float]] = []
    cursor = None
    while True:
        page = service.search(q, size=size, cursor=cursor)
        seen += [(h.pn, h.score) for h in page.hits]
        if not (cursor := page.next_cursor):
            return seen


@pytest.mark.parametrize("q", ["lamp", "lamp AND PD>=2019", "lamp OR housing"])
@pytest.mark.parametrize("size", [1, 2, 4, 5, 9, 10, 17])
def test_pages_by_score_give_every_match_once_in_order(service: SearchService, q: str, size: int) -> None:
    whole = service.search(q, size=100)
    expected = [(h.pn, h.score) for h in whole.hits]
    assert len(expected) == whole.total >= 16
    scores = [score for _, score in expected]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) < len(scores)  # in order, with ties
    assert _walk(service, q, size) == expected


def test_a_page_inside_a_tie_is_ordered_by_number(service: SearchService) -> None:
    first = service.search("lamp", size=5)
    tied = sorted(r["pn"] for r in TIED)
    assert [h.pn for h in first.hits[3:]] == tied[:2]  # three strong ones, then the tie by number
    second = service.search("lamp", size=5, cursor=first.next_cursor)
    assert [h.pn for h in second.hits] == tied[2:7]



def test_a_filter_leaves_the_scores_of_the_documents_it_keeps(service: SearchService) -> None:
    """Only the rows the filters keep are scored (BM25 over every text match was most of a filtered
    search's time); a score is the corpus's, whichever rows are scored."""
    scores = {h.pn: h.score for h in service.search("lamp", size=100).hits}
    kept = service.search("lamp AND NOT housing", size=100).hits
    assert sorted(h.pn for h in kept) == sorted(r["pn"] for r in STRONG)
    assert {h.pn: h.score for h in kept} == {pn: scores[pn] for pn in (h.pn for h in kept)}


def test_a_filtered_search_scores_only_the_kept_rows(service: SearchService, backend: EmbeddedBackend) -> None:
    statements: list[str] = []
    backend.conn.set_trace_callback(statements.append)
    try:
        service.search("lamp AND NOT housing")
    finally:
        backend.conn.set_trace_callback(None)
    search = next(s for s in statements if "bm25(texts)" in s and "WITH f AS" in s)
    plan = [row[3] for row in backend.conn.execute(f"EXPLAIN QUERY PLAN {search}")]
    scored = plan.index("MATERIALIZE t")
    assert plan[scored + 1].startswith("SCAN texts VIRTUAL TABLE")
    assert plan[scored + 2].startswith("LIST SUBQUERY")
    assert plan[scored + 3] == "SCAN f"  # the kept rows, as a set each text match is tested against

# --- stored bodies live in their own table ------------------------------------------------------

def test_a_reloaded_document_keeps_one_body(service: SearchService, backend: EmbeddedBackend) -> None:
    changed = _record(93_000_000, "A lamp with a new housing")
    assert all(o.ok for o in backend.write([(0, changed)]))
    rows = backend.conn.execute("SELECT count(*) FROM docs d JOIN doc_bodies b ON b.id = d.id").fetchone()[0]
    assert rows == backend.conn.execute("SELECT count(*) FROM doc_bodies").fetchone()[0] == backend.count() == 56
    stored = backend.get(changed["pn"])
    assert stored is not None and "new" in " ".join(stored["cl"])


def test_an_index_of_the_old_schema_is_refused(embedded_settings: Settings) -> None:
    path = embedded_settings.embedded_index_path
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as old:
        old.executescript("CREATE TABLE docs (id INTEGER PRIMARY KEY, pn TEXT, body TEXT); PRAGMA user_version = 8;")
    with pytest.raises(IndexSchemaError, match=f"schema 8, this version needs {SCHEMA_VERSION}"):
        EmbeddedBackend(path).count()


# --- counts by value (analytics): the matches stay the outer loop ---------------------------------

def _statements(backend: EmbeddedBackend, count: Callable[[], object]) -> list[list[str]]:
    """The query plans of the statements ``count`` runs."""
    sql: list[str] = []
    backend.conn.set_trace_callback(sql.append)
    try:
        count()
    finally:
        backend.conn.set_trace_callback(None)
    return [[row[3] for row in backend.conn.execute(f"EXPLAIN QUERY PLAN {s}")] for s in sql if s.startswith("WITH")]


def test_counts_by_value_read_only_the_matches_values(service: SearchService, backend: EmbeddedBackend) -> None:
    """A region page's counts joined every value of a field to the matches (a DISTINCT subquery
    SQLite built and scanned once per match: seconds per page on the demo's 2,300 documents)."""
    node, planner = service.plan("lamp OR housing")
    found = {pn for pn, _ in _walk(service, "lamp OR housing", 50)}
    records = [r for r in TIED + STRONG + WEAK + OTHER if r["pn"] in found]
    terms = Counter(t for r in records for t in set(list_field(r, "terms")))
    assert len(records) == 17 and terms

    def counts() -> object:
        return (backend.count_by(node, planner, "terms"), backend.count_by(node, planner, "terms", by="country"),
                backend.count_distinct(node, planner, "terms"), backend.top_values(node, planner, "terms", 5),
                backend.top_values(node, planner, "terms", 0, include=["lamp", "hous", "gear"]))

    by_term, by_term_country, distinct, top, included = counts()  # type: ignore[misc]
    assert by_term == {(t,): n for t, n in terms.items()}
    assert by_term_country == {(t, "US"): n for t, n in terms.items()} and distinct == len(terms)
    assert top == dict(sorted(terms.items(), key=lambda tn: (-tn[1], tn[0]))[:5])
    assert included == {t: terms[t] for t in ("lamp", "hous") if terms[t]}  # gear is in no match
    for plan in _statements(backend, counts):
        values = [i for i, step in enumerate(plan) if "doc_values" in step]
        assert values, plan
        for at in values:  # never a scan of the whole field: each match's values, or the asked values'
            step = plan[at]
            if "ix_doc_values_pn (pn=?)" in step:
                assert any(s == "SCAN m" for s in plan[:at]), plan
            else:
                assert "ix_doc_values_field_value (field=? AND value=?" in step, plan
                assert any(s.startswith("LIST SUBQUERY") for s in plan), plan  # each tested in the matches


def test_counts_of_given_values_over_the_whole_corpus_read_only_their_entries(
        service: SearchService, backend: EmbeddedBackend) -> None:
    """Similar patents count a few hundred terms over the whole corpus: each term's index entries,
    counted. Testing each entry against every document (``id IN m``) took 5 s for a real patent's
    page on the demo."""
    terms = Counter(t for r in TIED + STRONG + WEAK + OTHER for t in set(list_field(r, "terms")))
    assert terms == {"build": 56}  # every title is "Built <number>"
    asked = ["build", "nothing-has-this"]
    sql: list[str] = []
    backend.conn.set_trace_callback(sql.append)
    try:
        assert backend.top_values(None, None, "terms", 0, include=asked) == {"build": 56}
    finally:
        backend.conn.set_trace_callback(None)
    [statement] = [s for s in sql if "doc_values" in s]
    plan = [row[3] for row in backend.conn.execute(f"EXPLAIN QUERY PLAN {statement}")]
    assert any("ix_doc_values_field_value (field=? AND value=?)" in step for step in plan), plan
    assert not any("SUBQUERY" in step or "MATERIALIZE" in step for step in plan), plan
