"""The PDF certificate, rendered by a real Celery worker: the text people read is in it, the
Chinese title renders with embedded CJK fonts, and there is a QR code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from tests.conftest import TEST_SIGNING_PASSPHRASE
from tests.helpers import new_user

REPO = Path(__file__).resolve().parents[2]


def test_pdf_certificate_rendered_by_a_worker(client: TestClient, prod_settings: Settings, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.fail("poppler-utils (pdftotext) is missing: scripts/services install puts it there")
    _, h = new_user(client)
    reg = client.post("/api/v1/copyright/registrations", headers=h, json={
        "work": {"title": "洱海日出 Sunrise over Erhai", "work_type": "photographic", "authors": ["王芳"]},
        "content": {"sha256": "e3" * 32}}).json()
    env = {**os.environ, "IPC_DATA_DIR": str(prod_settings.resolved_data_dir),
           "IPC_DATABASE_URL": str(prod_settings.database_url), "IPC_SIGNING_KEY_PASSPHRASE": TEST_SIGNING_PASSPHRASE}
    worker = subprocess.Popen([sys.executable, "-m", "api.worker", "worker",
                               "--pool=solo", "--loglevel=WARNING", "--without-gossip", "--without-mingle"],
                              cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"/api/v1/copyright/registrations/{reg['number']}/certificate.pdf"
        first = client.get(url)
        assert first.status_code == 202 and first.headers["retry-after"] == "2"
        deadline = time.time() + 90
        r = first
        while time.time() < deadline and r.status_code == 202:
            time.sleep(1)
            r = client.get(url)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert f'filename="{reg["number"]}.pdf"' in r.headers["content-disposition"]  # not the stored file's name
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(r.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    expected_texts = (reg["number"], "洱海日出", "Sunrise over Erhai", "Photographic work", "摄影作品", "e3e3e3e3",
                      "王芳", "未发表 unpublished", "已登记 registered", "北京时间", "本证书由 IP Commons 签名")
    for expected in expected_texts:
        assert expected in text, expected
    # Chinese first, as most of its readers read it: the title, and each label above its English
    assert text.index("作品登记证书") < text.index("Copyright Registration Certificate")
    assert text.index("创作完成日期") < text.index("Completion date")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk)  # embedded, so no missing-glyph boxes
    # the QR code: the page's top-right corner is a dense black-and-white block
    from PIL import Image

    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    page = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    w, h = page.size
    def darkness_and_edges(box: tuple[float, float, float, float]) -> tuple[float, int]:
        region = page.crop((int(w * box[0]), int(h * box[1]), int(w * box[2]), int(h * box[3])))
        px = [v < 100 for v in region.tobytes()]  # mode "L": one byte a pixel, row by row
        rows = [px[i:i + region.width] for i in range(0, len(px), region.width)]
        return sum(px) / len(px), sum(a != b for row in rows for a, b in zip(row, row[1:], strict=False))

    qr_dark, qr_edges = darkness_and_edges((0.68, 0.03, 0.92, 0.2))
    blank_dark, _ = darkness_and_edges((0.6, 0.85, 0.95, 0.97))
    assert qr_dark > 0.12 and qr_edges > 300, (qr_dark, qr_edges)
    assert blank_dark < 0.02


def test_no_pdf_for_a_registration_under_review(client: TestClient) -> None:
    _, h = new_user(client)
    _, other = new_user(client)
    body = {"work": {"title": "Twice", "work_type": "written"}, "content": {"sha256": "7a" * 32}}
    client.post("/api/v1/copyright/registrations", headers=h, json=body)
    held = client.post("/api/v1/copyright/registrations", headers=other, json=body).json()
    assert held["status"] == "under_review"
    assert client.get(f"/api/v1/copyright/registrations/{held['number']}/certificate.pdf").status_code == 400
