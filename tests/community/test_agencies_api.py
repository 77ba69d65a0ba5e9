"""The agency directory over HTTP: a permission matrix over every write endpoint and role, ratings
that resist bursts, one review per reader and agency, one reply, tiers that follow integrity records."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.accounts.models import Role, User
from core.db import session_scope
from tests.helpers import audit_rows, quick_user

ROLES = ["anonymous", "member", "agency_owner", "moderator", "admin"]
# Names the tests create must not meet again in the database the test workers share: RUN tells the
# workers apart, _seq the names of one worker. (id() told neither: an object freed by one test hands
# its address, and so its id, to the next test's fixture in the same process.)
RUN = uuid.uuid4().hex[:8]
_seq = itertools.count(1)


def _promote(client: TestClient, user_id: int, role: Role) -> None:
    with session_scope(client.app.state.platform.settings.effective_database_url) as session:  # type: ignore[attr-defined]
        row = session.get(User, user_id)
        assert row is not None
        row.role = role


class World:
    """Users of every role and an agency owned by ``agency_owner``."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.h: dict[str, dict[str, str]] = {"anonymous": {}}
        self.ids: dict[str, int] = {}
        for role in [*ROLES[1:], "outsider"]:  # the outsider writes reviews others flag
            user, headers = quick_user(client)
            self.h[role], self.ids[role] = headers, int(user["id"])  # type: ignore[call-overload]
        _promote(client, self.ids["moderator"], Role.moderator)
        _promote(client, self.ids["admin"], Role.admin)
        _promote(client, self.ids["outsider"], Role.moderator)  # writes fixtures without rate limits
        r = client.post("/api/v1/forums/categories", json={"name": f"Patents {next(_seq)} {RUN}"},
                        headers=self.h["admin"])
        self.category = int(r.json()["id"])
        self.agency = self.new_agency()
        claim = client.post(f"/api/v1/agencies/{self.agency}/claims", json={"text": "our licence scan"},
                            headers=self.h["agency_owner"]).json()
        assert client.post(f"/api/v1/agency-claims/{claim['id']}/decide", json={"approve": True},
                           headers=self.h["admin"]).status_code == 200

    def new_agency(self, **extra: Any) -> int:
        n = next(_seq)
        body = {"name": f"Bright IP Agency {n}", "licence_number": f"LIC-{n:05d}-{RUN}",
                "province": "Guangdong", "service_types": ["patent"], "ipc_subclasses": ["H04W"], **extra}
        r = self.client.post("/api/v1/agencies", json=body, headers=self.h["admin"])
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    def new_topic(self) -> tuple[int, int]:
        """(topic id, id of its first post), written by the outsider."""
        r = self.client.post("/api/v1/forums/topics", headers=self.h["outsider"], json={
            "category_id": self.category, "title": f"How to file a PCT application? {next(_seq)}", "body": "Any tips?"})
        assert r.status_code == 201, r.text
        topic = int(r.json()["id"])
        first = self.client.get(f"/api/v1/forums/topics/{topic}").json()["posts"][0]["id"]
        return topic, int(first)

    def new_review(self, agency: int | None = None) -> int:
        """A review by a new reader (one review per reader and agency), old enough to count."""
        user, headers = quick_user(self.client)
        _age(self.client, int(user["id"]), 400)  # type: ignore[call-overload]
        r = self.client.post(f"/api/v1/agencies/{agency or self.agency}/reviews", headers=headers, json={
            "engagement_ref": f"case-{next(_seq)}", "professionalism": 4, "responsiveness": 4,
            "cost_transparency": 4, "outcome": 4, "text": "fine"})
        assert r.status_code == 201, r.text
        return int(r.json()["id"])


@pytest.fixture
def world(client: TestClient) -> World:
    return World(client)


def _cases(w: World) -> dict[str, tuple[Callable[[], tuple[str, str, dict[str, Any] | None]], set[str]]]:
    """endpoint -> (build a fresh request, roles allowed)."""
    def claim() -> tuple[str, str, dict[str, Any]]:
        a = w.new_agency()
        r = w.client.post(f"/api/v1/agencies/{a}/claims", json={"text": "proof"}, headers=w.h["member"]).json()
        return "post", f"/api/v1/agency-claims/{r['id']}/decide", {"approve": False}

    def objection() -> tuple[str, str, dict[str, Any]]:
        r = w.client.post(f"/api/v1/agencies/{w.agency}/objections", json={"text": "tier too low"},
                          headers=w.h["agency_owner"]).json()
        return "post", f"/api/v1/objections/{r['id']}/answer", {"text": "reviewed: records stand"}

    today = date.today().isoformat()
    registered = {"member", "agency_owner", "moderator", "admin"}
    return {
        "create agency": (lambda: ("post", "/api/v1/agencies", {"name": f"New Agency {next(_seq)}",
                                                                 "licence_number": f"N-{next(_seq)}-{RUN}"}),
                          {"admin"}),
        "edit profile": (lambda: ("patch", f"/api/v1/agencies/{w.agency}", {"contact": "ip@example.org"}),
                         {"agency_owner", "admin"}),
        "claim profile": (lambda: ("post", f"/api/v1/agencies/{w.new_agency()}/claims", {"text": "we are them"}),
                          {"member", "agency_owner", "moderator", "admin"}),
        "decide claim": (claim, {"admin"}),
        "write review": (lambda: ("post", f"/api/v1/agencies/{w.agency}/reviews", {
            "engagement_ref": f"matter-{next(_seq)}", "professionalism": 5, "responsiveness": 4,
            "cost_transparency": 3, "outcome": 5}), {"member", "moderator", "admin"}),
        "reply to review": (lambda: ("post", f"/api/v1/reviews/{w.new_review()}/reply", {"text": "thank you"}),
                            {"agency_owner", "admin"}),
        "confirm engagement": (lambda: ("post", f"/api/v1/reviews/{w.new_review()}/confirm", None),
                               {"agency_owner", "admin"}),
        "flag review": (lambda: ("post", f"/api/v1/reviews/{w.new_review()}/flag", None),
                        {"member", "agency_owner", "moderator", "admin"}),
        "release review": (lambda: ("post", f"/api/v1/reviews/{w.new_review()}/release", {"keep_held": False}),
                           {"moderator", "admin"}),
        "integrity record": (lambda: ("post", f"/api/v1/agencies/{w.new_agency()}/integrity", {
            "kind": "sanction", "points": 15, "description": "abnormal applications", "source": "CNIPA notice",
            "occurred_on": today}), {"admin"}),
        "file objection": (lambda: ("post", f"/api/v1/agencies/{w.agency}/objections", {"text": "please review"}),
                           {"agency_owner", "admin"}),
        "answer objection": (objection, {"moderator", "admin"}),
        "create category": (lambda: ("post", "/api/v1/forums/categories", {"name": f"Cat {next(_seq)} {RUN}"}),
                            {"admin"}),
        "create topic": (lambda: ("post", "/api/v1/forums/topics", {
            "category_id": w.category, "title": "Trademark search tips", "body": "hello"}), registered),
        "reply": (lambda: ("post", f"/api/v1/forums/topics/{w.new_topic()[0]}/posts", {"body": "my answer"}),
                  registered),
        "edit someone's post": (lambda: ("put", f"/api/v1/forums/posts/{w.new_topic()[1]}", {"body": "edited"}),
                                {"moderator", "admin"}),
        "like post": (lambda: ("post", f"/api/v1/forums/posts/{w.new_topic()[1]}/like", None), registered),
        "flag post": (lambda: ("post", f"/api/v1/forums/posts/{w.new_topic()[1]}/flag", None), registered),
        "moderate post": (lambda: ("post", f"/api/v1/forums/posts/{w.new_topic()[1]}/moderate", {"action": "hide"}),
                          {"moderator", "admin"}),
        "moderate topic": (lambda: ("post", f"/api/v1/forums/topics/{w.new_topic()[0]}/moderate",
                                    {"action": "lock"}), {"moderator", "admin"}),
    }


def test_permission_matrix(world: World) -> None:
    client = world.client
    failures = []
    for name, (build, allowed) in _cases(world).items():
        for role in ROLES:
            method, url, body = build()
            before = len(audit_rows(client))
            r = client.request(method, url, json=body, headers=world.h[role])
            ok = r.status_code in (200, 201)
            expected = role in allowed
            if ok != expected:
                failures.append(f"{name} as {role}: {r.status_code} {r.text[:120]}")
            if not ok:
                if r.status_code not in (401, 403):
                    failures.append(f"{name} as {role}: refused with {r.status_code}, not 401/403")
                if len(audit_rows(client)) != before:
                    failures.append(f"{name} as {role}: a refused write was audited")
    assert failures == []


def _from_network(client: TestClient, n: int) -> TestClient:
    """A client whose requests come from its own /24 network."""
    return TestClient(client.app, client=(f"10.{n // 250}.{n % 250}.7", 40000))


def _age(client: TestClient, user_id: int, days: int) -> None:
    from datetime import timedelta

    with session_scope(client.app.state.platform.settings.effective_database_url) as session:  # type: ignore[attr-defined]
        row = session.get(User, user_id)
        assert row is not None
        row.created_at = row.created_at - timedelta(days=days)


def test_burst_of_fresh_five_star_reviews_is_held_and_does_not_move_the_score(world: World) -> None:
    client = world.client
    agency = world.new_agency()
    for i in range(3):  # established reviewers (accounts older than a week), each from its own network
        user, headers = quick_user(client)
        _age(client, int(user["id"]), 400)  # type: ignore[call-overload]
        r = _from_network(client, i).post(f"/api/v1/agencies/{agency}/reviews", headers=headers, json={
            "engagement_ref": "x", "professionalism": 3, "responsiveness": 3, "cost_transparency": 3, "outcome": 3})
        assert r.status_code == 201 and not r.json()["held"]
    before = client.get(f"/api/v1/agencies/{agency}").json()
    for i in range(10):  # fresh accounts, each from a different network: the new-account rule catches them
        _, fresh = quick_user(client)
        r = _from_network(client, 100 + i).post(f"/api/v1/agencies/{agency}/reviews", headers=fresh, json={
            "engagement_ref": f"burst-{i}", "professionalism": 5, "responsiveness": 5, "cost_transparency": 5,
            "outcome": 5, "text": "best agency ever!!!"})
        assert r.status_code == 201
    after = client.get(f"/api/v1/agencies/{agency}").json()
    assert after["rating"] == before["rating"] and after["rating_count"] == before["rating_count"] == 3
    assert after["score"] == before["score"]
    assert all(rv["stars"] == 3 for rv in after["reviews"])  # held reviews are kept, not shown or counted
    with session_scope(client.app.state.platform.settings.effective_database_url) as session:  # type: ignore[attr-defined]
        from sqlalchemy import select

        from community.agencies.models import Review

        held = session.scalars(select(Review).where(Review.agency_id == agency, Review.held.is_(True))).all()
        assert len(held) == 10 and all("new accounts" in (r.hold_reason or "") for r in held)


def test_burst_from_one_network_is_held_even_from_old_accounts(world: World) -> None:
    client = world.client
    agency = world.new_agency()
    same_office = _from_network(client, 200)
    held = []
    for i in range(5):
        user, headers = quick_user(client)
        _age(client, int(user["id"]), 400)  # type: ignore[call-overload]
        held.append(same_office.post(f"/api/v1/agencies/{agency}/reviews", headers=headers, json={
            "engagement_ref": f"n-{i}", "professionalism": 5, "responsiveness": 5, "cost_transparency": 5,
            "outcome": 5}).json()["held"])
    assert held == [False, False, False, False, True]
    assert client.get(f"/api/v1/agencies/{agency}").json()["rating_count"] == 0


def test_reviews_one_per_reader_and_agency_one_reply_flags_hold(world: World) -> None:
    client = world.client
    body = {"engagement_ref": "CN2021-001", "professionalism": 2, "responsiveness": 2, "cost_transparency": 2,
            "outcome": 2}
    url = f"/api/v1/agencies/{world.agency}/reviews"
    assert client.post(url, headers=world.h["member"], json=body).status_code == 201
    assert client.post(url, headers=world.h["member"], json=body).status_code == 409
    another = client.post(url, headers=world.h["member"], json={**body, "engagement_ref": "CN2022-002"})
    assert another.status_code == 409 and "edit your review" in another.json()["detail"]
    bad = {**body, "engagement_ref": "other", "outcome": 6}
    assert client.post(url, headers=world.h["member"], json=bad).status_code == 422
    review = world.new_review()
    assert client.post(f"/api/v1/reviews/{review}/reply", json={"text": "we are sorry"},
                       headers=world.h["agency_owner"]).status_code == 200
    assert client.post(f"/api/v1/reviews/{review}/reply", json={"text": "again"},
                       headers=world.h["agency_owner"]).status_code == 409
    flagged = world.new_review()
    for role in ("member", "agency_owner", "admin"):
        r = client.post(f"/api/v1/reviews/{flagged}/flag", headers=world.h[role]).json()
    assert r == {"id": flagged, "flags": 3, "held": True}


def test_integrity_records_move_the_tier_and_the_breakdown_is_public(world: World) -> None:
    client = world.client
    agency = world.new_agency()
    fresh = client.get(f"/api/v1/agencies/{agency}").json()
    assert (fresh["tier"], fresh["rated"]) == ("not_rated", False)  # no evidence yet
    client.post(f"/api/v1/agencies/{agency}/integrity", headers=world.h["admin"], json={
        "kind": "sanction", "points": 60, "description": "ordered to stop new business", "source": "CNIPA decision",
        "occurred_on": "2025-03-01"})
    profile = client.get(f"/api/v1/agencies/{agency}").json()
    assert profile["tier"] == "D" and profile["rated"] and profile["score_breakdown"]["deductions"][0]["points"] == 60
    assert profile["integrity_records"][0]["source"] == "CNIPA decision"


def test_recommendation_ranks_by_fit_tier_and_rating_with_reasons(world: World) -> None:
    client = world.client
    good = world.new_agency(ipc_subclasses=["H04N", "G06F"], service_types=["patent"], province="Zhejiang")
    sanctioned = world.new_agency(ipc_subclasses=["H04N"], service_types=["patent"], province="浙江省")
    elsewhere = world.new_agency(ipc_subclasses=["H04N"], service_types=["patent"], province="Beijing")
    world.new_agency(ipc_subclasses=["A61K"], service_types=["trademark"], province="Zhejiang")
    for agency in (good, elsewhere):
        for _ in range(3):  # enough reviews to be rated
            world.new_review(agency)
    client.post(f"/api/v1/agencies/{sanctioned}/integrity", headers=world.h["admin"], json={
        "kind": "complaint_upheld", "points": 20, "description": "missed deadline", "source": "court",
        "occurred_on": "2024-01-01"})
    stopped = world.new_agency(ipc_subclasses=["H04N"], service_types=["patent"], province="Zhejiang")
    client.post(f"/api/v1/agencies/{stopped}/integrity", headers=world.h["admin"], json={
        "kind": "sanction", "points": 60, "description": "ordered to stop new business", "source": "CNIPA decision",
        "occurred_on": "2025-03-01"})
    outside = world.new_agency(ipc_subclasses=["A61B"], service_types=["patent"], province="Zhejiang")
    recs = client.get("/api/v1/agencies/recommend", params={"ipc": "H04N21/431", "service": "patent",
                                                            "region": "Zhejiang", "limit": 50}).json()
    ids = [r["agency_id"] for r in recs]
    assert ids.index(good) < ids.index(sanctioned) and elsewhere not in ids  # never another province
    assert stopped not in ids  # a D (under 60: ordered to stop new business) is listed, never proposed
    # the field ranks, it does not filter: those working in it first, each said to be
    assert ids.index(sanctioned) < ids.index(outside)
    assert [r["in_field"] for r in recs if r["agency_id"] in (good, outside)] == [True, False]
    first = next(r for r in recs if r["agency_id"] == good)
    assert "works in IPC subclass H04N" in first["reasons"] and "based in Zhejiang" in first["reasons"]
    assert all("trademark" not in r["name"] for r in recs)
    for region in ("浙江", "ZJ", "330000", "zhejiang province"):  # one place however it is written
        again = client.get("/api/v1/agencies/recommend", params={"ipc": "H04N", "service": "patent",
                                                                 "region": region, "limit": 50})
        assert [r["agency_id"] for r in again.json()] == ids, region
    unknown = client.get("/api/v1/agencies/recommend", params={"region": "Atlantis"})
    assert unknown.status_code == 400 and "unknown region 'Atlantis'" in unknown.json()["detail"]


def test_review_linking_a_patent_the_agency_handled_is_verified(embedded_client: TestClient,
                                                                 shared_data_dir: Any) -> None:
    """EP3383757B1 names Dehns as its agent: a review of Dehns linking it is a verified engagement."""
    from core.settings import BackendKind
    from loaders.pipeline import run_load
    from tests.helpers import new_admin

    settings = embedded_client.app.state.platform.settings  # type: ignore[attr-defined]
    patent = shared_data_dir / "patents" / "epo" / "v1-5-1-B1.xml"
    assert run_load(settings, [patent], backend=BackendKind.embedded).loaded == 1
    _, admin = new_admin(embedded_client)
    agency = embedded_client.post("/api/v1/agencies", headers=admin, json={
        "name": "Dehns", "licence_number": "GB-DEHNS-1"}).json()["id"]
    _, member = quick_user(embedded_client)
    body = {"professionalism": 5, "responsiveness": 4, "cost_transparency": 4, "outcome": 5}
    linked = embedded_client.post(f"/api/v1/agencies/{agency}/reviews", headers=member, json={
        **body, "engagement_ref": "EP grant", "linked_pn": "EP3383757B1"}).json()
    _, another = quick_user(embedded_client)  # one review per reader and agency
    unlinked = embedded_client.post(f"/api/v1/agencies/{agency}/reviews", headers=another, json={
        **body, "engagement_ref": "other", "linked_pn": "US6836899B1"}).json()
    assert linked["verified"] is True and unlinked["verified"] is False
    # a patent number as a person types it is read as one; a value that is none is refused, not stored
    _, third = quick_user(embedded_client)
    typed = embedded_client.post(f"/api/v1/agencies/{agency}/reviews", headers=third, json={
        **body, "engagement_ref": "typed", "linked_pn": "ep 3383757 b1"})
    assert typed.status_code == 201 and typed.json()["verified"] is True, typed.text
    _, fourth = quick_user(embedded_client)
    junk = embedded_client.post(f"/api/v1/agencies/{agency}/reviews", headers=fourth, json={
        **body, "engagement_ref": "junk", "linked_pn": "NOT-A-PATENT-<b>"})
    assert junk.status_code == 422 and "linked_pn" in junk.text
