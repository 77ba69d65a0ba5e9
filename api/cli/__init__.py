"""The ``ipcommons`` command line. Commands only translate argv into one service call and print
the result; ``api.cli.errors`` turns the platform's errors into documented exit codes.

Command modules import their services inside the commands, not at the top: a process starts for
every command, and importing every feature for each (4 s here) was most of what a quick command
such as ``copyright verify`` or ``--help`` took."""

from __future__ import annotations

import sys

from api.cli import backup as backup_commands
from api.cli import copyright as copyright_commands
from api.cli import hall as hall_commands
from api.cli import patents as patent_commands
from api.cli import platform as platform_commands
from api.cli import reports as report_commands
from api.cli.app import app, err
from api.cli.errors import report

__all__ = ["app", "main"]
COMMAND_MODULES = (platform_commands, patent_commands, report_commands, copyright_commands, hall_commands,
                   backup_commands)


def main() -> None:
    try:
        app()
    except Exception as exc:  # the one handler: known errors get their exit code, others a traceback
        code = report(exc, err)
        if code is None:
            raise
        sys.exit(int(code))
