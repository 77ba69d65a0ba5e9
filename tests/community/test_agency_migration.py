"""Migrations 0011 and 0019 bring agencies written under the old rules to the new ones, on SQLite
and PostgreSQL: regions as GB/T 2260 codes, IPC subclasses, one prior, "not yet rated" tiers (0011);
A+ only above the starting 100 points (0019)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import command

from core.db import get_engine
from core.migrate import alembic_config, upgrade

LEGACY = [  # (name, province, city, ipc_sections) as the old code stored them
    ("Reviewed", "广东省", "深圳", ["H"]),
    ("Sanctioned", "Zhejiang", "", ["G", "H04W"]),
    ("Unknown place", "Kwangtung", "Canton", []),
    ("Fresh", "", "Shanghai", ["A"]),
]


def _seed_legacy(url: str) -> dict[str, int]:
    now = datetime.now(UTC)
    meta = sa.MetaData()
    meta.reflect(get_engine(url), only=["users", "agencies", "agency_reviews", "integrity_records"])
    users, agencies = meta.tables["users"], meta.tables["agencies"]
    ids: dict[str, int] = {}
    with get_engine(url).begin() as conn:
        user = conn.execute(users.insert().values(email="legacy@example.org", display_name="legacy",
                                                  password_hash="-", role="member", is_active=True,
                                                  created_at=now).returning(users.c.id)).scalar_one()
        for n, (name, province, city, sections) in enumerate(LEGACY):
            ids[name] = conn.execute(agencies.insert().values(
                name=name, licence_number=f"OLD-{n}", province=province, city=city, service_types=["patent"],
                ipc_sections=sections, practitioners=1, contact="", rating_count=0, bayes=3.0, score=100.0,
                tier="A+", breakdown={}, created_at=now).returning(agencies.c.id)).scalar_one()
        for i, stars in enumerate([5, 4, 3, 5]):  # three counted reviews and one held
            conn.execute(meta.tables["agency_reviews"].insert().values(
                agency_id=ids["Reviewed"], author_id=user, engagement_ref=f"e{i}", professionalism=stars,
                responsiveness=stars, cost_transparency=stars, outcome=stars, text="", verified=False,
                held=i == 3, flags=[], created_at=now))
        conn.execute(meta.tables["integrity_records"].insert().values(
            agency_id=ids["Sanctioned"], kind="sanction", points=25.0, description="abnormal applications",
            source="CNIPA", occurred_on=date(2025, 1, 1), evidence=[], created_by=user, created_at=now))
    return ids


def test_migration_0011_normalises_and_rates_legacy_agencies(fresh_db: str) -> None:
    upgrade(fresh_db, "0010")
    ids = _seed_legacy(fresh_db)
    upgrade(fresh_db, "0011")
    with get_engine(fresh_db).connect() as conn:
        rows = {r.name: r for r in conn.execute(sa.text("SELECT * FROM agencies"))}
        prior = conn.execute(sa.text("SELECT * FROM agency_rating_prior")).one()
        assert _kept(conn) == (4, 1)  # no review or record lost on the way (SQLite cascades on a table copy)
    assert (prior.id, prior.version, prior.reviews, prior.k) == (1, 1, 3, 30) and prior.mean == 4.0
    reviewed, sanctioned, unknown, fresh = (rows[name] for name, *_ in LEGACY)
    assert (reviewed.province, reviewed.province_code, reviewed.city, reviewed.city_code) == (
        "Guangdong", "440000", "Shenzhen", "440300")
    assert (sanctioned.province_code, sanctioned.city_code) == ("330000", None)
    assert (unknown.province, unknown.province_code, unknown.city, unknown.city_code) == (
        "Kwangtung", None, "Canton", None)  # not recognised: kept as typed, without a code
    assert (fresh.province, fresh.province_code) == ("Shanghai", "310000")
    assert [_json(r.ipc_subclasses) for r in (reviewed, sanctioned, unknown)] == [[], ["H04W"], []]
    assert [_json(r.ipc_sections) for r in (reviewed, sanctioned, unknown)] == [["H"], ["G", "H"], []]
    assert (reviewed.tier, reviewed.rating_count, reviewed.rating_mean) == ("A+", 3, 4.0)
    assert reviewed.bayes == round((4.0 * 3 + 4.0 * 30) / 33, 4)
    assert (sanctioned.tier, sanctioned.score) == ("C", 75.0)
    assert unknown.tier == fresh.tier == "not_rated"  # no evidence: no longer A+
    assert {r.prior_version for r in rows.values()} == {1}
    assert set(ids.values()) == {r.id for r in rows.values()}


def test_migration_0011_downgrades_keeping_reviews(fresh_db: str) -> None:
    upgrade(fresh_db, "0010")
    _seed_legacy(fresh_db)
    upgrade(fresh_db, "0011")
    command.downgrade(alembic_config(fresh_db), "0010")
    inspector = sa.inspect(get_engine(fresh_db))
    assert "province_code" not in {c["name"] for c in inspector.get_columns("agencies")}
    assert "agency_rating_prior" not in inspector.get_table_names()
    with get_engine(fresh_db).connect() as conn:
        assert _kept(conn) == (4, 1)
        assert set(conn.scalars(sa.text("SELECT tier FROM agencies"))) <= {"A+", "A", "B", "C", "D"}
    upgrade(fresh_db, "0011")


def test_migration_0019_makes_a_plus_a_score_above_the_start(fresh_db: str) -> None:
    """At 100 points (the start) an agency is A, in its tier and in its published breakdown; above,
    A+ stays; other tiers are untouched; the downgrade gives the old rule back."""
    upgrade(fresh_db, "0018")
    now = datetime.now(UTC)
    meta = sa.MetaData()
    meta.reflect(get_engine(fresh_db), only=["agencies"])
    agencies = meta.tables["agencies"]
    with get_engine(fresh_db).begin() as conn:
        for n, (score, tier) in enumerate([(100.0, "A+"), (104.5, "A+"), (95.0, "A"), (100.0, "not_rated")]):
            conn.execute(agencies.insert().values(
                name=f"Agency {n}", licence_number=f"T19-{n}", province="", city="", service_types=[],
                ipc_subclasses=[], ipc_sections=[], practitioners=1, contact="", rating_count=3, bayes=3.0,
                score=score, tier=tier, breakdown={"score": score, "tier": tier}, created_at=now))
    upgrade(fresh_db, "0019")

    def tiers() -> list[tuple[str, object]]:
        with get_engine(fresh_db).connect() as conn:
            rows = conn.execute(sa.text("SELECT tier, breakdown FROM agencies ORDER BY licence_number")).all()
            return [(r.tier, _json(r.breakdown)["tier"]) for r in rows]  # type: ignore[index]

    assert tiers() == [("A", "A"), ("A+", "A+"), ("A", "A"), ("not_rated", "not_rated")]
    command.downgrade(alembic_config(fresh_db), "0018")
    assert tiers() == [("A+", "A+"), ("A+", "A+"), ("A", "A"), ("not_rated", "not_rated")]
    upgrade(fresh_db, "head")


def _kept(conn: sa.Connection) -> tuple[int, int]:
    return (conn.scalar(sa.text("SELECT count(*) FROM agency_reviews")) or 0,
            conn.scalar(sa.text("SELECT count(*) FROM integrity_records")) or 0)


def _json(value: object) -> object:
    import json

    return json.loads(value) if isinstance(value, str) else value
