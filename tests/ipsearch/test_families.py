"""Families: the DOCDB id where the data carries one, else groups of shared priority claims kept
up to date as documents arrive (a later document joins two groups), the same whatever the order
documents and files arrive in (hypothesis over load orders); FAM= and family counting on both
backends."""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.settings import Settings
from ipsearch.analysis import get_analyzer
from ipsearch.backends import SearchBackend, elastic, get_backend
from ipsearch.backends.base import scan_family_heads
from ipsearch.backends.embedded import EmbeddedBackend
from ipsearch.families import FamilyRow, group_ids, settle
from ipsearch.indexdoc import IndexRecord, build_index_doc
from ipsearch.model import PartialDate, PatentDocument, Priority, normalise_number
from ipsearch.results import Grouping, SearchParams, SearchRequestError, SortMode
from ipsearch.service import Hit, SearchService
from loaders.reader import Parsed, read_source
from loaders.sources import expand


def row(pn: str, *keys: str, own: str | None = None) -> FamilyRow:
    return FamilyRow(pn, frozenset(keys), own)


def test_groups_of_shared_keys() -> None:
    assert group_ids([row("A", "CN1"), row("B", "CN2")]) == {"A": "CN1", "B": "CN2"}
    joined = group_ids([row("A", "CN1"), row("B", "CN2"), row("C", "CN1", "CN2")])
    assert joined == {"A": "CN1", "B": "CN1", "C": "CN1"}  # C joins the two groups
    docdb = group_ids([row("A", "CN1", own="99"), row("B", "CN1", "US5"), row("C", "US5", own="123"),
                       row("D", "JP7")])
    assert docdb == {"A": "99", "B": "99", "C": "123", "D": "JP7"}  # carried ids are kept


def test_settle_reads_the_stored_groups_and_returns_only_changes() -> None:
    stored = [FamilyRow("A", frozenset({"CN1"}), None, "CN1"), FamilyRow("B", frozenset({"CN2"}), None, "CN2")]

    def lookup(keys: set[str]) -> list[FamilyRow]:
        return [r for r in stored if r.keys & keys]

    assert settle([row("C", "CN0", "CN2")], lookup) == {"B": "CN0", "C": "CN0"}  # A's group is untouched
    assert settle([row("D", "KR1")], lookup) == {"D": "KR1"}


# --- the property: load orders do not change family ids ---------------------------------------

def doc(pn: str, *priorities: str, application: str | None = None, family: str | None = None) -> PatentDocument:
    country, number, kind = pn[:2], pn[2:-2], pn[-2:]
    return PatentDocument(
        pn=normalise_number(country, number, kind), doc_kind="grant", source_format="test",
        application_number=application, family_id=family, filing_date=PartialDate.parse("20150101"),
        publication_date=PartialDate.parse("20170101"),
        priorities=[Priority(country=p[:2], number=p[2:], date=PartialDate.parse("20140101")) for p in priorities])


CRAFTED = [
    doc("CN1000001A1", "CN201410000001", application="CN201510000001"),
    doc("US2000002B2", "CN201410000002", application="US14000002"),
    doc("WO2000003A1", "CN201410000001", "CN201410000002", application="CNPCT0003"),  # joins the two above
    doc("JP2000004A1", "US62000004", application="JP2015000004"),
    doc("EP2000005A1", "NL1010536", application="EP15000005"),  # joins the OPS family 19768124
    doc("CN1000001A1", "KR1020140000006", application="CN201510000001"),  # a second version: one more key
    doc("KR2000007B1", "KR1020140000006", application="KR1020150000007"),  # joins through that key
    doc("DE2000008A1", "US62000004", application="DE102015000008", family="555"),  # carries its DOCDB id
    # a chain: the last one brings a smaller key, which must reach the far end of the chain
    doc("GB3000001A1", "GB3000003", application="GB9900001"),
    doc("GB3000002A1", "GB3000003", "GB3000004", application="GB9900002"),
    doc("GB3000003A1", "GB3000004", application="GB9900003"),
    doc("GB3000004A1", "GB1000001", "GB3000004", application="GB9900004"),
]
EXPECTED = {
    "CN1000001A1": "CN201410000001", "US2000002B2": "CN201410000001", "WO2000003A1": "CN201410000001",
    "KR2000007B1": "CN201410000001", "JP2000004A1": "555",
    **dict.fromkeys(["GB3000001A1", "GB3000002A1", "GB3000003A1", "GB3000004A1"], "GB1000001"),
    "DE2000008A1": "555", "EP2000005A1": "19768124",
    "US2006142694A1": "35840242", "JP2005533465A": "30117972", "AU2013290010A1": "49448571",
    **dict.fromkeys(["EP1000000A1", "EP1000000B1", "AT232441T", "DE69905327D1", "NL1010536C2", "US6093011A"],
                    "19768124"),
}


@pytest.fixture(scope="module")
def family_records(shared_data_dir: Path) -> list[IndexRecord]:
    """Every OPS document (15) and the crafted ones, as the loader's workers build them."""
    ops = [i.doc for src in expand([shared_data_dir / "patents" / "ops"]) for i in read_source(src)
           if isinstance(i, Parsed)]
    return [build_index_doc(d, get_analyzer()) for d in [*ops, *CRAFTED]]


def load_in_files(backend: SearchBackend, records: list[IndexRecord], order: list[int], cuts: list[int]) -> None:
    """Write ``records`` in ``order``, one write (one 'file') between consecutive ``cuts``."""
    bounds = [0, *sorted(set(cuts)), len(order)]
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        chunk = [copy.deepcopy(records[i]) for i in order[lo:hi]]
        assert all(o.ok for o in backend.write(enumerate(chunk)))
    backend.refresh()


def family_ids(backend: SearchBackend) -> dict[str, str]:
    out = {}
    for pn in backend.ids():
        record = backend.get(pn)
        assert record is not None
        out[pn] = record["family_id"]
    return out


@st.composite
def load_orders(draw: st.DrawFn, n: int) -> tuple[list[int], list[int]]:
    order = draw(st.permutations(list(range(n))))
    cuts = draw(st.lists(st.integers(1, n - 1), max_size=6))
    return order, cuts


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_family_ids_do_not_depend_on_load_order(family_records: list[IndexRecord], data: st.DataObject) -> None:
    order, cuts = data.draw(load_orders(len(family_records)))
    with tempfile.TemporaryDirectory() as tmp:
        backend = EmbeddedBackend(Path(tmp) / "index.sqlite")
        backend.ensure_index()
        load_in_files(backend, family_records, order, cuts)
        assert family_ids(backend) == EXPECTED
        backend.drop()


@pytest.fixture
def es(prod_settings: Settings) -> Iterator[SearchBackend]:
    backend = get_backend(prod_settings, "es")
    backend.ensure_index()
    yield backend
    backend.drop()


def test_elasticsearch_settles_the_same_families(es: SearchBackend, family_records: list[IndexRecord]) -> None:
    """Reverse order, one document per write: each join happens against documents already stored
    (and not yet refreshed)."""
    n = len(family_records)
    load_in_files(es, family_records, list(range(n))[::-1], list(range(1, n)))
    assert family_ids(es) == EXPECTED
    service = SearchService(es)
    node, planner = service.plan("FAM=CN201410000001")
    assert set(es.run_ids(node, planner)) == {"CN1000001A1", "US2000002B2", "WO2000003A1", "KR2000007B1"}
    view = service.document("US2000002B2")
    assert view.family_id == "CN201410000001" and {m.pn for m in view.family} == {
        "CN1000001A1", "WO2000003A1", "KR2000007B1"}


def test_family_counts_on_both_backends(es_service: SearchService, embedded_service: SearchService) -> None:
    """Analytics counts inventions with ``distinct="family_id"``: the EP1000000 family's six
    documents (EP A1 and B1, AT, DE, NL, US) count once."""
    counts = []
    for service in (es_service, embedded_service):
        node, planner = service.plan("FAM=19768124 OR CC=JP")
        per_country = service.backend.count_by(node, planner, "country", distinct="family_id")
        counts.append((service.backend.count_matching(node, planner),
                       service.backend.count_distinct(node, planner, "family_id"), per_country))
    assert counts[0] == counts[1]
    documents, families, per_country = counts[0]
    assert documents == 6 + 3 and families == 1 + 3  # JP2005533465A, JP2021044377A, JP2021193879A
    assert per_country[("EP",)] == 1 and per_country[("JP",)] == 3


def family_rows(service: SearchService, query: str, size: int) -> list[Hit]:
    """Every family row of ``query``, page by page."""
    rows: list[Hit] = []
    cursor = None
    while True:
        page = service.search(query, size=size, group=Grouping.family, cursor=cursor)
        rows += page.hits
        if page.next_cursor is None:
            return rows
        cursor = page.next_cursor


def test_one_row_per_family_with_its_members_on_both_backends(es_service: SearchService,
                                                              embedded_service: SearchService) -> None:
    """The EP1000000 family's six documents are one row listing the other five; paging by two
    rows shows each family once; both backends group the same documents."""
    query = "FAM=19768124 OR CC=JP"
    grouped = []
    for service in (es_service, embedded_service):
        first = service.search(query, size=2, group=Grouping.family)
        assert (first.total, first.documents, first.group) == (4, 9, Grouping.family)
        rows = family_rows(service, query, size=2)
        assert len(rows) == len({r.family_id for r in rows}) == 4
        ep = next(r for r in rows if r.family_id == "19768124")
        members = {ep.pn, *(m.pn for m in ep.family)}
        assert len(members) == 6 and {"EP1000000A1", "EP1000000B1", "US6093011A"} <= members
        assert all(not r.family for r in rows if r.country == "JP")
        grouped.append({r.family_id: {r.pn, *(m.pn for m in r.family)} for r in rows})
    assert grouped[0] == grouped[1]
    document_rows = es_service.search(query, size=20)
    assert document_rows.total == document_rows.documents == 9 and all(h.family_id for h in document_rows.hits)


def test_a_cursor_of_the_other_grouping_is_refused(embedded_service: SearchService) -> None:
    page = embedded_service.search("CC=US", size=2)
    with pytest.raises(SearchRequestError, match="grouping"):
        embedded_service.search("CC=US", size=2, group=Grouping.family, cursor=page.next_cursor)


# Queries whose matches include families of several documents, ranked by text or by a filter alone.
HEAD_QUERIES = ["FAM=19768124 OR CC=JP", "CC=EP OR CC=WO OR CC=US", "brick OR light OR signal"]


@pytest.mark.parametrize("query", HEAD_QUERIES)
def test_elasticsearch_collapses_families_as_the_generic_scan_ranks_them(query: str,
                                                                         es_service: SearchService) -> None:
    """One collapsed request gives the rows, totals, facets and "more" of reading ranked hits from
    the top and keeping each family's first, for every sort, page size and offset tried."""
    backend = es_service.backend
    node, planner = es_service.plan(query)
    for sort in SortMode:
        for size, offset in ((1, 0), (2, 1), (5, 0), (5, 5), (3, 40), (20, 0)):
            params = SearchParams(size=size, sort=sort, facets=["country", "year"], shown=offset)
            collapsed = backend.family_heads(node, planner, params)
            scanned = scan_family_heads(backend, node, planner, params)
            assert collapsed == scanned, (sort, size, offset)
    whole = scan_family_heads(backend, node, planner, SearchParams(size=100))
    assert whole.documents > whole.families > 1  # families of several documents are among the matches


def test_a_family_count_beyond_one_composite_page_goes_on_counting(es_service: SearchService,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    node, planner = es_service.plan("CC=EP OR CC=WO OR CC=US")
    families = es_service.backend.count_distinct(node, planner, "family_id")
    for page in (2, families - 1, families):
        monkeypatch.setattr(elastic, "COMPOSITE_PAGE", page)
        assert es_service.backend.family_heads(node, planner, SearchParams(size=3)).families == families
