"""Reports: a generated PDF holds the section titles and numbers (pdftotext), Chinese text is set
in an embedded CJK font (pdffonts), the charts are in it (pdfimages); the HTML stands alone; every
version is archived with what reproduces it."""

from __future__ import annotations

import datetime as dt
import html
import re
import subprocess
import uuid
from pathlib import Path

import pytest

from analytics import scopes
from analytics.i18n import SECTIONS, STRINGS, text
from analytics.indicators import IndicatorParams, compute
from analytics.industries import INDUSTRIES
from analytics.models import Report, ReportStatus
from analytics.reports import content, render
from analytics.reports.charts import life_cycle_figure
from analytics.reports.service import ReportRequest, generate, queue
from core.accounts.service import create_user
from core.db import session_scope
from core.errors import NotFound
from core.i18n import Language
from core.settings import Settings
from ipsearch.backends import get_backend
from ipsearch.service import SearchService

QUERY = "IPC=A OR IPC=B OR IPC=C OR IPC=G OR IPC=H"


@pytest.fixture(scope="module")
def scope_key(corpus_settings: Settings) -> str:
    key = f"all-{uuid.uuid4().hex[:6]}"
    with session_scope(corpus_settings.effective_database_url) as session:
        user = create_user(session, f"analyst-{key}@example.org", "correct horse battery")
        scopes.create(session, scopes.ScopeIn(key=key, name="Five IPC sections", name_zh="五个IPC部", query=QUERY,
                                              branches=[{"key": "h", "name": "Electricity", "query": "IPC=H"},
                                                        {"key": "g", "name": "Physics", "query": "IPC=G"}]),
                      user.id)
    return key


def make_report(settings: Settings, scope: str, lang: str) -> Report:
    with session_scope(settings.effective_database_url) as session:
        report_id = queue(session, ReportRequest.model_validate(
            {"scope": scope, "lang": lang, "cutoff": "2024-06-30", "home_country": "US"}), None).id
    report = generate(settings, report_id)
    assert report.status is ReportStatus.done, report.error
    return report


def pdf_tool(tool: str, path: Path, *args: str, stdout: bool = False) -> str:
    command = [tool, *args, str(path), *(["-"] if stdout else [])]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pdf_has_sections_numbers_fonts_and_charts(lang: str, corpus_settings: Settings, scope_key: str,
                                                   tmp_path: Path) -> None:
    report = make_report(corpus_settings, scope_key, lang)
    assert report.pdf and report.html and report.data
    path = tmp_path / f"report-{lang}.pdf"
    path.write_bytes(report.pdf)
    words = pdf_tool("pdftotext", path, "-layout", "-enc", "UTF-8", stdout=True).replace("\n", " ")
    titles = [STRINGS[lang][s] for s in SECTIONS]
    positions = [words.find(f"{i}. {title}") for i, title in enumerate(titles, 1)]
    assert all(p >= 0 for p in positions), dict(zip(titles, positions, strict=True))
    assert positions == sorted(positions)  # in order

    expected = compute(SearchService(get_backend(corpus_settings, "es")), QUERY,
                       IndicatorParams.model_validate(report.params))
    assert re.search(rf"\b{expected.total}\b", words)
    assert f"{expected.concentration.cr4}" in words and f"{expected.concentration.hhi}" in words
    assert expected.top_applicants[0].name.split()[0] in words  # as printed, not the harmonised key
    assert "2024-06-30" in words
    # the yearly table's column can fall ("Change %"); the hotspots grew ("Growth %"), as on the dashboard
    assert STRINGS[lang]["growth"] in words and STRINGS[lang]["hot_growth"] in words

    fonts = pdf_tool("pdffonts", path)
    embedded = [line for line in fonts.splitlines()[2:] if line.split()[-5:-4] == ["yes"] or " yes " in line]
    assert embedded and all(" yes " in line for line in fonts.splitlines()[2:])  # every font embedded
    if lang == "zh":
        assert "检索策略与检索截止日" in words and "成" in words
        assert any("CJK" in line for line in fonts.splitlines()[2:]), fonts
    images = pdf_tool("pdfimages", path, "-list").splitlines()[2:]
    assert len(images) >= 5  # trend, life cycle, countries, applicants, IPC
    assert report.html.count("data:image/png;base64,") == 5 and "http" not in re.sub(r"<code>.*?</code>", "",
                                                                                     report.html).split("<body>")[1]


def test_reports_are_archived_and_reproducible(corpus_settings: Settings, scope_key: str) -> None:
    first = make_report(corpus_settings, scope_key, "en")
    again = make_report(corpus_settings, scope_key, "en")
    assert again.version == first.version + 1 and again.id != first.id
    assert first.data and again.data
    for key in ("indicators", "branches", "alerts", "conclusions"):
        assert first.data[key] == again.data[key]
    prov = first.data["provenance"]
    assert prov["query"] == QUERY and prov["params"]["cutoff"] == "2024-06-30" and prov["load_runs"]
    assert prov["load_runs"] == first.load_runs and prov["generated_at"] != again.data["provenance"]["generated_at"]
    with session_scope(corpus_settings.effective_database_url) as session:
        assert session.get(Report, first.id).pdf == first.pdf  # the older version is kept untouched


def test_bad_requests_are_refused(corpus_settings: Settings) -> None:
    with session_scope(corpus_settings.effective_database_url) as session:
        with pytest.raises(NotFound):
            queue(session, ReportRequest(scope="no-such-industry"), None)
        with pytest.raises(Exception, match="after"):
            queue(session, ReportRequest(scope="led", from_year=2020, to_year=2010), None)
    with pytest.raises(ValueError):
        ReportRequest.model_validate({"scope": "led", "lang": "fr"})


def test_a_lapsed_patents_expiry_comes_from_its_event_and_the_report_says_so(corpus_settings: Settings) -> None:
    """EP1000000A1 lapsed (the OPS legal responses name that publication): its expiry is the
    event's date, labelled so; a US grant without legal data keeps the statutory estimate,
    labelled as an estimate."""
    key = f"fam-{uuid.uuid4().hex[:6]}"
    with session_scope(corpus_settings.effective_database_url) as session:
        user = create_user(session, f"analyst-{key}@example.org", "correct horse battery")
        scopes.create(session, scopes.ScopeIn(key=key, name="One family and a grant", name_zh="一个同族",
                                              query="FAM=19768124 OR PN=US6836899B1"), user.id)
    service = SearchService(get_backend(corpus_settings))
    lapsed = service.backend.get("EP1000000A1")
    assert lapsed is not None and lapsed["expiry_basis"] == "event" and lapsed["legal_status"] == "lapsed"
    report = make_report(corpus_settings, key, "en")
    rows = {k["pn"]: k for k in report.data["indicators"]["key_patents"]}  # type: ignore[index]
    assert (rows["EP1000000A1"]["expiry_date"], rows["EP1000000A1"]["expiry_basis"]) == (
        lapsed["expiry_date"], "event")
    assert rows["US6836899B1"]["expiry_basis"] == "estimate"
    assert re.search(rf"<td>EP1000000A1</td>.*?{lapsed['expiry_date']} \(from a legal event\)", report.html, re.S)
    assert re.search(r"<td>US6836899B1</td>.*?\d{4}-\d\d-\d\d \(estimate\)", report.html, re.S)


# --- the Chinese report is Chinese throughout; names as printed; a legible life cycle -------------

# Latin words a Chinese report may carry in its own wording: measures, codes, product names
LATIN_IN_CHINESE = {"CR", "HHI", "IPC", "WIPO", "DOCDB", "LED", "Elasticsearch", "SQLite", "SYNTHETIC", "US"}


def own_wording(document: str, data: content.ReportData) -> list[str]:
    """The report's own text: headings, header cells, notes and conclusions, with the data they
    quote (queries, applicant names, IPC codes) taken out."""
    parts = re.findall(r"<(h[1-3]|th|p|li)[^>]*>(.*?)</\1>", re.sub(r"<code>.*?</code>", " ", document), re.S)
    wording = " ".join(re.sub(r"<[^>]+>", " ", body) for _, body in parts)
    ind = data.indicators
    for quoted in [a.name for a in ind.top_applicants] + [h.code for h in ind.hotspots]:
        wording = wording.replace(html.escape(quoted), " ")
    return re.findall(r"[A-Za-z]{2,}", wording)


@pytest.mark.parametrize("backend", ["es", "embedded"])
def test_the_chinese_report_is_chinese_throughout(backend: str, corpus_settings: Settings) -> None:
    service = SearchService(get_backend(corpus_settings, backend))
    industry = INDUSTRIES["telecom"]
    params = IndicatorParams.model_validate({"cutoff": "2024-06-30", "home_country": "US"})
    data = content.build(service, industry, params, Language.zh, [1])
    document = render.html(data)
    assert set(own_wording(document, data)) <= LATIN_IN_CHINESE
    for branch in industry.branches:
        assert f"<td>{branch.name_zh}</td>" in document and branch.name not in document
    kind = {"es": "Elasticsearch 检索服务器", "embedded": "内置检索库（SQLite）"}[backend]
    for label, value in (("趋势统计口径", "申请日"), ("检索引擎", kind), ("统计单位", "简单同族"),
                         ("时间范围", "数据中的全部年份")):  # no years chosen: said, not "… – …"
        assert f"<tr><th>{label}</th><td>{value}</td></tr>" in document
    assert "申请日晚于2021-11-09" in document and "数据最新公开日" in document  # the data ends 2023-05-09

    english_data = content.build(service, industry, params, Language.en, [1])
    english = render.html(english_data)
    assert "<tr><th>Trend basis</th><td>Filing date</td></tr>" in english
    # the time of day is Beijing's in both languages, as on every page: 20:30 UTC is 04:30 next morning
    evening = dt.datetime(2026, 12, 4, 20, 30, tzinfo=dt.UTC)
    for report, said in ((data, "生成时间：2026-12-05 04:30 （北京时间）"),
                         (english_data, "Generated: 2026-12-05 04:30 (Beijing time, UTC+8)")):
        report.provenance.generated_at = evening
        assert said in render.html(report)
    assert "<tr><th>Counting unit</th><td>Simple patent families</td></tr>" in english


def test_applicant_names_are_shown_as_printed(es_service: SearchService) -> None:
    data = content.build(es_service, INDUSTRIES["medical-devices"], IndicatorParams.model_validate(
        {"cutoff": "2024-06-30", "home_country": "US"}), Language.zh, [])
    document = render.html(data)
    top = data.indicators.top_applicants
    assert top and any(a.name != a.key for a in top)
    for a in top:
        assert a.name and a.key == a.key.lower() and f"<td>{html.escape(a.name)}</td>" in document
        if a.name != a.key:
            assert f"<td>{a.key}</td>" not in document
    assert any(c.startswith(f"{top[0].name}居首") for c in data.conclusions)


@pytest.mark.parametrize(("documents", "applicants"), [
    ([40, 41, 40, 42, 41, 40, 41, 42], [6, 6, 6, 7, 6, 6, 6, 6]),
    ([100 + 15 * i for i in range(22)], [1000 + i % 3 for i in range(22)])])
def test_the_life_cycle_chart_stays_legible_when_applicants_barely_change(documents: list[int],
                                                                          applicants: list[int]) -> None:
    points = [(2000 + i, d, a) for i, (d, a) in enumerate(zip(documents, applicants, strict=True))]
    fig = life_cycle_figure(points, text(Language.zh), "同族数")
    fig.canvas.draw()
    ax = fig.axes[0]
    low, high = ax.get_ylim()
    assert 0 <= low <= min(applicants) and high >= max(applicants) and high - low >= max(applicants) / 2
    for axis in (ax.xaxis, ax.yaxis):
        assert axis.get_offset_text().get_text() == ""  # no "+1e3" offset
        labels = [t.get_text() for t in axis.get_ticklabels() if t.get_text()]
        assert labels and all(re.fullmatch(r"\d+", label) for label in labels), labels
    years = [t.get_text() for t in ax.texts]
    assert years[:2] == ["2000", str(points[-1][0])]  # the first and the last year are always labelled
    boxes = [t.get_window_extent() for t in ax.texts]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])  # no label on another
    assert ax.get_title() == "技术生命周期（申请人数与同族数）"
