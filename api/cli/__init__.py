"""The ``ipcommons`` command line. Commands only translate argv into one service call and print
the result; ``api.cli.errors`` turns the platform's errors into documented exit codes."""

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
from api.worker import import_task_modules

__all__ = ["app", "main"]
COMMAND_MODULES = (platform_commands, patent_commands, report_commands, copyright_commands, hall_commands,
                   backup_commands)


def main() -> None:
    # every feature's tasks, so a load from the command line wakes every corpus-updated listener
    # (saved collection queries, analytics rules) as a load through the API does
    import_task_modules()
    try:
        app()
    except Exception as exc:  # the one handler: known errors get their exit code, others a traceback
        code = report(exc, err)
        if code is None:
            raise
        sys.exit(int(code))
