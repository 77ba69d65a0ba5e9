"""The search API over HTTP: results, facets, cursors, export, documents; hostile queries."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from ipsearch.backends.elastic import ElasticsearchBackend


@pytest.fixture(scope="module")
def api(corpus_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(corpus_settings)) as client:
        yield client


@pytest.fixture
def no_backend_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hostile query must be refused before Elasticsearch is asked anything."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the backend was asked")
    for method in ("run_search", "family_heads", "run_ids", "vocabulary", "count_matching"):
        monkeypatch.setattr(ElasticsearchBackend, method, refuse)


def test_search_returns_hits_facets_and_a_cursor(api: TestClient) -> None:
    r = api.get("/api/v1/patents/search", params={"q": "light NEAR3 emitting", "size": 5,
                                                   "facets": "ipc_subclass,year,applicant"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] >= 5 and len(body["hits"]) == 5 and body["backend"] == "elasticsearch"
    assert body["next_cursor"]
    assert body["facets"]["ipc_subclass"][0]["value"] == "H01L"
    nxt = api.get("/api/v1/patents/search", params={"q": "light NEAR3 emitting", "size": 5,
                                                     "cursor": body["next_cursor"]}).json()
    assert not {h["pn"] for h in nxt["hits"]} & {h["pn"] for h in body["hits"]}


def test_cursor_from_another_query_is_refused(api: TestClient) -> None:
    first = api.get("/api/v1/patents/search", params={"q": "led", "size": 2}).json()
    r = api.get("/api/v1/patents/search", params={"q": "lamp", "size": 2, "cursor": first["next_cursor"]})
    assert r.status_code == 400
    r = api.get("/api/v1/patents/search", params={"q": "lamp", "cursor": "not-a-cursor"})
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("q,position", [
    ("x" * 3000, None), ("(led AND lamp", 0), ("a*", 0), ("led\x01lamp", 3), ('"open', 0), ("led ) lamp", 4),
    (" OR ".join(["led"] * 250), 0),
])
@pytest.mark.usefixtures("no_backend_work")
def test_hostile_queries_are_400_before_the_backend_is_asked(api: TestClient, q: str, position: int | None) -> None:
    r = api.get("/api/v1/patents/search", params={"q": q})
    assert r.status_code in (400, 422), r.text
    assert r.headers["content-type"] == "application/problem+json"
    if r.status_code == 400 and position is not None:
        assert r.json()["position"] == position


@pytest.mark.usefixtures("no_backend_work")
def test_long_query_and_5000_clauses(api: TestClient, es_service: object) -> None:
    from ipsearch.query.parser import QuerySyntaxError

    for q in ("y" * 60_000, " OR ".join(f"w{i}" for i in range(5000))[:60_000]):  # the longest URL httpx sends
        r = api.get("/api/v1/patents/search", params={"q": q})
        assert r.status_code == 400
        assert "longer than" in r.json()["detail"]
    # 100k characters: the same service call the route makes, rejected before any backend work
    with pytest.raises(QuerySyntaxError, match="longer than"):
        es_service.search("z" * 100_000)  # type: ignore[attr-defined]


def test_raw_elasticsearch_dsl_is_just_text(api: TestClient) -> None:
    r = api.get("/api/v1/patents/search", params={"q": '{"query": {"match_all": {}}}'})
    assert r.status_code in (200, 400)
    if r.status_code == 200:
        assert r.json()["total"] == 0


def test_unknown_facet_and_bad_size(api: TestClient) -> None:
    assert api.get("/api/v1/patents/search", params={"q": "led", "facets": "secret"}).status_code == 400
    assert api.get("/api/v1/patents/search", params={"q": "led", "size": 0}).status_code == 422
    assert api.get("/api/v1/patents/search", params={"q": "led", "size": 101}).status_code == 422


def test_export_csv_and_jsonl(api: TestClient) -> None:
    r = api.get("/api/v1/patents/export", params={"q": "KIND=grant", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    grants = api.get("/api/v1/patents/search", params={"q": "KIND=grant", "size": 1}).json()["total"]
    assert rows[0][0] == "pn" and grants > 200 and len(rows) == 1 + grants
    r = api.get("/api/v1/patents/export", params={"q": "led", "format": "jsonl", "limit": 5})
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert len(lines) == 5 and all("pn" in line for line in lines)
    assert api.get("/api/v1/patents/export", params={"q": "(bad"}).status_code == 400


def test_document_and_similar(api: TestClient) -> None:
    r = api.get("/api/v1/patents/US 6,836,899 B1")
    assert r.status_code == 200
    assert r.json()["document"]["titles"][0]["text"].startswith("Device for detachably holding")
    assert api.get("/api/v1/patents/US0000001B1").status_code == 404
    assert api.get("/api/v1/patents/not a number!").status_code == 400
    sim = api.get("/api/v1/patents/US8926509B2/similar", params={"size": 3})
    assert sim.status_code == 200 and 0 < len(sim.json()) <= 3


def test_embedded_search_over_http(corpus_settings: Settings) -> None:
    embedded = corpus_settings.model_copy(update={"elasticsearch_url": None})
    with TestClient(create_app(embedded)) as client:
        body = client.get("/api/v1/patents/search", params={"q": "申请人=三星", "facets": "country"}).json()
    assert body["backend"] == "embedded" and [h["pn"] for h in body["hits"]] == ["CN113781974A"]
    assert body["facets"]["country"] == [{"value": "CN", "count": 1, "label": None}]


def test_class_symbol_typed_as_displayed_finds_its_documents(api: TestClient) -> None:
    """``IPC=H01L 33/50`` as offices print it (with the space) finds the same documents as without."""
    hit = api.get("/api/v1/patents/search", params={"q": "IPC=H01L", "size": 1}).json()["hits"][0]
    symbol = next(s for s in hit["ipc"] if s.startswith("H01L ") and "/" in s)
    spaced = api.get("/api/v1/patents/search", params={"q": f"IPC={symbol}", "size": 100}).json()
    joined = api.get("/api/v1/patents/search", params={"q": f"IPC={symbol.replace(' ', '')}", "size": 100}).json()
    assert hit["pn"] in {h["pn"] for h in spaced["hits"]}
    assert spaced["total"] == joined["total"] > 0


def test_one_row_per_family_over_http(api: TestClient) -> None:
    params = {"q": "FAM=19768124 OR CC=JP", "size": 2, "group": "family"}
    body = api.get("/api/v1/patents/search", params=params).json()
    assert (body["total"], body["documents"], body["group"]) == (4, 9, "family")
    ep = [h for h in body["hits"] + api.get("/api/v1/patents/search", params={**params, "cursor": body["next_cursor"]})
          .json()["hits"] if h["family_id"] == "19768124"]
    assert len(ep) == 1 and len(ep[0]["family"]) == 5
    assert api.get("/api/v1/patents/search", params={**params, "group": "inventor"}).status_code == 422
    other = api.get("/api/v1/patents/search", params={"q": params["q"], "size": 2}).json()["next_cursor"]
    assert api.get("/api/v1/patents/search", params={**params, "cursor": other}).status_code == 400


def test_every_page_comes_back_after_the_last(api: TestClient) -> None:
    """The last page ends the point in time the pages read; a "previous page" link (an earlier
    cursor) still answers its page, from a new one, instead of a server error."""
    params: dict[str, str | int] = {"q": "CC=US OR CC=EP", "size": 7}
    pages: list[list[str]] = []
    cursors: list[str] = []
    while True:
        body = api.get("/api/v1/patents/search", params={**params, **({"cursor": cursors[-1]} if cursors else {})})
        pages.append([h["pn"] for h in body.json()["hits"]])
        if not body.json()["next_cursor"]:
            break
        cursors.append(body.json()["next_cursor"])
    assert len(pages) >= 4 and len(set(sum(pages, []))) == body.json()["total"]
    for cursor, pns in zip(cursors, pages[1:], strict=True):
        again = api.get("/api/v1/patents/search", params={**params, "cursor": cursor})
        assert again.status_code == 200, again.text
        assert [h["pn"] for h in again.json()["hits"]] == pns
