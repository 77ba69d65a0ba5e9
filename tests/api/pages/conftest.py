"""A real portal for page tests: uvicorn serving the app over a small synthetic corpus in the
embedded backend, a Celery worker with the beat scheduler on the embedded broker (loads,
saved-query refreshes and the mailer run as in production), a real SMTP server (aiosmtpd) for
notification e-mail, and Debian's Chromium driven by Playwright (launched by its executable path)."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from core.celery_app import make_celery
from core.settings import BackendKind, Settings
from core.tasks import send_mail
from loaders.pipeline import run_load
from loaders.synthetic import SyntheticOptions, document_xml, write_weekly_files
from tests.databases import migrated
from tests.processes import NotServing, serve_api, start, stop
from tests.smtp import MailSink, free_port, smtp_server

REPO = Path(__file__).resolve().parents[3]
AXE = REPO / "api" / "static" / "vendor" / "axe.min.js"


@pytest.fixture(scope="session")
def portal_settings(tmp_path_factory: pytest.TempPathFactory, shared_data_dir: Path) -> Settings:
    data = tmp_path_factory.mktemp("portal") / "var"
    settings = Settings(data_dir=data, shared_data_dir=shared_data_dir, database_url=None, elasticsearch_url=None,
                        broker_url=None, redis_url=None)
    migrated(settings.effective_database_url)
    folder = data / "synthetic"
    write_weekly_files(folder, SyntheticOptions(docs=300, seed=5))
    assert run_load(settings, [folder], backend=BackendKind.embedded).loaded == 300
    return settings


@pytest.fixture(scope="session")
def mail_sink() -> Iterator[tuple[MailSink, int]]:
    with smtp_server() as (sink, port):
        yield sink, port


@pytest.fixture(scope="session")
def portal_url(portal_settings: Settings, mail_sink: tuple[MailSink, int]) -> Iterator[str]:
    """The app served by uvicorn in its own process, as ``make run`` serves it, with a Celery
    worker running beat on the same settings: loads, saved-query refreshes and mail really run."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    data = portal_settings.resolved_data_dir
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPC_")}
    env.update(IPC_DATA_DIR=str(data), IPC_SHARED_DATA_DIR=str(portal_settings.shared_data_dir),
               IPC_LOGIN_ATTEMPTS_PER_MINUTE="1000", IPC_SMTP_HOST="127.0.0.1", IPC_SMTP_PORT=str(mail_sink[1]),
               IPC_PUBLIC_URL=url)
    worker = start([sys.executable, "-m", "api.worker", "worker", "--pool=solo", "--loglevel=INFO", "--beat",
                     f"--schedule={data / 'beat-schedule'}", "--without-gossip", "--without-mingle",
                     "--without-heartbeat"], env, data / "worker.log")
    try:
        server = serve_api(env, data / "uvicorn.log", port)
    except NotServing as exc:
        stop(worker)
        pytest.fail(str(exc))
    yield url
    stop(server)
    stop(worker)


def new_page(browser: Browser, lang: str = "en-GB", width: int = 1280) -> Page:
    context = browser.new_context(locale=lang, viewport={"width": width, "height": 900},
                                  extra_http_headers={"Accept-Language": lang})
    return context.new_page()


def axe_violations(page: Page) -> list[dict[str, object]]:
    """Serious and critical axe-core violations on the page as it is now."""
    if not AXE.is_file():
        pytest.fail("front-end libraries missing: run `make setup` (scripts/assets)")
    # a click on a link returns once the next page is committed, perhaps before it has a <head>
    # to add a script to: wait until it has loaded
    page.wait_for_load_state("load")
    page.add_script_tag(url="/static/vendor/axe.min.js")  # served by the app: the CSP refuses inline scripts
    result = page.evaluate("async () => (await axe.run(document)).violations")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result if v["impact"] in ("serious", "critical")]


def screenshot(page: Page, name: str) -> None:
    """With ``IPC_SCREENSHOTS_DIR`` set (``make screenshots``), keep a PNG of the page for the README."""
    folder = os.environ.get("IPC_SCREENSHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=False)


# --- the platform's own paths, driven from a test ------------------------------------------------

ADMIN = ("admin@example.org", "admin password 123")


@pytest.fixture(scope="session")
def admin_token(portal_url: str, portal_settings: Settings) -> str:
    """An administrator made by ``ipcommons users create-admin``, signed in through the API."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPC_")}
    env.update(IPC_DATA_DIR=str(portal_settings.resolved_data_dir), IPC_ADMIN_PASSWORD=ADMIN[1])
    done = subprocess.run([sys.executable, "-m", "api.cli", "users", "create-admin", ADMIN[0]], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    r = httpx.post(f"{portal_url}/api/v1/auth/token", data={"username": ADMIN[0], "password": ADMIN[1]})
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def new_documents(settings: Settings, name: str, count: int = 1) -> Path:
    """Synthetic documents not in the corpus yet (every one has claim 1 "A … apparatus
    comprising"), written where API loads may read them."""
    folder = settings.incoming_dir / name
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(name)
    first = 100_000 + rng.randrange(800_000)
    opts = SyntheticOptions(docs=count, seed=rng.randrange(1000))
    (folder / "documents.xml").write_text("".join(document_xml(first + i, rng, opts) for i in range(count)),
                                          encoding="utf-8")
    return folder


def load_through_api(portal_url: str, token: str, folder: Path) -> dict[str, object]:
    """Queue a load as an administrator (POST /api/v1/loads) and wait for the worker to finish it."""
    auth = {"Authorization": f"Bearer {token}"}
    r = httpx.post(f"{portal_url}/api/v1/loads", json={"paths": [str(folder)], "backend": "embedded"}, headers=auth)
    assert r.status_code == 202, r.text
    run_id = r.json()["id"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run = httpx.get(f"{portal_url}/api/v1/loads/{run_id}", headers=auth).json()
        if run["status"] not in ("queued", "running"):
            return dict(run)
        time.sleep(0.5)
    pytest.fail(f"load {run_id} did not finish: {run}")


def run_mailer(settings: Settings) -> None:
    """Queue ``core.send_mail`` as beat does every minute, so a test need not wait for the minute."""
    app = make_celery(settings)
    app.send_task(send_mail.name).get(timeout=90)


def wait_for_mail(sink: MailSink, address: str, timeout: float = 90) -> list[Message]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := sink.to(address):
            return found
        time.sleep(0.3)
    pytest.fail(f"no mail to {address}; the sink holds {[m['To'] for m in sink.messages]}")



BROWSER_PASSWORD = "a long password 123"


def sign_up_in_browser(page: Page, portal_url: str, who: str, domain: str = "example.org") -> str:
    """A new account made through the sign-up page (either language), signed in; its e-mail."""
    email = f"{who}-{uuid.uuid4().hex[:8]}@{domain}"
    page.goto(f"{portal_url}/signup")
    page.get_by_label(re.compile("E-mail|电子邮箱")).fill(email)
    page.get_by_label(re.compile("^(Password|密码)")).fill(BROWSER_PASSWORD)
    page.locator("main form button").first.click()
    expect(page.get_by_role("button", name=re.compile("Log out|退出"))).to_be_visible()
    return email
