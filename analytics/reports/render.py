"""HTML (Jinja2, self-contained) and PDF (WeasyPrint with Debian's fonts, CJK included)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from analytics.i18n import SECTIONS, text
from analytics.indicators import KeyPatent
from analytics.reports.content import ReportData
from core.i18n import SHOWN_ZONE

_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)


def html(data: ReportData) -> str:
    # matplotlib is imported when a report is drawn: it takes most of a second, at every start of
    # every process that imports this module otherwise
    from analytics.reports.charts import render as render_charts

    t = text(data.lang)
    return _env.get_template("report.html.j2").render(
        d=data, ind=data.indicators, t=t, sections=SECTIONS, charts=render_charts(data.indicators, data.lang),
        synthetic=any(_synthetic(k) for k in data.indicators.key_patents), zone=SHOWN_ZONE)


def _synthetic(patent: KeyPatent) -> bool:
    """Flagged synthetic, or numbered like loaders.synthetic's documents (US 90000000+): documents
    loaded before the loader carried the files' SYNTHETIC status into the flag are not flagged."""
    return patent.synthetic or (patent.pn.startswith("US9") and len(patent.pn) >= 12)


def pdf(document: str) -> bytes:
    from weasyprint import HTML

    result: bytes = HTML(string=document).write_pdf()
    return result
