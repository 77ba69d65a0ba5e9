"""The ``ipcommons`` command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from core.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from core.accounts.models import User

app = typer.Typer(help="IP Commons: open intellectual-property public service platform.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
copyright_app = typer.Typer(help="Copyright registry: register works, verify certificates.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(copyright_app, name="copyright")

console = Console()
err = Console(stderr=True)


def worker_command(concurrency: int = 2) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "core.celery_app:celery_app", "worker",
            "--loglevel=INFO", f"--concurrency={concurrency}", "--pool=threads", "--without-gossip",
            "--without-mingle", "--hostname", f"ipcommons-{os.getpid()}@%h"]


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    worker: Annotated[bool | None, typer.Option(help="Also run a local Celery worker "
                                                 "(default: on with the embedded broker).")] = None,
    reload: bool = False,
) -> None:
    """Serve the API and web pages."""
    import uvicorn

    settings = get_settings()
    proc = None
    if worker if worker is not None else settings.broker_kind == "embedded":
        proc = subprocess.Popen(worker_command(1))
        console.print(f"[green]local worker started[/] (pid {proc.pid}, broker: {settings.broker_kind})")
    try:
        uvicorn.run("api.app:create_app", factory=True, host=host, port=port, reload=reload)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)


@app.command()
def worker(concurrency: int = 2) -> None:
    """Run a Celery worker for background jobs (loads, reports, certificates)."""
    raise typer.Exit(subprocess.call(worker_command(concurrency)))


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply database migrations."""
    from core.migrate import upgrade

    upgrade(revision=revision)
    console.print(f"[green]database at {revision}[/]")


@users_app.command("create-admin")
def create_admin(
    email: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          envvar="IPC_ADMIN_PASSWORD")],
) -> None:
    """Create an administrator account (or promote an existing one)."""
    from sqlalchemy import select

    from core.accounts.models import Role, User
    from core.accounts.service import create_user, normalise_email
    from core.audit import AuditContext, append
    from core.db import session_scope
    from core.errors import DomainError

    try:
        with session_scope() as session:
            existing = session.scalar(select(User).where(User.email == normalise_email(email)))
            if existing is not None:
                existing.role = Role.admin
                user = existing
            else:
                user = create_user(session, email, password, role=Role.admin)
            append(session, AuditContext(actor_id=None, client_ip="cli"), "user.create_admin", "user", user.id)
    except DomainError as exc:
        err.print(f"[red]error:[/] {exc.detail}")
        raise typer.Exit(2) from exc
    console.print(f"[green]admin {email} ready[/] (id {user.id})")


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Files, .zip archives or directories of patent XML.")],
    backend: Annotated[str | None, typer.Option(help="es or embedded (default: the configured one)")] = None,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Parser processes.")] = 1,
    force: Annotated[bool, typer.Option(help="Reload files already loaded to this backend.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
) -> None:
    """Load patent XML (US, CN, EP, JP, DOCDB) into the search backend.

    Exit code 0: all documents loaded; 1: some documents quarantined; 2: bad arguments;
    3: interrupted (run the same command again to resume).
    """
    import json

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from core.migrate import upgrade
    from loaders.pipeline import LoadInterrupted, run_load
    from loaders.pipeline import Progress as LoadProgress

    settings = get_settings()
    upgrade()
    try:
        if as_json:
            summary = run_load(settings, paths, backend=backend, workers=workers, force=force)
        else:
            bar = Progress(TextColumn("[bold]loading[/]"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                           TextColumn("{task.fields[docs]} docs  {task.fields[rate]:.0f} docs/s  "
                                      "{task.fields[mbs]:.1f} MB/s  errors {task.fields[errors]}"),
                           TimeElapsedColumn(), console=err)
            with bar:
                task = bar.add_task("load", total=1, docs=0, rate=0.0, mbs=0.0, errors=0)

                def on_progress(p: LoadProgress) -> None:
                    import time as _t

                    elapsed = max(_t.perf_counter() - p.started, 1e-6)
                    bar.update(task, total=max(p.bytes_total, 1), completed=p.bytes_done, docs=p.loaded,
                               rate=p.loaded / elapsed, mbs=p.bytes_done / elapsed / 1e6, errors=p.failed)

                summary = run_load(settings, paths, backend=backend, workers=workers, force=force,
                                   progress=on_progress)
    except (FileNotFoundError, ValueError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    except LoadInterrupted as exc:
        if as_json:
            print(json.dumps({"status": "interrupted", "error": str(exc)}))
        else:
            err.print(f"[red]load interrupted:[/] {exc}\nRun the same command again to resume.")
        raise typer.Exit(3) from exc
    if as_json:
        print(json.dumps({"loaded": summary.loaded, "failed": summary.failed, "skipped": summary.skipped,
                          "quarantine": summary.quarantine, "seconds": summary.seconds}))
    else:
        table = Table(title=f"Load run {summary.run_id} into {summary.backend}")
        for col in ("files", "unchanged", "loaded", "failed", "skipped", "seconds", "quarantine report"):
            table.add_column(col)
        table.add_row(str(summary.files), str(summary.files_unchanged), str(summary.loaded),
                      f"[red]{summary.failed}[/]" if summary.failed else "0", str(summary.skipped),
                      f"{summary.seconds:.1f}", summary.quarantine or "-")
        console.print(table)
    raise typer.Exit(1 if summary.failed else 0)


@app.command("demo-data")
def demo_data(
    docs: Annotated[int, typer.Option(min=1, help="How many synthetic documents.")] = 1000,
    out: Annotated[Path | None, typer.Option(help="Folder for the XML (default: <data dir>/demo).")] = None,
    seed: int = 7,
) -> None:
    """Write realistic SYNTHETIC USPTO-format XML (labelled synthetic in every document)."""
    from loaders.synthetic import SyntheticOptions, write_weekly_files

    folder = out or get_settings().resolved_data_dir / "demo"
    files = write_weekly_files(folder, SyntheticOptions(docs=docs, seed=seed))
    console.print(f"[green]{docs} synthetic documents[/] in {len(files)} files under {folder}")


@app.command()
def demo(docs: Annotated[int, typer.Option(min=1)] = 2000) -> None:
    """Prepare the demo: synthetic documents plus the real samples, loaded into the search backend."""
    from core.migrate import upgrade
    from ipsearch.backends import get_backend
    from ipsearch.backends.embedded import IndexSchemaError
    from loaders.pipeline import run_load
    from loaders.synthetic import SyntheticOptions, write_weekly_files

    settings = get_settings()
    upgrade()
    folder = settings.resolved_data_dir / "demo"
    if not folder.exists():
        write_weekly_files(folder, SyntheticOptions(docs=docs))
    paths = [folder] + ([settings.patents_dir] if settings.patents_dir.is_dir() else [])
    force = False
    try:
        get_backend(settings).ensure_index()
    except IndexSchemaError as exc:  # built by an older version: the demo corpus is reproducible, rebuild it
        err.print(f"[yellow]{exc}[/]: rebuilding the demo index")
        get_backend(settings).drop()
        force = True
    summary = run_load(settings, paths, force=force)
    console.print(f"[green]demo corpus ready:[/] {summary.loaded} loaded now, {summary.files_unchanged} files "
                  f"already loaded, {summary.failed} quarantined")


@app.command()
def report(
    scope: Annotated[str, typer.Argument(help="industry (led, digital-tv, telecom, medical-devices, software) "
                                              "or a scope you defined")],
    from_year: Annotated[int | None, typer.Option("--from", min=1800, max=2200, help="first year")] = None,
    to_year: Annotated[int | None, typer.Option("--to", min=1800, max=2200, help="last year")] = None,
    fmt: Annotated[str, typer.Option("--format", help="html, pdf or json")] = "html",
    out: Annotated[Path | None, typer.Option(help="output file (default: report-SCOPE.FORMAT)")] = None,
    lang: Annotated[str, typer.Option(help="en or zh")] = "en",
    cutoff: Annotated[str | None, typer.Option(help="data cut-off date YYYY-MM-DD (default: today)")] = None,
    basis: Annotated[str, typer.Option(help="trend basis: filing, priority or publication")] = "filing",
    home: Annotated[str, typer.Option(help="home country for domestic vs foreign")] = "CN",
    backend: Annotated[str | None, typer.Option(help="es or embedded (default: the configured one)")] = None,
) -> None:
    """Write an early-warning report for a scope and period (HTML, PDF or JSON)."""
    from pydantic import ValidationError
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from analytics.reports import render
    from analytics.reports.service import ReportRequest, build_document
    from core.db import session_scope
    from core.errors import DomainError
    from core.migrate import upgrade
    from ipsearch.backends import get_backend
    from ipsearch.service import SearchService

    if fmt not in ("html", "pdf", "json"):
        err.print(f"[red]error:[/] unknown format {fmt!r}: html, pdf or json")
        raise typer.Exit(2)
    try:
        request = ReportRequest.model_validate({"scope": scope, "lang": lang, "basis": basis, "from_year": from_year,
                                                "to_year": to_year, "cutoff": cutoff, "home_country": home})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "options"
        err.print(f"[red]error:[/] {where}: {first['msg']}")
        raise typer.Exit(2) from exc
    settings = get_settings()
    upgrade()
    target = out or Path(f"report-{scope}.{fmt}")
    steps = ["indicators", "branches", "alerts", "html"] + (["pdf"] if fmt == "pdf" else [])
    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err) as bar:
        task = bar.add_task("report", total=len(steps))

        def step(name: str) -> None:
            bar.update(task, description=name, completed=steps.index(name))

        try:
            with session_scope(settings.effective_database_url) as session:
                data, html = build_document(SearchService(get_backend(settings, backend)), session, scope,
                                            request.params(), request.lang, step)
        except DomainError as exc:
            err.print(f"[red]error:[/] {exc}")
            raise typer.Exit(2) from exc
        if fmt == "pdf":
            step("pdf")
            target.write_bytes(render.pdf(html))
        elif fmt == "html":
            target.write_text(html, encoding="utf-8")
        else:
            target.write_text(data.model_dump_json(indent=2), encoding="utf-8")
        bar.update(task, description="done", completed=len(steps))
    ind = data.indicators
    console.print(f"{target}: {ind.total} documents, {ind.applicant_count} applicants, life cycle "
                  f"{ind.life_cycle.stage}, HHI {ind.concentration.hhi} ({ind.concentration.hhi_band}), "
                  f"{len(data.alerts)} alerts")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='e.g. \'TI=(led OR "light emitting diode") AND PD>=2015\'')],
    backend: Annotated[str | None, typer.Option(help="es or embedded (default: the configured one)")] = None,
    size: Annotated[int, typer.Option(min=1, max=500)] = 10,
    sort: Annotated[str, typer.Option(help="relevance, date or date_asc")] = "relevance",
    as_json: Annotated[bool, typer.Option("--json", help='One object: {"total": n, "hits": [...]}')] = False,
) -> None:
    """Search patents with the professional query language."""
    import json

    from ipsearch.backends import get_backend
    from ipsearch.query.parser import QuerySyntaxError
    from ipsearch.service import SearchService

    if sort not in ("relevance", "date", "date_asc"):
        err.print(f"[red]error:[/] unknown sort {sort!r}")
        raise typer.Exit(2)
    try:
        service = SearchService(get_backend(get_settings(), backend))
        result = service.search(query, size=size, sort=sort)  # type: ignore[arg-type]
    except QuerySyntaxError as exc:
        err.print("[red]query error:[/] ", end="")
        err.print(f"{exc.message}\n{exc.pointer()}", highlight=False, markup=False)
        raise typer.Exit(2) from exc
    except ValueError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    if as_json:
        print(json.dumps({"total": result.total,
                          "hits": [{"pn": h.pn, "title": h.title, "score": h.score} for h in result.hits]},
                         ensure_ascii=False))
        return
    table = Table(title=f"{result.total} results ({result.backend}, {result.took_ms:.0f} ms)")
    for col in ("publication", "title", "applicant", "date", "score"):
        table.add_column(col)
    for h in result.hits:
        table.add_row(h.pn, h.title[:70], (h.applicants or [""])[0][:30], h.publication_date or "", f"{h.score:.2f}")
    console.print(table)


@app.command()
def explain(query: str) -> None:
    """Print the parsed query and what each backend would run."""
    import json

    from ipsearch.analysis import get_analyzer
    from ipsearch.backends import get_backend
    from ipsearch.query.parser import QuerySyntaxError, parse_query
    from ipsearch.query.plan import Planner
    from ipsearch.query.render import render
    from ipsearch.query.to_es import compile_es
    from ipsearch.query.to_sql import SqlCompiler

    try:
        node = parse_query(query)
    except QuerySyntaxError as exc:
        err.print(f"query error: {exc.message}\n{exc.pointer()}", highlight=False, markup=False)
        raise typer.Exit(2) from exc
    settings = get_settings()
    console.print("[bold]AST[/]")
    console.print(repr(node), highlight=False, markup=False)
    console.print("[bold]normalised[/]  " + render(node), highlight=False)
    analyzer = get_analyzer()
    for kind in ("es", "embedded"):
        if kind == "es" and not settings.elasticsearch_url:
            console.print("[bold]elasticsearch[/]: not configured (IPC_ELASTICSEARCH_URL)")
            continue
        backend = get_backend(settings, kind)
        planner = Planner(analyzer, backend, query)
        try:
            if kind == "es":
                console.print("[bold]elasticsearch[/]")
                console.print_json(json.dumps(compile_es(node, planner), ensure_ascii=False))
            else:
                backend.ensure_index()
                sq = SqlCompiler(planner, backend.conn).compile(node)  # type: ignore[attr-defined]
                console.print("[bold]embedded (SQLite FTS5)[/]")
                console.print(f"WHERE {sq.where}\nparams: {sq.params}\nrank: {sq.rank_match}", highlight=False,
                              markup=False)
        except QuerySyntaxError as exc:
            console.print(f"{kind}: {exc}", markup=False)


@copyright_app.command("register")
def copyright_register(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    title: Annotated[str, typer.Option()],
    work_type: Annotated[str, typer.Option("--type", help="written, music, fine_art, photographic, software, ...")],
    owner: Annotated[str, typer.Option(help="Owner's e-mail; the account is created if needed.")],
    out: Annotated[Path, typer.Option(help="Where to write the certificate JSON.")],
    hash_only: Annotated[bool, typer.Option(help="Keep only the SHA-256, not the file.")] = False,
    author: Annotated[list[str] | None, typer.Option(help="Author (repeatable).")] = None,
) -> None:
    """Register a work and write its certificate.

    Exit code 0: registered; 2: bad input; 3: identical to or a near-duplicate of a registered
    work, so held for review (the matches are printed; no certificate until a moderator approves).
    """
    import json
    import secrets
    import shutil

    from sqlalchemy import select

    from copyright.models import WorkType
    from copyright.registry import WorkIn, certificate, hash_stream, register
    from core.accounts.models import User
    from core.accounts.service import create_user, normalise_email
    from core.audit import AuditContext, append
    from core.db import session_scope
    from core.errors import DomainError
    from core.migrate import upgrade

    settings = get_settings()
    upgrade()
    try:
        kind = WorkType(work_type)
    except ValueError as exc:
        err.print(f"[red]error:[/] unknown work type {work_type!r}; one of: {', '.join(t.value for t in WorkType)}")
        raise typer.Exit(2) from exc
    try:
        with file.open("rb") as fh:
            content = hash_stream(fh, settings.max_upload_bytes)
        with file.open("rb") as fh:
            head = fh.read(32 * 1024 * 1024)  # enough to fingerprint images and texts
        with session_scope() as session:
            user = session.scalar(select(User).where(User.email == normalise_email(owner)))
            if user is None:  # a registrar may register for a creator who has no account yet
                user = create_user(session, owner, secrets.token_urlsafe(24))
            stored = None
            if not hash_only:
                folder = settings.resolved_data_dir / "works"
                folder.mkdir(parents=True, exist_ok=True)
                stored = str(folder / content.sha256)
                shutil.copyfile(file, stored)
            reg = register(session, settings, user, WorkIn(title=title, work_type=kind, authors=author or []),
                           content, hash_only=hash_only, stored_path=stored, data=head)
            append(session, AuditContext(actor_id=None, client_ip="cli"), "copyright.register", "registration",
                   reg.number)
            session.flush()
            if reg.status.value == "under_review":
                err.print(f"[yellow]{reg.number} is held for review[/]: it matches registered works:")
                for m in reg.details.get("matches", []):
                    err.print(f"  {m['number']}  {m['kind']}  similarity {m['similarity']}  {m['title']}")
                held = True
            else:
                held = False
                cert = certificate(session, settings, reg)
    except DomainError as exc:
        err.print(f"[red]error:[/] {exc.detail}")
        raise typer.Exit(2) from exc
    if held:
        raise typer.Exit(3)
    out.write_text(json.dumps(cert, ensure_ascii=False, indent=2))
    console.print(f"[green]registered {cert['statement']['number']}[/] (log entry {cert['log']['index']}); "
                  f"certificate written to {out}")


def _user_by_email(session: Session, email: str) -> User:
    from sqlalchemy import select

    from core.accounts.models import User
    from core.accounts.service import normalise_email
    from core.errors import NotFound

    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"no account for {email}")
    return user


@copyright_app.command("license")
def copyright_license(
    number: str,
    licensor: Annotated[str, typer.Option(help="E-mail of the rights holder granting the licence.")],
    licensee: Annotated[str, typer.Option(help="E-mail of the licensee.")],
    rights: Annotated[str, typer.Option(help="Comma-separated: reproduction,distribution,...")],
    start: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    end: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    exclusive: bool = False,
    territory: str = "worldwide",
    cc: Annotated[str | None, typer.Option(help="Creative Commons code, e.g. CC-BY-4.0")] = None,
) -> None:
    """Record a licence (the licensor must hold the rights, or a sublicensable licence)."""
    from pydantic import ValidationError

    from copyright.registry import get_registration
    from copyright.rights import LicenceIn, license_work
    from core.audit import AuditContext, append
    from core.db import session_scope
    from core.errors import DomainError

    try:
        with session_scope() as session:
            grantor = _user_by_email(session, licensor)
            grantee = _user_by_email(session, licensee)
            body = LicenceIn.model_validate({
                "licensee_id": grantee.id, "rights": [r.strip() for r in rights.split(",")], "start_date": start,
                "end_date": end, "exclusive": exclusive, "territory": territory, "cc_code": cc})
            lic = license_work(session, get_registration(session, number), grantor, body)
            append(session, AuditContext(actor_id=None, client_ip="cli"), "copyright.licence", "registration", number)
            console.print(f"[green]licence {lic.id}[/] recorded (log entry {lic.log_index})")
    except ValidationError as exc:
        err.print(f"[red]error:[/] {exc.errors()[0]['msg']}")
        raise typer.Exit(2) from exc
    except DomainError as exc:
        err.print(f"[red]error:[/] {exc.detail}")
        raise typer.Exit(1) from exc


@copyright_app.command("transfer")
def copyright_transfer(
    number: str,
    holder: Annotated[str, typer.Option("--from", help="E-mail of the current holder.")],
    to: Annotated[str, typer.Option(help="E-mail of the assignee.")],
    rights: Annotated[str, typer.Option(help="Comma-separated rights, or 'all'.")],
    effective: Annotated[str, typer.Option(help="YYYY-MM-DD")],
) -> None:
    """Record an assignment of some or all rights (only the holder may assign)."""
    from pydantic import ValidationError

    from copyright.registry import get_registration
    from copyright.rights import ALL_RIGHTS, TransferIn, transfer
    from core.audit import AuditContext, append
    from core.db import session_scope
    from core.errors import DomainError

    names = sorted(ALL_RIGHTS) if rights.strip() == "all" else [r.strip() for r in rights.split(",")]
    try:
        with session_scope() as session:
            source = _user_by_email(session, holder)
            target = _user_by_email(session, to)
            body = TransferIn.model_validate({"to_user_id": target.id, "rights": names, "effective_date": effective})
            t = transfer(session, get_registration(session, number), source, body)
            append(session, AuditContext(actor_id=None, client_ip="cli"), "copyright.transfer", "registration", number)
            console.print(f"[green]transfer {t.id}[/] recorded (log entry {t.log_index})")
    except ValidationError as exc:
        err.print(f"[red]error:[/] {exc.errors()[0]['msg']}")
        raise typer.Exit(2) from exc
    except DomainError as exc:
        err.print(f"[red]error:[/] {exc.detail}")
        raise typer.Exit(1) from exc


@copyright_app.command("keys")
def copyright_keys(out: Annotated[Path, typer.Option(help="Where to write the published key set.")]) -> None:
    """Export the key set that /.well-known/ipcommons-keys.json publishes (for offline checks)."""
    from copyright.keys import key_set
    from copyright.registry import ensure_key
    from core.db import session_scope
    from core.migrate import upgrade

    settings = get_settings()
    upgrade()
    with session_scope() as session:
        ensure_key(session, settings)
        out.write_text(key_set(session, settings.copyright_log_origin).model_dump_json(indent=2))
    console.print(f"key set written to {out}")


@copyright_app.command("verify")
def copyright_verify(
    cert_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    file: Annotated[Path | None, typer.Argument(exists=True, dir_okay=False)] = None,
    keys: Annotated[Path, typer.Option(exists=True, dir_okay=False,
                                       help="The published key set (ipcommons-keys.json).")] = Path(
        "ipcommons-keys.json"),
    checkpoint: Annotated[Path | None, typer.Option(
        help="An older signed checkpoint plus a consistency proof to it: JSON {checkpoint, proof}.")] = None,
) -> None:
    """Verify a certificate offline: file hash, signatures, inclusion proof, checkpoint."""
    import json

    from copyright.keys import KeySet
    from copyright.verify import VerificationFailed, verify_certificate

    try:
        cert = json.loads(cert_file.read_text())
        keyset = KeySet.model_validate_json(keys.read_text())
        older = json.loads(checkpoint.read_text()) if checkpoint else None
    except (ValueError, OSError) as exc:
        err.print(f"[red]INVALID[/] cannot read the inputs: {exc}")
        raise typer.Exit(2) from exc
    try:
        result = verify_certificate(cert, keyset, file, older["checkpoint"] if older else None,
                                    older["proof"] if older else None)
    except VerificationFailed as exc:
        err.print(f"[red]INVALID[/] failed at step '{exc.step}': {exc.reason}")
        raise typer.Exit(1) from exc
    console.print(f"[green]VALID[/] {result.number} (sha256 {result.sha256[:16]}…, log size {result.tree_size}); "
                  f"checked: {', '.join(result.steps)}")


@app.command()
def doctor() -> None:
    """Check every configured service and print a table."""
    from api.services import service_statuses

    settings = get_settings()
    table = Table(title="IP Commons services")
    for col in ("service", "kind", "reachable", "version", "latency", "where / detail"):
        table.add_column(col)
    statuses = service_statuses(settings)
    for s in statuses:
        table.add_row(s.name, s.kind, "[green]yes[/]" if s.ok else "[red]no[/]", s.version or "-",
                      f"{s.latency_ms:.1f} ms" if s.latency_ms is not None else "-",
                      s.detail if not s.ok else (s.where or ""))
    console.print(table)
    console.print(f"data dir: {settings.resolved_data_dir}")
    raise typer.Exit(0 if all(s.ok for s in statuses) else 1)


if __name__ == "__main__":
    app()
