"""A real portal for page tests: uvicorn serving the app over a small synthetic corpus in the
embedded backend, and Debian's Chromium driven by Playwright (launched by its executable path)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from core.migrate import upgrade
from core.settings import BackendKind, Settings
from loaders.pipeline import run_load
from loaders.synthetic import SyntheticOptions, write_weekly_files

REPO = Path(__file__).resolve().parents[3]
AXE = REPO / "api" / "static" / "vendor" / "axe.min.js"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def portal_settings(tmp_path_factory: pytest.TempPathFactory, shared_data_dir: Path) -> Settings:
    data = tmp_path_factory.mktemp("portal") / "var"
    settings = Settings(data_dir=data, shared_data_dir=shared_data_dir, database_url=None, elasticsearch_url=None,
                        broker_url=None, redis_url=None)
    upgrade(settings.effective_database_url)
    folder = data / "synthetic"
    write_weekly_files(folder, SyntheticOptions(docs=300, seed=5))
    assert run_load(settings, [folder], backend=BackendKind.embedded).loaded == 300
    return settings


@pytest.fixture(scope="session")
def portal_url(portal_settings: Settings) -> Iterator[str]:
    """The app served by uvicorn in its own process, as ``make run`` serves it."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPC_")}
    env.update(IPC_DATA_DIR=str(portal_settings.resolved_data_dir), IPC_LOGIN_ATTEMPTS_PER_MINUTE="1000")
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host",
                               "127.0.0.1", "--port", str(port)], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.3)
    else:
        server.kill()
        pytest.fail(f"the portal did not start: {server.communicate()[1].decode()[-2000:]}")
    yield url
    server.terminate()
    server.wait(timeout=20)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is not installed: run `scripts/services install`")
    if not AXE.is_file():
        pytest.fail("front-end libraries missing: run `make setup` (scripts/assets)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield browser
        browser.close()


def new_page(browser: Browser, lang: str = "en-GB", width: int = 1280) -> Page:
    context = browser.new_context(locale=lang, viewport={"width": width, "height": 900},
                                  extra_http_headers={"Accept-Language": lang})
    return context.new_page()


def axe_violations(page: Page) -> list[dict[str, object]]:
    """Serious and critical axe-core violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document)).violations")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result if v["impact"] in ("serious", "critical")]


def screenshot(page: Page, name: str) -> None:
    """With ``IPC_SCREENSHOTS_DIR`` set (``make screenshots``), keep a PNG of the page for the README."""
    folder = os.environ.get("IPC_SCREENSHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=False)
