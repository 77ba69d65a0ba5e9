"""HTML (Jinja2, self-contained) and PDF (WeasyPrint with Debian's fonts, CJK included)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from analytics.i18n import SECTIONS, text
from analytics.reports.charts import render as render_charts
from analytics.reports.content import ReportData

_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)


def html(data: ReportData) -> str:
    t = text(data.lang)
    return _env.get_template("report.html.j2").render(
        d=data, ind=data.indicators, t=t, sections=SECTIONS, charts=render_charts(data.indicators, data.lang),
        synthetic=any(k.pn.startswith("US9") and len(k.pn) >= 12 for k in data.indicators.key_patents))


def pdf(document: str) -> bytes:
    from weasyprint import HTML

    result: bytes = HTML(string=document).write_pdf()
    return result
