"""Copyright registry benchmark.

Prints hash-only registrations/s (on the configured database: PostgreSQL under ``make bench``) next
to appends/s on the transparency log alone (the baseline: what a registration costs beyond its log
entry), certificate verifications/s next to a bare Ed25519 signature check, the browser verifier's
time for a 10 MB file in Chromium next to the Python verifier on the same certificate and file, and
inclusion and consistency proof size and verification time at 10^3, 10^5 and 10^6 log entries next
to log2(n).
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from copyright import log, merkle  # noqa: E402
from copyright.keys import key_set  # noqa: E402
from copyright.models import WorkType  # noqa: E402
from copyright.registry import ContentHash, WorkIn, certificate, register  # noqa: E402
from copyright.verify import verify_certificate  # noqa: E402
from core.accounts.service import create_user  # noqa: E402
from core.db import session_scope  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from core.settings import get_settings  # noqa: E402
from tests.databases import new_postgres_database  # noqa: E402


@contextmanager
def fresh_database(url: str) -> Iterator[str]:
    """A new PostgreSQL database for this run (dropped after), or a SQLite file in a temp dir."""
    if not url.startswith("postgresql"):
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite"
        return
    with new_postgres_database(url, "bench") as fresh:
        yield fresh


def bench_registrations(n: int) -> tuple[float, dict[str, object]]:
    settings = get_settings()
    with tempfile.TemporaryDirectory() as tmp, fresh_database(settings.effective_database_url) as url:
        settings = settings.model_copy(update={"data_dir": Path(tmp), "database_url": url})
        upgrade(url)
        with session_scope(url) as session:
            owner = create_user(session, f"bench-{os.urandom(4).hex()}@example.org", "a long bench password")
        start = time.perf_counter()
        last = None
        for i in range(n):
            with session_scope(url) as session:
                last = register(session, settings, session.merge(owner),
                                WorkIn(title=f"bench work {i}", work_type=WorkType.written),
                                ContentHash(sha256=hashlib.sha256(os.urandom(16)).hexdigest()), hash_only=True)
        rate = n / (time.perf_counter() - start)
        with session_scope(url) as session:
            assert last is not None
            cert = certificate(session, settings, session.merge(last))
            keys = key_set(session, settings.copyright_log_origin)
    return rate, {"cert": cert, "keys": keys}


def bench_log_appends(n: int) -> float:
    """Appends/s on the log alone, one transaction each as a registration has."""
    settings = get_settings()
    with fresh_database(settings.effective_database_url) as url:
        upgrade(url)
        start = time.perf_counter()
        for i in range(n):
            with session_scope(url) as session:
                log.append(session, {"type": "bench", "time": f"2026-01-01T00:00:{i % 60:02d}Z", "n": i})
        return n / (time.perf_counter() - start)


def bench_browser_verification(size: int = 10 * 1024 * 1024, rounds: int = 5) -> tuple[float, float, float]:
    """(browser verifier ms, Python verifier ms, bare WebCrypto SHA-256 ms) for one certificate of a
    ``size``-byte file, medians of ``rounds``. The file is fetched into the page first: the timing
    is the verification, as a visitor's browser runs it on a dropped file."""
    import functools
    import shutil
    import statistics
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from playwright.sync_api import sync_playwright

    from copyright.registry import hash_stream

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    settings = get_settings()
    with tempfile.TemporaryDirectory() as tmp, fresh_database(settings.effective_database_url) as url:
        root = Path(tmp)
        (root / "static").symlink_to(Path(__file__).resolve().parents[1] / "api" / "static")
        (root / "index.html").write_text("<!doctype html><title>bench</title>")
        work = root / "work.bin"
        work.write_bytes(os.urandom(size))
        settings = settings.model_copy(update={"data_dir": root / "var", "database_url": url})
        upgrade(url)
        with session_scope(url) as session, work.open("rb") as fh:
            owner = create_user(session, f"bench-{os.urandom(4).hex()}@example.org", "a long bench password")
            reg = register(session, settings, owner, WorkIn(title="ten megabytes", work_type=WorkType.audiovisual),
                           hash_stream(fh, size + 1), hash_only=True)
            session.flush()
            cert, keys = certificate(session, settings, reg), key_set(session, settings.copyright_log_origin)
        python_ms = []
        for _ in range(rounds):
            start = time.perf_counter()
            verify_certificate(cert, keys, work)
            python_ms.append((time.perf_counter() - start) * 1000)
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
                times = page.evaluate("""async ([cert, keys, rounds]) => {
                  const m = await import('/static/verify.js');
                  const file = await (await fetch('/work.bin')).blob();
                  const ours = [], digest = [];
                  for (let i = 0; i < rounds; i++) {
                    let t = performance.now();
                    const r = await m.verifyCertificate({certificate: cert, keySet: keys, file});
                    if (!r.valid) throw new Error(r.failedStep + ': ' + r.reason);
                    ours.push(performance.now() - t);
                    t = performance.now();
                    await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
                    digest.push(performance.now() - t);
                  }
                  return [ours, digest];
                }""", [cert, keys.model_dump(mode="json"), rounds])
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    return statistics.median(times[0]), statistics.median(python_ms), statistics.median(times[1])


def bench_verifications(cert: dict[str, object], keys: object, rounds: int = 300) -> tuple[float, float]:
    start = time.perf_counter()
    for _ in range(rounds):
        verify_certificate(cert, keys)  # type: ignore[arg-type]
    ours = rounds / (time.perf_counter() - start)
    key = Ed25519PrivateKey.generate()
    sig, pub = key.sign(b"x" * 300), key.public_key()
    start = time.perf_counter()
    for _ in range(rounds):
        pub.verify(sig, b"x" * 300)
    return ours, rounds / (time.perf_counter() - start)


def bench_proofs(n: int) -> tuple[int, float, int, float]:
    leaves = [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(n)]
    root = merkle.root(leaves)
    index = n // 2 + 1
    proof = merkle.inclusion_proof(index, leaves)
    start = time.perf_counter()
    for _ in range(1000):
        merkle.verify_inclusion(leaves[index], index, n, proof, root)
    inclusion_us = (time.perf_counter() - start) / 1000 * 1e6
    m = n // 3
    cproof = merkle.consistency_proof(m, leaves)
    old = merkle.root(leaves[:m])
    start = time.perf_counter()
    for _ in range(1000):
        merkle.verify_consistency(m, n, old, root, cproof)
    return len(proof), inclusion_us, len(cproof), (time.perf_counter() - start) / 1000 * 1e6


def main() -> None:
    n = int(os.environ.get("BENCH_REGISTRATIONS", "300"))
    rate, made = bench_registrations(n)
    appends = bench_log_appends(n)
    db = "PostgreSQL" if get_settings().effective_database_url.startswith("postgresql") else "SQLite"
    print(f"registrations (hash-only, {db}): {rate:.1f}/s; log appends alone {appends:.1f}/s; "
          f"ratio {rate / appends:.2f}")
    browser_ms, python_ms, digest_ms = bench_browser_verification()
    print(f"verify a 10 MB file's certificate: browser (Chromium, WebCrypto) {browser_ms:.1f} ms; Python verifier "
          f"{python_ms:.1f} ms; ratio {browser_ms / python_ms:.2f}; of which the browser's SHA-256 {digest_ms:.1f} ms")
    ours, raw = bench_verifications(made["cert"], made["keys"])  # type: ignore[arg-type]
    print(f"certificate verifications: {ours:.0f}/s; bare Ed25519 verify {raw:.0f}/s; ratio {ours / raw:.2f} "
          "(a certificate check = 2 signatures + 1 inclusion proof + parsing)")
    print(f"{'entries':>10} {'log2(n)':>8} {'incl. hashes':>13} {'incl. verify':>13} {'cons. hashes':>13} "
          f"{'cons. verify':>13}")
    for n in (10**3, 10**5, 10**6):
        inc, inc_us, cons, cons_us = bench_proofs(n)
        print(f"{n:>10} {math.log2(n):>8.1f} {inc:>13} {inc_us:>11.1f}us {cons:>13} {cons_us:>11.1f}us")


if __name__ == "__main__":
    main()
