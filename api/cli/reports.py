"""Early-warning reports written to a file."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from analytics.counting import CountingUnit
from api.cli.app import app, console, err, output_file
from api.cli.patents import BackendOption
from core.i18n import Language
from core.settings import get_settings

if TYPE_CHECKING:
    from analytics.reports.content import ReportData


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    json = "json"


def _write(data: ReportData, html: str, fmt: ReportFormat, target: Path) -> None:
    from analytics.reports import render

    if fmt is ReportFormat.pdf:
        target.write_bytes(render.pdf(html))
    elif fmt is ReportFormat.html:
        target.write_text(html, encoding="utf-8")
    else:
        target.write_text(data.model_dump_json(indent=2), encoding="utf-8")


@app.command()
def report(
    scope: Annotated[str, typer.Argument(help="industry (led, digital-tv, telecom, medical-devices, software) "
                                              "or a scope you defined")],
    from_year: Annotated[int | None, typer.Option("--from", min=1800, max=2200, help="first year")] = None,
    to_year: Annotated[int | None, typer.Option("--to", min=1800, max=2200, help="last year")] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.html,
    out: Annotated[Path | None, typer.Option(help="output file (default: report-SCOPE.FORMAT)",
                                          callback=output_file)] = None,
    lang: Language = Language.en,
    cutoff: Annotated[str | None, typer.Option(help="data cut-off date YYYY-MM-DD (default: today)")] = None,
    basis: Annotated[str, typer.Option(help="trend basis: filing, priority or publication")] = "filing",
    home: Annotated[str, typer.Option(help="home country for domestic vs foreign")] = "CN",
    counting: Annotated[CountingUnit, typer.Option(help="count simple families (as WIPO landscape reports do) "
                                                        "or documents")] = CountingUnit.family,
    backend: BackendOption = None,
) -> None:
    """Write an early-warning report for a scope and period (HTML, PDF or JSON)."""
    from analytics.reports.service import ReportRequest, build_document
    from core.db import session_scope
    from core.migrate import upgrade
    from ipsearch.backends import get_backend
    from ipsearch.service import SearchService

    request = ReportRequest.model_validate({"scope": scope, "lang": lang, "basis": basis, "from_year": from_year,
                                            "to_year": to_year, "cutoff": cutoff, "home_country": home,
                                            "counting": counting})
    settings = get_settings()
    upgrade()
    target = out or Path(f"report-{scope}.{fmt.value}")
    steps = ["indicators", "branches", "alerts", "html"] + (["pdf"] if fmt is ReportFormat.pdf else [])
    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err) as bar:
        task = bar.add_task("report", total=len(steps))

        def step(name: str) -> None:
            bar.update(task, description=name, completed=steps.index(name))

        with session_scope(settings.effective_database_url) as session:
            data, html = build_document(SearchService(get_backend(settings, backend)), session, scope,
                                        request.params(), request.lang, step)
        if fmt is ReportFormat.pdf:
            step("pdf")
        _write(data, html, fmt, target)
        bar.update(task, description="done", completed=len(steps))
    ind = data.indicators
    unit = "families" if ind.counting.unit is CountingUnit.family else "documents"
    console.print(f"{target}: {ind.total} {unit} ({ind.counting.documents} documents), {ind.applicant_count} "
                  f"applicants, life cycle {ind.life_cycle.stage or 'none (the period is too short)'}, "
                  f"HHI {ind.concentration.hhi} ({ind.concentration.hhi_band}), {len(data.alerts)} alerts")
