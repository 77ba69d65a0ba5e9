"""The JSON keys every community endpoint returns: the Out models keep the keys the API returned
when its routes built bare dicts, so clients written then keep working."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.community.test_agencies_api import World

AGENCY = {"id", "name", "licence_number", "province", "city", "service_types", "ipc_sections", "practitioners",
          "founded_year", "claimed", "tier", "score", "rating", "stars", "rating_count",
          # added with the tier fixes (issue 14, item 7): regions as GB/T 2260 codes, IPC subclasses, rated
          "province_code", "city_code", "ipc_subclasses", "rated"}
PROFILE = AGENCY | {"score_breakdown", "contact", "integrity_records", "reviews"}
RECORD = {"kind", "points", "description", "source", "occurred_on", "evidence"}
PUBLIC_REVIEW = {"id", "stars", "text", "verified", "reply", "created_at"}
TOPIC = {"id", "category_id", "title", "author_id", "locked", "posts", "last_post_at"}
POST = {"id", "number", "author_id", "html", "quote_of", "likes", "hidden", "created_at", "edited_at"}


@pytest.fixture
def world(client: TestClient) -> World:
    return World(client)


def _keys(response: Any) -> set[str]:
    assert response.status_code in (200, 201), response.text
    return set(response.json())


def test_agency_endpoints_keep_their_keys(world: World) -> None:
    c, h = world.client, world.h
    agency = world.new_agency()
    assert _keys(c.patch(f"/api/v1/agencies/{world.agency}", json={"city": "Shenzhen"}, headers=h["agency_owner"])) \
        == AGENCY
    assert _keys(c.post(f"/api/v1/agencies/{agency}/claims", json={"text": "ours"}, headers=h["member"])) \
        == {"id", "status"}
    review = c.post(f"/api/v1/agencies/{world.agency}/reviews", headers=h["member"], json={
        "engagement_ref": "shape", "professionalism": 4, "responsiveness": 4, "cost_transparency": 4, "outcome": 4})
    assert _keys(review) == {"id", "verified", "held"}
    rid = review.json()["id"]
    assert _keys(c.post(f"/api/v1/reviews/{rid}/reply", json={"text": "thanks"}, headers=h["agency_owner"])) \
        == {"id", "reply"}
    assert _keys(c.post(f"/api/v1/reviews/{rid}/confirm", headers=h["agency_owner"])) == {"id", "verified"}
    assert _keys(c.post(f"/api/v1/reviews/{rid}/flag", headers=h["admin"])) == {"id", "flags", "held"}
    assert _keys(c.post(f"/api/v1/reviews/{rid}/release", json={}, headers=h["moderator"])) == {"id", "held"}
    assert _keys(c.post(f"/api/v1/agencies/{world.agency}/integrity", headers=h["admin"], json={
        "kind": "commendation", "points": 3, "description": "pro bono work", "source": "CNIPA",
        "occurred_on": date.today().isoformat()})) == {"id", "tier", "score"}
    objection = c.post(f"/api/v1/agencies/{world.agency}/objections", json={"text": "why"}, headers=h["agency_owner"])
    assert _keys(objection) == {"id"}
    assert _keys(c.post(f"/api/v1/objections/{objection.json()['id']}/answer", json={"text": "because"},
                        headers=h["moderator"])) == {"id", "answer"}
    profile = c.get(f"/api/v1/agencies/{world.agency}").json()
    assert set(profile) == PROFILE
    assert {k for r in profile["integrity_records"] for k in r} == RECORD and profile["integrity_records"]
    assert {k for r in profile["reviews"] for k in r} == PUBLIC_REVIEW and profile["reviews"]
    assert profile["integrity_records"][0]["kind"] == "commendation"
    assert all(set(a) == AGENCY for a in c.get("/api/v1/agencies", params={"service": "patent"}).json())
    recs = c.get("/api/v1/agencies/recommend", params={"ipc": "H"}).json()
    assert recs and all(set(r) == {"agency_id", "name", "fit", "tier", "rating", "reasons", "in_field"} for r in recs)


def test_forum_endpoints_keep_their_keys(world: World) -> None:
    c, h = world.client, world.h
    assert _keys(c.post("/api/v1/forums/categories", json={"name": "Shapes"}, headers=h["admin"])) == {"id", "name"}
    assert all(set(x) == {"id", "name", "description"} for x in c.get("/api/v1/forums/categories").json())
    topic, first = world.new_topic()
    assert all(set(t) == TOPIC for t in c.get(f"/api/v1/forums/categories/{world.category}/topics").json())
    page = c.get(f"/api/v1/forums/topics/{topic}").json()
    assert set(page) == (TOPIC | {"page"}) and all(set(p) == POST for p in page["posts"])
    reply = c.post(f"/api/v1/forums/topics/{topic}/posts", json={"body": "shape reply"}, headers=h["member"])
    assert _keys(reply) == POST
    assert _keys(c.put(f"/api/v1/forums/posts/{first}", json={"body": "edited"}, headers=h["outsider"])) == POST
    history = c.get(f"/api/v1/forums/posts/{first}/revisions").json()
    assert history and all(set(r) == {"markdown", "edited_by", "at", "hidden", "hidden_reason"} for r in history)
    hide = f"/api/v1/forums/posts/{first}/versions/1/hide"
    assert c.post(hide, json={"reason": "personal data"}, headers=h["member"]).status_code == 403
    assert c.post(hide, json={}, headers=h["moderator"]).status_code == 422
    assert c.post(f"/api/v1/forums/posts/{first}/versions/0/hide", json={"reason": "personal data"},
                  headers=h["moderator"]).status_code == 422
    hidden = c.post(hide, json={"reason": "personal data"}, headers=h["moderator"])
    assert _keys(hidden) == {"post_id", "version", "hidden", "hidden_reason"} and hidden.json()["hidden"]
    assert c.get(f"/api/v1/forums/posts/{first}/revisions").json()[0] | {"at": None} == {
        "markdown": "", "edited_by": history[0]["edited_by"], "at": None, "hidden": True,
        "hidden_reason": "personal data"}
    shown = c.post(f"/api/v1/forums/posts/{first}/versions/1/show", headers=h["moderator"])
    assert _keys(shown) == {"post_id", "version", "hidden", "hidden_reason"} and not shown.json()["hidden"]
    assert _keys(c.post(f"/api/v1/forums/posts/{first}/like", headers=h["member"])) == {"id", "likes"}
    assert _keys(c.post(f"/api/v1/forums/posts/{first}/flag", headers=h["member"])) == {"id", "flags", "hidden"}
    queue = c.get("/api/v1/forums/moderation/queue", headers=h["moderator"]).json()
    assert queue and all(set(q) == {"post_id", "topic_id", "hidden", "reason", "flags"} for q in queue)
    assert _keys(c.post(f"/api/v1/forums/posts/{first}/moderate", json={"action": "hide"}, headers=h["moderator"])) \
        == {"id", "hidden", "deleted"}
    assert _keys(c.post(f"/api/v1/forums/topics/{topic}/moderate", json={"action": "lock"}, headers=h["moderator"])) \
        == TOPIC | {"hidden", "deleted"}
    hits = c.get("/api/v1/forums/search", params={"q": "shape reply"}).json()
    assert hits and all(set(p) == POST | {"topic_id"} for p in hits)


def test_unknown_or_misplaced_moderation_actions_are_refused(world: World) -> None:
    c, h = world.client, world.h
    topic, first = world.new_topic()
    unknown = c.post(f"/api/v1/forums/topics/{topic}/moderate", json={"action": "explode"}, headers=h["moderator"])
    assert unknown.status_code == 422
    misplaced = c.post(f"/api/v1/forums/posts/{first}/moderate", json={"action": "lock"}, headers=h["moderator"])
    assert misplaced.status_code == 400 and "a post can be" in misplaced.json()["detail"]
