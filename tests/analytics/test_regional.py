"""analytics.regional on the embedded backend over a SYNTHETIC corpus: documents and applicants per
province and city equal an independent count made from the XML itself; a region is one place
however it is written; its dashboard lists its cities and key companies (names as printed) and
its report, in Chinese, names places in Chinese; bad names and codes are clear errors."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy.orm import Session

from analytics import regional, scopes
from analytics.indicators import CountingUnit, IndicatorParams
from analytics.portal import DashboardFilters
from analytics.reports.service import build_document
from analytics.scopes import ScopeIn
from core.db import session_factory
from core.errors import Conflict, InvalidInput, NotFound
from core.i18n import Language, shown_today
from core.settings import BackendKind, Settings
from ipsearch.backends import get_backend
from ipsearch.service import SearchService
from loaders.pipeline import run_load
from loaders.synthetic import SyntheticOptions, write_weekly_files
from tests.databases import migrated

# the synthetic generator's Chinese owners' cities, placed by hand (the oracle does not use core.regions)
CITY_CODES = {"Shenzhen": ("440000", "440300"), "Guangzhou": ("440000", "440100"), "Beijing": ("110000",)}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, shared_data_dir: Path) -> Iterator[tuple[Settings, Path]]:
    data = tmp_path_factory.mktemp("regional")
    settings = Settings(data_dir=data / "var", shared_data_dir=shared_data_dir, database_url=None,
                        elasticsearch_url=None, broker_url=None, redis_url=None)
    migrated(settings.effective_database_url)
    write_weekly_files(data / "xml", SyntheticOptions(docs=400, seed=11))
    assert run_load(settings, [data / "xml"], backend=BackendKind.embedded).loaded == 400
    yield settings, data / "xml"


@pytest.fixture
def search(corpus: tuple[Settings, Path]) -> SearchService:
    return SearchService(get_backend(corpus[0], BackendKind.embedded))


@pytest.fixture
def session(corpus: tuple[Settings, Path]) -> Iterator[Session]:
    with session_factory(corpus[0].effective_database_url)() as s:
        yield s


def _oracle(folder: Path) -> tuple[Counter[str], dict[str, set[str]]]:
    """Documents and owner names per division code, read from the assignees in the XML."""
    documents: Counter[str] = Counter()
    owners: dict[str, set[str]] = defaultdict(set)
    for path in sorted(folder.glob("*.xml")):
        for chunk in path.read_text(encoding="utf-8").split("<?xml ")[1:]:
            root = etree.fromstring(("<?xml " + chunk).encode(), etree.XMLParser(resolve_entities=False,
                                                                                  no_network=True, load_dtd=False))
            codes: set[str] = set()
            for book in root.iterfind(".//assignees/assignee/addressbook"):
                if book.findtext("address/country") == "CN":
                    for code in CITY_CODES[book.findtext("address/city") or ""]:
                        codes.add(code)
                        owners[code].add(book.findtext("orgname") or "")
            documents.update(codes)
    return documents, owners


def test_provinces_count_as_an_independent_reading_of_the_xml(corpus: tuple[Settings, Path],
                                                              search: SearchService) -> None:
    documents, owners = _oracle(corpus[1])
    view = regional.overview(search)
    got = {row.place.code: (row.documents, row.applicants) for row in view.provinces}
    assert got == {code: (documents[code], len(owners[code])) for code in ("440000", "110000")}
    assert [row.place.code for row in view.provinces] == sorted(got, key=lambda c: -documents[c])
    assert view.placed == documents["440000"] + documents["110000"]
    assert view.unplaced == 0


@pytest.mark.parametrize("typed", ["广东", "广东省", "Guangdong", "guangdong province", "粤", "440000", "44", "廣東"])
def test_a_region_is_one_place_however_it_is_written(typed: str) -> None:
    assert regional.find(typed).code == "440000"


@pytest.mark.parametrize("typed", ["Atlantis", "", "Suzhou", "'; DROP TABLE x; --", "\x00", "9" * 60])
def test_a_name_that_is_no_region_is_a_clear_error(typed: str) -> None:
    with pytest.raises(InvalidInput):
        regional.find(typed)


def test_a_provinces_board_has_its_cities_and_key_companies(corpus: tuple[Settings, Path], search: SearchService,
                                                            session: Session) -> None:
    documents, owners = _oracle(corpus[1])
    view = regional.region_board(session, search, None, "440000", DashboardFilters(), Language.zh)
    assert view.place.name_zh == "广东省" and view.province is None
    assert view.board.scope.query == "RG=440000" and not view.board.custom
    assert {(c.place.code, c.documents, c.applicants) for c in view.cities} == {
        ("440300", documents["440300"], 1), ("440100", documents["440100"], 1)}
    assert {c.name for c in view.companies} == owners["440000"]  # as printed, not harmonised keys
    assert {b.key for b in view.board.branches} >= {"led", "telecom"}  # the industries in the region
    city = regional.region_board(session, search, None, "440300", DashboardFilters(), Language.en)
    assert city.province is not None and city.province.code == "440000" and city.cities == []
    assert city.board.indicators.counting.documents == documents["440300"]


def test_a_period_narrows_the_cities_too(search: SearchService, session: Session) -> None:
    every = regional.region_board(session, search, None, "440000", DashboardFilters(), Language.en)
    some = regional.region_board(session, search, None, "440000", DashboardFilters(from_year=2015, to_year=2016),
                                 Language.en)
    assert 0 < sum(c.documents for c in some.cities) < sum(c.documents for c in every.cities)


def _read_csv(rows: Iterator[str]) -> list[list[str]]:
    import csv

    return list(csv.reader("".join(rows).splitlines()))


def test_the_tables_download_as_the_pages_show_them(search: SearchService, session: Session) -> None:
    """The provinces, a province's cities and a region's key companies as CSV: the page's rows under
    the page's filters, names in the reader's language."""
    provinces = _read_csv(regional.provinces_csv(search, Language.zh))
    assert provinces[0] == ["province", "code", "documents", "applicants_here"]
    assert provinces[1:] == [[r.place.name_zh, r.place.code, str(r.documents), str(r.applicants)]
                             for r in regional.overview(search).provinces]
    period = DashboardFilters(from_year=2015, to_year=2016)
    view = regional.region_board(session, search, None, "440000", period, Language.en)
    cities = _read_csv(regional.region_csv(search, "440000", period, regional.RegionTable.cities, Language.en))
    assert cities[0] == ["prefecture", "code", "documents", "applicants_here"]
    assert cities[1:] == [[c.place.name_en, c.place.code, str(c.documents), str(c.applicants)] for c in view.cities]
    assert {row[0] for row in cities[1:]} == {"Shenzhen", "Guangzhou"}
    companies = _read_csv(regional.region_csv(search, "440000", period, regional.RegionTable.companies, Language.en))
    assert companies[0] == regional.COMPANY_COLUMNS
    assert companies[1:] == [[a.name, str(a.documents), str(a.share)] for a in view.companies]
    with pytest.raises(NotFound):
        regional.region_csv(search, "999999", period, regional.RegionTable.cities, Language.en)


def test_regions_compared_have_their_own_pages_figures(search: SearchService, session: Session) -> None:
    """Each region of a comparison counts what its own page counts, under the same filters."""
    period = DashboardFilters(from_year=2010, to_year=2022, counting=CountingUnit.document)
    shown = regional.compare(search, ["广东", "Beijing", "440000"], period)  # 广东 twice: once
    assert [row.place.code for row in shown.regions] == ["440000", "110000"]
    for row in shown.regions:
        ind = regional.region_board(session, search, None, row.place.code, period, Language.en).board.indicators
        assert (row.total, row.applicants, row.annual_rate) == (ind.total, ind.applicant_count, ind.growth.annual_rate)
        assert row.per_year == {y.year: y.documents for y in ind.years} and sum(row.per_year.values()) == row.total
    assert shown.years == sorted({y for row in shown.regions for y in row.per_year})
    for typed in (["广东"], ["广东", "广东省"], ["北京", "上海", "天津", "重庆", "广东", "浙江"], ["Atlantis"] * 6, []):
        with pytest.raises(InvalidInput, match="compare two to 5 different regions"):
            regional.compare(search, typed, period)
    with pytest.raises(InvalidInput, match="unknown region"):
        regional.compare(search, ["广东", "Atlantis"], period)


def test_an_unknown_code_is_not_found(search: SearchService, session: Session) -> None:
    for code in ("999999", "440301", "abcdef"):
        with pytest.raises(NotFound):
            regional.region_board(session, search, None, code, DashboardFilters(), Language.en)


def test_the_regions_report_is_chinese_throughout(search: SearchService, session: Session) -> None:
    params = IndicatorParams.checked(cutoff=shown_today())
    data, html = build_document(search, session, regional.scope_key("440000"), params, Language.zh)
    assert data.title.startswith("广东省") or "广东省" in data.title
    assert "深圳市" in html and "广州市" in html and "Shenzhen" not in html
    # the cities stand under their province, as part of it: a flat list added up to more than the whole
    rows = html.split("行政区划代码")[1].split("</table>")[0]
    assert rows.index("<td>广东省</td>") < rows.index("其中：深圳市") and '<tr class="sub">' in rows


def test_nobody_can_define_a_scope_in_the_regions_namespace(session: Session) -> None:
    with pytest.raises(Conflict):
        scopes.create(session, ScopeIn(key="region-440000", name="mine", query="TI=led"), owner_id=1)
    session.rollback()


def test_the_api_answers_bad_region_names_with_a_problem(embedded_client: TestClient) -> None:
    assert embedded_client.get("/api/v1/regions").status_code == 200
    for name in ("Atlantis", "999999", "Suzhou", "%00", "x" * 300):
        r = embedded_client.get(f"/api/v1/regions/{name}")
        assert r.status_code == 400, name
        assert r.headers["content-type"].startswith("application/problem+json")
    assert embedded_client.get("/api/v1/regions/广东?from=2020&to=2010").status_code == 400
    assert embedded_client.get("/api/v1/regions/广东?from=99999").status_code == 422  # outside the declared range
    assert embedded_client.get("/api/v1/regions/Guangdong").json()["place"]["code"] == "440000"
