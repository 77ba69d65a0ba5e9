"""Conformance: every query-language case returns the same documents on Elasticsearch and on the
embedded backend, over the real corpus in shared/data (ranking may differ)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest

from core.settings import BackendKind, Settings
from ipsearch.analysis import get_analyzer
from ipsearch.backends import embedded, get_backend
from ipsearch.results import Grouping
from ipsearch.service import Hit, SearchService
from loaders.pipeline import run_load
from loaders.synthetic import SyntheticOptions, write_weekly_files

# (query, at least this many hits) -- every feature of the language appears at least once.
CASES: list[tuple[str, int]] = [
    ("led", 10), ("TI=battery", 1), ("AB=sensor", 1), ("CL=electrode", 1), ("DESC=semiconductor", 1),
    ("TXT=magnet", 1), ("TI=lamp OR TI=light", 1), ("battery AND lithium", 1), ("battery lithium", 1),
    ("battery NOT lithium", 1), ("NOT TI=device", 100), ("TI=(lamp OR light) AND PD>=2010", 1),
    ('"light emitting diode"', 1), ('TI="light emitting"', 1), ("emit*", 1), ("batter*", 1), ("colo?r", 1),
    ("TI=screw*", 1), ("semicond*", 1), ("light NEAR3 emitting", 1), ("emitting NEAR3 light", 1),
    ("light ADJ emitting", 1), ("emitting ADJ light", 1), ("light ADJ3 element", 1),
    ("CL=(electrode NEAR5 lithium)", 1), ("sensor SAME wireless", 1), ("CL=(battery SAME seawater)", 1),
    ('(led OR "light emitting") NEAR4 (lamp OR device)', 1), ("emit* NEAR2 diode", 1),
    ("TI=detecting AND CC=EP", 1), ("TI=screens AND TI=conveyor", 1),  # upper-case EP titles
    ("PA=samsung", 1), ('PA="seoul semiconductor"', 1), ("IN=tanaka", 1), ("AG=dehns", 1),
    ("AG=(finnegan OR fish)", 1), ("申请人=三星", 1), ("发明人=李", 1), ("名称=显示", 1), ("摘要=区块链", 1),
    ("权利要求=像素", 1), ("显示 AND 像素", 1), ('"显示 面板"', 1), ("筛选 NEAR5 填充", 1),
    ("PN=US8926509B2", 1), ("PN=US8926509", 1), ('PN="EP 3383757 B1"', 1), ("AN=16849316.1", 1),
    ("申请号=202111286633.X", 1), ("CC=CN", 7), ("CC=EP", 11), ("CC=JP", 2), ("KIND=B2", 100), ("KIND=S1", 20),
    ("KIND=grant", 100), ("KIND=application", 20), ("KIND=design", 20), ("LANG=de", 1), ("LANG=zh", 7),
    ("IPC=H01L", 1), ("IPC=H01L33/*", 1), ("IPC=A61B5/*", 1), ("IPC=H04", 1), ("IPC=A", 1), ("IPC=A45F5/04", 1),
    ("CPC=A61B", 1), ("CPC=A61B5/*", 1), ("IPC=(H01M OR H01G)", 1), ("PD>=2015", 1), ("PD<2006", 1),
    ("PD=2012", 1), ("PD=201201", 1), ("PD=2010-01-01..2012-12-31", 1), ("AD=(20190101 to 20191231)", 1),
    ("PRD>=2016", 1), ("PRD=2015-09", 1), ("公开日>=2020", 1), ("申请日=2008", 1),
    ("TI=device AND NOT CC=US AND PD>=2005", 1), ("IPC=H01L AND (emit* OR light) AND PD<2012", 1),
    ("led.ti.", 1), ("battery.ab. OR lithium.cl.", 1),
    # families and legal status (statuses are as of loading: minimums that hold for years)
    ("FAM=19768124", 6), ("同族=19768124", 6), ("FAM=6979546", 1), ("FAM=19768124 AND KIND=grant", 3),
    ("LS=inforce", 20), ("法律状态=有效", 20), ("LS=expired", 100), ("LS=pending", 5), ("LS=lapsed", 2),
    ("LS=unknown", 2), ("LS=inforce AND CC=US AND IPC=H01L", 1), ("NOT LS=expired AND FAM=19768124", 2),
    ("LSD=2011", 1), ("LSD>=2000", 2), ("LSD=2003-02..2003-03", 1), ("法律状态日<2009", 2),
    # owners' administrative divisions (GB/T 2260): a province includes its cities
    ("RG=广东", 2), ("RG=Shenzhen", 1), ("地区=北京", 1), ("RG=台湾", 5), ("RG=44 AND CC=US", 1),
    ("NOT RG=广东 AND PAC=CN", 1),
]


@pytest.mark.parametrize("query,minimum", CASES, ids=[c[0] for c in CASES])
def test_same_result_sets_on_both_backends(query: str, minimum: int, es_service: SearchService,
                                           embedded_service: SearchService) -> None:
    es = es_service.matching_ids(query)
    embedded = embedded_service.matching_ids(query)
    assert es == embedded, f"only ES: {sorted(es - embedded)[:10]}, only embedded: {sorted(embedded - es)[:10]}"
    assert len(es) >= minimum


@pytest.mark.parametrize("query,expected", [
    ("申请人=三星", {"CN113781974A"}),
    ("PN=US8926509", {"US8926509B2"}),
    ("AN=16849316.1", {"EP3383757B1"}),
    ("CL=(battery SAME seawater)", {"US11646472B2"}),
    ("CC=JP", {"JP2021044377A", "JP2021193879A", "JP2005533465A"}),
    ("FAM=19768124", {"EP1000000A1", "EP1000000B1", "AT232441T", "DE69905327D1", "NL1010536C2", "US6093011A"}),
    ("LS=lapsed", {"EP1000000A1", "CN101096965A"}),
    ("LSD=2011", {"EP1000000A1"}),
    ("IPC=A45F5/04", {"US6836899B1"}),
    ("RG=云南", {"CN104223352A"}),  # 650231 云南省昆明市...: the postal code is not read as a division
    ("RG=成都", {"EP3782854A1"}),  # <city>Hi-tech Development Zone Chengdu Sichuan 611731</city>
])
def test_exact_results(query: str, expected: set[str], es_service: SearchService,
                       embedded_service: SearchService) -> None:
    assert es_service.matching_ids(query) == expected
    assert embedded_service.matching_ids(query) == expected


def test_ordered_vs_unordered_proximity_differ(es_service: SearchService) -> None:
    unordered = es_service.matching_ids("emitting NEAR light")
    ordered = es_service.matching_ids("emitting ADJ light")
    assert ordered < unordered


@pytest.mark.parametrize("service_name", ["es_service", "embedded_service"])
def test_cursor_pagination_is_complete_and_stable(service_name: str, request: pytest.FixtureRequest) -> None:
    service: SearchService = request.getfixturevalue(service_name)
    for sort in ("relevance", "date", "date_asc"):
        seen: list[str] = []
        cursor = None
        while True:
            page = service.search("KIND=grant OR led", size=37, sort=sort, cursor=cursor)  # type: ignore[arg-type]
            seen.extend(h.pn for h in page.hits)
            cursor = page.next_cursor
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == page.total == len(service.matching_ids("KIND=grant OR led"))
        if sort == "date":
            dates = [d for d in (service.search("KIND=grant", size=50, sort="date").hits) if d.publication_date]
            assert [h.publication_date for h in dates] == sorted((h.publication_date for h in dates), reverse=True)


@pytest.mark.parametrize("pattern,words", [
    ("emitting*", "emitting"), ("detecting*", "detecting"), ("bearing*", "bearing"), ("housings*", "housings"),
    ("emitt?ng", "emitting"), ("hous?ng", "housing"), ("model?ing", "modeling OR modelling"),
    ("detect?d", "detected"),
])
def test_a_wildcard_finds_the_words_it_spells(pattern: str, words: str, es_service: SearchService,
                                              embedded_service: SearchService) -> None:
    """The index holds lemmas: "emitting" is "emit", which ``emitting*`` and ``emitt?ng`` do not
    match as written. They still find every document the words they spell find (none before)."""
    for service in (es_service, embedded_service):
        exact = service.matching_ids(words)
        assert exact and exact <= service.matching_ids(pattern)
    assert es_service.matching_ids(pattern) == embedded_service.matching_ids(pattern)


def test_facets_agree(es_service: SearchService, embedded_service: SearchService) -> None:
    names = ["ipc_section", "ipc_class", "ipc_subclass", "cpc_subclass", "applicant", "country", "year", "kind"]
    es = es_service.search("light OR device", facets=names)
    embedded = embedded_service.search("light OR device", facets=names)
    assert es.total == embedded.total
    for name in names:
        as_dict = {b.value: b.count for b in es.facets[name]}
        em_dict = {b.value: b.count for b in embedded.facets[name]}
        common = set(as_dict) & set(em_dict)
        assert common and all(as_dict[v] == em_dict[v] for v in common), name
    assert dict((b.value, b.count) for b in es.facets["country"]) == dict(
        (b.value, b.count) for b in embedded.facets["country"])
    # the year facet: the newest years, newest first, the same on both (it held the 50 fullest years)
    years = [(b.value, b.count) for b in es.facets["year"]]
    assert years == [(b.value, b.count) for b in embedded.facets["year"]]
    assert [y for y, _ in years] == sorted((y for y, _ in years), reverse=True)


@pytest.mark.parametrize("q", ["light OR device", "KIND=grant", "light NEAR3 emitting OR IPC=H01L*"])
def test_embedded_facets_read_either_way_are_the_same(es_service: SearchService, embedded_service: SearchService,
                                                       monkeypatch: pytest.MonkeyPatch, q: str) -> None:
    """A list facet over many matches reads its field's index whole; over a few, each match's values.
    Both give the same buckets, and the buckets Elasticsearch gives."""
    names = ["ipc_subclass", "applicant", "country", "year", "kind", "cpc_subclass"]
    monkeypatch.setattr(embedded, "FACET_SCAN_FROM", 0)
    scanned = embedded_service.search(q, facets=names).facets
    monkeypatch.setattr(embedded, "FACET_SCAN_FROM", 10**9)
    looked_up = embedded_service.search(q, facets=names).facets
    assert scanned == looked_up and all(scanned[name] for name in names)
    es = es_service.search(q, facets=names).facets
    for name in names:
        as_dict = {b.value: b.count for b in es[name]}
        common = set(as_dict) & {b.value for b in scanned[name]}
        assert common and all(as_dict[b.value] == b.count for b in scanned[name] if b.value in common), name


def test_a_facet_asked_for_twice_is_counted_once(es_service: SearchService, embedded_service: SearchService) -> None:
    for service in (es_service, embedded_service):
        facets = service.search("light OR device", facets=["country", "country"]).facets
        once = service.search("light OR device", facets=["country"]).facets
        assert facets == once and facets["country"]


def test_highlights_on_original_text(es_service: SearchService) -> None:
    hits = es_service.search('TI="light emitting"', size=5).hits
    assert hits and all("<mark>" in h.highlights.get("title", "") for h in hits)
    cn = es_service.search("名称=显示").hits[0]
    assert cn.highlights["title"] == "<mark>显示</mark>设备"


def _marked(hits: list[Hit], field: str) -> list[str]:
    return [m for h in hits for m in re.findall(r"<mark>(.*?)</mark>", h.highlights.get(field, ""))]


def test_highlights_follow_the_query_fields_and_phrases(es_service: SearchService,
                                                        embedded_service: SearchService) -> None:
    analyzer = get_analyzer()
    for service in (es_service, embedded_service):
        # a field's words are marked in that field alone; an applicant's name nowhere
        ti = service.search("TI=light", size=50).hits
        assert _marked(ti, "title") and not _marked(ti, "abstract")
        ab = service.search("AB=light", size=50).hits
        assert _marked(ab, "abstract") and not _marked(ab, "title")
        pa = service.search("PA=samsung", size=50).hits
        assert pa and not any(h.highlights for h in pa)
        # a phrase is marked whole, never one of its words alone ("light" is in many of these abstracts)
        phrase = service.search('"light emitting"', size=50).hits
        shown = _marked(phrase, "title") + _marked(phrase, "abstract")
        assert shown and all(analyzer.tokens(m) == ["light", "emit"] for m in shown), shown
        both = service.search('"light emitting" AND TI=diode', size=50).hits
        assert {analyzer.analyse(m) for m in _marked(both, "title")} <= {"light emit", "diode"}
    on_es, embedded_marks = ({h.pn: h.highlights for h in service.search('"light emitting"', size=100).hits}
                             for service in (es_service, embedded_service))
    # one highlighter for both: this checks that both hold the same title and abstract as printed
    common = on_es.keys() & embedded_marks.keys()
    assert common and all(on_es[pn] == embedded_marks[pn] for pn in common)


def test_similar_and_document_view(es_service: SearchService, embedded_service: SearchService) -> None:
    for service in (es_service, embedded_service):
        similar = service.similar("US8926509B2", 5)
        assert similar and "US8926509B2" not in {h.pn for h in similar}
    doc = es_service.document("US6836899B1")
    assert doc.document["pn"]["normalised"] == "US6836899B1"
    tree = doc.claim_tree["en"]
    assert [t.number for t in tree] == [c["number"] for c in doc.document["claims"]["en"] if c["independent"]]
    for service in (es_service, embedded_service):
        view = service.document("NL1010536C2")
        assert view.family_id == "19768124"
        assert [m.pn for m in view.family] == ["EP1000000A1", "US6093011A", "EP1000000B1", "AT232441T",
                                               "DE69905327D1"]  # by publication date


NEW_FIELDS = ["family_id", "family_basis", "family_keys", "legal_status", "legal_status_date", "legal_status_code",
              "legal_event_dates", "legal_event_codes", "expiry_date", "expiry_year", "expiry_basis"]


def test_family_legal_and_expiry_fields_agree(es_service: SearchService, embedded_service: SearchService) -> None:
    ids = es_service.backend.ids()
    assert ids == embedded_service.backend.ids()
    for pn in sorted(ids):
        es, embedded = es_service.backend.get(pn), embedded_service.backend.get(pn)
        assert es is not None and embedded is not None
        assert {f: es[f] for f in NEW_FIELDS} == {f: embedded[f] for f in NEW_FIELDS}, pn
        assert es["family_id"] and es["family_keys"] and es["legal_status"]  # every document has them
    assert es_service.backend.get("EP1000000A1")["expiry_basis"] == "event"  # type: ignore[index]


@pytest.mark.parametrize("query", ["KIND=grant", "CC=US OR CC=EP", "IPC=H01L"])
def test_family_counts_agree(query: str, es_service: SearchService, embedded_service: SearchService) -> None:
    results = []
    for service in (es_service, embedded_service):
        node, planner = service.plan(query)
        backend = service.backend
        results.append((backend.count_distinct(node, planner, "family_id"),
                        backend.count_by(node, planner, "publication_year", distinct="family_id"),
                        backend.count_by(node, planner, "legal_status")))
    assert results[0] == results[1]
    families, per_year, _ = results[0]
    assert 0 < families <= sum(per_year.values())


def test_a_region_is_one_place_however_it_is_written(es_service: SearchService,
                                                    embedded_service: SearchService) -> None:
    forms = ["RG=440000", "RG=广东", "RG=广东省", "RG=Guangdong", "RG=粤", "地区=廣東省", "RG=44"]
    found = {form: es_service.matching_ids(form) for form in forms}
    assert len({frozenset(ids) for ids in found.values()}) == 1, found
    assert found["RG=440000"] == embedded_service.matching_ids("RG=Guangdong")
    cities = es_service.matching_ids("RG=深圳 OR RG=惠州 OR RG=广州")
    assert cities and cities <= found["RG=440000"]


@pytest.fixture(scope="module")
def citing_corpus(tmp_path_factory: pytest.TempPathFactory, corpus_settings: Settings) -> Iterator[
        dict[str, SearchService]]:
    """SYNTHETIC documents in two load runs: the second run's documents cite the first run's (the
    real samples do not cite each other)."""
    folder = tmp_path_factory.mktemp("citing")
    files = write_weekly_files(folder / "xml", SyntheticOptions(docs=200, seed=5), docs_per_file=100)
    settings = corpus_settings.model_copy(update={"data_dir": folder / "var",
                                                  "es_index_prefix": f"patents-cites-{uuid.uuid4().hex[:8]}"})
    for backend in (BackendKind.elasticsearch, BackendKind.embedded):
        for f in files:
            assert run_load(settings, [f], backend=backend).loaded == 100
    yield {kind: SearchService(get_backend(settings, kind)) for kind in ("es", "embedded")}
    get_backend(settings, "es").drop()


def test_forward_citations_agree_with_the_counts_kept_at_load_time(citing_corpus: dict[str, SearchService]) -> None:
    """``CITES=pn`` finds the documents whose citations name ``pn`` (any kind): as many as the
    in-corpus citation count stored at load time, the same on both backends, and listed on the
    document view."""
    es_service, embedded_service = citing_corpus["es"], citing_corpus["embedded"]
    node, planner = es_service.plan("KIND=grant OR KIND=application")
    most_cited = es_service.backend.top_docs(node, planner, [("cited_by", "desc")], 3, ["cited_by"])
    assert most_cited[0]["cited_by"] >= 2
    for row in most_cited:
        query = f"CITES={row['pn']}"
        citing = es_service.matching_ids(query)
        assert citing == embedded_service.matching_ids(query)
        assert len(citing) == row["cited_by"]
        assert {m.pn for m in es_service.document(row["pn"]).cited_by} == citing


@pytest.mark.parametrize("service_name", ["es_service", "embedded_service"])
def test_a_reader_gets_titles_in_their_language_where_a_document_has_one(
        service_name: str, request: pytest.FixtureRequest) -> None:
    """Chinese documents of the corpus carrying an English title too (DOCDB, OPS) show it by
    default and their own title to a Chinese reader, marked up where it matches; a document
    without a Chinese title keeps its English one, whatever the reader reads."""
    service: SearchService = request.getfixturevalue(service_name)
    query = "CC=CN"
    default = service.search(query, size=100)
    in_chinese = service.search(query, size=100, lang="zh")
    assert [h.pn for h in in_chinese.hits] == [h.pn for h in default.hits]
    both = [h for h in default.hits if {"en", "zh"} <= h.titles.keys()]
    assert both, "the corpus has Chinese documents with an English title too"
    for hit, read in zip(default.hits, in_chinese.hits, strict=True):
        assert hit.titles == read.titles
        assert read.title == (hit.titles.get("zh") or hit.title)
    assert all(h.title == h.titles["en"] for h in both)
    plain, read_similar = service.similar(both[0].pn, 10), service.similar(both[0].pn, 10, lang="zh")
    assert [s.pn for s in read_similar] == [s.pn for s in plain] and plain
    assert [s.title for s in read_similar] == [s.titles.get("zh") or s.title for s in plain]
    zh_title = both[0].titles["zh"]
    word = next(w for w in service.analyzer.analyse(zh_title).split() if len(w) > 1)
    marked = service.search(f"TI={word} AND PN={both[0].pn}", lang="zh").hits
    assert [h.pn for h in marked] == [both[0].pn] and "<mark>" in marked[0].highlights["title"]


@pytest.mark.parametrize("service_name", ["es_service", "embedded_service"])
def test_family_members_and_exports_are_titled_in_the_readers_language(
        service_name: str, request: pytest.FixtureRequest) -> None:
    """EP1000000B1 (OPS) has a German, an English and a French title: a French reader sees the
    French one where EP1000000A1's page lists its family, in the family rows of a search and in an
    export; the members without a French title keep theirs."""
    service: SearchService = request.getfixturevalue(service_name)
    default = {m.pn: m.title for m in service.document("EP1000000A1").family}
    french = {m.pn: m.title for m in service.document("EP1000000A1", "fr-FR").family}
    assert (default["EP1000000B1"] or "").startswith("Apparatus for manufacturing green bricks")
    assert (french.pop("EP1000000B1") or "").startswith("Dispositif pour la fabrication de briques crues")
    assert french == {pn: title for pn, title in default.items() if pn != "EP1000000B1"} and french
    rows = service.search("FAM=19768124", group=Grouping.family, lang="fr").hits
    titled = {h.pn: h.title for h in rows} | {m.pn: m.title for h in rows for m in h.family}
    assert (titled["EP1000000B1"] or "").startswith("Dispositif pour la fabrication")
    exported = "".join(service.export("PN=EP1000000B1", lang="fr"))
    assert "Dispositif pour la fabrication" in exported and "Apparatus for" not in exported
    assert "Apparatus for" in "".join(service.export("PN=EP1000000B1"))


@pytest.mark.parametrize("service_name", ["es_service", "embedded_service"])
def test_a_row_showing_no_match_says_its_words_are_in_the_claims_or_description(
        service_name: str, request: pytest.FixtureRequest) -> None:
    """A text search lists documents whose title and abstract hold none of its words: those rows say
    the words are in the claims or description; a row that shows a match, and any row of a search
    by applicant, class or date, says nothing of the kind."""
    service: SearchService = request.getfixturevalue(service_name)
    hits = service.search("led", size=100).hits
    body = [h for h in hits if h.found_in_body]
    shown = [h for h in hits if not h.found_in_body]
    assert body and shown
    assert all(not h.highlights and h.claim is None for h in body)
    assert all(h.highlights for h in shown)
    for query in ("led AND PD>=1900", "led OR PA=bridgelux", "IPC=H01L", "PD>=2010 NOT led"):
        assert not any(h.found_in_body for h in service.search(query, size=50).hits), query
    assert not any(h.found_in_body for h in service.search("led", size=50, marked=False).hits)  # exports


def test_the_year_facet_keeps_the_newest_years_however_thin(es_service: SearchService,
                                                            embedded_service: SearchService,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """With room for two years only, both backends keep the two newest, not the two fullest."""
    import ipsearch.backends.elastic as elastic

    every = {b.value: b.count for b in es_service.search("light OR device", facets=["year"]).facets["year"]}
    newest = sorted(every, reverse=True)[:2]
    assert newest != sorted(every, key=lambda y: (-every[y], y))[:2]  # the corpus tells the two apart
    monkeypatch.setattr(elastic, "YEAR_BUCKETS", 2)
    monkeypatch.setattr(embedded, "YEAR_BUCKETS", 2)
    for service in (es_service, embedded_service):
        assert [b.value for b in service.search("light OR device", facets=["year"]).facets["year"]] == newest
