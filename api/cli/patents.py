"""Patents: load XML, the demo corpus, search and explain queries."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli.app import app, console, err
from core.settings import BackendKind, get_settings
from ipsearch.results import SortMode

if TYPE_CHECKING:
    from loaders.pipeline import LoadSummary
    from loaders.pipeline import Progress as LoadProgress

BackendOption = Annotated[BackendKind | None, typer.Option(parser=BackendKind, metavar="elasticsearch|es|embedded",
                                                            help="default: the configured one")]


def _load_with_bar(paths: list[Path], backend: BackendKind | None, workers: int, force: bool) -> LoadSummary:
    from loaders.pipeline import run_load

    bar = Progress(TextColumn("[bold]loading[/]"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                   TextColumn("{task.fields[docs]} docs  {task.fields[rate]:.0f} docs/s  "
                              "{task.fields[mbs]:.1f} MB/s  errors {task.fields[errors]}"),
                   TimeElapsedColumn(), console=err)
    with bar:
        task = bar.add_task("load", total=1, docs=0, rate=0.0, mbs=0.0, errors=0)

        def on_progress(p: LoadProgress) -> None:
            elapsed = max(time.perf_counter() - p.started, 1e-6)
            bar.update(task, total=max(p.bytes_total, 1), completed=p.bytes_done, docs=p.loaded,
                       rate=p.loaded / elapsed, mbs=p.bytes_done / elapsed / 1e6, errors=p.failed)

        return run_load(get_settings(), paths, backend=backend, workers=workers, force=force, progress=on_progress)


def _print_summary(summary: LoadSummary) -> None:
    table = Table(title=f"Load run {summary.run_id} into {summary.backend}")
    for col in ("files", "unchanged", "loaded", "failed", "skipped", "seconds", "quarantine report"):
        table.add_column(col)
    table.add_row(str(summary.files), str(summary.files_unchanged), str(summary.loaded),
                  f"[red]{summary.failed}[/]" if summary.failed else "0", str(summary.skipped),
                  f"{summary.seconds:.1f}", summary.quarantine or "-")
    console.print(table)
    if not summary.files:
        err.print("[yellow]No patent XML was found there[/]: a folder is read for .xml and .sgm files and .zip "
                  "archives of them.", highlight=False)
    if summary.quarantine:  # why, here: not only in a report the reader has to open
        _print_quarantined(Path(summary.quarantine))
    if summary.files_unchanged:  # a file copied again (to another folder, under another name) is the same file
        console.print(f"{summary.files_unchanged} unchanged: files already loaded into {summary.backend} with the "
                      "same content (by checksum, wherever they lie now); --force loads them again.", highlight=False)


QUARANTINE_PRINTED = 5


def _print_quarantined(report: Path) -> None:
    from loaders.service import read_quarantine

    try:
        found = read_quarantine(report, QUARANTINE_PRINTED)
    except OSError:
        return
    for entry in found.entries:
        at = f" (document {entry.number})" if entry.number else ""
        err.print(f"  {entry.file}{at}: {entry.error}", highlight=False, markup=False)
    if found.total > len(found.entries):
        err.print(f"  … and {found.total - len(found.entries)} more in the quarantine report", highlight=False)


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Files, .zip archives or directories of patent XML.")],
    backend: BackendOption = None,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Parser processes.")] = 1,
    force: Annotated[bool, typer.Option(help="Reload files already loaded to this backend.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
) -> None:
    """Load patent XML into the search backend: USPTO grants and applications (v4.x, and the
    2001-2004 "pap" applications), CNIPA (old and new formats), EPO, JPO, DOCDB, EPO OPS responses
    and LexisNexis. Each document's root element, not the file's name, says which it is.

    Exit code 0: all documents loaded; 1: some documents quarantined; 2: bad arguments;
    3: interrupted (run the same command again to resume).
    """
    from api.worker import import_task_modules
    from core.migrate import upgrade
    from loaders.pipeline import LoadInterrupted, run_load

    import_task_modules()  # so the load wakes every corpus-updated listener, as a load through the API does
    upgrade()
    try:
        if as_json:
            summary = run_load(get_settings(), paths, backend=backend, workers=workers, force=force)
        else:
            summary = _load_with_bar(paths, backend, workers, force)
    except LoadInterrupted as exc:
        if as_json:
            print(json.dumps({"status": "interrupted", "error": str(exc)}))
        raise
    if as_json:
        print(summary.model_dump_json(include={"run_id", "loaded", "failed", "skipped", "files", "files_unchanged",
                                               "quarantine", "seconds"}))
    else:
        _print_summary(summary)
    raise typer.Exit(1 if summary.failed else 0)


@app.command()
def reanalyse() -> None:
    """Rewrite the Elasticsearch index's tokens with this version's text analysis (after an upgrade
    that changed it); the index keeps answering meanwhile. Stop loads of an older version first.

    Exit code 0: done, or nothing to do; 1: done, but some stored documents no longer read as
    documents (listed: load their files again with --force); 2: no Elasticsearch configured, no
    index yet, or one made by a newer version; 3: Elasticsearch unavailable or the run interrupted
    (run it again: it finishes the work).
    """
    from ipsearch.reanalysis import reanalyse as reanalyse_index

    done = reanalyse_index(get_settings())
    if done.from_version == done.to_version:
        console.print(f"{done.index} is analysed with version {done.to_version} already: nothing to do")
        return
    console.print(f"[green]{done.index}:[/] {done.documents} documents reanalysed (version {done.from_version} "
                  f"→ {done.to_version}) in {done.seconds:.1f} s")
    if done.unreadable:
        err.print(f"[yellow]{len(done.unreadable)} stored documents no longer read as documents and were left as "
                  f"they were; load their files again with --force:[/] {', '.join(done.unreadable[:50])}",
                  highlight=False)
        raise typer.Exit(1)


@app.command("demo-data")
def demo_data(
    docs: Annotated[int, typer.Option(min=1, help="How many synthetic documents.")] = 1000,
    out: Annotated[Path | None, typer.Option(help="Folder for the XML (default: <data dir>/demo).")] = None,
    seed: Annotated[int, typer.Option(help="The same seed writes the same documents.")] = 7,
) -> None:
    """Write realistic SYNTHETIC USPTO-format XML (labelled synthetic in every document)."""
    from loaders.synthetic import SyntheticOptions, write_weekly_files

    folder = out or get_settings().resolved_data_dir / "demo"
    files = write_weekly_files(folder, SyntheticOptions(docs=docs, seed=seed))
    console.print(f"[green]{docs} synthetic documents[/] in {len(files)} files under {folder}")


@app.command()
def demo(docs: Annotated[int, typer.Option(min=1, help="How many synthetic documents.")] = 2000) -> None:
    """Prepare the demo: synthetic documents plus the real samples, loaded into the search backend."""
    from api.worker import import_task_modules
    from core.migrate import upgrade
    from demo.content import seed_demo_content
    from loaders.demo import prepare_demo

    import_task_modules()  # so the load wakes every corpus-updated listener, as a load through the API does
    upgrade()
    summary = prepare_demo(get_settings(), docs)
    console.print(f"[green]demo corpus ready:[/] {summary.loaded} loaded now, {summary.files_unchanged} files "
                  f"already loaded, {summary.failed} quarantined")
    content = seed_demo_content(get_settings())
    if content.created:
        console.print(f"[green]demo content:[/] {content.people} people, {content.topics} forum threads, "
                      f"{content.agencies} agencies, {content.works} registered work, {content.services} "
                      "service hall services (all labelled demo)")
        console.print(f"[bold]administrator {content.admin_email}, password {content.admin_password}[/] "
                      "(shown this once: keep it)", markup=True, highlight=False)
    else:  # a second `make run`: the password was printed the first time and is stored hashed only
        console.print(f"demo content already there: administrator {content.admin_email} (its password was printed "
                      f"when it was made; `.venv/bin/ipcommons users set-password {content.admin_email}` asks for "
                      "a new one, kept out of the shell's history); anyone can sign up at /signup",
                      markup=False, highlight=False)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='e.g. \'TI=(led OR "light emitting diode") AND PD>=2015\'')],
    backend: BackendOption = None,
    size: Annotated[int, typer.Option(min=1, max=500)] = 10,
    sort: SortMode = SortMode.relevance,
    as_json: Annotated[bool, typer.Option("--json", help='One object: {"total": n, "hits": [...]}')] = False,
) -> None:
    """Search patents with the professional query language."""
    from ipsearch.backends import get_backend
    from ipsearch.service import SearchService

    result = SearchService(get_backend(get_settings(), backend)).search(query, size=size, sort=sort)
    if as_json:
        print(json.dumps({"total": result.total,
                          "hits": [{"pn": h.pn, "title": h.title, "score": h.score} for h in result.hits]},
                         ensure_ascii=False))
        return
    table = Table(title=f"{result.total} result{'' if result.total == 1 else 's'} ({result.backend}, "
                        f"{result.took_ms:.0f} ms)")
    for col in ("publication", "title", "applicant", "date", "score"):
        table.add_column(col)
    for h in result.hits:
        table.add_row(h.pn, h.title[:70], (h.applicants or [""])[0][:30], h.publication_date or "", f"{h.score:.2f}")
    console.print(table)


@app.command()
def explain(query: str) -> None:
    """Print the parsed query and what each backend would run."""
    from ipsearch.query.explain import explain_query

    explained = explain_query(get_settings(), query)
    console.print("[bold]AST[/]")
    console.print(explained.ast, highlight=False, markup=False)
    console.print("[bold]normalised[/]  ", end="")
    console.print(explained.normalised, highlight=False, markup=False)  # a query's own brackets are no markup
    for name, compiled in explained.backends.items():
        console.print(f"[bold]{name}[/]")
        console.print(compiled, highlight=False, markup=False)
