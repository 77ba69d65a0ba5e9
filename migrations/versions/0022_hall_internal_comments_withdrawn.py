"""the service hall's own opinions, written where the public read them before they were kept internal

Before this revision an approval's comment (the office's own opinion) became the application's
result when the approver gave none, and from there the registry's public review note and an upheld
mediation's public integrity record; and the applicant's inbox carried the comments of handling,
review, approval and a send-back. Each is taken back here:

1. an approved application whose result is its approval's comment has no result;
2. the registry's note and the integrity record made from that comment say their neutral default;
3. an inbox notice says no comment of an internal step, and no result taken from a comment.

A notice is of the last step before it with its application, status and comment (an acceptance
and a send-back both lead to handling, and only the send-back's comment is internal). A result the
approver typed word for word as the comment cannot be told from one taken from it, and goes too.
Downgrading leaves the rows as they are: what was taken back is not the applicant's to read.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 19:10:00
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

# servicehall.workflow.INTERNAL_COMMENTS as it was at this revision (a migration does not import the app)
INTERNAL = {'handle', 'review', 'approve', 'send_back', 'assign'}
REGISTRY_DEFAULT = 'decided in the service hall'
RECORD_DEFAULT = 'complaint upheld through mediation'

applications = sa.table('hall_applications', sa.column('id', sa.Integer), sa.column('number', sa.String),
                        sa.column('result', sa.Text))
events = sa.table('hall_events', sa.column('application_id', sa.Integer), sa.column('at', sa.DateTime),
                  sa.column('action', sa.String), sa.column('to_status', sa.String), sa.column('comment', sa.Text))
notifications = sa.table('notifications', sa.column('id', sa.Integer), sa.column('kind', sa.String),
                         sa.column('payload', sa.JSON), sa.column('created_at', sa.DateTime))
registrations = sa.table('registrations', sa.column('id', sa.Integer), sa.column('number', sa.String),
                         sa.column('details', sa.JSON))
records = sa.table('integrity_records', sa.column('id', sa.Integer), sa.column('description', sa.Text),
                   sa.column('source', sa.String))


def upgrade() -> None:
    bind = op.get_bind()
    trail: dict[int, list[Any]] = {}
    for event in bind.execute(sa.select(events).where(events.c.comment != '')):
        trail.setdefault(event.application_id, []).append(event)
    if not trail:
        return
    apps = {app.number: app for app in bind.execute(sa.select(applications))}
    taken = _results_taken_back(bind, apps, trail)
    _public_notes(bind, taken)
    _notices(bind, apps, trail, taken)


def _approval_comment(trail: list[Any]) -> str:
    return next((e.comment for e in reversed(trail) if e.action == 'approve'), '')


def _results_taken_back(bind: sa.Connection, apps: dict[str, Any], trail: dict[int, list[Any]]) -> dict[str, str]:
    """Step 1: the approved applications whose result is their approval's comment, number: comment."""
    taken: dict[str, str] = {}
    for number, app in apps.items():
        comment = _approval_comment(trail.get(app.id, []))
        if comment and (app.result or '').strip() == comment:
            bind.execute(applications.update().where(applications.c.id == app.id).values(result=None))
            taken[number] = comment
    return taken


def _public_notes(bind: sa.Connection, taken: dict[str, str]) -> None:
    """Step 2: the registry's review note and the integrity record written from those comments."""
    if not taken:
        return
    notes = {f'{comment} (service hall {number})': number for number, comment in taken.items()}
    for reg in bind.execute(sa.select(registrations)).all():
        review = (reg.details or {}).get('review') or {}
        if (number := notes.get(str(review.get('note')))) is not None:
            details = reg.details | {'review': review | {'note': f'{REGISTRY_DEFAULT} (service hall {number})'}}
            bind.execute(registrations.update().where(registrations.c.id == reg.id).values(details=details))
    for number, comment in taken.items():
        bind.execute(records.update().where(records.c.source == f'service hall {number}',
                                            records.c.description == comment).values(description=RECORD_DEFAULT))


def _notices(bind: sa.Connection, apps: dict[str, Any], trail: dict[int, list[Any]], taken: dict[str, str]) -> None:
    """Step 3: the applicant's notices of internal steps without their comment, and without a
    result that was a comment."""
    rows = bind.execute(sa.select(notifications).where(notifications.c.kind.in_(['hall.status', 'hall.materials'])))
    for note in rows.all():
        payload = dict(note.payload or {})
        app = apps.get(str(payload.get('number')))
        if app is None:
            continue
        changed = dict(payload)
        said = (payload.get('comment') or '').strip()
        if said and _step_of(trail.get(app.id, []), payload.get('status'), said, note.created_at) in INTERNAL:
            changed['comment'] = ''
        # a notice carried the result cut to 2,000 characters
        if app.number in taken and (payload.get('result') or '').strip() == taken[app.number][:2000].strip():
            changed['result'] = ''
        if changed != payload:
            bind.execute(notifications.update().where(notifications.c.id == note.id).values(payload=changed))


def _step_of(trail: list[Any], status: str | None, comment: str, at: datetime | None) -> str | None:
    """The action of the step a notice tells: of the events with its status and comment, the last
    one before the notice (written in the same transaction, just after it), else the nearest."""
    candidates = [e for e in trail if e.to_status == status and (e.comment[:500].strip() == comment
                                                                  or e.comment.strip() == comment)]
    if not candidates:
        return None
    sent = _aware(at)
    before = [e for e in candidates if _aware(e.at) <= sent]
    if before:
        return str(max(before, key=lambda e: _aware(e.at)).action)
    return str(min(candidates, key=lambda e: abs((_aware(e.at) - sent).total_seconds())).action)


def _aware(moment: datetime | None) -> datetime:
    """SQLite gives naive datetimes (stored as UTC), PostgreSQL aware ones."""
    if moment is None:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def downgrade() -> None:
    pass
