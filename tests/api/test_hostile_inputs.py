"""Hostile clients (issue 18, item 4): input built to break the server is a clear 4xx, on both
search backends and both databases, and nothing bad is stored."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from enum import Enum

import annotated_types
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from httpx import Response

from api.app import create_app
from api.problems import JSON_PATHS
from core.settings import Settings
from ipsearch.query.parser import MAX_CHAIN, MAX_DEPTH
from tests.helpers import PASSWORD, audit_rows, new_admin, new_user

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


# --- ids beyond the database's integer ------------------------------------------------------------

HUGE_IDS = (22261074103, 2**64)  # beyond PostgreSQL's integer; beyond any 64-bit integer


def _admin_everywhere(client: TestClient) -> dict[str, str]:
    """An administrator signed in twice: a bearer token for the API and a session cookie (with its
    CSRF token in the header) for the pages, so permission checks let every route reach its ids."""
    user, auth = new_admin(client)
    anon_csrf = _csrf(client, "/login")
    r = client.post("/login", data={"email": user["email"], "password": PASSWORD, "csrf_token": anon_csrf},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return auth | {"x-csrf-token": _csrf(client, "/account")}


def _csrf(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', client.get(path).text)
    assert match is not None, path
    return match.group(1)


IdRoute = tuple[str, str, dict[str, int], dict[str, str]]


def _id_routes(client: TestClient) -> list[IdRoute]:
    """(method, path, the largest value of each integer path parameter, a value for each other one)
    of every route of the app (API and pages): FastAPI keeps included routers' routes nested."""
    out = []
    for context in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        route = context.route
        if not isinstance(route, APIRoute):
            continue
        params = route.dependant.path_params
        ints = {p.name: _maximum(route.path, p.name, p.field_info.metadata) for p in params
                if p.field_info.annotation is int}
        others = {p.name: _some(p.field_info.annotation) for p in params if p.name not in ints}
        out += [(method, route.path, ints, others) for method in sorted(route.methods or ())
                if ints and method in ("GET", "POST", "PUT", "PATCH", "DELETE")]
    return out


def _maximum(path: str, name: str, metadata: list[object]) -> int:
    bounds = [m.le for m in metadata if isinstance(m, annotated_types.Le)]
    assert bounds, f"{path}: {{{name}}} is an unbounded int (use core.ids.DbId)"
    return int(bounds[0])  # type: ignore[call-overload]


def _some(annotation: object) -> str:
    """A valid value of a path parameter that is not an id (an enum's first member, else a word)."""
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return str(next(iter(annotation)).value)
    return "x"


def _walk_huge_ids(client: TestClient) -> None:
    headers = _admin_everywhere(client)
    routes = _id_routes(client)
    assert len(routes) > 80  # the API's and the pages' routes with an id in the path
    for method, path, ints, others in routes:
        for huge in HUGE_IDS:
            url = path.format(**others, **dict.fromkeys(ints, huge))
            r = client.request(method, url, headers=headers | {"Accept": "application/json"})
            assert r.status_code < 500, (method, url, r.status_code, r.text[:300])
            over = [name for name, top in ints.items() if huge > top]
            if not over:  # a log index: a bigint, so 22261074103 is one the log does not have yet
                continue
            assert r.status_code == 422, (method, url, r.status_code, r.text[:300])
            places = [tuple(e["loc"]) for e in r.json()["errors"]]
            assert all(("path", name) in places for name in over), (method, url, places)
            if not path.startswith(JSON_PATHS):  # a person's browser: the error page
                page = client.request(method, url, headers=headers | {"Accept": "text/html"})
                assert page.status_code == 422 and page.headers["content-type"].startswith("text/html"), url


def test_huge_ids_in_every_path_are_422_on_postgresql(client: TestClient) -> None:
    _walk_huge_ids(client)


def test_huge_ids_in_every_path_are_422_on_sqlite(embedded_client: TestClient) -> None:
    _walk_huge_ids(embedded_client)


@pytest.fixture(params=["postgresql", "sqlite"])
def any_client(request: pytest.FixtureRequest) -> TestClient:
    """The API on PostgreSQL (integer ids end at 2**31-1) and on SQLite (at 2**63-1)."""
    return request.getfixturevalue("client" if request.param == "postgresql" else "embedded_client")


# (method, path, query, JSON body, where the huge value is): every id or count a request carries
IDS_IN_QUERIES_AND_BODIES: list[tuple[str, str, dict[str, object], dict[str, object] | None, tuple[str, ...]]] = [
    ("GET", "/api/v1/audit", {"actor_id": "{huge}"}, None, ("query", "actor_id")),
    ("GET", "/api/v1/audit", {"before_id": "{huge}"}, None, ("query", "before_id")),
    ("GET", "/api/v1/copyright/entries/0", {"tree_size": "{huge64}"}, None, ("query", "tree_size")),
    ("GET", "/api/v1/copyright/consistency", {"first": 1, "second": "{huge64}"}, None, ("query", "second")),
    ("GET", "/api/v1/forums/categories/1/topics", {"page": "{huge}"}, None, ("query", "page")),
    ("GET", "/api/v1/forums/topics/1", {"page": "{huge}"}, None, ("query", "page")),
    ("POST", "/api/v1/orgs/1/members", {}, {"user_id": "{huge}"}, ("body", "user_id")),
    ("POST", "/api/v1/collections", {}, {"name": "c", "org_id": "{huge}"}, ("body", "org_id")),
    ("PATCH", "/api/v1/collections/1", {}, {"org_id": "{huge}"}, ("body", "org_id")),
    ("POST", "/api/v1/forums/topics", {}, {"category_id": "{huge}", "title": "title", "body": "b"},
     ("body", "category_id")),
    ("POST", "/api/v1/forums/topics/1/posts", {}, {"body": "b", "quote_of": "{huge}"}, ("body", "quote_of")),
    ("POST", "/api/v1/forums/topics/1/moderate", {}, {"action": "move", "category_id": "{huge}"},
     ("body", "category_id")),
    ("POST", "/api/v1/agencies", {}, {"name": "Agency", "licence_number": "L-1", "practitioners": "{huge}"},
     ("body", "practitioners")),
    ("PATCH", "/api/v1/agencies/1", {}, {"practitioners": "{huge}"}, ("body", "practitioners")),
    ("POST", "/api/v1/copyright/registrations/R-1/licences", {},
     {"licensee_id": "{huge}", "rights": ["reproduction"]}, ("body", "licensee_id")),
    ("POST", "/api/v1/copyright/registrations/R-1/transfers", {},
     {"to_user_id": "{huge}", "rights": ["reproduction"], "effective_date": "2024-01-01"}, ("body", "to_user_id")),
    ("POST", "/api/v1/analytics/scopes", {}, {"key": "my-scope", "name": "n", "query": "led", "org_id": "{huge}"},
     ("body", "org_id")),
    ("POST", "/api/v1/analytics/subscriptions", {}, {"scope": "led-lighting", "org_id": "{huge}"},
     ("body", "org_id")),
    ("POST", "/api/v1/hall/applications/X-1/assign", {}, {"assignee_id": "{huge}"}, ("body", "assignee_id")),
    ("POST", "/api/v1/hall/applications/X-1/actions", {}, {"action": "accept", "version": "{huge}"},
     ("body", "version")),
]


def test_huge_ids_in_queries_and_bodies_are_422(any_client: TestClient) -> None:
    _, auth = new_admin(any_client)
    for huge in HUGE_IDS:
        def fill(value: object, huge: int = huge) -> object:  # the log's sizes are bigint: 2**64 there
            return {"{huge}": huge, "{huge64}": 2**64}.get(value, value) if isinstance(value, str) else value

        for method, path, query, body, where in IDS_IN_QUERIES_AND_BODIES:
            r = any_client.request(method, path, params={k: fill(v) for k, v in query.items()}, headers=auth,
                                   json={k: fill(v) for k, v in body.items()} if body is not None else None)
            assert r.status_code == 422, (method, path, huge, r.text)
            assert where in [tuple(e["loc"]) for e in r.json()["errors"]], (method, path, huge, r.text)


def test_huge_ids_in_page_addresses_and_forms(any_client: TestClient) -> None:
    """A hand-edited address or form: the error page or the form again, never a 500."""
    headers = _admin_everywhere(any_client)
    html = headers | {"Accept": "text/html"}
    for huge in HUGE_IDS:
        for path in (f"/community/topics/1?quote={huge}", f"/community/agencies/1?review={huge}",
                     f"/admin/audit?before={huge}"):
            r = any_client.get(path, headers=html)
            assert r.status_code == 422 and r.headers["content-type"].startswith("text/html"), path
        for path, form in (("/collections/add", {"collection": huge, "pn": "US1"}),
                           ("/admin/agencies/integrity", {"agency": huge, "kind": "sanction", "points": "1",
                                                          "description": "ddd", "source": "sss",
                                                          "occurred_on": "2024-01-01"}),
                           ("/community/moderation/topics/1", {"action": "move", "category_id": huge})):
            r = any_client.post(path, data=form, headers=html, follow_redirects=False)
            assert r.status_code == 422 and r.headers["content-type"].startswith("text/html"), path
    # an id typed (or forged) into a text field: the form again with its refusal, or no choice made
    before = any_client.get("/api/v1/collections", headers=headers).json()
    r = any_client.post("/collections", data={"name": "c", "visibility": "org", "org": "99999999999"}, headers=html)
    assert r.status_code == 400 and any_client.get("/api/v1/collections", headers=headers).json() == before
    for org in ("99999999999", "²", "9" * 5000):
        r = any_client.post("/reports/scopes", data={"key": "hostile", "name": "n", "query": "led", "org": org},
                            headers=html, follow_redirects=False)
        assert r.status_code < 500, org
    for threshold in ("1e999", "nan", "-inf"):
        r = any_client.post("/reports/subscriptions", data={"scope": "led-lighting", "min_keywords": threshold},
                            headers=html)
        assert r.status_code == 400, threshold
    for record in ("99999999999", "٣"):
        r = any_client.post("/community/agencies/1/objections", data={"text": "why", "record": record},
                            headers=html, follow_redirects=False)
        assert r.status_code < 500, record


# --- copyright: the registrant's key and signature ----------------------------------------------

@pytest.mark.parametrize("field,value,says", [
    ("registrant_public_key", "é" * 44, "an Ed25519 public key is standard base64 of 32 bytes"),
    ("registrant_signature", "签名" * 44, "an Ed25519 signature is standard base64 of 64 bytes"),
    ("registrant_public_key", "QUFB", "it holds 3 bytes"),
])
def test_registrant_key_or_signature_not_ascii_base64_is_422_with_a_sentence(client: TestClient, field: str,
                                                                             value: str, says: str) -> None:
    _, auth = new_user(client)
    body: dict[str, object] = {"work": {"title": "Hostile", "work_type": "written"},
                               "content": {"sha256": "ef" * 32}, field: value}
    registered = len(audit_rows(client, action="copyright.register"))  # the session's database is shared
    r = client.post("/api/v1/copyright/registrations", json=body, headers=auth)
    assert r.status_code == 422, r.text
    assert any(e["loc"][-1] == field and says in e["msg"] for e in r.json()["errors"]), r.text
    assert len(audit_rows(client, action="copyright.register")) == registered


# --- names and e-mails: no NUL, no other control character, no bidi override ---------------------

NUL, RLO, LRI = "\x00", "\u202e", "\u2066"  # a NUL; right-to-left override; left-to-right isolate


def _refused(r: Response, field: str) -> None:
    assert r.status_code == 422, r.text
    assert any(e["loc"][-1] == field or e["loc"][-2:-1] == [field] for e in r.json()["errors"]), r.text
    assert any("control character" in e["msg"] for e in r.json()["errors"]), r.text


@pytest.mark.parametrize("field,value", [
    ("email", f"eve{NUL}@example.org"), ("email", f"eve{RLO}gro.elpmaxe@example.org"),
    ("display_name", f"Eve{RLO}evil"), ("display_name", "Eve\x1b[31m"), ("display_name", "Eve\nAdmin"),
])
def test_signup_refuses_controls_in_email_and_name(any_client: TestClient, field: str, value: str) -> None:
    body = {"email": f"u-{uuid.uuid4().hex[:8]}@example.org", "password": PASSWORD, field: value}
    _refused(any_client.post("/api/v1/auth/register", json=body), field)
    if field == "email":  # signing in with it is refused too (PostgreSQL answered a NUL with a 500)
        r = any_client.post("/api/v1/auth/token", data={"username": value, "password": PASSWORD})
        assert r.status_code == 400 and "control character" in r.json()["detail"], r.text
        anon = {"x-csrf-token": _csrf(any_client, "/login"), "Accept": "text/html"}
        page = any_client.post("/login", data={"email": value, "password": PASSWORD}, headers=anon)
        assert page.status_code == 400 and "control character" in page.text  # bad input, as the API says


def test_signup_and_profile_pages_refuse_a_name_with_a_bidi_override(any_client: TestClient) -> None:
    anon = {"x-csrf-token": _csrf(any_client, "/signup"), "Accept": "text/html"}
    email = f"u-{uuid.uuid4().hex[:8]}@example.org"
    r = any_client.post("/signup", data={"email": email, "password": PASSWORD, "display_name": f"Bob{RLO}"},
                        headers=anon, follow_redirects=False)
    assert r.status_code == 400 and "U+202E" in r.text
    r = any_client.post("/signup", data={"email": email, "password": PASSWORD, "display_name": "Bob"},
                        headers=anon, follow_redirects=False)
    assert r.status_code == 303
    signed_in = {"x-csrf-token": _csrf(any_client, "/account"), "Accept": "text/html"}
    for name in (f"Bob{RLO}", f"Bob{NUL}", f"Bob{LRI}x"):
        r = any_client.post("/account/profile", data={"display_name": name}, headers=signed_in)
        assert r.status_code == 400, name
    assert any_client.get("/account", headers=signed_in).text.count(RLO) == 0


@pytest.mark.parametrize("work,field", [
    ({"title": f"Song{NUL}"}, "title"),
    ({"title": "Song", "authors": ["Alice", f"Mallory{RLO}fdp.exe"]}, "authors"),
    ({"title": "Song", "owners": [f"Owner{LRI}"]}, "owners"),
    ({"title": "Song\tTwo"}, "title"),
    ({"title": "Song", "description": f"ok\nbut{NUL}"}, "description"),
])
def test_copyright_registration_refuses_controls_in_names_that_get_signed(client: TestClient,
                                                                          work: dict[str, object],
                                                                          field: str) -> None:
    _, auth = new_user(client)
    registered = len(audit_rows(client, action="copyright.register"))
    body = {"work": {"work_type": "written"} | work, "content": {"sha256": "ab" * 32}}
    _refused(client.post("/api/v1/copyright/registrations", json=body, headers=auth), field)
    upload = client.post("/api/v1/copyright/registrations/upload", headers=auth, files={"file": ("a.txt", b"text")},
                         data={"work": json.dumps(body["work"])})
    assert upload.status_code in (400, 422), upload.text
    assert len(audit_rows(client, action="copyright.register")) == registered
    fine = {"work": {"work_type": "written", "title": "Song", "authors": ["שלום\u200f"],
                     "description": "verse\r\nchorus\ttwice"}, "content": {"sha256": uuid.uuid4().hex * 2}}
    assert client.post("/api/v1/copyright/registrations", json=fine, headers=auth).status_code == 201


def test_agency_and_forum_titles_refuse_controls(any_client: TestClient) -> None:
    _, admin = new_admin(any_client)
    agency = {"name": f"Agency{RLO}", "licence_number": f"L-{uuid.uuid4().hex[:6]}"}
    _refused(any_client.post("/api/v1/agencies", json=agency, headers=admin), "name")
    _refused(any_client.post("/api/v1/agencies", json=agency | {"name": "Agency", "contact": f"a{NUL}b"},
                             headers=admin), "contact")
    _refused(any_client.post("/api/v1/forums/categories", json={"name": f"Cat{LRI}egory"}, headers=admin), "name")
    category = any_client.post("/api/v1/forums/categories", json={"name": f"Cat {uuid.uuid4().hex[:6]}"},
                               headers=admin)
    assert category.status_code == 201, category.text
    topic = {"category_id": category.json()["id"], "title": f"Hello{RLO}dlrow", "body": "text"}
    _refused(any_client.post("/api/v1/forums/topics", json=topic, headers=admin), "title")
    _refused(any_client.post("/api/v1/forums/topics", json=topic | {"title": "Hello", "body": f"a{NUL}"},
                             headers=admin), "body")
    listed = any_client.get(f"/api/v1/forums/categories/{category.json()['id']}/topics").json()
    assert listed == []
