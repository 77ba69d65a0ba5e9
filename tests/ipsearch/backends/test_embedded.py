"""The embedded backend's facets statement keeps the matches as the outer loop.

Results are compared with Elasticsearch in tests/ipsearch/test_conformance.py; what is checked
here is the plan SQLite makes of the statement: left to its own choice it once drove a few
matches' facet lookups from the whole field, scanning the matches for every value (seconds per
search on 10,000 documents, with the right buckets)."""

from __future__ import annotations

import pytest

from core.settings import Settings
from ipsearch.backends import get_backend
from ipsearch.backends.embedded import FACET_SCAN_FROM, EmbeddedBackend, facets_statement
from ipsearch.query.to_sql import SqlQuery

PAGE_FACETS = ["ipc_subclass", "applicant", "country", "year", "kind"]
QUERIES = [SqlQuery(where="", text_match='"neural"'), SqlQuery(where="d.country = ?", params=["US"])]


def _plan(backend: EmbeddedBackend, sq: SqlQuery, total: int) -> list[str]:
    sql, params = facets_statement(sq, PAGE_FACETS, total)
    return [row[3] for row in backend.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]


@pytest.fixture
def backend(embedded_settings: Settings) -> EmbeddedBackend:
    found = get_backend(embedded_settings, "embedded")
    assert isinstance(found, EmbeddedBackend)
    found.ensure_index()
    return found


@pytest.mark.parametrize("sq", QUERIES)
def test_a_few_matches_look_up_their_own_values(backend: EmbeddedBackend, sq: SqlQuery) -> None:
    plan = _plan(backend, sq, total=10)
    lookups = [i for i, step in enumerate(plan) if step.startswith("SEARCH v USING INDEX ix_doc_values_pn")]
    assert len(lookups) == 2  # applicant and ipc_subclass, each by the match's publication number
    for at in lookups:  # and each inside a loop over the matches
        assert any(step == "SCAN m" for step in plan[:at])
    assert not any("ix_doc_values_field_value" in step for step in plan)
    assert sum(step == "SCAN m" for step in plan) == 3  # the two list facets and the scalar columns, once


@pytest.mark.parametrize("sq", QUERIES)
def test_many_matches_read_the_field_index_once(backend: EmbeddedBackend, sq: SqlQuery) -> None:
    plan = _plan(backend, sq, total=FACET_SCAN_FROM + 1)
    assert sum("ix_doc_values_field_value (field=?)" in step for step in plan) == 2
    assert sum(step.startswith("LIST SUBQUERY") for step in plan) == 2  # the matches, as a set to test against
    assert not any("ix_doc_values_pn" in step for step in plan)
