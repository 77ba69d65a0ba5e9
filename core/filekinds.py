"""Whether an uploaded file is a program, read from its first bytes (the magic numbers of the
``filetype`` library) and, for scripts, which are plain text, from its name. Where people send
documents (a receipt, a proof of identity) or register a work other than software, a program is a
mistake at best, and whoever opens it next is the office's staff."""

from __future__ import annotations

from pathlib import PurePath

import filetype

HEAD_BYTES = 8192  # the most of a file ``filetype`` reads
PROGRAM_TYPES = frozenset({"exe", "elf", "wasm"})  # Windows PE, Linux ELF, WebAssembly
PROGRAM_SUFFIXES = frozenset({".exe", ".dll", ".msi", ".com", ".scr", ".bat", ".cmd", ".ps1", ".vbs", ".vbe", ".js",
                              ".jse", ".wsf", ".hta", ".sh", ".jar", ".apk", ".lnk", ".elf", ".wasm"})


def program_kind(head: bytes, filename: str = "") -> str | None:
    """What kind of program the file is ("EXE", "ELF", "BAT" ...), or None: its content says first,
    its name (when given) for a script."""
    found = filetype.guess(head[:HEAD_BYTES]) if head else None
    if found is not None and found.extension in PROGRAM_TYPES and (found.extension != "exe" or _portable(head)):
        return str(found.extension).upper()
    suffix = PurePath(filename.replace("\\", "/")).suffix.lower()
    return suffix.removeprefix(".").upper() if suffix in PROGRAM_SUFFIXES else None


def _portable(head: bytes) -> bool:
    """Whether an "MZ" file is a Windows program: ``filetype`` reads the two letters alone, which a
    text may start with ("MZ-200 manual"); a program's DOS header points (at 0x3C) to "PE\\0\\0"."""
    at = int.from_bytes(head[0x3C:0x40], "little") if len(head) >= 0x40 else -1
    return 0 <= at and head[at:at + 4] == b"PE\0\0"
