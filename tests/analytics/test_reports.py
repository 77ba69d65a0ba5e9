"""Reports: a generated PDF holds the section titles and numbers (pdftotext), Chinese text is set
in an embedded CJK font (pdffonts), the charts are in it (pdfimages); the HTML stands alone; every
version is archived with what reproduces it."""

from __future__ import annotations

import re
import subprocess
import uuid
from pathlib import Path

import pytest

from analytics import scopes
from analytics.i18n import SECTIONS, STRINGS
from analytics.indicators import IndicatorParams, compute
from analytics.models import Report, ReportStatus
from analytics.reports.service import ReportRequest, generate, queue
from core.accounts.service import create_user
from core.db import session_scope
from core.errors import NotFound
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
    assert expected.top_applicants[0].key in words
    assert "2024-06-30" in words

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
