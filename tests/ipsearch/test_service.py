"""ipsearch.service.SearchService: what routers, pages and the CLI get for documents, similar
patents and export, on a small synthetic corpus in the embedded backend."""

from __future__ import annotations

import base64
import csv
import io
import json
from pathlib import Path

import pytest

from core.errors import InvalidInput, NotFound
from core.settings import BackendKind, Settings
from ipsearch.backends import get_backend
from ipsearch.names import harmonise_name
from ipsearch.query.parser import QuerySyntaxError
from ipsearch.results import CURSOR_MAC_BYTES, ExportFormat, Grouping, SearchRequestError, SortMode, _cursor_mac
from ipsearch.service import SearchService
from loaders.pipeline import run_load
from loaders.synthetic import SyntheticOptions, write_weekly_files


@pytest.fixture
def service(embedded_settings: Settings, tmp_path: Path) -> SearchService:
    folder = tmp_path / "synthetic"
    write_weekly_files(folder, SyntheticOptions(docs=40, seed=11))
    assert run_load(embedded_settings, [folder], backend=BackendKind.embedded).loaded == 40
    return SearchService(get_backend(embedded_settings, BackendKind.embedded))


def test_document_normalises_the_number_and_builds_the_claim_tree(service: SearchService) -> None:
    pn = service.search("TXT=synthetic", size=1, sort=SortMode.date_asc).hits[0].pn
    view = service.document(pn.lower())  # typed in lower case: the same document
    assert view.pn == pn and view.document["pn"]["country"] == "US"
    roots = view.claim_tree["en"]
    assert roots and roots[0].number == 1  # claim 1 is always independent in the generator
    assert service.document(pn[:-2]).pn == pn  # the number without its kind, as people often type it
    # the file it came from, by name: not the server's folders (the index keeps the whole path)
    stored = service.backend.get(pn)
    assert stored is not None and stored["doc"]["source_file"].startswith(str(Path("/")))
    assert view.document["source_file"] == Path(stored["doc"]["source_file"]).name
    with pytest.raises(NotFound):
        service.document("US99999999B2")
    with pytest.raises(NotFound):
        service.document("US99999999")
    with pytest.raises(InvalidInput):
        service.document("!!!")


def test_similar_needs_a_document_in_the_corpus(service: SearchService) -> None:
    pn = service.search("TXT=synthetic", size=1).hits[0].pn
    similar = service.similar(pn, 5)
    assert 0 < len(similar) <= 5 and pn not in {h.pn for h in similar}
    with pytest.raises(NotFound):
        service.similar("US99999999B2", 5)


def test_export_checks_the_query_before_the_first_byte(service: SearchService) -> None:
    with pytest.raises(QuerySyntaxError):
        service.export("TI=(led", ExportFormat.csv)  # raised by the call, not by the first next()
    rows = list(csv.reader(io.StringIO("".join(service.export("TXT=synthetic", ExportFormat.csv, limit=7)))))
    assert rows[0][0] == "pn" and len(rows) == 8
    lines = "".join(service.export("TXT=synthetic", ExportFormat.jsonl, limit=3)).splitlines()
    assert len(lines) == 3 and all(json.loads(line)["pn"].startswith("US") for line in lines)


def test_hits_without_marks_are_the_same_hits(service: SearchService) -> None:
    marked = service.search("TXT=synthetic", size=10)
    plain = service.search("TXT=synthetic", size=10, marked=False)
    assert all(h.highlights for h in marked.hits) and not any(h.highlights for h in plain.hits)
    assert [h.model_dump(exclude={"highlights"}) for h in plain.hits] == \
        [h.model_dump(exclude={"highlights"}) for h in marked.hits]


def test_a_cursor_belongs_to_its_query(service: SearchService) -> None:
    first = service.search("TXT=synthetic", size=5)
    assert first.next_cursor is not None
    second = service.search("TXT=synthetic", size=5, cursor=first.next_cursor)
    assert not {h.pn for h in first.hits} & {h.pn for h in second.hits}
    with pytest.raises(SearchRequestError):
        service.search("TXT=apparatus", size=5, cursor=first.next_cursor)


def _tampered(token: str) -> list[str]:
    """Edits of a cursor a visitor could make: a character of the payload, the payload re-encoded
    with other values (no signature can follow), the signature cut, an unsigned cursor of old."""
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    mac, payload = raw[:CURSOR_MAC_BYTES], json.loads(raw[CURSOR_MAC_BYTES:])
    edits = [{**payload, "after": [1]}, {**payload, "shown": -5}, {**payload, "after": ["x", "y"]}]
    encode = lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")  # noqa: E731
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    return [flipped, encode(raw[CURSOR_MAC_BYTES:]), encode(json.dumps(payload).encode()),
            *(encode(mac + json.dumps(e).encode()) for e in edits), "not-a-cursor", "!!"]


@pytest.mark.parametrize("group", list(Grouping))
def test_an_edited_cursor_is_refused_as_foreign(group: Grouping, service: SearchService) -> None:
    first = service.search("TXT=synthetic", size=5, group=group)
    assert first.next_cursor is not None
    for token in _tampered(first.next_cursor):
        with pytest.raises(SearchRequestError, match="not one this service issued"):
            service.search("TXT=synthetic", size=5, group=group, cursor=token)


def test_a_signed_cursor_of_another_shape_is_refused_as_foreign(service: SearchService) -> None:
    """Signed with this service's key but not a cursor this release reads (an older release's)."""
    payload = json.dumps({"q": "TXT=synthetic", "sort": "relevance", "group": "document", "after": [1, "x"]}).encode()
    token = base64.urlsafe_b64encode(_cursor_mac(service._cursor_key, payload) + payload).decode()
    with pytest.raises(SearchRequestError, match="not one this service issued"):
        service.search("TXT=synthetic", size=5, cursor=token)


def test_processes_sharing_the_secret_accept_each_others_cursors(embedded_settings: Settings,
                                                                  service: SearchService) -> None:
    backend = get_backend(embedded_settings, BackendKind.embedded)
    one, two = SearchService(backend, secret="shared"), SearchService(backend, secret="shared")
    first = one.search("TXT=synthetic", size=5)
    assert first.next_cursor is not None
    second = two.search("TXT=synthetic", size=5, cursor=first.next_cursor)
    assert second.hits and not {h.pn for h in first.hits} & {h.pn for h in second.hits}
    with pytest.raises(SearchRequestError, match="not one this service issued"):
        SearchService(backend, secret="another").search("TXT=synthetic", size=5, cursor=first.next_cursor)


@pytest.mark.parametrize("size", [1, 7, 8, 10, 40])
def test_the_page_that_reaches_the_total_is_the_last(size: int, service: SearchService) -> None:
    """40 documents in pages of 1, 7, 8, 10 and 40: every page full but a short last one, none
    empty, and the facets stay."""
    pages = []
    cursor = None
    while True:
        page = service.search("TXT=synthetic", size=size, facets=["year"], cursor=cursor)
        pages.append(page)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert [len(p.hits) for p in pages] == [size] * (40 // size) + ([40 % size] if 40 % size else [])
    assert len({h.pn for p in pages for h in p.hits}) == 40
    assert all(p.facets == pages[0].facets and p.facets["year"] for p in pages)


def test_a_citation_leads_to_the_corpus_document_of_its_number(service: SearchService) -> None:
    """Cited as published: to itself; cited with another kind: to the latest publication of the
    number; not in the corpus (or not a number): no link at all."""
    held = service.search("TXT=synthetic", size=1, sort=SortMode.date).hits[0].pn
    other_kind = held[:-2] + "A1"
    citations = [{"pn": held}, {"pn": other_kind}, {"pn": "US1234567B1"}, {"pn": None, "text": "a journal"},
                 {"pn": "not a number"}]
    assert service._cited_in_corpus(citations) == {held: held, other_kind: held}
    views = [service.document(h.pn) for h in service.search("TXT=synthetic", size=40).hits]
    citing = [v for v in views if v.cited_in_corpus]
    assert citing  # the generator cites earlier documents of the set
    for view in citing:
        cited = {c["pn"] for c in view.document["citations"] if c.get("pn")}
        assert set(view.cited_in_corpus) <= cited
        assert all(service.document(target).pn == target for target in view.cited_in_corpus.values())


def test_applicant_buckets_read_as_their_documents_write_them(service: SearchService) -> None:
    buckets = service.search("TXT=synthetic", facets=["applicant", "country"]).facets
    assert buckets["applicant"] and all(b.label for b in buckets["applicant"])
    assert all(harmonise_name(b.label or "") == b.value for b in buckets["applicant"])
    assert any(b.label != b.value for b in buckets["applicant"])  # 'aurora lighting' reads 'Aurora Lighting Co., Ltd.'
    assert all(b.label is None for b in buckets["country"])  # a country code is no key of a name


def test_a_number_pasted_into_the_search_box_finds_its_document(service: SearchService) -> None:
    pn = service.search("TXT=synthetic", size=1).hits[0].pn
    assert [h.pn for h in service.search(pn.lower()).hits] == [pn]
    assert [h.pn for h in service.search(f"{pn[:2]} {pn[2:-2]}").hits] == [pn]  # without its kind


@pytest.mark.parametrize("query", ["#1 AND #2", "＃１ OR lamp", "lamp NOT #12"])
def test_a_search_set_is_combined_on_the_pages_only(service: SearchService, query: str) -> None:
    """The API and the CLI have no search history: ``#1`` is refused, not searched as the word 1."""
    with pytest.raises(SearchRequestError, match="names a set of a search history"):
        service.search(query)


def test_synthetic_documents_say_so_in_every_list(service: SearchService) -> None:
    """Hits and similar documents of a synthetic corpus carry ``synthetic`` (the pages label them)."""
    hits = service.search("light", size=10).hits
    assert hits and all(h.synthetic for h in hits)
    similar = service.similar(hits[0].pn, 5)
    assert similar and all(s.synthetic for s in similar)
