"""The analytics API (indicators, scopes, report jobs and files, subscriptions, alerts) and the
``ipcommons report`` command, on the real corpus in Elasticsearch and PostgreSQL, with the
hostile cases: anonymous writes, other users' reports, bad scopes and periods."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from analytics.indicators import IndicatorParams, compute
from analytics.reports.service import generate
from api.app import create_app
from core.settings import Settings
from ipsearch.backends import get_backend
from ipsearch.service import SearchService
from tests.helpers import audit_rows, new_admin, quick_user

REPO = Path(__file__).resolve().parents[2]
QUERY = "IPC=A OR IPC=B OR IPC=C OR IPC=G OR IPC=H"


@pytest.fixture(scope="module")
def api(corpus_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(corpus_settings)) as client:
        yield client


def test_indicators_endpoint(api: TestClient, corpus_settings: Settings) -> None:
    r = api.get("/api/v1/analytics/indicators", params={"scope": "telecom", "cutoff": "2024-06-30", "home": "US"})
    assert r.status_code == 200, r.text
    expected = compute(SearchService(get_backend(corpus_settings, "es")), "IPC=H04W OR IPC=H04B OR IPC=H04L",
                       IndicatorParams(cutoff="2024-06-30", home_country="US"))  # type: ignore[arg-type]
    body = r.json()
    assert body["total"] == expected.total > 0
    assert body["concentration"] == expected.concentration.model_dump()
    assert [a["key"] for a in body["top_applicants"]] == [a.key for a in expected.top_applicants]
    assert api.get("/api/v1/analytics/indicators", params={"scope": "no-such"}).status_code == 404
    bad = api.get("/api/v1/analytics/indicators", params={"scope": "led", "from": 2020, "to": 2010})
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")
    assert api.get("/api/v1/analytics/indicators", params={"scope": "led", "home": "china"}).status_code == 422
    nowhere = api.get("/api/v1/analytics/indicators", params={"scope": "led", "home": "ZZ"})  # no country
    assert nowhere.status_code == 422 and "not a country code (ISO 3166)" in nowhere.text
    assert api.get("/api/v1/analytics/indicators", params={"scope": "x" * 61}).status_code == 422


def test_scopes_reports_and_permissions(api: TestClient, corpus_settings: Settings, tmp_path: Path) -> None:
    key = f"sections-{uuid.uuid4().hex[:6]}"
    scope = {"key": key, "name": "Five sections", "query": QUERY,
             "branches": [{"key": "h", "name": "Electricity", "query": "IPC=H"}]}
    assert api.post("/api/v1/analytics/scopes", json=scope).status_code == 401
    _, owner = quick_user(api)
    assert api.post("/api/v1/analytics/scopes", json=scope | {"query": "TI=(a AND"}, headers=owner).status_code == 422
    assert api.post("/api/v1/analytics/scopes", json=scope | {"key": "Bad Key!"}, headers=owner).status_code == 422
    created = api.post("/api/v1/analytics/scopes", json=scope, headers=owner)
    assert created.status_code == 201, created.text
    assert api.post("/api/v1/analytics/scopes", json=scope, headers=owner).status_code == 409
    nowhere = api.post("/api/v1/reports", json={"scope": "led", "home_country": "ZZ"}, headers=owner)
    assert nowhere.status_code == 422 and "home_country" in nowhere.text, nowhere.text  # the field, named
    assert key in {s["key"] for s in api.get("/api/v1/analytics/scopes", headers=owner).json()}
    assert key not in {s["key"] for s in api.get("/api/v1/analytics/scopes").json()}  # private to its owner

    request = {"scope": key, "lang": "zh", "cutoff": "2024-06-30", "home_country": "US"}
    assert api.post("/api/v1/reports", json=request).status_code == 401
    assert api.post("/api/v1/reports", json=request | {"scope": "nope"}, headers=owner).status_code == 404
    assert api.post("/api/v1/reports", json=request | {"lang": "fr"}, headers=owner).status_code == 422
    job = api.post("/api/v1/reports", json=request, headers=owner)
    assert job.status_code == 202 and job.json()["status"] == "queued", job.text
    rid = job.json()["id"]
    assert api.get(f"/api/v1/reports/{rid}.pdf", headers=owner).status_code == 404  # not generated yet
    generate(corpus_settings, rid)  # what the worker runs for the queued job
    done = api.get(f"/api/v1/reports/{rid}", headers=owner).json()
    assert done["status"] == "done" and set(done["links"]) == {"self", "html", "pdf", "json"}
    pdf = api.get(f"/api/v1/reports/{rid}.pdf", headers=owner)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    html = api.get(f"/api/v1/reports/{rid}.html", headers=owner)
    assert "检索范围与技术分解" in html.text
    data = api.get(f"/api/v1/reports/{rid}.json", headers=owner).json()
    assert data["provenance"]["query"] == QUERY and data["indicators"]["total"] > 100
    assert [r["id"] for r in api.get("/api/v1/reports", params={"scope": key}, headers=owner).json()] == [rid]

    _, stranger = quick_user(api)
    assert api.get(f"/api/v1/reports/{rid}.pdf", headers=stranger).status_code == 404
    assert api.get(f"/api/v1/reports/{rid}.pdf").status_code == 401  # a report is its requesters': an account first
    _, admin = new_admin(api)
    assert api.get(f"/api/v1/reports/{rid}.json", headers=admin).status_code == 200
    assert audit_rows(api, action="report.request")


def test_subscriptions_and_alerts(api: TestClient) -> None:
    _, user = quick_user(api)
    _, other = quick_user(api)
    body = {"scope": "led", "watched": ["Aurora Lighting Co., Ltd."], "product_keywords": ["phosphor"],
            "rules": {"foreign_growth": {"yellow_pct": 30}}}
    assert api.post("/api/v1/analytics/subscriptions", json=body).status_code == 401
    assert api.post("/api/v1/analytics/subscriptions", json=body | {"scope": "nope"}, headers=user).status_code == 404
    bad_rule = body | {"rules": {"foreign_growth": {"yellow_pct": -5}}}
    assert api.post("/api/v1/analytics/subscriptions", json=bad_rule, headers=user).status_code == 422
    made = api.post("/api/v1/analytics/subscriptions", json=body, headers=user)
    assert made.status_code == 201, made.text
    sub = made.json()
    assert sub["watched"] == ["aurora lighting"] and sub["rules"]["foreign_growth"]["yellow_pct"] == 30
    assert sub["rules"]["foreign_growth"]["red_pct"] == 100  # documented default kept
    assert [s["id"] for s in api.get("/api/v1/analytics/subscriptions", headers=user).json()] == [sub["id"]]
    assert api.delete(f"/api/v1/analytics/subscriptions/{sub['id']}", headers=other).status_code == 404
    assert api.get("/api/v1/analytics/alerts", headers=user).json() == []
    assert api.delete(f"/api/v1/analytics/subscriptions/{sub['id']}", headers=user).status_code == 204
    assert api.get("/api/v1/analytics/subscriptions", headers=user).json() == []


def test_cli_report(corpus_settings: Settings, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPC_")}
    env.update(IPC_DATA_DIR=str(corpus_settings.resolved_data_dir), IPC_DATABASE_URL=str(corpus_settings.database_url),
               IPC_ELASTICSEARCH_URL=str(corpus_settings.elasticsearch_url),
               IPC_ES_INDEX_PREFIX=corpus_settings.es_index_prefix)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "api.cli", "report", *args], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=300)

    out = tmp_path / "telecom.json"
    r = cli("telecom", "--from", "2005", "--to", "2023", "--format", "json", "--out", str(out),
            "--cutoff", "2024-06-30", "--home", "US")
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    assert data["provenance"]["params"]["from_year"] == 2005 and data["indicators"]["total"] > 0
    counted = data["indicators"]["counting"]
    said = " ".join(r.stdout.split())  # rich wraps long lines at the terminal's width
    assert f"{data['indicators']['total']} families ({counted['documents']} documents)" in said
    by_document = cli("telecom", "--from", "2005", "--to", "2023", "--format", "json", "--out", str(out),
                      "--cutoff", "2024-06-30", "--home", "US", "--counting", "document")
    assert by_document.returncode == 0 and json.loads(out.read_text())["indicators"]["counting"]["unit"] == "document"
    assert json.loads(out.read_text())["indicators"]["total"] == counted["documents"]
    pdf = tmp_path / "telecom.pdf"
    assert cli("telecom", "--format", "pdf", "--out", str(pdf), "--lang", "zh").returncode == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert cli("telecom", "--format", "docx").returncode == 2
    assert cli("no-such-scope").returncode == 2
    assert cli("telecom", "--cutoff", "yesterday").returncode == 2
    # refused before the report is computed, in words: not a traceback after it
    nowhere = cli("telecom", "--format", "json", "--out", str(tmp_path / "missing" / "r.json"))
    assert nowhere.returncode == 2 and "Traceback" not in nowhere.stderr and "does not" in nowhere.stderr
