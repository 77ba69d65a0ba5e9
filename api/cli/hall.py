"""``ipcommons hall``: the service hall's catalogue, department roles and the warning sweep.

Commands call ``servicehall`` like the API does; the command line acts as the platform's operator
(the audit trail records ``cli``)."""

from __future__ import annotations

import enum
from typing import Annotated

import typer

from api.cli.app import app, console, operator_writer
from servicehall.models import StaffRole

hall_app = typer.Typer(help="IP online service hall: catalogue, department roles, warnings.", no_args_is_help=True)
app.add_typer(hall_app, name="hall")


@hall_app.command("seed")
def hall_seed() -> None:
    """Create the seed departments and the six seed services that are missing (idempotent)."""
    from core.db import session_factory
    from core.migrate import upgrade
    from servicehall import catalogue

    upgrade()
    with session_factory()() as session:
        items = catalogue.seed(operator_writer(session))
    for item in items:
        console.print(f"{item.code:24} {item.name.zh} / {item.name.en} ({item.department}, {item.total_days} days)")


@hall_app.command("staff")
def hall_staff(email: str, department: Annotated[str, typer.Option(help="Department code, e.g. protection.")],
               role: Annotated[list[StaffRole], typer.Option(help="Role in the department (repeatable).")],
               remove: Annotated[bool, typer.Option("--remove", help="Take the roles away instead.")] = False) -> None:
    """Give a person one or more roles in a department, or take them away (--remove)."""
    from core.db import session_factory
    from servicehall import catalogue
    from servicehall.schemas import StaffIn

    with session_factory()() as session:
        for one in role:
            body = StaffIn(email=email, department=department, role=one)
            if remove:
                catalogue.remove_staff(operator_writer(session), body)
                console.print(f"[green]{body.email}[/] is no longer {one.value} in {department}")
            else:
                done = catalogue.add_staff(operator_writer(session), body)
                console.print(f"[green]{done.email}[/] is {done.role.value} in {done.department}")


class Duties(enum.StrEnum):
    separate = "separate"  # 审批分离: every department's default
    shared = "shared"  # one person may take every step


@hall_app.command("duties")
def hall_duties(department: str, duties: Annotated[Duties, typer.Argument(
        help="separate: who handles an application neither reviews nor approves it, and who reviews it does not "
             "approve it (审批分离, every department's default); shared: one person may take every step.")]) -> None:
    """Whether a department keeps handling, review and approval in different hands."""
    from core.db import session_factory
    from servicehall import catalogue
    from servicehall.schemas import DutiesIn

    with session_factory()() as session:
        done = catalogue.set_separate_duties(operator_writer(session), department,
                                             DutiesIn(separate=duties is Duties.separate))
    said = "separates duties" if done.separate_duties else "lets one person take every step"
    console.print(f"{done.code} {said}")


@hall_app.command("sweep")
def hall_sweep() -> None:
    """Fire the cards due now; withdraw applications whose time to supply materials has passed (beat: every 5 min)."""
    from core.db import session_factory
    from servicehall import service

    with session_factory()() as session:
        done = service.sweep(operator_writer(session))
    console.print(f"{done.yellow + done.red} cards fired, {done.lapsed} applications deemed withdrawn "
                  "(materials not supplied in time)")
