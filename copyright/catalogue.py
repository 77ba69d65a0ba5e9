"""The public catalogue of registered works: search by title, author, type, registration date and
status, newest first, with counts per type and status.

Only registrations that were logged are public: registered, disputed and revoked ones with a log
index. A work under review is not listed, nor one refused at review (revoked, never logged).
Title and author match a substring, ignoring case; what a person types is literal (``%`` and
``_`` are not wildcards). Authors are a JSON list, searched element by element with the
database's own JSON functions (SQLite ``json_each``, PostgreSQL ``json_array_elements_text``),
since the stored JSON escapes Chinese characters. Each work names who holds its rights today
(``copyright.records.holders_today``), not only its owner at registration.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from sqlalchemy import ColumnElement, Join, exists, func, join, select
from sqlalchemy.orm import Session

from copyright.models import Registration, Work
from copyright.records import holders_today
from copyright.schemas import PUBLIC_STATUSES, WorksFacets, WorksPage, WorksQuery, WorkSummaryOut
from core.accounts.models import User
from core.paging import last_page_start

Facet = Literal["work_type", "status"]


def _contains(text: str) -> str:
    """A LIKE pattern for ``text`` anywhere, with LIKE's own characters escaped (escape ``\\``)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _author_matches(session: Session, text: str) -> ColumnElement[bool]:
    """Some author of the work's list contains ``text``."""
    if session.get_bind().dialect.name == "postgresql":
        authors = func.json_array_elements_text(Work.authors).table_valued("value")
    else:
        authors = func.json_each(Work.authors).table_valued("value")
    return exists().select_from(authors).where(authors.c.value.ilike(_contains(text), escape="\\"))


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def _conditions(session: Session, query: WorksQuery, without: Facet | None = None) -> list[ColumnElement[bool]]:
    """The filters of ``query`` (all but the facet ``without``), always within the public works."""
    where: list[ColumnElement[bool]] = [Registration.log_index.is_not(None),
                                        Registration.status.in_(PUBLIC_STATUSES)]
    if query.title:
        where.append(Work.title.ilike(_contains(query.title), escape="\\"))
    if query.author:
        where.append(_author_matches(session, query.author))
    if query.work_type is not None and without != "work_type":
        where.append(Work.work_type == query.work_type)
    if query.status is not None and without != "status":
        where.append(Registration.status == query.status)
    if query.registered_from is not None:
        where.append(Registration.registered_at >= _day_start(query.registered_from))
    if query.registered_to is not None:  # inclusive: up to the end of that day
        where.append(Registration.registered_at < _day_start(query.registered_to + dt.timedelta(days=1)))
    return where


def _works() -> Join:
    return join(Registration, Work, Registration.work_id == Work.id)


def _counts(session: Session, query: WorksQuery, facet: Facet) -> dict[str, int]:
    column = Work.work_type if facet == "work_type" else Registration.status
    rows = session.execute(select(column, func.count()).select_from(_works()).where(*_conditions(session, query, facet))
                           .group_by(column).order_by(func.count().desc(), column))
    return {value.value: count for value, count in rows}


def _summary(reg: Registration, work: Work, owner: str, holders: list[str]) -> WorkSummaryOut:
    certificate = None if work.hash_only else f"/api/v1/copyright/registrations/{reg.number}/certificate"
    return WorkSummaryOut(number=reg.number, title=work.title, work_type=work.work_type, authors=work.authors,
                          owner=owner, holders=holders, status=reg.status, registered_at=reg.registered_at,
                          hash_only=work.hash_only, certificate_url=certificate)


def search_works(session: Session, query: WorksQuery, last_page_if_past: bool = False) -> WorksPage:
    """One page of the public works matching ``query``, newest registration first. Past the end, an
    empty page (a script paging on stops there), or with ``last_page_if_past`` the last one (a person
    who edited the position in an address sees works, not "none match")."""
    where = _conditions(session, query)
    total = session.scalar(select(func.count()).select_from(_works()).where(*where)) or 0
    if last_page_if_past and query.start >= total:
        query = query.model_copy(update={"start": last_page_start(total, query.limit)})
    rows = session.execute(
        select(Registration, Work, User.display_name).select_from(_works()).join(User, Work.owner_id == User.id)
        .where(*where)
        .order_by(Registration.registered_at.desc(), Registration.id.desc())
        .offset(query.start).limit(query.limit)).all()
    holders = holders_today(session, [reg for reg, _, _ in rows])
    return WorksPage(total=total, start=query.start, limit=query.limit,
                     items=[_summary(reg, work, owner, [h.name for h in holders[reg.id]]) for reg, work, owner in rows],
                     facets=WorksFacets(work_type=_counts(session, query, "work_type"),
                                        status=_counts(session, query, "status")))
