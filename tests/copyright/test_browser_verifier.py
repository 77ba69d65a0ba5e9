"""The browser verifier (api/static/verify.js, in Debian's Chromium) gives the Python verifier's
verdict, failing at the same named step, on real certificates of a real registry and on every kind
of tampering; the page binding (verify-page.js + the _verifier.html macro) verifies a picked or
dropped file without sending it anywhere."""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import inspect
import io
import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jinja2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import Browser, Page, Request, Route, expect

from copyright import checkpoint, log
from copyright.canonical import canonical
from copyright.checkpoint import Checkpoint
from copyright.keys import KeySet, active_key, key_set, private_key, raw_public
from copyright.models import WorkType
from copyright.registry import ContentHash, WorkIn, certificate, claim, get_registration, hash_stream, register
from copyright.verify import STEPS, VerificationFailed, Verified, verify_certificate
from copyright.witness import WitnessPolicy, cosignature_line, cosigner_key_id, verify_quorum
from core.accounts.service import create_user
from core.db import session_scope
from core.errors import InvalidInput
from core.settings import Settings
from tests.conftest import TEST_SIGNING_PASSPHRASE
from tests.databases import migrated

REPO = Path(__file__).resolve().parents[2]
STATIC = REPO / "api" / "static"
AXE = STATIC / "vendor" / "axe.min.js"
ORIGIN = "ipcommons.test/copyright-log"
WITNESS = "step 8"  # shorthand in the case table for the JS-only step
W8 = "witness cosignatures"


# --- a real registry, and a second one (another log, another key) ---------------------------------

def _settings(root: Path, origin: str) -> Settings:
    settings = Settings(data_dir=root / "var", database_url=None, signing_key_passphrase=TEST_SIGNING_PASSPHRASE,
                        copyright_log_origin=origin)
    migrated(settings.effective_database_url)
    return settings


def _register(settings: Settings, data: bytes, title: str,
              registrant: tuple[bytes, bytes] | None = None) -> str:
    with session_scope(settings.effective_database_url) as session:
        owner = create_user(session, f"artist-{os.urandom(4).hex()}@example.org", "a long password 123")
        work = WorkIn(title=title, work_type=WorkType.written, authors=["Li Hua"])
        content = hash_stream(io.BytesIO(data), settings.max_upload_bytes)
        return register(session, settings, owner, work, content, hash_only=True, registrant=registrant).number


def _certificate(settings: Settings, number: str) -> dict[str, Any]:
    with session_scope(settings.effective_database_url) as session:
        return json.loads(json.dumps(certificate(session, settings, get_registration(session, number))))


def _keys(settings: Settings) -> KeySet:
    with session_scope(settings.effective_database_url) as session:
        return key_set(session, settings.copyright_log_origin)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@dataclass
class World:
    keys: KeySet
    other_keys: KeySet  # another registry's key set
    data: bytes  # the registered file of ``cert``
    cert: dict[str, Any]  # entry 1 of a tree of 7: a 3-hash inclusion proof
    small: dict[str, Any]  # issued when the tree had 3 entries
    other: dict[str, Any]  # a certificate of another log
    registrant: dict[str, Any]  # carries the registrant's own signature
    forged_registrant: dict[str, Any]  # bad registrant signature, statement re-signed by the platform key
    consistency: list[str]  # from size 3 to size 7
    foreign: str  # cert's tree (size, root) under another origin, signed by this platform's key
    witnesses: dict[str, Ed25519PrivateKey] = field(default_factory=dict)
    cosigned: dict[str, str] = field(default_factory=dict)  # witness name -> its cosignature line of cert


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("registries")
    settings = _settings(root / "a", ORIGIN)
    data = "第一章: my novel, chapter one\n".encode() * 40
    numbers = [_register(settings, data if i == 1 else f"work {i}".encode() * 30, f"Work {i}") for i in range(3)]
    small = _certificate(settings, numbers[2])
    numbers += [_register(settings, f"work {i}".encode() * 30, f"Work {i}") for i in range(3, 6)]
    client_key = Ed25519PrivateKey.generate()
    signed = b"source code of my app"
    work = WorkIn(title="Work 6", work_type=WorkType.written, authors=["Li Hua"])
    content = ContentHash(sha256=hashlib.sha256(signed).hexdigest(), size=len(signed))
    numbers.append(_register(settings, signed, "Work 6", registrant=(
        raw_public(client_key.public_key()), client_key.sign(canonical(claim(work, content))))))
    registrant = _certificate(settings, numbers[6])  # signs the checkpoint of size 7 ...
    cert = _certificate(settings, numbers[1])  # ... which later certificates then use
    assert (cert["log"]["tree_size"], len(cert["log"]["inclusion_proof"]), small["log"]["tree_size"]) == (7, 3, 3)
    with session_scope(settings.effective_database_url) as session:
        consistency = [_b64(h) for h in log.consistency(session, 3, 7)]
        signing_key = active_key(session)
        assert signing_key is not None
        platform = private_key(signing_key, settings)
        tree = checkpoint.parse(cert["log"]["checkpoint"])[0]
        foreign = checkpoint.sign(Checkpoint("forged.test/copyright-log", tree.size, tree.root), signing_key.name,
                                  platform)
    forged = copy.deepcopy(registrant)
    forged["statement"]["registrant"]["signature"] = _b64(client_key.sign(b"something else"))
    forged["signatures"][0]["signature"] = _b64(platform.sign(canonical(forged["statement"])))

    other_settings = _settings(root / "b", "elsewhere.test/copyright-log")
    other = _certificate(other_settings, _register(other_settings, b"another registry's work", "Elsewhere"))
    w = World(_keys(settings), _keys(other_settings), data, cert, small, other, registrant, forged, consistency,
              foreign)
    body = checkpoint.parse(cert["log"]["checkpoint"])[2]
    for name, now in [("notary.test/w1", 1_700_000_000), ("court.test/w2", 2**64 - 1)]:
        w.witnesses[name] = key = Ed25519PrivateKey.generate()
        w.cosigned[name] = cosignature_line(name, key, body, now)
    return w


# --- what each case changes ----------------------------------------------------------------------

@dataclass
class Case:
    cert: dict[str, Any]
    keys: KeySet
    file: bytes | None = None
    sha256: str | None = None
    older: str | None = None
    proof: list[str] | None = None
    policy: str | None = None
    as_blob: bool = False  # hand the file to the JS as a Blob rather than an ArrayBuffer


def edited(cert: dict[str, Any], change: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    copied = copy.deepcopy(cert)
    change(copied)
    return copied


def flipped(b64: str, at: int = 0) -> str:
    raw = bytearray(base64.b64decode(b64))
    raw[at] ^= 1
    return _b64(bytes(raw))


def with_note(cert: dict[str, Any], note: str) -> dict[str, Any]:
    return edited(cert, lambda c: c["log"].__setitem__("checkpoint", note))


def note_of(cert: dict[str, Any]) -> str:
    return str(cert["log"]["checkpoint"])


def signature_line(note: str) -> str:
    return note.rstrip("\n").rpartition("\n")[2]


def bad_signature_line(note: str) -> str:
    name, blob = signature_line(note)[2:].split(" ")
    return f"\u2014 {name} {flipped(blob, 10)}"


def tweak_padding_bits(note: str) -> str:
    """The last base64 character of the signature carries 2 unused bits: set them."""
    line = signature_line(note)
    assert line.endswith("=") and not line.endswith("==")
    last = line[-2]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    tweaked = line[:-2] + alphabet[alphabet.index(last) | 3] + "="
    assert tweaked != line
    return note.replace(line, tweaked)


def policy(w: World, *names: str, quorum: int = 1, key_bytes: int = 32) -> str:
    """A witness policy JSON naming these witnesses (``key_bytes`` < 32: a truncated, invalid key)."""
    return json.dumps({"quorum": quorum, "witnesses": [
        {"name": n, "public_key": _b64(raw_public(w.witnesses[n].public_key())[:key_bytes])} for n in names]})


def cosigned(w: World, *lines: str) -> dict[str, Any]:
    return with_note(w.cert, note_of(w.cert) + "".join(line + "\n" for line in lines))


W1, W2 = "notary.test/w1", "court.test/w2"


def _other_checkpoint_cosignature(w: World) -> str:
    body = checkpoint.parse(note_of(w.small))[2]
    return cosignature_line(W2, w.witnesses[W2], body, 1_700_000_500)


def _plain_signature_by_witness(w: World) -> str:
    """A 68-byte signed-note signature (no timestamp) under a known witness's cosigner key id."""
    key = w.witnesses[W1]
    kid = cosigner_key_id(W1, raw_public(key.public_key()))
    return f"\u2014 {W1} {_b64(kid + key.sign(checkpoint.parse(note_of(w.cert))[2].encode()))}"


def _without_signer(w: World) -> KeySet:
    signer = w.cert["signatures"][0]["key_id"]
    return KeySet(origin=w.keys.origin, keys=[k for k in w.keys.keys if k.key_id != signer])


def _signer_retired(w: World, at: str) -> KeySet:
    """The key set with the certificate's signing key retired at ``at``."""
    signer = w.cert["signatures"][0]["key_id"]
    return w.keys.model_copy(update={"keys": [
        k.model_copy(update={"retired_at": datetime.fromisoformat(at)}) if k.key_id == signer else k
        for k in w.keys.keys]})


# (case, expected failing step or None for valid, how to build it)
PARITY: list[tuple[str, str | None, Callable[[World], Case]]] = [
    ("valid with the right file", None, lambda w: Case(w.cert, w.keys, file=w.data)),
    ("valid with the file as a Blob", None, lambda w: Case(w.cert, w.keys, file=w.data, as_blob=True)),
    ("valid without a file", None, lambda w: Case(w.cert, w.keys)),
    ("valid with the SHA-256 only", None,
     lambda w: Case(w.cert, w.keys, sha256=hashlib.sha256(w.data).hexdigest())),
    ("altered file", "file hash", lambda w: Case(w.cert, w.keys, file=w.data + b"!")),
    ("empty file", "file hash", lambda w: Case(w.cert, w.keys, file=b"", as_blob=True)),
    ("right file, wrong SHA-256 given too", "file hash",
     lambda w: Case(w.cert, w.keys, file=w.data, sha256=hashlib.sha256(b"x").hexdigest())),
    ("flipped byte in an inclusion-proof hash", "inclusion proof",
     lambda w: Case(edited(w.cert, lambda c: c["log"]["inclusion_proof"].__setitem__(
         1, flipped(c["log"]["inclusion_proof"][1], 31))), w.keys)),
    ("flipped statement field", "statement signature",
     lambda w: Case(edited(w.cert, lambda c: c["statement"]["work"].__setitem__("title", "Someone else's")), w.keys)),
    ("statement field added", "statement signature",
     lambda w: Case(edited(w.cert, lambda c: c["statement"].__setitem__("note", "x")), w.keys)),
    ("flipped platform signature", "statement signature",
     lambda w: Case(edited(w.cert, lambda c: c["signatures"][0].__setitem__(
         "signature", flipped(c["signatures"][0]["signature"], 5))), w.keys)),
    ("checkpoint from another log", "checkpoint signature",
     lambda w: Case(with_note(w.cert, note_of(w.other)), w.keys)),
    ("checkpoint of another origin, signed by the trusted key", "checkpoint signature",
     lambda w: Case(with_note(w.cert, w.foreign), w.keys)),
    ("checkpoint of another size", "checkpoint signature", lambda w: Case(with_note(w.cert, note_of(w.small)), w.keys)),
    ("checkpoint and tree size of another size", "inclusion proof",
     lambda w: Case(edited(w.cert, lambda c: c["log"].update(checkpoint=note_of(w.small), tree_size=3)), w.keys)),
    ("unknown key: another registry's key set", "statement signature", lambda w: Case(w.cert, w.other_keys)),
    ("signing key missing from the key set", "statement signature", lambda w: Case(w.cert, _without_signer(w))),
    ("inclusion proof one hash short", "inclusion proof",
     lambda w: Case(edited(w.cert, lambda c: c["log"]["inclusion_proof"].pop()), w.keys)),
    ("inclusion proof one hash long", "inclusion proof",
     lambda w: Case(edited(w.cert, lambda c: c["log"]["inclusion_proof"].append(_b64(bytes(32)))), w.keys)),
    ("inclusion-proof hash of 31 bytes", "inclusion proof",
     lambda w: Case(edited(w.cert, lambda c: c["log"]["inclusion_proof"].__setitem__(0, _b64(bytes(31)))), w.keys)),
    ("inclusion-proof hash not base64", "inclusion proof",
     lambda w: Case(edited(w.cert, lambda c: c["log"]["inclusion_proof"].__setitem__(0, "not base64!")), w.keys)),
    ("inclusion-proof hash without padding", "inclusion proof",
     lambda w: Case(edited(w.cert, lambda c: c["log"]["inclusion_proof"].__setitem__(
         0, c["log"]["inclusion_proof"][0].rstrip("="))), w.keys)),
    ("index outside the tree", "inclusion proof",
     lambda w: Case(edited(w.cert, lambda c: c["log"].__setitem__("index", 7)), w.keys)),
    ("index of another entry", "inclusion proof",
     lambda w: Case(edited(w.cert, lambda c: c["log"].__setitem__("index", 0)), w.keys)),
    ("checkpoint size 007", "checkpoint signature",
     lambda w: Case(with_note(w.cert, note_of(w.cert).replace("\n7\n", "\n007\n", 1)), w.keys)),
    ("checkpoint without its final newline", "checkpoint signature",
     lambda w: Case(with_note(w.cert, note_of(w.cert).rstrip("\n")), w.keys)),
    ("signature line with a trailing space", "checkpoint signature",
     lambda w: Case(with_note(w.cert, note_of(w.cert).rstrip("\n") + " \n"), w.keys)),
    ("signature with excess base64 padding", "checkpoint signature",
     lambda w: Case(with_note(w.cert, note_of(w.cert).rstrip("\n") + "=\n"), w.keys)),
    ("a line of U+FEFF after the signature (not Python whitespace)", "checkpoint signature",
     lambda w: Case(with_note(w.cert, note_of(w.cert) + "\ufeff\n"), w.keys)),
    ("a bad signature by the trusted key beside the good one", "checkpoint signature",
     lambda w: Case(with_note(w.cert, note_of(w.cert) + bad_signature_line(note_of(w.cert)) + "\n"), w.keys)),
    ("signature line ending in CRLF", None,
     lambda w: Case(with_note(w.cert, note_of(w.cert).rstrip("\n") + "\r\n"), w.keys)),
    ("signature block with U+001F and U+2028 blank lines", None,
     lambda w: Case(with_note(w.cert, note_of(w.cert) + "\x1f\u2028 \n"), w.keys)),
    ("unused base64 bits set in the signature", None,
     lambda w: Case(with_note(w.cert, tweak_padding_bits(note_of(w.cert))), w.keys)),
    ("an extra signature by an unknown key", None,
     lambda w: Case(with_note(w.cert, note_of(w.cert) + f"\u2014 stranger.test {_b64(os.urandom(68))}\n"), w.keys)),
    ("no statement", "certificate format",
     lambda w: Case({"format": "ipcommons-certificate/1", "signatures": [{}], "log": {}}, w.keys)),
    ("a format this verifier does not read", "certificate format",
     lambda w: Case(edited(w.cert, lambda c: c.__setitem__("format", "ipcommons-certificate/2")), w.keys)),
    ("no format", "certificate format", lambda w: Case(edited(w.cert, lambda c: c.pop("format")), w.keys)),
    ("the key set of another log", "statement signature",
     lambda w: Case(w.cert, w.keys.model_copy(update={"origin": "evil.example/log"}))),
    ("signing key retired before the statement's time", "statement signature",
     lambda w: Case(w.cert, _signer_retired(w, "2020-01-01T00:00:00+00:00"))),
    ("signing key retired after the statement's time", None,
     lambda w: Case(w.cert, _signer_retired(w, "2100-01-01T00:00:00+00:00"))),
    ("signing key retired, a time without a zone (UTC)", "statement signature",
     lambda w: Case(w.cert, _signer_retired(w, "2020-01-01T00:00:00"))),
    ("a statement without its log", "statement signature",
     lambda w: Case(edited(w.cert, lambda c: c["statement"].pop("origin")), w.keys)),
    ("inclusion proof not a list", "certificate format",
     lambda w: Case(edited(w.cert, lambda c: c["log"].__setitem__("inclusion_proof", "AAAA")), w.keys)),
    ("no signatures", "certificate format",
     lambda w: Case(edited(w.cert, lambda c: c.__setitem__("signatures", [])), w.keys)),
    ("signatures not a list", "certificate format",
     lambda w: Case(edited(w.cert, lambda c: c.__setitem__("signatures", {"0": {}})), w.keys)),
    ("a log index written as 5.0 (JSON.parse reads 5)", None,
     lambda w: Case(edited(w.cert, lambda c: c["log"].__setitem__("index", float(c["log"]["index"]))), w.keys)),
    ("a tree size beyond 2^53 - 1", "certificate format",
     lambda w: Case(edited(w.cert, lambda c: c["log"].__setitem__("tree_size", 2**53)), w.keys)),
    ("a log index written as text", "certificate format",
     lambda w: Case(edited(w.cert, lambda c: c["log"].__setitem__("index", str(c["log"]["index"]))), w.keys)),
    ("a statement without its content's hash", "certificate format",
     lambda w: Case(edited(w.cert, lambda c: c["statement"]["content"].pop("sha256")), w.keys)),
    ("a log entry without its checkpoint", "certificate format",
     lambda w: Case(edited(w.cert, lambda c: c["log"].pop("checkpoint")), w.keys)),
    ("registrant signature", None, lambda w: Case(w.registrant, w.keys)),
    ("forged registrant signature", "statement signature",
     lambda w: Case(edited(w.registrant, lambda c: c["statement"]["registrant"].__setitem__(
         "signature", _b64(bytes(64)))), w.keys)),
    ("forged registrant signature, statement re-signed by the platform", "registrant signature",
     lambda w: Case(w.forged_registrant, w.keys)),
    ("older checkpoint with its consistency proof", None,
     lambda w: Case(w.cert, w.keys, older=note_of(w.small), proof=w.consistency)),
    ("older checkpoint of the same size, empty proof", None,
     lambda w: Case(w.cert, w.keys, older=note_of(w.cert), proof=[])),
    ("consistency proof one hash short", "consistency with older checkpoint",
     lambda w: Case(w.cert, w.keys, older=note_of(w.small), proof=w.consistency[:-1])),
    ("consistency proof with a flipped byte", "consistency with older checkpoint",
     lambda w: Case(w.cert, w.keys, older=note_of(w.small), proof=[flipped(w.consistency[0])] + w.consistency[1:])),
    ("older checkpoint from another log", "consistency with older checkpoint",
     lambda w: Case(w.cert, w.keys, older=note_of(w.other), proof=[])),
    ("older checkpoint of another origin, signed by the trusted key", "consistency with older checkpoint",
     lambda w: Case(w.cert, w.keys, older=w.foreign, proof=[])),
    ("older checkpoint larger than the certificate's", "consistency with older checkpoint",
     lambda w: Case(w.small, w.keys, older=note_of(w.cert), proof=w.consistency)),
    ("cosigned by the one witness of the policy", None,
     lambda w: Case(cosigned(w, w.cosigned[W1]), w.keys, policy=policy(w, W1))),
    ("cosigned by two witnesses, quorum 2 (a timestamp of 2^64 - 1)", None,
     lambda w: Case(cosigned(w, w.cosigned[W1], w.cosigned[W2]), w.keys, policy=policy(w, W1, W2, quorum=2))),
    ("quorum 2 with one cosignature", WITNESS,
     lambda w: Case(cosigned(w, w.cosigned[W1]), w.keys, policy=policy(w, W1, W2, quorum=2))),
    ("no cosignature at all", WITNESS, lambda w: Case(w.cert, w.keys, policy=policy(w, W1))),
    ("cosigned only by a witness the policy does not know", WITNESS,
     lambda w: Case(cosigned(w, w.cosigned[W2]), w.keys, policy=policy(w, W1))),
    ("a known witness's cosignature of another checkpoint", WITNESS,
     lambda w: Case(cosigned(w, w.cosigned[W1], _other_checkpoint_cosignature(w)), w.keys,
                    policy=policy(w, W1, W2))),
    ("a known witness's 68-byte signature without a timestamp", WITNESS,
     lambda w: Case(cosigned(w, w.cosigned[W2], _plain_signature_by_witness(w)), w.keys, policy=policy(w, W1, W2))),
    ("a policy with a 31-byte key", WITNESS,
     lambda w: Case(cosigned(w, w.cosigned[W1]), w.keys, policy=policy(w, W1, key_bytes=31))),
    ("a policy whose quorum exceeds its witnesses", WITNESS,
     lambda w: Case(cosigned(w, w.cosigned[W1]), w.keys, policy=policy(w, W1, quorum=2))),
    ("a policy on a certificate that fails earlier", "file hash",
     lambda w: Case(cosigned(w, w.cosigned[W1]), w.keys, file=b"other", policy=policy(w, W1))),
]


# --- the two verifiers -----------------------------------------------------------------------------

# The Python verifier's own step 8 (``witnesses=``), where it has one; verify_quorum decides otherwise.
PYTHON_HAS_STEP_8 = W8 in [name for name, _ in STEPS] and "witnesses" in inspect.signature(
    verify_certificate).parameters


def python_verdict(case: Case, tmp_path: Path) -> tuple[str | None, Verified | None]:
    """The failing step by copyright.verify (and, for a policy, copyright.witness.verify_quorum)."""
    file = None
    if case.file is not None:
        file = tmp_path / "work.bin"
        file.write_bytes(case.file)
    options: dict[str, Any] = {"sha256": case.sha256}
    if case.policy is not None and PYTHON_HAS_STEP_8 and quorum_verdict(case) != "unreadable policy":
        options["witnesses"] = WitnessPolicy.from_json(case.policy)
    try:
        done = verify_certificate(copy.deepcopy(case.cert), case.keys, file, case.older, case.proof, **options)
    except VerificationFailed as exc:
        return exc.step, None
    if case.policy is not None and W8 not in done.steps:  # no Python step 8 yet, or a policy it cannot take
        if quorum_verdict(case) != "met":
            return W8, None
        done.steps.append(W8)
    return None, done


def python_reason(case: Case) -> str:
    """Why copyright.verify refuses ``case`` (a case it refuses without a file or a policy)."""
    with pytest.raises(VerificationFailed) as refused:
        verify_certificate(copy.deepcopy(case.cert), case.keys, None, case.older, case.proof)
    return refused.value.reason


def quorum_verdict(case: Case) -> str:
    """copyright.witness on the certificate's checkpoint: "met", "not met" or "unreadable policy"."""
    assert case.policy is not None
    try:
        policy = WitnessPolicy.from_json(case.policy)
    except InvalidInput:
        return "unreadable policy"
    try:
        verify_quorum(note_of(case.cert), policy)
    except InvalidInput:
        return "not met"
    return "met"


JS_VERIFY = """async (a) => {
  const m = await import('/static/verify.js');
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const file = a.file === null ? null : a.asBlob ? new Blob([bytes(a.file)]) : bytes(a.file).buffer;
  return m.verifyCertificate({certificate: a.certificate, keySet: a.keySet, file, sha256: a.sha256,
                              olderCheckpoint: a.older, consistencyProof: a.proof,
                              policy: a.policy === null ? null : JSON.parse(a.policy)});
}"""


def js_verify(page: Page, case: Case) -> dict[str, Any]:
    return dict(page.evaluate(JS_VERIFY, {
        "certificate": case.cert, "keySet": case.keys.model_dump(mode="json"),
        "file": None if case.file is None else _b64(case.file), "asBlob": case.as_blob, "sha256": case.sha256,
        "older": case.older, "proof": case.proof, "policy": case.policy}))


# --- Chromium and a static server for api/static (127.0.0.1 is a secure context: WebCrypto) ---------

class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # no access log on the test's output


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(base URL, folder it serves): /static is api/static, anything else is written by the test."""
    root = tmp_path_factory.mktemp("site")
    (root / "static").symlink_to(STATIC, target_is_directory=True)
    (root / "index.html").write_text("<!doctype html><title>verifier</title>", encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def verifier_page(browser: Browser, site: tuple[str, Path]) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site[0]}/index.html")
    assert page.evaluate("window.isSecureContext")
    yield page
    context.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-GB")
    yield context.new_page()
    context.close()


# --- parity ----------------------------------------------------------------------------------------

def test_the_step_names_are_pythons_plus_the_witness_step(verifier_page: Page) -> None:
    python = [name for name, _ in STEPS]
    if W8 not in python:  # the Python verifier's 8th step may not have landed yet
        python.append(W8)
    assert verifier_page.evaluate("async () => (await import('/static/verify.js')).STEPS") == python


@pytest.mark.parametrize(("name", "expected", "build"), PARITY, ids=[p[0] for p in PARITY])
def test_the_browser_gives_the_python_verdict(name: str, expected: str | None, build: Callable[[World], Case],
                                              world: World, verifier_page: Page, tmp_path: Path) -> None:
    expected = W8 if expected == WITNESS else expected
    case = build(world)
    python_failed, python_done = python_verdict(case, tmp_path)
    js = js_verify(verifier_page, case)
    assert python_failed == expected, f"python: {python_failed}"
    if case.policy is not None and expected in (None, W8):  # and copyright.witness itself agrees
        assert (quorum_verdict(case) == "met") is (expected is None)
    assert (js["valid"], js["failedStep"]) == (expected is None, expected), js
    statuses = [(s["name"], s["status"]) for s in js["steps"]]
    assert [n for n, _ in statuses] == [n for n, _ in STEPS] + ([] if len(STEPS) == 8 else [W8])
    # what passed or did not apply can be said in the page's language: a sentence the page has
    assert all(s["detail"]["key"] in PAGE_DETAILS for s in js["steps"] if s["status"] != "failed"), js["steps"]
    if python_done is not None:  # valid: the same steps ran, the same facts came out
        assert [n for n, s in statuses if s == "passed"] == python_done.steps
        assert all(s == "skipped" for n, s in statuses if n not in python_done.steps)
        assert (js["number"], js["sha256"], js["treeSize"]) == (python_done.number, python_done.sha256,
                                                                python_done.tree_size)
    else:  # invalid: nothing after the failing step ran
        failed_at = [n for n, _ in statuses].index(expected)
        assert statuses[failed_at][1] == "failed" and js["reason"]
        if expected == "certificate format":  # the field is named alike, not "list index out of range"
            assert js["reason"] == python_reason(case), name
        assert all(s in ("passed", "skipped") for _, s in statuses[:failed_at])
        assert all(s == "skipped" for _, s in statuses[failed_at + 1:])


BASE64_SAMPLES = ["", "AAAA", "AAAA=", "AAAA==", "AAAA====", "AA==", "AA=", "AA", "A", "AAA=", "AAA==", "AB==",
                  "AAB=", "/+9A", "AA==AA==", "A=AA", "=", "AAAA\n", " AAAA", "AA-_", "é", "SGVsbG8gd29ybGQ="]


def test_base64_is_as_strict_as_python(verifier_page: Page) -> None:
    js = verifier_page.evaluate("""async (samples) => {
      const m = await import('/static/verify.js');
      return samples.map((s) => { try { return Array.from(m.base64ToBytes(s)); } catch { return null; } });
    }""", BASE64_SAMPLES)
    for sample, got in zip(BASE64_SAMPLES, js, strict=True):
        try:
            want: list[int] | None = list(base64.b64decode(sample, validate=True))
        except ValueError:  # binascii.Error, and ValueError for non-ASCII text
            want = None
        assert got == want, sample


def test_canonical_json_is_rfc8785(verifier_page: Page) -> None:
    value = {"b": [1, -7, 0, 10**15, "x\u2028\x1f\x7f\"\\/é", None, True, False], "a": {"z": {}, "": []},
             "\U0001F600": 1, "\uffff": 2, "\u00e9": 3, "B": "</script>", "10": 4, "9": 5}
    js = verifier_page.evaluate("async (v) => (await import('/static/verify.js')).canonicalJson(v)", value)
    assert js.encode() == canonical(value)


def test_sha256_hex_of_blobs_and_buffers(verifier_page: Page) -> None:
    data = os.urandom(3000)
    got = verifier_page.evaluate("""async (b64) => {
      const m = await import('/static/verify.js');
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      return [await m.sha256Hex(new Blob([bytes])), await m.sha256Hex(bytes.buffer), await m.sha256Hex(bytes)];
    }""", _b64(data))
    assert got == [hashlib.sha256(data).hexdigest()] * 3


# --- the page binding ------------------------------------------------------------------------------

PAGE = """{% from "_verifier.html" import verifier with context %}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Certificate</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><main id="content"><h1>Certificate</h1>{{ verifier(**args) }}</main></body></html>"""


def _translated(message: str) -> str:
    return f"«{message}»"  # a stand-in catalogue: proves every string goes through _() and reaches the page


def _page_html(**args: Any) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(REPO / "api" / "templates"), autoescape=True)
    return env.from_string(PAGE).render(_=_translated, args=args)


def render_page(site: tuple[str, Path], name: str, **args: Any) -> str:
    html = _page_html(**args)
    (site[1] / name).write_text(html, encoding="utf-8")
    return f"{site[0]}/{name}"


def _page_details() -> set[str]:
    """The keys of the findings _verifier.html gives verify-page.js sentences for."""
    block = _page_html().split('<script type="application/json" class="verifier-text">', 1)[1].split("</script>")[0]
    return set(json.loads(block)["details"])


PAGE_DETAILS = _page_details()


def serve_json(site: tuple[str, Path], path: str, value: Any) -> None:
    target = site[1] / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(value), encoding="utf-8")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document)).violations")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result if v["impact"] in ("serious", "critical")]


def step_statuses(page: Page) -> dict[str, str]:
    return dict(page.eval_on_selector_all("[data-verifier-steps] li", "lis => lis.map(li => [li.dataset.step, "
                                          "li.dataset.status])"))


def test_the_record_page_verifies_a_picked_file_without_sending_it(page: Page, site: tuple[str, Path],
                                                                   world: World) -> None:
    serve_json(site, "/certificates/record.json", cosigned(world, world.cosigned[W1]))
    serve_json(site, "/.well-known/ipcommons-keys.json", world.keys.model_dump(mode="json"))
    url = render_page(site, "record.html", certificate_url="/certificates/record.json")
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    page.goto(url)
    button = page.locator('[data-verifier-action="verify"]')
    assert button.is_enabled()  # verify-page.js bound the markup
    assert axe_violations(page) == []
    page.set_input_files('[data-verifier-input="file"]',
                         files=[{"name": "novel.txt", "mimeType": "text/plain", "buffer": world.data}])
    page.set_input_files('[data-verifier-input="policy"]', files=[
        {"name": "policy.json", "mimeType": "application/json", "buffer": policy(world, W1).encode()}])
    button.click()
    page.wait_for_selector('[role="status"][data-valid]')
    assert page.get_attribute('[role="status"]', "data-valid") == "true"
    assert step_statuses(page) == {
        "certificate format": "passed", "file hash": "passed", "statement signature": "passed",
        "registrant signature": "skipped", "checkpoint signature": "passed", "inclusion proof": "passed",
        "consistency with older checkpoint": "skipped", "witness cosignatures": "passed"}
    row = page.locator('[data-step="inclusion proof"]')
    assert row.locator(".verifier-step").text_content() == "«Inclusion in the log»"
    assert row.locator(".verifier-verdict").text_content() == "«passed»"
    assert row.locator(".verifier-reason").text_content() == "«log entry 1, of 7 entries»"  # the page's sentence
    assert page.text_content('[data-step="registrant signature"] .verifier-reason') == \
        "«the registration carries no registrant signature»"
    assert world.cert["statement"]["number"] in (page.text_content('[role="status"]') or "")
    assert axe_violations(page) == []
    # the file stayed in the browser: only GETs, none with a body, and the two JSON documents were fetched
    sent = [(r.method, r.url.removeprefix(site[0]), r.post_data_buffer) for r in requests]
    assert all(method == "GET" and not body for method, _, body in sent), sent
    assert not any(body and world.data[:64] in body for _, _, body in sent)
    paths = {path for _, path, _ in sent}
    assert {"/certificates/record.json", "/.well-known/ipcommons-keys.json"} <= paths
    assert not any("novel" in path or "policy" in path for path in paths)


def test_a_genuine_certificate_of_a_revoked_registration_says_it_no_longer_stands(
        page: Page, site: tuple[str, Path], world: World) -> None:
    """A certificate stays genuine after a dispute revokes its registration, and says "registered"
    (a field no one signed): the verdict adds what the registry's public record says now."""
    number = world.cert["statement"]["number"]
    serve_json(site, "/certificates/revoked.json", world.cert | {"status": "registered"})
    serve_json(site, "/.well-known/ipcommons-keys.json", world.keys.model_dump(mode="json"))
    serve_json(site, f"/records/{number}", {"number": number, "status": "revoked",
                                            "revoked_at": "2026-12-06T17:30:00Z"})  # 7 December in Beijing
    page.goto(render_page(site, "revoked.html", certificate_url="/certificates/revoked.json",
                          registrations_url="/records/"))
    page.locator('[data-verifier-action="verify"]').click()
    status = page.locator('[role="status"]')
    expect(status).to_have_attribute("data-standing", "revoked")
    assert status.get_attribute("data-valid") == "true"  # genuine: every check passed
    said = status.text_content() or ""
    assert said.endswith(" «But registration %(number)s no longer stands: it was revoked on %(day)s (Beijing time), "
                         "after a dispute.»".replace("%(number)s", number).replace("%(day)s", "2026-12-07"))
    assert axe_violations(page) == []


def test_verify_by_keyboard_keeps_the_focus_on_the_button(page: Page, site: tuple[str, Path], world: World) -> None:
    """The button was disabled while the check ran: a keyboard's focus fell to the page's top. It says
    it is busy (aria-disabled) and ignores a press until the verdict is given."""
    serve_json(site, "/certificates/focus.json", world.cert)
    serve_json(site, "/.well-known/ipcommons-keys.json", world.keys.model_dump(mode="json"))
    page.goto(render_page(site, "focus.html", certificate_url="/certificates/focus.json"))
    held: list[Route] = []
    page.route("**/ipcommons-keys.json", lambda route: held.append(route))  # the check waits for the keys
    button = page.locator('[data-verifier-action="verify"]')
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-disabled", "true")
    page.keyboard.press("Enter")  # busy: no second check
    expect(page.locator('[role="status"]')).to_have_text("«Checking…»")
    held[0].continue_()
    expect(page.locator('[role="status"]')).to_have_attribute("data-valid", "true")
    assert len(held) == 1 and button.get_attribute("aria-disabled") is None
    assert page.evaluate("() => document.activeElement.dataset.verifierAction") == "verify"
    # a hostile file name is said as text, the focus still on the button
    page.set_input_files('[data-verifier-input="certificate"]', files=[
        {"name": "<img src=x onerror=alert(1)>.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7"}])
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-verifier-error]")).to_contain_text("<img src=x onerror=alert(1)>.pdf")
    assert page.locator("[data-verifier-error] img").count() == 0
    assert page.evaluate("() => document.activeElement.dataset.verifierAction") == "verify"


def test_a_picked_certificate_and_a_dropped_file(page: Page, site: tuple[str, Path], world: World) -> None:
    serve_json(site, "/.well-known/ipcommons-keys.json", world.keys.model_dump(mode="json"))
    page.goto(render_page(site, "verify.html"))
    button = page.locator('[data-verifier-action="verify"]')
    button.click()  # no certificate yet: said so, nothing verified
    page.wait_for_selector("[data-verifier-error]:not([hidden])")
    assert page.text_content("[data-verifier-error]") == "«The check could not run: %(reason)s»".replace(
        "%(reason)s", "«Choose the certificate file first.»")
    # the certificate's PDF, the file a creator keeps: said to be the wrong one, and which one to choose
    page.set_input_files('[data-verifier-input="certificate"]', files=[
        {"name": "cert.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7 certificate"}])
    button.click()
    page.wait_for_selector("[data-verifier-error]:not([hidden])")
    assert "«%(name)s is not a JSON file. Choose the certificate in JSON".replace("%(name)s", "cert.pdf") in (
        page.text_content("[data-verifier-error]") or "")
    page.set_input_files('[data-verifier-input="certificate"]', files=[
        {"name": "cert.json", "mimeType": "application/json", "buffer": json.dumps(world.cert).encode()}])
    altered = world.data.replace("第一章".encode(), "第二章".encode())
    drop = page.evaluate_handle("""(b64) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'altered.txt'));
      return transfer;
    }""", _b64(altered))
    page.dispatch_event('[data-drop="file"]', "drop", {"dataTransfer": drop})
    assert page.eval_on_selector('[data-verifier-input="file"]', "i => i.files[0].name") == "altered.txt"
    button.click()
    page.wait_for_selector('[role="status"][data-valid]')
    assert page.get_attribute('[role="status"]', "data-valid") == "false"
    assert page.is_hidden("[data-verifier-error]")
    # not the registered file: the certificate's own checks still run and pass, and the verdict says both
    assert page.get_attribute('[role="status"]', "data-file") == "other"
    statuses = step_statuses(page)
    assert statuses["file hash"] == "failed"
    assert {statuses[n] for n in ("certificate format", "statement signature", "checkpoint signature",
                                  "inclusion proof")} == {"passed"}
    number = world.cert["statement"]["number"]
    assert page.text_content('[role="status"]') == (
        "«The certificate of registration %(number)s is valid, but the file you chose is not the registered work: "
        "their SHA-256 fingerprints differ. Choose the registered file to check it.»").replace("%(number)s", number)
    reason = page.locator('[data-step="file hash"] .verifier-reason').text_content() or ""
    assert reason == (f"«the file's SHA-256 {hashlib.sha256(altered).hexdigest()} is not the registered "
                      f"{world.cert['statement']['content']['sha256']}»")
    # the same file verified by its right bytes passes: the verdict depends on the file
    page.set_input_files('[data-verifier-input="file"]', files=[
        {"name": "novel.txt", "mimeType": "text/plain", "buffer": world.data}])
    button.click()
    page.wait_for_selector('[role="status"][data-valid="true"]')
    assert step_statuses(page)["file hash"] == "passed"
