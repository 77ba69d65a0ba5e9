"""Migration 0020 gives the inbox notices of licence offers closed before it their outcome
(``payload.settled``), on SQLite and PostgreSQL: they stop asking for an answer; a waiting offer's
notice, and notices of other kinds, are left as they were."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from core.db import get_engine
from core.migrate import upgrade


def _payloads(url: str) -> dict[str, object]:
    with get_engine(url).connect() as conn:
        rows = conn.execute(sa.text("SELECT title, payload FROM notifications ORDER BY id")).all()
    return {r.title: json.loads(r.payload) if isinstance(r.payload, str) else r.payload for r in rows}


def test_migration_0020_settles_the_notices_of_closed_offers(fresh_db: str) -> None:
    upgrade(fresh_db, "0019")
    now = datetime.now(UTC)
    meta = sa.MetaData()
    meta.reflect(get_engine(fresh_db), only=["users", "works", "registrations", "licence_offers", "notifications"])
    t = meta.tables
    with get_engine(fresh_db).begin() as conn:
        owner, licensee = (conn.execute(t["users"].insert().values(
            email=f"{who}@example.org", display_name=who, password_hash="-", role="member", is_active=True,
            created_at=now).returning(t["users"].c.id)).scalar_one() for who in ("owner", "licensee"))
        work = conn.execute(t["works"].insert().values(
            title="Harbour", work_type="photographic", description="", authors=[], owners=[], owner_id=owner,
            published=False, sha256="a" * 64, hash_only=True, created_at=now).returning(t["works"].c.id)).scalar_one()
        reg = conn.execute(t["registrations"].insert().values(
            number="CR-2026-00000001", work_id=work, status="registered", registered_at=now, details={})
            .returning(t["registrations"].c.id)).scalar_one()
        for status in ("accepted", "offered", "withdrawn"):
            offer = conn.execute(t["licence_offers"].insert().values(
                registration_id=reg, licensor_id=owner, licensee_id=licensee, terms={}, status=status,
                created_at=now).returning(t["licence_offers"].c.id)).scalar_one()
            conn.execute(t["notifications"].insert().values(
                user_id=licensee, kind="copyright.licence_offer", title=status, created_at=now,
                payload={"offer_id": offer, "number": "CR-2026-00000001"}))
        conn.execute(t["notifications"].insert().values(user_id=owner, kind="copyright.licence_accepted",
                                                        title="answer", created_at=now, payload={"offer_id": 1}))
    upgrade(fresh_db, "0020")
    payloads = _payloads(fresh_db)
    assert payloads["accepted"] == {"offer_id": 1, "number": "CR-2026-00000001", "settled": "accepted"}
    assert payloads["withdrawn"] == {"offer_id": 3, "number": "CR-2026-00000001", "settled": "withdrawn"}
    assert "settled" not in payloads["offered"]  # still waiting: still asks for an answer
    assert payloads["answer"] == {"offer_id": 1}  # another kind of notice: untouched
    upgrade(fresh_db, "head")
