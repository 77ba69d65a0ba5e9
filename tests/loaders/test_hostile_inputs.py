"""Hostile and broken inputs each get a clear error in the quarantine report; the good
documents around them still load."""

from __future__ import annotations

import http.server
import json
import os
import random
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings
from ipsearch.backends import get_backend
from loaders import reader
from loaders.pipeline import run_load
from loaders.reader import Failure, Parsed, read_source
from loaders.sources import Source
from loaders.synthetic import SyntheticOptions, document_xml

REPO = Path(__file__).resolve().parents[2]


def good(i: int) -> str:
    return document_xml(i, random.Random(i), SyntheticOptions(docs=1, paragraphs=2))


def with_title(i: int, title_xml: str, prolog: str = "") -> bytes:
    """A synthetic document whose title is replaced by ``title_xml`` and prolog by ``prolog``."""
    xml = good(i)
    start, end = xml.index('<invention-title id="d2e43">'), xml.index("</invention-title>")
    xml = xml[:start] + f'<invention-title id="d2e43">{title_xml}' + xml[end:]
    if prolog:
        head, rest = xml.split("\n", 2)[:2], xml.split("\n", 2)[2]
        xml = head[0] + "\n" + prolog + "\n" + rest
    return xml.encode()


@pytest.fixture
def evil_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that records any request (none must arrive)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY boom "pwned">')

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


def hostile_cases(tmp: Path, evil_url: str) -> dict[str, bytes]:
    laughs = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    secret = tmp / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    return {
        "billion_laughs": with_title(1, "&lol9;", f'<!DOCTYPE us-patent-grant [<!ENTITY lol0 "lol">{laughs}]>'),
        "xxe_local_file": with_title(2, "&xxe;", f'<!DOCTYPE us-patent-grant [<!ENTITY xxe SYSTEM "file://{secret}">]>'),
        "network_dtd": with_title(3, "Title", f'<!DOCTYPE us-patent-grant SYSTEM "{evil_url}/evil.dtd">'),
        "parameter_entity": with_title(
            4, "Title", f'<!DOCTYPE us-patent-grant [<!ENTITY % ext SYSTEM "{evil_url}/p.dtd"> %ext;]>'),
        "invalid_utf8": with_title(5, "Bad INVALID bytes").replace(b"INVALID", b"\xff\xfe\xc3"),
        "no_publication_number": good(6).replace("<doc-number>90000006</doc-number>", "<doc-number></doc-number>",
                                                 1).encode(),
        "malformed": good(7).replace("</invention-title>", "</invention-titel>").encode(),
        "huge_text_node": with_title(8, "x" * (50 * 1024 * 1024)),
        "truncated": good(9).encode()[:3000],
    }


@pytest.fixture
def hostile_dir(tmp_path: Path, evil_server: tuple[str, list[str]]) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for n, (name, bad) in enumerate(hostile_cases(tmp_path, evil_server[0]).items()):
        # good, bad, good in one weekly file (the truncated one is the last in its file)
        data = good(100 + 2 * n).encode() + bad if name == "truncated" else (
            good(100 + 2 * n).encode() + bad + good(101 + 2 * n).encode())
        (folder / f"{name}.xml").write_bytes(data)
    (folder / "zero_bytes.xml").write_bytes(b"")
    return folder


def test_each_hostile_document_is_quarantined_with_a_clear_error(
        hostile_dir: Path, evil_server: tuple[str, list[str]]) -> None:
    expected = {
        "billion_laughs": "entity declarations are refused",
        "xxe_local_file": "entity declarations are refused",
        "network_dtd": "external DTDs are never fetched",
        "parameter_entity": "entity declarations are refused",
        "invalid_utf8": "malformed XML",
        "no_publication_number": "no publication number",
        "malformed": "malformed XML",
        "huge_text_node": "malformed XML",
        "truncated": "malformed XML",
    }
    for name, message in expected.items():
        items = list(read_source(Source(hostile_dir / f"{name}.xml")))
        failures = [i for i in items if isinstance(i, Failure)]
        parsed = [i for i in items if isinstance(i, Parsed)]
        assert len(failures) == 1, (name, failures)
        assert message in failures[0].error, (name, failures[0].error)
        assert failures[0].offset > 0, name  # points into the file, after the first good document
        assert len(parsed) == (1 if name == "truncated" else 2), name
        for p in parsed:
            assert "TOP-SECRET" not in p.doc.model_dump_json() and "lollol" not in p.doc.model_dump_json()
    empty = list(read_source(Source(hostile_dir / "zero_bytes.xml")))
    assert len(empty) == 1 and isinstance(empty[0], Failure) and "empty file" in empty[0].error
    assert evil_server[1] == [], "the parser fetched something from the network"


FAULTED = "90000201"  # the middle one of the three documents of ``_weekly``


def _weekly(tmp_path: Path) -> Path:
    weekly = tmp_path / "weekly.xml"
    weekly.write_bytes(b"".join(good(i).encode() for i in (200, 201, 202)))
    return weekly


def _parser_faulting_on(number: str, fault: Exception) -> Callable[[Any], Any]:
    """The parser, with a fault (a bug of ours, not of the document) on one document."""
    original = reader.parse_root

    def faulty(root: Any) -> Any:
        if root.findtext(".//publication-reference/document-id/doc-number") == number:
            raise fault
        return original(root)
    return faulty


def test_a_parser_fault_quarantines_its_document_and_the_rest_still_load(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A document that trips a fault in a parser (an IndexError, say) is quarantined as one; it
    stopped the whole load before."""
    monkeypatch.setattr(reader, "parse_root", _parser_faulting_on(FAULTED, IndexError("list index out of range")))
    items = list(read_source(Source(_weekly(tmp_path))))
    assert [type(i).__name__ for i in items] == ["Parsed", "Failure", "Parsed"]
    failure = items[1]
    assert isinstance(failure, Failure) and failure.number == FAULTED and failure.fault
    assert failure.error == "parser fault, please report it: IndexError: list index out of range"


def test_a_file_the_parser_faulted_on_is_read_again_once_the_parser_is_mended(
        tmp_path: Path, embedded_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not journalled as done: the next load would skip it as unchanged, and never load the
    documents the fault kept out."""
    weekly = _weekly(tmp_path)
    with monkeypatch.context() as patched:
        patched.setattr(reader, "parse_root", _parser_faulting_on(FAULTED, KeyError("applicant")))
        first = run_load(embedded_settings, [weekly], backend="embedded")
    assert (first.loaded, first.failed, first.files_unchanged) == (2, 1, 0)
    mended = run_load(embedded_settings, [weekly], backend="embedded")
    assert (mended.loaded, mended.failed, mended.files_unchanged) == (3, 0, 0)
    assert get_backend(embedded_settings, "embedded").count() == 3
    assert run_load(embedded_settings, [weekly], backend="embedded").files_unchanged == 1  # done now


def test_load_reports_quarantine_and_keeps_the_rest(hostile_dir: Path, embedded_settings: Settings) -> None:
    summary = run_load(embedded_settings, [hostile_dir], backend="embedded")
    assert summary.failed == 10  # 9 hostile documents + the zero-byte file
    assert summary.loaded == 17
    assert summary.quarantine is not None
    report = [json.loads(line) for line in Path(summary.quarantine).read_text().splitlines()]
    assert len(report) == 10
    assert {Path(r["file"]).name for r in report} == {f"{n}.xml" for n in (
        "billion_laughs", "xxe_local_file", "network_dtd", "parameter_entity", "invalid_utf8",
        "no_publication_number", "malformed", "huge_text_node", "truncated", "zero_bytes")}
    assert all(r["error"] and "offset" in r for r in report)
    malformed = next(r for r in report if r["file"].endswith("malformed.xml"))
    assert malformed["number"] == "90000007"  # the document number, when it can be read
    assert get_backend(embedded_settings, "embedded").count() == 17


def test_a_file_of_which_nothing_loaded_is_refused_again_not_unchanged(
        hostile_dir: Path, embedded_settings: Settings, tmp_path: Path) -> None:
    """Journalled as done, a malformed file read "1 unchanged: already loaded" the next time, exit 0,
    and so did any other empty file anywhere (the same checksum)."""
    first = run_load(embedded_settings, [hostile_dir], backend="embedded")
    again = run_load(embedded_settings, [hostile_dir], backend="embedded")
    # the files that loaded their good documents are done; the zero-byte file, nothing loaded, is not
    assert (again.loaded, again.failed, again.files_unchanged) == (0, 1, first.files - 1)
    empty = tmp_path / "elsewhere" / "another-empty.xml"
    empty.parent.mkdir()
    empty.write_bytes(b"")
    other = run_load(embedded_settings, [empty], backend="embedded")
    assert (other.failed, other.files_unchanged) == (1, 0)


def test_the_cli_says_why_documents_were_quarantined(hostile_dir: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPC_")}
    env.update(IPC_DATA_DIR=str(tmp_path / "cli"), COLUMNS="300")
    r = subprocess.run([sys.executable, "-m", "api.cli", "load", str(hostile_dir / "malformed.xml"),
                        str(hostile_dir / "zero_bytes.xml")], cwd=REPO, env=env, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 1
    said = r.stderr.splitlines()
    assert f"  {hostile_dir / 'malformed.xml'} (document 90000007): malformed XML: " in "\n".join(said)
    assert f"  {hostile_dir / 'zero_bytes.xml'}: empty file (zero bytes or only whitespace)" in said
    nothing = subprocess.run([sys.executable, "-m", "api.cli", "load", str(tmp_path / "cli")], cwd=REPO, env=env,
                             capture_output=True, text=True, timeout=300)
    assert nothing.returncode == 0 and "No patent XML was found there" in nothing.stderr


def test_cli_exit_code_and_json_summary(hostile_dir: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPC_")}
    env["IPC_DATA_DIR"] = str(tmp_path / "cli")
    r = subprocess.run([sys.executable, "-m", "api.cli", "load", str(hostile_dir), "--json"], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == {"run_id", "loaded", "failed", "skipped", "files", "files_unchanged", "quarantine", "seconds"}
    assert (out["loaded"], out["failed"], out["skipped"], out["files"], out["files_unchanged"]) == (17, 10, 0, 10, 0)
    assert Path(out["quarantine"]).is_file()


def test_splitting_memory_is_bounded() -> None:
    """Splitting a 200 MB stream of small documents keeps memory near one document."""
    import io
    import tracemalloc

    from loaders.xmlsafe import split_documents

    doc = good(1).encode()
    n = 200 * 1024 * 1024 // len(doc)

    class Stream(io.RawIOBase):
        def __init__(self) -> None:
            self.left = n
            self.buf = b""

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            while len(self.buf) < size and self.left:
                self.buf += doc
                self.left -= 1
            out, self.buf = self.buf[:size], self.buf[size:]
            return out

    tracemalloc.start()
    count = sum(1 for _ in split_documents(Stream()))  # type: ignore[arg-type]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == n
    assert peak < 16 * 1024 * 1024, peak
