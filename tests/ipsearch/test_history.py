"""ipsearch.history: numbered search sets and their combination (``#1 AND #2``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts import service
from core.accounts.models import User
from core.accounts.schemas import RegisterIn
from core.audit import AuditContext, AuditRecord, Writer
from core.db import session_factory
from core.errors import InvalidInput
from core.settings import Settings
from ipsearch import history
from ipsearch.query.parser import parse_query


@pytest.fixture
def writer(embedded_settings: Settings) -> Writer:
    session: Session = session_factory(embedded_settings.effective_database_url)()
    out = service.register(Writer(session, None, AuditContext(actor_id=None, client_ip="test")),
                           RegisterIn(email="searcher@example.org", password="correct horse battery"))
    user = session.get(User, out.id)
    assert user is not None
    return Writer(session, user, AuditContext(actor_id=user.id, client_ip="test"))


@pytest.mark.parametrize("typed", ["#1 AND NOT #2", "＃１ ＡＮＤ ＮＯＴ ＃２", "#１ AND NOT ＃2"])
def test_sets_are_combined_as_typed_in_either_width(writer: Writer, typed: str) -> None:
    assert [history.record(writer, q, 3).number for q in ("TI=lamp", "PA=aurora")] == [1, 2]
    assert history.is_combination(typed)
    combined = history.expand(writer.session, writer.actor, typed)
    assert parse_query(combined) == parse_query("(TI=lamp) AND NOT (PA=aurora)")


def test_a_set_not_in_the_history_is_named(writer: Writer) -> None:
    history.record(writer, "TI=lamp", 3)
    with pytest.raises(InvalidInput, match="#7"):
        history.expand(writer.session, writer.actor, "＃１ OR ＃７")


def test_the_same_search_run_again_is_its_set_with_the_count_brought_up_to_date(writer: Writer) -> None:
    """Running ``TI=lamp`` a fourth time made set #4, #6, #8...: the history filled with copies."""
    first = history.record(writer, "TI=lamp", 3)
    history.record(writer, "PA=aurora", 5)
    again = history.record(writer, "TI=lamp", 4)  # more documents since
    assert (again.number, again.total) == (first.number, 4)
    assert [(s.number, s.query, s.total) for s in history.history(writer.session, writer.actor)] == [
        (2, "PA=aurora", 5), (1, "TI=lamp", 4)]
    assert history.record(writer, "TI=lamp", 4).number == 1
    actions = writer.session.scalars(select(AuditRecord.action).where(AuditRecord.object_type == "search_set")).all()
    assert actions.count("search.set.update") == 1 and actions.count("search.set.add") == 2
    assert history.record(writer, "TI=lamp AND PD>=2015", 1).number == 3  # another query is another set
