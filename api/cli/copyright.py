"""The copyright registry: register works, licences and transfers, keys, offline verification.

Commands call ``copyright.service`` like the API does; its errors reach the one handler in
``api.cli`` (exit codes in ``api.cli.errors``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli.app import cli_writer, console, copyright_app, err, output_file
from copyright.models import RegistrationStatus, WorkType
from core.health import redact
from core.settings import get_settings

if TYPE_CHECKING:
    from copyright.schemas import LicenceOut, RegistrationOut, TransferOut
    from core.audit import Writer

HELD_FOR_REVIEW = 3  # the documented "not finished: held for someone's review" exit code


@copyright_app.command("register")
def copyright_register(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    title: Annotated[str, typer.Option()],
    work_type: Annotated[WorkType, typer.Option("--type", help="The kind of work (Copyright Law Art. 3).")],
    owner: Annotated[str, typer.Option(help="Owner's e-mail; the account is created if needed.")],
    out: Annotated[Path, typer.Option(help="Where to write the certificate JSON.", callback=output_file)],
    hash_only: Annotated[bool, typer.Option(help="Keep only the SHA-256, not the file.")] = False,
    author: Annotated[list[str] | None, typer.Option(help="Author (repeatable).")] = None,
) -> None:
    """Register a work and write its certificate.

    Exit code 0: registered; 2: bad input, or the owner registered this file already (its number is
    printed); 3: identical to or a near-duplicate of another's registered work, so held for review
    (the matches are printed; no certificate until a moderator approves).
    """
    from copyright import service
    from copyright.registry import WorkIn
    from core.db import session_factory
    from core.migrate import upgrade

    settings = get_settings()
    upgrade()
    work_in = WorkIn(title=title, work_type=work_type, authors=author or [])
    with session_factory()() as session, file.open("rb") as fh:
        w = cli_writer(session, service.creator_account(session, owner))
        reg = service.register_stream(w, settings, work_in, fh, hash_only=hash_only)
        if reg.status is RegistrationStatus.under_review:
            _print_held(reg)
            raise typer.Exit(HELD_FOR_REVIEW)
        cert = service.certificate_of(session, settings, reg.number)
    out.write_text(cert.model_dump_json(indent=2))
    console.print(f"[green]registered {reg.number}[/] (log entry {cert.log.index}); certificate written to {out}")


def _print_held(reg: RegistrationOut) -> None:
    err.print(f"[yellow]{reg.number} is held for review[/]: it matches registered works:")
    for m in reg.matches:
        err.print(f"  {m.number}  {m.kind}  similarity {m.similarity}  {m.title}")


def _record(actor: str, counterpart: str, what: str,
            record: Callable[[Writer, int], LicenceOut | TransferOut]) -> None:
    """Record a licence or a transfer by ``actor`` to ``counterpart`` (both named by e-mail)."""
    from copyright import service
    from core.db import session_factory

    with session_factory()() as session:
        w = cli_writer(session, service.account(session, actor))
        done = record(w, service.account(session, counterpart).id)
    console.print(f"[green]{what} {done.id}[/] recorded (log entry {done.log_index})")


def _rights(names: str) -> list[str]:
    return [r.strip() for r in names.split(",")]


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
    from copyright import service
    from copyright.rights import LicenceIn

    def grant(w: Writer, licensee_id: int) -> LicenceOut:
        return service.grant_licence(w, number, LicenceIn.model_validate({
            "licensee_id": licensee_id, "rights": _rights(rights), "start_date": start, "end_date": end,
            "exclusive": exclusive, "territory": territory, "cc_code": cc}))

    _record(licensor, licensee, "licence", grant)


@copyright_app.command("transfer")
def copyright_transfer(
    number: str,
    holder: Annotated[str, typer.Option("--from", help="E-mail of the current holder.")],
    to: Annotated[str, typer.Option(help="E-mail of the assignee.")],
    rights: Annotated[str, typer.Option(help="Comma-separated rights, or 'all'.")],
    effective: Annotated[str, typer.Option(help="YYYY-MM-DD")],
) -> None:
    """Record an assignment of some or all rights (only the holder may assign)."""
    from copyright import service
    from copyright.rights import ALL_RIGHTS, TransferIn

    names = sorted(ALL_RIGHTS) if rights.strip() == "all" else _rights(rights)

    def assign(w: Writer, to_user_id: int) -> TransferOut:
        return service.transfer_rights(w, number, TransferIn.model_validate({
            "to_user_id": to_user_id, "rights": names, "effective_date": effective}))

    _record(holder, to, "transfer", assign)


@copyright_app.command("keys")
def copyright_keys(out: Annotated[Path, typer.Option(help="Where to write the published key set.",
                                                     callback=output_file)]) -> None:
    """Export the key set that /.well-known/ipcommons-keys.json publishes (for offline checks)."""
    from copyright import service
    from core.db import session_factory
    from core.migrate import upgrade

    settings = get_settings()
    upgrade()
    with session_factory()() as session:
        exported = service.export_keys(session, settings)
    out.write_text(exported.key_set.model_dump_json(indent=2))
    ids = ", ".join(k.key_id for k in exported.key_set.keys)
    registry = redact(settings.effective_database_url)  # where the keys are: a folder's file, or a server
    if exported.made_first_key:
        err.print(f"The registry in {registry} had no signing key: its first one was made now (key {ids}). It "
                  "verifies none of another platform's certificates: to export an existing platform's keys, run "
                  "this with its settings (in its folder, or with its IPC_DATA_DIR or IPC_DATABASE_URL).",
                  markup=False, highlight=False, style="yellow")
    console.print(f"key set of the registry in {registry} written to {out} (keys: {ids})", markup=False,
                  highlight=False)


@copyright_app.command("verify")
def copyright_verify(
    cert_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    file: Annotated[Path | None, typer.Argument(exists=True, dir_okay=False)] = None,
    keys: Annotated[Path, typer.Option(exists=True, dir_okay=False,
                                       help="The published key set (ipcommons-keys.json).")] = Path(
        "ipcommons-keys.json"),
    checkpoint: Annotated[Path | None, typer.Option(
        help="An older signed checkpoint plus a consistency proof to it: JSON {checkpoint, proof}.")] = None,
    witnesses: Annotated[Path | None, typer.Option(
        exists=True, dir_okay=False, help='A witness policy: JSON {"quorum": n, "witnesses": [{"name", '
        '"public_key"}]}; the checkpoint must carry cosignatures by a quorum of them.')] = None,
) -> None:
    """Verify a certificate offline: file hash, signatures, inclusion proof, checkpoint, and with
    --witnesses the cosignatures of a quorum of known witnesses.

    Exit code 0: VALID (the certificate is genuine; its "status" field is not signed, and whether
    the registration was revoked since is for the registry to say); 1: INVALID (the failing step is
    named); 2: unreadable inputs.
    """
    from copyright import service

    result = service.verify_offline(cert_file, keys, file, checkpoint, witnesses)
    cosigned = f"; cosigned by {', '.join(result.witnesses)}" if result.witnesses else ""
    console.print(f"[green]VALID[/] {result.number} (sha256 {result.sha256[:16]}…, log size {result.tree_size}); "
                  f"checked: {', '.join(result.steps)}{cosigned}")
    console.print("Not checked: whether the registration still stands. A dispute may have revoked it since; the "
                  "certificate cannot say so, the registry's record of it does.")


@copyright_app.command("witness-init")
def copyright_witness_init(
    name: Annotated[str, typer.Option(help="The witness's name, a schema-less URL such as notary.example/w1.")],
    key_out: Annotated[Path, typer.Option("--key-out", help="Where to write the witness's private key (PEM).",
                                          callback=output_file)],
) -> None:
    """Create a witness key (kept by the witness, e.g. a notary office) and print its policy entry."""
    from copyright.witness import new_witness_key

    console.print_json(new_witness_key(name, key_out).model_dump_json())


@copyright_app.command("witness")
def copyright_witness(
    note: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The checkpoint (a signed note).")],
    name: Annotated[str, typer.Option(help="The witness's name.")],
    key: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="The witness's private key (PEM).")],
    state: Annotated[Path, typer.Option(help="The witness's history of the log (JSON; created if absent).",
                                        callback=output_file)],
    keys: Annotated[list[Path], typer.Option(exists=True, dir_okay=False,
                                             help="The published key set of a log it follows (repeatable).")],
    proof: Annotated[Path | None, typer.Option(help="JSON list of base64 hashes: consistency proof from "
                                                    "the last size this witness cosigned.")] = None,
) -> None:
    """Cosign a checkpoint that extends what this witness saw; print the cosignature line.

    Exit code 0: cosigned; 2: refused (not signed by the log, or a fork of its history: logged).
    """
    from copyright.witness import witness_from_files

    witness = witness_from_files(name, key, state, keys)
    hashes = witness.read_proof(proof.read_text(encoding="utf-8")) if proof else []
    console.print(witness.cosign(note.read_text(encoding="utf-8"), hashes), soft_wrap=True, markup=False)


@copyright_app.command("witness-serve")
def copyright_witness_serve(
    name: Annotated[str, typer.Option(help="The witness's name.")],
    key: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="The witness's private key (PEM).")],
    state: Annotated[Path, typer.Option(help="The witness's history of the logs (JSON; created if absent).",
                                        callback=output_file)],
    keys: Annotated[list[Path], typer.Option(exists=True, dir_okay=False,
                                             help="The published key set of a log it follows (repeatable).")],
    host: Annotated[str, typer.Option(help="Listen address (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Listen port.")] = 7380,
) -> None:
    """Run a witness as an HTTP service (C2SP tlog-witness): POST /add-checkpoint cosigns a
    checkpoint that extends what it saw; refusals (a fork: 409 or 422) are logged.

    The platform asks it when IPC_COPYRIGHT_WITNESSES lists its URL (http://HOST:PORT).
    """
    import logging

    import uvicorn

    from api.witness_app import create_witness_app
    from copyright.witness import witness_from_files

    witness = witness_from_files(name, key, state, keys)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for origin in sorted(witness.logs):  # an unreadable state file stops the witness here, not at a request
        console.print(f"witness {name} follows {origin}: cosigned up to size {witness.latest_size(origin)}")
    uvicorn.run(create_witness_app(witness), host=host, port=port, log_level="info")
