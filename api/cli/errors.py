"""The CLI's one error handler: the platform's error classes mapped to documented exit codes.

    0  done
    1  done, and the answer is "no": a certificate is INVALID, documents were quarantined
    2  refused: bad arguments or input, something not found, not allowed, or a conflict
    3  not finished: interrupted or a service unavailable (run the same command again), or
       held for someone's review
"""

from __future__ import annotations

from enum import IntEnum

from pydantic import ValidationError
from rich.console import Console

from copyright.verify import VerificationFailed
from core.errors import IPCommonsError, Unavailable, validator_words


class ExitCode(IntEnum):
    ok = 0
    negative = 1
    refused = 2
    unfinished = 3


EXIT_CODES: dict[type[Exception], ExitCode] = {
    VerificationFailed: ExitCode.negative,
    Unavailable: ExitCode.unfinished,
    IPCommonsError: ExitCode.refused,
    ValidationError: ExitCode.refused,
}


def exit_code_of(exc: Exception) -> ExitCode | None:
    """The code of the most specific class in ``EXIT_CODES`` that ``exc`` is; None if unexpected."""
    for cls in type(exc).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return None


def message_of(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "options"
        return f"{where}: {validator_words(first)}"
    if isinstance(exc, VerificationFailed):
        return f"INVALID: failed at step '{exc.step}': {exc.reason}"
    if isinstance(exc, IPCommonsError):
        pointer = getattr(exc, "pointer", None)
        return "\n".join(part for part in (exc.detail, pointer()) if part) if callable(pointer) else exc.detail
    return str(exc)


def report(exc: Exception, err: Console) -> ExitCode | None:
    """Print ``exc`` for a person and return its exit code; None for errors nobody expected."""
    code = exit_code_of(exc)
    if code is not None:
        err.print("[red]error:[/] ", end="")
        err.print(message_of(exc), markup=False, highlight=False)
    return code
