"""Migration 0022 takes back the office's own opinions from where the public read them before they
were kept internal: an approval's comment as the result, the registry's note and the integrity
record made from it, and the comments of internal steps in the applicant's inbox. What was
addressed to the applicant (an acceptance, a refusal's reasons, a result the approver gave) stays."""

from __future__ import annotations

import io
import uuid
from typing import Any

from alembic import command
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session, sessionmaker

from community.agencies import service as agencies
from community.agencies.models import IntegrityRecord
from community.agencies.schemas import AgencyIn
from copyright import service as registry
from copyright.models import Registration
from core.accounts.models import Role, User
from core.db import get_engine, utcnow
from core.migrate import alembic_config, upgrade
from core.notifications import Notification
from core.settings import Settings
from servicehall import service
from servicehall.models import Application, ItemKind
from servicehall.schemas import ActionIn, ApplyIn, FieldSpec
from servicehall.workflow import Action
from tests.servicehall.conftest import Office, make_office
from tests.servicehall.test_copyright_review import FIELDS, _apply, _held_copy


def _act(office: Office, who: str, number: str, action: Action, comment: str, result: str = "",
         upheld: bool | None = None) -> None:
    w = office.writer(who)
    with w.session:
        service.act(w, number, ActionIn(action=action, comment=comment, result=result, upheld=upheld),
                    settings=office.settings)


def _walk(office: Office, number: str, steps: list[tuple[str, Action, str]], result: str = "") -> None:
    for who, action, comment in steps:
        _act(office, who, number, action, comment, result if action in (Action.approve, Action.reject) else "")


def _notices(session: Session, number: str) -> list[Notification]:
    rows = session.scalars(select(Notification).where(Notification.kind.in_(["hall.status", "hall.materials"]))
                           .order_by(Notification.id))
    return [n for n in rows if n.payload.get("number") == number]


def _as_written_before(session: Session, number: str, comments: list[str], result: str | None = None) -> None:
    """What the code before 0022 wrote: every step's comment in its notice, the result from the comment."""
    notices = _notices(session, number)
    assert len(notices) == len(comments)
    for notice, comment in zip(notices, comments, strict=True):
        notice.payload = notice.payload | {"comment": comment} | ({"result": result} if result is not None else {})
    if result is not None:
        notices[-1].payload = notices[-1].payload | {"result": result}
        session.execute(update(Application).where(Application.number == number).values(result=result))
    session.commit()


def _said(session: Session, number: str) -> list[tuple[str, str]]:
    return [(n.payload["comment"], n.payload.get("result", "")) for n in _notices(session, number)]


def _result(session: Session, number: str) -> str | None:
    return session.scalar(select(Application.result).where(Application.number == number))


def _migrate_again(url: str) -> None:
    get_engine(url).dispose()
    command.downgrade(alembic_config(url), "0021")  # leaves the rows as they are
    upgrade(url)


def test_migration_0022_takes_back_the_hall_comments_from_the_result_and_the_inbox(
        sessions: sessionmaker[Session], hall_settings: Settings) -> None:
    office = make_office(sessions, hall_settings)
    now = utcnow()
    to_approve = [("acceptor", Action.accept, "材料齐全，予以受理"), ("handler", Action.handle, "拟同意，证据充分"),
                  ("reviewer", Action.review, "同意"), ("approver", Action.approve, "可以，注意口径")]
    approved, explicit, refused, sent_back = (office.apply(now).number for _ in range(4))
    _walk(office, approved, to_approve)
    _walk(office, explicit, to_approve, result="准予办理：请于十日内领取")
    _walk(office, refused, [*to_approve[:3], ("approver", Action.reject, "证据不足，不予支持")])
    # an acceptance and a send-back both lead to handling, here with the same words: only the send-back's is internal
    _walk(office, sent_back, [("acceptor", Action.accept, "请处理"), ("handler", Action.handle, "拟同意"),
                              ("reviewer", Action.send_back, "请处理")])
    with sessions() as session:
        assert _result(session, approved) is None  # what the code writes today
        _as_written_before(session, approved, [c for _, _, c in to_approve], result="可以，注意口径")
        _as_written_before(session, explicit, [c for _, _, c in to_approve])
        _as_written_before(session, refused, ["材料齐全，予以受理", "拟同意，证据充分", "同意", "证据不足，不予支持"])
        _as_written_before(session, sent_back, ["请处理", "拟同意", "请处理"])
        events = session.execute(text("SELECT count(*) FROM hall_events")).scalar_one()

    _migrate_again(hall_settings.effective_database_url)

    with sessions() as session:
        assert _result(session, approved) is None
        assert _said(session, approved) == [("材料齐全，予以受理", ""), ("", ""), ("", ""), ("", "")]
        assert _result(session, explicit) == "准予办理：请于十日内领取"  # the approver's own result for the applicant
        assert _said(session, explicit)[-1] == ("", "准予办理：请于十日内领取")
        assert _result(session, refused) == "证据不足，不予支持"
        assert [c for c, _ in _said(session, refused)] == ["材料齐全，予以受理", "", "", "证据不足，不予支持"]
        assert [c for c, _ in _said(session, sent_back)] == ["请处理", "", ""]
        assert session.execute(text("SELECT count(*) FROM hall_events")).scalar_one() == events  # the trail stays
        trail = session.execute(text("SELECT comment FROM hall_events WHERE action = 'approve'")).scalars().all()
        assert "可以，注意口径" in trail  # the office's own record keeps its opinion


def test_migration_0022_takes_back_the_registry_note_and_the_integrity_record(
        sessions: sessionmaker[Session], hall_settings: Settings) -> None:
    review = make_office(sessions, hall_settings, kind=ItemKind.copyright_review, fields=FIELDS)
    mediation = make_office(sessions, hall_settings, kind=ItemKind.agency_mediation,
                            fields=[FieldSpec(name="agency_id", zh="机构", en="Agency", required=True)])
    with sessions() as session:
        for office, who in ((review, "approver"), (mediation, "approver")):
            user = session.get(User, office.people[who])
            assert user is not None
            user.role = Role.admin  # the registry's review needs a moderator, an integrity record an admin
        session.commit()
    w = mediation.writer("admin")
    with w.session:
        agency = agencies.create_agency(w, AgencyIn(name="Careless Agency", licence_number=f"L{uuid.uuid4().hex[:8]}"))
    _, held = _held_copy(review)
    registration_app = _apply(review, held)
    mediation_app = _apply_mediation(mediation, agency.id)
    steps = [("acceptor", Action.accept, "受理"), ("handler", Action.handle, "拟同意"),
             ("reviewer", Action.review, "同意")]
    _walk(review, registration_app, [*steps, ("approver", Action.approve, "同意登记，内部备注")])
    for who, action, comment in steps:
        _act(mediation, who, mediation_app, action, comment)
    _act(mediation, "approver", mediation_app, Action.approve, "属实，内部备注", upheld=True)
    old_note = f"同意登记，内部备注 (service hall {registration_app})"
    with sessions() as session:  # as the code before 0022 wrote them
        reg = session.scalars(select(Registration).where(Registration.number == held)).one()
        assert reg.details["review"]["note"] == f"decided in the service hall (service hall {registration_app})"
        reg.details = reg.details | {"review": reg.details["review"] | {"note": old_note}}
        record = session.scalars(select(IntegrityRecord).where(
            IntegrityRecord.source == f"service hall {mediation_app}")).one()
        assert record.description == "complaint upheld through mediation"
        record.description = "属实，内部备注"
        for number, comment in ((registration_app, "同意登记，内部备注"), (mediation_app, "属实，内部备注")):
            session.execute(update(Application).where(Application.number == number).values(result=comment))
        session.commit()
        untouched = _other_notes(session, held)

    _migrate_again(review.settings.effective_database_url)

    with sessions() as session:
        note = registry.registration(session, held).review
        assert note is not None and note.note == f"decided in the service hall (service hall {registration_app})"
        record = session.scalars(select(IntegrityRecord).where(
            IntegrityRecord.source == f"service hall {mediation_app}")).one()
        assert record.description == "complaint upheld through mediation"
        assert _result(session, registration_app) is None and _result(session, mediation_app) is None
        assert _other_notes(session, held) == untouched


def _apply_mediation(office: Office, agency_id: int) -> str:
    w = office.writer("applicant")
    with w.session:
        return service.apply(w, office.settings, ApplyIn(item=office.item, fields={"agency_id": str(agency_id)}),
                             [("evidence.txt", io.BytesIO(b"missed a deadline"))], now=utcnow()).number


def _other_notes(session: Session, held: str) -> dict[str, Any]:
    """The review notes of every other registration: the migration leaves them as they are."""
    rows = session.scalars(select(Registration).where(Registration.number != held))
    return {r.number: (r.details or {}).get("review") for r in rows}
