"""The registry's service on the embedded backend (SQLite in a fresh data dir): registration by hash
and by upload (temporary files never stay behind), statistics, refused licences and transfers that
change nothing, disputes for staff only, proofs, and verification naming the step that fails."""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
import os
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from copyright import log, merkle, registry, service
from copyright.canonical import canonical
from copyright.models import Licence, Registration, RegistrationStatus, Right, Transfer, Work, WorkType
from copyright.registry import EARLIEST_WORK_DATE, ContentHash, WorkIn, registry_day
from copyright.rights import LicenceIn, TransferByEmailIn, TransferIn
from copyright.schemas import DecisionIn, DisputeIn, RegisterIn, RenderingOut, ResolveIn, VerifyIn
from copyright.tasks import pdf_path
from copyright.verify import VerificationFailed
from core import notifications
from core.accounts.models import Role, User
from core.accounts.service import create_user
from core.audit import AuditAction, AuditContext, AuditRecord, Writer
from core.celery_app import TaskQueue
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.i18n import shown_today
from core.settings import Settings
from tests.copyright.media import picture
from tests.core.test_filekinds import PE as PROGRAM


def today() -> date:
    """Today as the registry dates registrations, licences and transfers (Beijing's day, as its pages
    show), read when used: UTC's day, still yesterday in Beijing from 16:00 UTC, was refused as before
    the registration date; a constant taken at import is yesterday for a test run past midnight."""
    return registry_day()


def person(session: Session, role: Role = Role.member) -> User:
    user = create_user(session, f"p-{uuid.uuid4().hex[:8]}@example.org", "a long password 123", role=role)
    session.commit()
    return user


def writer(session: Session, user: User) -> Writer:
    return Writer(session, user, AuditContext(actor_id=user.id, client_ip="test"))


def count(session: Session, model: type[object]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def audited(session: Session, action: AuditAction) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditRecord).where(AuditRecord.action == action))
               or 0)


def leftovers(settings: Settings) -> list[str]:
    folder = settings.resolved_data_dir / "works"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def by_hash(session: Session, settings: Settings, owner: User, data: bytes, title: str = "Harbour at dawn",
            work_type: WorkType = WorkType.photographic) -> str:
    body = RegisterIn(work=WorkIn(title=title, work_type=work_type),
                      content=ContentHash(sha256=hashlib.sha256(data).hexdigest(), size=len(data)))
    return service.register_hash(writer(session, owner), settings, body).number


def test_hash_only_registration_is_logged_audited_and_certified(session: Session, settings: Settings) -> None:
    owner = person(session)
    body = RegisterIn(work=WorkIn(title="Ledger app", work_type=WorkType.software, authors=["Li Hua"]),
                      content=ContentHash(sha256="ab" * 32, size=1234))
    out = service.register_hash(writer(session, owner), settings, body)
    assert (out.status, out.hash_only, out.owner_id, out.log_index, out.matches) == (
        RegistrationStatus.registered, True, owner.id, 0, [])
    assert audited(session, AuditAction.copyright_register) == 1
    assert leftovers(settings) == []  # hash-only: no file anywhere
    cert = service.certificate_of(session, settings, out.number)
    assert cert.statement["number"] == out.number and cert.log.index == 0
    verdict = service.verify(session, settings, VerifyIn(certificate=cert.model_dump(), sha256="ab" * 32))
    assert verdict.valid and verdict.number == out.number
    assert verdict.steps == ["certificate format", "file hash", "statement signature", "checkpoint signature",
                             "inclusion proof"]
    assert service.registration(session, out.number) == out


KEY, SIGNATURE = base64.b64encode(b"k" * 32).decode(), base64.b64encode(b"s" * 64).decode()


@pytest.mark.parametrize(("public_key", "signature"), [(KEY, None), (None, SIGNATURE), (KEY, SIGNATURE)])
def test_bad_registrant_signature_fields_record_nothing(session: Session, settings: Settings, public_key: str | None,
                                                        signature: str | None) -> None:
    owner = person(session)
    body = RegisterIn(work=WorkIn(title="x", work_type=WorkType.written), content=ContentHash(sha256="cd" * 32),
                      registrant_public_key=public_key, registrant_signature=signature)
    with pytest.raises(InvalidInput, match="registrant"):
        service.register_hash(writer(session, owner), settings, body)
    session.rollback()
    assert (count(session, Registration), count(session, AuditRecord), log.size(session)) == (0, 0, 0)


@pytest.mark.parametrize(("field", "value", "says"), [
    ("registrant_public_key", "not base64!", "not base64"),
    ("registrant_public_key", "é" * 44, "other characters"),
    ("registrant_public_key", "ＡＡＡＡ", "other characters"),  # full-width letters
    ("registrant_public_key", base64.b64encode(b"k" * 33).decode(), "holds 33 bytes"),
    ("registrant_public_key", KEY.rstrip("="), "not base64"),
    ("registrant_signature", "é" * 88, "other characters"),
    ("registrant_signature", base64.b64encode(b"s" * 32).decode(), "holds 32 bytes"),
    ("registrant_signature", "A" * 10_000, "at most 200 characters"),
])
def test_registrant_key_and_signature_are_ascii_base64_of_their_size(field: str, value: str, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        RegisterIn.model_validate({"work": {"title": "x", "work_type": "written"}, "content": {"sha256": "cd" * 32},
                                   field: value})


def test_upload_is_kept_under_its_hash_and_copies_go_to_review(session: Session, settings: Settings) -> None:
    data = picture(5)
    work = json.dumps({"title": "Harbour at dawn", "work_type": "photographic"})
    first = service.register_upload(writer(session, person(session)), settings, work, io.BytesIO(data))
    sha = hashlib.sha256(data).hexdigest()
    assert first.status is RegistrationStatus.registered and first.sha256 == sha and not first.hash_only
    assert leftovers(settings) == [sha]  # the file itself; no temporary file
    assert (settings.resolved_data_dir / "works" / sha).read_bytes() == data
    stored = session.scalar(select(Work.stored_path).where(Work.sha256 == sha))
    assert stored == str(settings.resolved_data_dir / "works" / sha)
    copy_ = service.register_upload(writer(session, person(session)), settings, work, io.BytesIO(data))
    assert copy_.status is RegistrationStatus.under_review and copy_.log_index is None
    assert [(m.number, m.kind, m.similarity) for m in copy_.matches] == [(first.number, "identical", 1.0)]
    with pytest.raises(InvalidInput, match="no certificate"):
        service.certificate_of(session, settings, copy_.number)
    assert leftovers(settings) == [sha]


def test_a_program_is_registered_only_as_software(session: Session, settings: Settings) -> None:
    """An .exe sent as a written work was registered without a word: a program is computer software."""
    program = PROGRAM
    as_text = json.dumps({"title": "My novel", "work_type": "written"})
    with pytest.raises(InvalidInput, match=r"the file is a program \(EXE\): register it as computer software"):
        service.register_upload(writer(session, person(session)), settings, as_text, io.BytesIO(program))
    session.rollback()
    assert leftovers(settings) == [] and count(session, Registration) == 0
    as_software = json.dumps({"title": "My tool", "work_type": "software"})
    done = service.register_upload(writer(session, person(session)), settings, as_software, io.BytesIO(program))
    assert done.status is RegistrationStatus.registered and done.work_type is WorkType.software
    # a file named as a program whose content does not say so (an "MZ" and zeros) is one by its name
    named = b"MZ" + bytes(100)
    as_oral = json.dumps({"title": "A talk", "work_type": "oral"})
    with pytest.raises(InvalidInput, match=r"the file is a program \(EXE\)"):
        service.register_upload(writer(session, person(session)), settings, as_oral, io.BytesIO(named), "evil.exe")
    session.rollback()
    assert service.register_upload(writer(session, person(session)), settings, as_oral, io.BytesIO(named),
                                   "talk.wav").work_type is WorkType.oral  # its name and content say no program


def test_an_empty_file_is_no_work(session: Session, settings: Settings) -> None:
    """Every empty file has one hash: the first to register it would have held everyone else's for review."""
    as_text = json.dumps({"title": "Blank", "work_type": "written"})
    with pytest.raises(InvalidInput, match="the file is empty"):
        service.register_upload(writer(session, person(session)), settings, as_text, io.BytesIO(b""))
    session.rollback()
    for size in (0, None):  # by its hash alone, with or without its size
        body = RegisterIn(work=WorkIn(title="Blank", work_type=WorkType.written),
                          content=ContentHash(sha256=hashlib.sha256(b"").hexdigest(), size=size))
        with pytest.raises(InvalidInput, match="the file is empty"):
            service.register_hash(writer(session, person(session)), settings, body)
        session.rollback()
    assert leftovers(settings) == [] and count(session, Registration) == 0


class BrokenStream(io.BytesIO):
    """An upload whose connection drops after the first megabytes."""

    def read(self, size: int | None = -1, /) -> bytes:
        if self.tell() > 3 << 20:
            raise ConnectionResetError("client went away")
        return super().read(size)


def test_a_failing_upload_leaves_nothing_behind(session: Session, settings: Settings) -> None:
    owner = person(session)
    work = json.dumps({"title": "Too big", "work_type": "written"})
    small = settings.model_copy(update={"max_upload_bytes": 1000})
    with pytest.raises(InvalidInput, match="upload limit"):
        service.register_upload(writer(session, owner), small, work, io.BytesIO(b"y" * 5000))
    with pytest.raises(ConnectionResetError):
        service.register_upload(writer(session, owner), settings, work, BrokenStream(b"x" * (5 << 20)))
    with pytest.raises(InvalidInput, match="work"):
        service.register_upload(writer(session, owner), settings, "{not json", io.BytesIO(b"abc"))
    session.rollback()
    assert leftovers(settings) == []
    assert (count(session, Registration), count(session, AuditRecord), log.size(session)) == (0, 0, 0)


def test_the_registrants_own_file_again_is_refused_naming_its_registration(session: Session,
                                                                          settings: Settings) -> None:
    """A second click or a form sent again held the creator's own work for review as a copy of itself."""
    owner = person(session)
    first = by_hash(session, settings, owner, b"my own poem", "Poem")
    with pytest.raises(Conflict, match=f"you have registered this file already, as {first}"):
        by_hash(session, settings, owner, b"my own poem", "Poem, sent again")
    session.rollback()
    assert by_hash(session, settings, person(session), b"my own poem", "Someone else's") != first  # held, as before


def test_stats_count_registrations_and_licence_kinds(session: Session, settings: Settings) -> None:
    owner, fan = person(session), person(session)
    song = by_hash(session, settings, owner, b"a song", "Song", WorkType.music)
    by_hash(session, settings, owner, b"a novel", "Novel", WorkType.written)
    held = by_hash(session, settings, fan, b"a song", "Song again", WorkType.music)
    assert service.registration(session, held).status is RegistrationStatus.under_review
    w = writer(session, owner)
    for extra in ({}, {"exclusive": True, "rights": ["translation"]}, {"cc_code": "CC-BY-4.0"}):
        grant = {"licensee_id": fan.id, "rights": ["reproduction"], "start_date": today(), **extra}
        service.grant_licence(w, song, LicenceIn.model_validate(grant))
    stats = service.stats(session)
    assert stats.by_work_type == {"music": 2, "written": 1}
    assert stats.by_status == {"registered": 2, "under_review": 1}
    assert stats.by_month == {shown_today().strftime("%Y-%m"): 3}
    assert stats.by_licence_type.model_dump() == {"exclusive": 1, "non_exclusive": 1, "creative_commons": 1}
    # months are Beijing's, as the pages' dates: 17:00 UTC on 31 January is 1 February there
    session.execute(update(Registration).where(Registration.number == held).values(
        registered_at=datetime(2026, 1, 31, 17, 0, tzinfo=UTC)))
    assert service.stats(session).by_month == {shown_today().strftime("%Y-%m"): 2, "2026-02": 1}


def test_refused_licence_and_transfer_change_nothing(session: Session, settings: Settings) -> None:
    owner, stranger, fan = person(session), person(session), person(session)
    number = by_hash(session, settings, owner, b"my photo")
    before = (log.size(session), count(session, AuditRecord), service.rights_on(session, number))
    grant = LicenceIn(licensee_id=fan.id, rights=[Right.reproduction], start_date=today())
    with pytest.raises(PermissionDenied, match="rights holder"):
        service.grant_licence(writer(session, stranger), number, grant)
    session.rollback()
    move = TransferIn(to_user_id=fan.id, rights=[Right.reproduction], effective_date=today())
    with pytest.raises(PermissionDenied, match="holder"):
        service.transfer_rights(writer(session, stranger), number, move)
    session.rollback()
    with pytest.raises(InvalidInput, match="cannot transfer rights to yourself"):
        service.transfer_rights(writer(session, owner), number, TransferIn(
            to_user_id=owner.id, rights=[Right.reproduction], effective_date=today()))
    session.rollback()
    assert (count(session, Licence), count(session, Transfer)) == (0, 0)
    assert (log.size(session), count(session, AuditRecord), service.rights_on(session, number)) == before
    # the holder may; the chain of title shows both events after the registration
    service.grant_licence(writer(session, owner), number, grant)
    service.transfer_rights(writer(session, owner), number, move)
    assert [e.type for e in service.chain(session, number)] == ["registration", "licence", "transfer"]
    now = service.rights_on(session, number)
    assert now.holders[str(fan.id)] == ["reproduction"] and [lic.licensee_id for lic in now.licences] == [fan.id]


def test_a_transfer_by_e_mail_tells_the_recipient_and_passes_the_rights(session: Session,
                                                                        settings: Settings) -> None:
    owner, heir, stranger = person(session), person(session), person(session)
    number = by_hash(session, settings, owner, uuid.uuid4().bytes, title="Harbour <at> dawn")
    move = TransferByEmailIn(recipient_email=heir.email.upper(), rights=[Right.adaptation], effective_date=today())
    refused = TransferByEmailIn(recipient_email="nobody@example.org", rights=[Right.adaptation], effective_date=today())
    with pytest.raises(InvalidInput, match="no account uses the e-mail nobody@example.org"):
        service.transfer_to(writer(session, owner), number, refused)
    session.rollback()
    with pytest.raises(PermissionDenied, match=f"holder of these rights on {today().isoformat()}"):
        service.transfer_to(writer(session, stranger), number, move)
    session.rollback()
    assert count(session, Transfer) == 0 and not notifications.for_user(session, heir.id)

    service.transfer_to(writer(session, owner), number, move)
    [note] = notifications.for_user(session, heir.id)
    assert note.kind == "copyright.transfer_received"
    assert note.payload == {"number": number, "work_title": "Harbour <at> dawn", "counterpart": owner.display_name,
                            "rights": ["adaptation"], "effective_date": today().isoformat()}
    assert audited(session, AuditAction.copyright_transfer) == 1
    assert service.rights_on(session, number).holders[str(heir.id)] == ["adaptation"]
    # the recipient now holds the right and may move it on; the owner no longer may
    with pytest.raises(PermissionDenied):
        service.transfer_to(writer(session, owner), number, move)
    session.rollback()
    back = TransferByEmailIn(recipient_email=owner.email, rights=[Right.adaptation], effective_date=today())
    service.transfer_to(writer(session, heir), number, back)
    assert service.rights_on(session, number).holders[str(owner.id)] == sorted(r.value for r in Right)


def test_a_right_moved_by_one_transfer_cannot_move_again_by_a_transfer_dated_before_it(
        session: Session, settings: Settings) -> None:
    owner, first, second = person(session), person(session), person(session)
    number = by_hash(session, settings, owner, uuid.uuid4().bytes)
    later = today() + timedelta(days=30)
    service.transfer_rights(writer(session, owner), number, TransferIn(
        to_user_id=first.id, rights=[Right.reproduction], effective_date=later))
    # held today, but given away from `later` on: a transfer from today would hand it out twice
    with pytest.raises(PermissionDenied, match=f"holder of these rights on {later.isoformat()}"):
        service.transfer_rights(writer(session, owner), number, TransferIn(
            to_user_id=second.id, rights=[Right.reproduction], effective_date=today()))
    session.rollback()
    with pytest.raises(InvalidInput, match="on or after the registration date"):
        service.transfer_rights(writer(session, owner), number, TransferIn(
            to_user_id=second.id, rights=[Right.adaptation], effective_date=today() - timedelta(days=1)))
    session.rollback()
    # a stranger learns nothing about e-mail addresses: refused as a non-holder first
    with pytest.raises(PermissionDenied):
        service.transfer_to(writer(session, second), number, TransferByEmailIn(
            recipient_email="nobody@example.org", rights=[Right.adaptation], effective_date=today()))
    session.rollback()
    # what else the owner holds may still go, and each right has one holder on every day
    service.transfer_rights(writer(session, owner), number, TransferIn(
        to_user_id=second.id, rights=[Right.adaptation], effective_date=today()))
    for day in (today(), later):
        held = service.rights_on(session, number, day).holders
        assert sum("reproduction" in rights for rights in held.values()) == 1
    assert "reproduction" in service.rights_on(session, number, later).holders[str(first.id)]


def test_a_day_that_has_begun_somewhere_is_not_in_the_future() -> None:
    """A creator in Beijing finishes a work at 05:00 on a day the server (UTC) has not reached."""
    furthest = (datetime.now(UTC) + timedelta(hours=14)).date()  # the date at UTC+14, the first to turn
    assert WorkIn(title="t", work_type=WorkType.written, completion_date=furthest).completion_date == furthest
    with pytest.raises(ValidationError, match="the completion date is in the future"):
        WorkIn(title="t", work_type=WorkType.written, completion_date=furthest + timedelta(days=1))


def test_a_date_before_1900_is_a_slip_of_the_year() -> None:
    """0101 typed for 2010 was registered, and its certificate would say so for good."""
    assert EARLIEST_WORK_DATE == date(1900, 1, 1)
    assert WorkIn(title="t", work_type=WorkType.written, completion_date=EARLIEST_WORK_DATE,
                  published=True, first_publication_date=EARLIEST_WORK_DATE).completion_date == EARLIEST_WORK_DATE
    for field, said in (("completion_date", "the completion date is before 1900: check the year"),
                        ("first_publication_date", "the first publication date is before 1900: check the year")):
        for slip in (date(101, 1, 1), date(1899, 12, 31), date(1, 1, 1)):
            dates = {field: slip} | ({"published": True} if field == "first_publication_date" else {})
            with pytest.raises(ValidationError) as refused:
                WorkIn(title="t", work_type=WorkType.written, **dates)
            [error] = refused.value.errors()
            assert (error["msg"], error.get("ctx", {}).get("field")) == (said, field)  # said beside its field


def test_the_registrys_day_is_the_day_its_pages_show() -> None:
    """Forms defaulted to UTC's day, yesterday in Beijing until 08:00, where the pages show times."""
    assert registry_day(datetime(2026, 3, 1, 15, 59, tzinfo=UTC)) == date(2026, 3, 1)  # 23:59 in Beijing
    assert registry_day(datetime(2026, 3, 1, 16, 0, tzinfo=UTC)) == date(2026, 3, 2)  # 00:00 in Beijing
    assert registry_day(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2027, 1, 1)


def test_a_transfer_dated_by_the_registrys_day_is_in_force_at_once(session: Session, settings: Settings,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """At 01:00 in Beijing (17:00 UTC the day before) the default date is Beijing's, and who holds
    the rights today is read on that day too: the recipient holds them at once."""
    moment = datetime.combine(today() - timedelta(days=2), datetime.min.time(), UTC) + timedelta(hours=17)
    monkeypatch.setattr(registry, "utcnow", lambda: moment)
    owner, heir = person(session), person(session)
    number = by_hash(session, settings, owner, uuid.uuid4().bytes)
    assert registry_day() == moment.date() + timedelta(days=1)
    service.transfer_to(writer(session, owner), number, TransferByEmailIn(
        recipient_email=heir.email, rights=[Right.adaptation], effective_date=registry_day()))
    assert service.rights_on(session, number).holders[str(heir.id)] == ["adaptation"]


def test_a_registration_made_in_the_evening_utc_is_dated_by_the_day_its_record_shows(
        session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Registered at 20:00 UTC, the record shows the next day (Beijing): a transfer dated the UTC
    day was accepted, a day before the registration as shown, and a refusal named a date the page
    did not show."""
    moment = datetime.combine(today() - timedelta(days=3), datetime.min.time(), UTC) + timedelta(hours=20)
    monkeypatch.setattr(registry, "utcnow", lambda: moment)
    owner, heir = person(session), person(session)
    number = by_hash(session, settings, owner, uuid.uuid4().bytes)
    shown = moment.date() + timedelta(days=1)
    assert registry.get_registration(session, number).registered_on == shown
    with pytest.raises(InvalidInput, match=f"on or after the registration date, {shown.isoformat()}"):
        service.transfer_to(writer(session, owner), number, TransferByEmailIn(
            recipient_email=heir.email, rights=[Right.adaptation], effective_date=moment.date()))
    session.rollback()
    service.transfer_to(writer(session, owner), number, TransferByEmailIn(
        recipient_email=heir.email, rights=[Right.adaptation], effective_date=shown))


def test_a_registration_made_on_new_years_night_in_beijing_is_numbered_in_the_new_year(
        session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """At 01:00 on 1 January in Beijing (17:00 UTC on 31 December) the record shows the new year,
    and its number carried the old one: CR-2025-… on a registration dated 2026-01-01."""
    moment = datetime(2025, 12, 31, 17, 0, tzinfo=UTC)
    monkeypatch.setattr(registry, "utcnow", lambda: moment)
    number = by_hash(session, settings, person(session), uuid.uuid4().bytes)
    assert registry.get_registration(session, number).registered_on == date(2026, 1, 1)
    assert number.startswith("CR-2026-"), number


def test_only_the_files_refusals_are_about_the_file(session: Session, settings: Settings,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Every refusal raised while an upload was registered was marked as about the file: one about
    the title said so beside the file's field. The file's own (too large, a program, empty,
    registered already) still are."""
    owner = person(session)

    def refusal(work: dict[str, str], data: bytes, limit: int = settings.max_upload_bytes) -> InvalidInput | Conflict:
        small = settings.model_copy(update={"max_upload_bytes": limit})
        with pytest.raises((InvalidInput, Conflict)) as refused:
            service.register_upload(writer(session, owner), small, json.dumps(work), io.BytesIO(data))
        session.rollback()
        return refused.value  # type: ignore[return-value]

    written = {"title": "Mine", "work_type": "written"}
    service.register_upload(writer(session, owner), settings, json.dumps(written), io.BytesIO(b"mine"))
    for data, limit in ((b"y" * 5000, 1000), (PROGRAM, settings.max_upload_bytes), (b"", settings.max_upload_bytes),
                        (b"mine", settings.max_upload_bytes)):
        assert refusal(written, data, limit).extra["field"] == "file", data[:10]

    def refuse_the_title(*args: object, **kwargs: object) -> None:
        raise InvalidInput("a title the registry will not take").about("title")

    monkeypatch.setattr(service, "register", refuse_the_title)
    assert refusal(written, b"a new work").extra["field"] == "title"


def test_only_staff_resolve_disputes(session: Session, settings: Settings) -> None:
    owner, rival, moderator = person(session), person(session), person(session, Role.moderator)
    number = by_hash(session, settings, owner, b"a melody")
    dispute = service.file_dispute(writer(session, rival), number, DisputeIn(reason="I wrote this melody in 2019"))
    assert service.registration(session, number).status is RegistrationStatus.disputed
    with pytest.raises(PermissionDenied):
        service.resolve_dispute(writer(session, rival), dispute.id, ResolveIn(upheld=True, resolution="mine"))
    session.rollback()
    assert audited(session, AuditAction.copyright_dispute_resolve) == 0
    done = service.resolve_dispute(writer(session, moderator), dispute.id,
                                   ResolveIn(upheld=False, resolution="no evidence of earlier publication"))
    assert done.status == "rejected" and service.registration(session, number).status is RegistrationStatus.registered
    with pytest.raises(NotFound):
        service.resolve_dispute(writer(session, moderator), 999_999, ResolveIn(upheld=True, resolution="x"))


def test_a_dispute_tells_the_owner_and_is_refused_to_the_owner_and_of_a_held_registration(
        session: Session, settings: Settings) -> None:
    """A dispute marks a registration publicly: its owner is told, may not dispute it themselves, and a
    registration under review (never logged) is decided by its review, not revoked by a dispute."""
    owner, rival = person(session), person(session)
    number = by_hash(session, settings, owner, b"a tune for a dispute", "Tune")
    held = by_hash(session, settings, rival, b"a tune for a dispute", "Tune again")
    before = (log.size(session), count(session, AuditRecord))
    with pytest.raises(InvalidInput, match="cannot dispute your own registration"):
        service.file_dispute(writer(session, owner), number, DisputeIn(reason="testing my own record"))
    session.rollback()
    with pytest.raises(Conflict, match=f"{held} is under review: its review decides it"):
        service.file_dispute(writer(session, owner), held, DisputeIn(reason="this is a copy of my tune"))
    session.rollback()
    assert (log.size(session), count(session, AuditRecord)) == before
    assert service.registration(session, held).status is RegistrationStatus.under_review
    service.file_dispute(writer(session, rival), number, DisputeIn(reason="I wrote this tune in 2019"))
    [note] = [n for n in notifications.for_user(session, owner.id) if n.kind == "copyright.disputed"]
    assert note.payload == {"number": number, "work_title": "Tune", "counterpart": rival.display_name}


def test_a_licence_logged_without_an_offer_tells_the_licensee(session: Session, settings: Settings) -> None:
    owner, fan = person(session), person(session)
    number = by_hash(session, settings, owner, b"a photo to license", "Pier")
    grant = LicenceIn(licensee_id=fan.id, rights=[Right.reproduction], start_date=today())
    service.grant_licence(writer(session, owner), number, grant)
    [note] = notifications.for_user(session, fan.id)
    assert (note.kind, note.payload["number"], note.payload["work_title"]) == ("copyright.licence_granted", number,
                                                                              "Pier")
    assert note.payload["rights"] == ["reproduction"] and note.payload["counterpart"] == owner.display_name


def test_proofs_verify_against_the_checkpoint(session: Session, settings: Settings) -> None:
    owner = person(session)
    with pytest.raises(NotFound):  # nothing logged, nothing to sign
        service.latest_checkpoint(session, settings)
    for i in range(5):
        by_hash(session, settings, owner, f"work {i}".encode(), f"Work {i}")
    assert service.latest_checkpoint(session, settings).size == 5  # signed on demand: no waiting for it
    service.certificate_of(session, settings, by_hash(session, settings, owner, b"six", "Work 6"))
    cp = service.latest_checkpoint(session, settings)
    assert cp.size == 6
    e = service.entry(session, settings, 3)
    root = base64.b64decode(cp.checkpoint.split("\n")[2])
    leaf = merkle.leaf_hash(canonical(e.entry))
    merkle.verify_inclusion(leaf, 3, e.tree_size, [base64.b64decode(h) for h in e.inclusion_proof], root)
    assert len(service.consistency(session, 2, 6).proof) > 0
    with pytest.raises(InvalidInput):
        service.consistency(session, 4, 2)
    with pytest.raises(NotFound):
        service.entry(session, settings, 6)


def test_verify_names_the_failing_step(session: Session, settings: Settings, tmp_path: Path) -> None:
    data = b"chapter one" * 40
    number = by_hash(session, settings, person(session), data, "Tide songs", WorkType.written)
    cert = service.certificate_of(session, settings, number).model_dump(mode="json")
    tampered = copy.deepcopy(cert)
    tampered["statement"]["work"]["title"] = "Someone else's title"
    verdict = service.verify(session, settings, VerifyIn(certificate=tampered))
    assert (verdict.valid, verdict.failed_step, verdict.number) == (False, "statement signature", None)
    wrong_file = service.verify(session, settings, VerifyIn(certificate=cert, sha256="00" * 32))
    assert (wrong_file.valid, wrong_file.failed_step) == (False, "file hash")
    malformed = service.verify(session, settings, VerifyIn(certificate={"statement": "x"}))
    assert malformed.failed_step == "certificate format"
    # offline, from files, as the CLI does: a VerificationFailed naming the step
    keys, good, bad, original = (tmp_path / n for n in ("keys.json", "good.json", "bad.json", "work.txt"))
    keys.write_text(service.published_keys(session, settings).model_dump_json())
    good.write_text(json.dumps(cert))
    bad.write_text(json.dumps(tampered))
    original.write_bytes(data)
    assert service.verify_offline(good, keys, original).steps[1] == "file hash"
    with pytest.raises(VerificationFailed) as info:
        service.verify_offline(bad, keys, original)
    assert info.value.step == "statement signature"
    with pytest.raises(InvalidInput):
        service.verify_offline(good, original)  # not a key set


def test_pdf_is_queued_until_rendered(session: Session, settings: Settings) -> None:
    owner = person(session)
    number = by_hash(session, settings, owner, b"a picture")
    held = by_hash(session, settings, person(session), b"a picture")
    tasks = TaskQueue(settings)
    with pytest.raises(InvalidInput, match="no certificate"):
        service.certificate_pdf(session, settings, tasks, held)
    assert service.certificate_pdf(session, settings, tasks, number) == RenderingOut()
    path = pdf_path(settings, number, "registered")
    # a waiting page asks again every two seconds: the rendering stays queued once, not late yet
    queued = path.with_suffix(".queued")
    asked_at = queued.stat().st_mtime
    assert service.certificate_pdf(session, settings, tasks, number) == RenderingOut()
    assert queued.stat().st_mtime == asked_at
    # a minute on with no PDF (no worker running): said to be late, and asked for again
    os.utime(queued, (asked_at - service.RENDER_WAIT_SECONDS, asked_at - service.RENDER_WAIT_SECONDS))
    assert service.certificate_pdf(session, settings, tasks, number) == RenderingOut(late=True)
    assert queued.stat().st_mtime >= asked_at
    assert service.certificate_pdf(session, settings, tasks, number) == RenderingOut()
    path.write_bytes(b"%PDF-1.7 rendered")
    assert service.certificate_pdf(session, settings, tasks, number) == path
    # disputed after its PDF was made: a new one prints the new status; the old one is not served
    service.file_dispute(writer(session, person(session)), number, DisputeIn(reason="I took this picture first"))
    assert service.certificate_pdf(session, settings, tasks, number) == RenderingOut()
    assert pdf_path(settings, number, "disputed").with_suffix(".queued").is_file()


def test_a_registration_asks_the_database_nothing_once_it_is_committed(session: Session, settings: Settings) -> None:
    """The answer is built before the last commit: a connection lost just after it (a database
    restart) must not turn a registered work into a 503, whose retry is refused as a duplicate."""
    from sqlalchemy import event

    owner = person(session)
    session.expunge_all()  # nothing left in memory to answer from but what the registration loads
    owner = session.get(User, owner.id)
    assert owner is not None
    seen: list[str] = []  # statements, and "COMMIT" for each commit, in order

    def on_commit(_session: Session) -> None:
        seen.append("COMMIT")

    def on_statement(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    engine = session.get_bind()
    event.listen(session, "after_commit", on_commit)
    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        number = by_hash(session, settings, owner, b"a song")
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        event.remove(session, "after_commit", on_commit)
    assert number.startswith("CR-") and "COMMIT" in seen
    assert seen[-1] == "COMMIT", seen[seen.index("COMMIT"):]


def test_a_registration_held_before_a_new_rule_is_still_approved(session: Session, settings: Settings) -> None:
    """A published work now gives its first publication date. One held for review before that rule,
    published and undated, is approved all the same: its statement is built from what was stored
    (it raised a validation error, a 500, and could never be approved)."""
    data = picture(8)
    work = json.dumps({"title": "Harbour at noon", "work_type": "photographic"})
    service.register_upload(writer(session, person(session)), settings, work, io.BytesIO(data))
    held = service.register_upload(writer(session, person(session)), settings, work, io.BytesIO(data))
    assert held.status is RegistrationStatus.under_review
    stored = session.scalar(select(Work).join(Registration, Registration.work_id == Work.id)
                            .where(Registration.number == held.number))
    assert stored is not None
    stored.published = True  # as the form let it be written before the rule
    session.commit()
    with pytest.raises(ValidationError, match="a published work gives the date it was first published"):
        WorkIn(title="new input", work_type=WorkType.written, published=True)  # new input is held to it
    moderator = person(session, Role.moderator)
    done = service.review(writer(session, moderator), settings, held.number, DecisionIn(approve=True, note="ok"))
    assert done.status is RegistrationStatus.registered
    assert service.certificate_of(session, settings, held.number).statement["work"]["published"] is True
