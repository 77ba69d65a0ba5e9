"""Migration 0016 marks the running applications scheduled before it whose deadlines reach a year
without an official holiday schedule, so the sweep reschedules them too."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from core.db import get_engine, session_factory
from core.migrate import alembic_config, upgrade
from core.settings import Settings
from servicehall.calendar import known
from servicehall.workflow import Action
from tests.servicehall.conftest import bj, make_office
from tests.servicehall.test_deadlines import FIVE, _act


def test_migration_0016_marks_running_applications_with_provisional_deadlines(embedded_settings: Settings) -> None:
    url = embedded_settings.effective_database_url
    unknown = next(year for year in range(2026, 2100) if not known(year))
    office = make_office(session_factory(url), embedded_settings, step_days=FIVE, total_days=20)
    provisional = office.apply(bj(unknown - 1, 12, 28, 10)).number
    settled = office.apply(bj(unknown - 1, 3, 2, 10)).number  # all of it in a published year
    paused = office.apply(bj(unknown - 1, 12, 28, 10)).number
    _act(office, "acceptor", paused, Action.request_materials, bj(unknown - 1, 12, 28, 11))
    finished = office.apply(bj(unknown - 1, 12, 28, 10)).number
    _act(office, "applicant", finished, Action.withdraw, bj(unknown - 1, 12, 28, 12))
    with get_engine(url).connect() as conn:
        history = conn.execute(text("SELECT count(*) FROM hall_events")).scalar_one()
    get_engine(url).dispose()
    command.downgrade(alembic_config(url), "0015")  # as the rows were before this revision
    upgrade(url)
    with get_engine(url).connect() as conn:
        marked = dict(conn.execute(text("SELECT number, provisional_year FROM hall_applications")).all())
        kept = conn.execute(text("SELECT count(*) FROM hall_events")).scalar_one()
    assert marked == {provisional: unknown, settled: None, paused: None, finished: None}
    assert kept == history >= 6  # the trail survives both ways (a table rebuilt would cascade it away)
