"""Hostile clients (issue 18, item 4): input built to break the server is a clear 4xx, on both
search backends and both databases, and nothing bad is stored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from ipsearch.query.parser import MAX_CHAIN, MAX_DEPTH
from tests.helpers import new_user

SEARCH = "/api/v1/patents/search"
EXPORT = "/api/v1/patents/export"


@pytest.fixture(scope="module", params=["elasticsearch", "embedded"])
def corpus_api(request: pytest.FixtureRequest, corpus_settings: Settings) -> Iterator[TestClient]:
    """The API over the real corpus, on Elasticsearch and on the embedded index (PostgreSQL)."""
    settings = corpus_settings
    if request.param == "embedded":
        settings = corpus_settings.model_copy(update={"elasticsearch_url": None})
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


# --- the query language: nesting and proximity chains -------------------------------------------

def _chain(op: str, n: int) -> str:
    return f" {op} ".join(["led"] * n)


@pytest.mark.parametrize("q,limit", [
    ("NOT " * 78 + "led", f"nested more than {MAX_DEPTH} deep"),
    ("led AND (lamp OR (" * 30 + "x" + "))" * 30, f"nested more than {MAX_DEPTH} deep"),
    (_chain("NEAR3", 94), f"more than {MAX_CHAIN} words or groups"),
    (_chain("SAME", 94), f"more than {MAX_CHAIN} words or groups"),
    (_chain("ADJ2", 94), f"more than {MAX_CHAIN} words or groups"),
    (_chain("NEAR3", MAX_CHAIN + 1), f"more than {MAX_CHAIN} words or groups"),
    ("w " * 999 + "w", "at most 200 words and phrases"),
], ids=["78-nots", "and-or-30-deep", "94-near", "94-same", "94-adj", "chain-over", "1000-words"])
def test_queries_over_the_limits_are_400_saying_the_limit(corpus_api: TestClient, q: str, limit: str) -> None:
    for path in (SEARCH, EXPORT):
        r = corpus_api.get(path, params={"q": q})
        assert r.status_code == 400, (path, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert limit in r.json()["detail"]


@pytest.mark.parametrize("q", [
    "NOT " * MAX_DEPTH + "led",
    "led AND (lamp OR (" * (MAX_DEPTH // 2) + "x" + "))" * (MAX_DEPTH // 2),  # SQLite's worst
    "led AND NOT (" * (MAX_DEPTH // 2) + "x" + ")" * (MAX_DEPTH // 2),
    "NOT (led OR " * (MAX_DEPTH // 2) + "x" + ")" * (MAX_DEPTH // 2),  # Elasticsearch's worst
    "led AND (lamp OR (" + _chain("NEAR3", MAX_CHAIN) + "))",
    _chain("SAME", MAX_CHAIN),
    "TI=(" + _chain("ADJ2", MAX_CHAIN) + ")",
], ids=["nots", "and-or", "and-not", "not-or", "deep-chain", "same-chain", "ti-adj-chain"])
def test_queries_at_the_limits_run_on_both_backends(corpus_api: TestClient, q: str) -> None:
    r = corpus_api.get(SEARCH, params={"q": q})
    assert r.status_code == 200, r.text


# --- a query of stop words: the same 400 everywhere -------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_of_stop_words_is_the_400_of_search(corpus_api: TestClient, fmt: str) -> None:
    searched = corpus_api.get(SEARCH, params={"q": "the"})
    assert searched.status_code == 400 and "only stop words" in searched.json()["detail"]
    exported = corpus_api.get(EXPORT, params={"q": "the", "format": fmt})
    assert exported.status_code == 400, exported.text
    assert exported.json()["detail"] == searched.json()["detail"]
    fine = corpus_api.get(EXPORT, params={"q": "led", "format": fmt, "limit": 3})
    assert fine.status_code == 200 and len(fine.text.splitlines()) == (4 if fmt == "csv" else 3)
    empty = corpus_api.get(EXPORT, params={"q": "TI=zzzqqq", "format": fmt})
    assert empty.status_code == 200 and len(empty.text.splitlines()) == (1 if fmt == "csv" else 0)
    page = corpus_api.get("/export", params={"q": "the", "format": fmt}, headers={"Accept": "text/html"})
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")


def test_collection_of_stop_words_is_refused_on_create_and_on_patch(corpus_api: TestClient) -> None:
    _, auth = new_user(corpus_api)
    mine = corpus_api.get("/api/v1/collections", headers=auth).json()
    r = corpus_api.post("/api/v1/collections", json={"name": "stop", "query": "the"}, headers=auth)
    assert r.status_code == 400 and "only stop words" in r.json()["detail"], r.text
    assert corpus_api.get("/api/v1/collections", headers=auth).json() == mine  # nothing stored
    made = corpus_api.post("/api/v1/collections", json={"name": "leds", "query": "TI=led"}, headers=auth)
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    for query in ("the", "TI=(the OR of)", "NOT " * 78 + "led"):
        r = corpus_api.patch(f"/api/v1/collections/{cid}", json={"query": query}, headers=auth)
        assert r.status_code == 400, r.text
    assert corpus_api.get(f"/api/v1/collections/{cid}", headers=auth).json()["query"] == "TI=led"
