"""The copyright registry: register works, licences and transfers, keys, offline verification."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli.app import console, copyright_app, err
from core.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from core.accounts.models import User


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
