"""Programs are told from documents by their first bytes, and scripts by their names."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from core.filekinds import program_kind

PE = b"MZ\x90\x00" + bytes(56) + (0x40).to_bytes(4, "little") + b"PE\0\0" + bytes(200)  # a Windows program's headers
ELF = b"\x7fELF\x02\x01\x01" + bytes(60)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(("head", "name", "kind"), [
    (PE, "receipt.pdf", "EXE"),  # the content decides, whatever the name says
    (ELF, "", "ELF"),
    (b"\x00asm\x01\x00\x00\x00", "x.bin", "WASM"),
    (b"@echo off\r\ndel *.*\r\n", "setup.BAT", "BAT"),  # a script is text: its name says
    (b"Write-Host 1", "C:\\Users\\a\\run.ps1", "PS1"),
])
def test_programs_are_named(head: bytes, name: str, kind: str) -> None:
    assert program_kind(head, name) == kind


@pytest.mark.parametrize(("head", "name"), [
    (b"%PDF-1.7\n", "receipt.pdf"), (b"\xff\xd8\xff\xe0" + bytes(20), "id.jpg"), (b"plain words", "notes.txt"),
    (b"PK\x03\x04" + bytes(40), "scan.ofd"), (b"", ""),
    (b"MZ-200 manual: " + bytes(100), "mz.txt"),  # the two letters of a DOS header, but no program
])
def test_documents_are_not_programs(head: bytes, name: str) -> None:
    assert program_kind(head, name) is None


def test_a_picture_is_not_a_program() -> None:
    assert program_kind(_png(), "photo.png") is None
