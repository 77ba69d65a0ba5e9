"""Licences both parties sign: an offer logs nothing until the licensee accepts; each side is told;
the fee stays between the parties; strangers, wrong parties and second answers are refused and
change nothing. Plus the public record and "my works" built on them."""

from __future__ import annotations

import json
import subprocess

import pytest
from sqlalchemy.orm import Session

from copyright import log, offers, records, service
from copyright.models import Licence, LicenceOffer, OfferStatus, Right, WorkType
from copyright.registry import DUPLICATE_HELD
from copyright.rights import TransferIn
from core.accounts.models import User
from core.audit import AuditAction
from core.db import session_factory
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.notifications import for_user
from core.settings import Settings
from tests.copyright.test_service import audited, by_hash, count, person, today, writer


def _offer(licensee: User, **terms: object) -> offers.OfferIn:
    body: dict[str, object] = {"licensee_email": licensee.email.upper(), "rights": [Right.reproduction],
                               "start_date": today(), "fee": "CNY 8,000 a year", "media": "print"}
    return offers.OfferIn.model_validate({**body, **terms})


def test_an_accepted_offer_is_logged_with_both_parties_and_the_fee_stays_private(
        session: Session, settings: Settings) -> None:
    owner, licensee, stranger = person(session), person(session), person(session)
    number = by_hash(session, settings, owner, b"a song" * 40, "River song", WorkType.music)
    size = log.size(session)

    made = offers.offer(writer(session, owner), number, _offer(licensee))
    assert made.status is OfferStatus.offered and made.licensee.id == licensee.id
    assert log.size(session) == size  # nothing is logged before the licensee accepts
    assert [n.kind for n in for_user(session, licensee.id)] == [offers.Kind.offered]

    done = offers.accept(writer(session, licensee), made.id)
    assert done.status is OfferStatus.accepted and done.licence_id is not None
    assert log.size(session) == size + 1
    entry = json.loads(session.get(log.LogEntry, done.log_index).entry)
    assert (entry["type"], entry["licensor"], entry["licensee"], entry["media"]) == \
        ("licence", owner.id, licensee.id, "print")
    assert entry["accepted"].endswith("Z") and "fee" not in entry  # the log is public: no private terms
    proved = service.entry(session, settings, done.log_index)  # provable at once: no wait for a checkpoint
    assert proved.entry == entry and proved.tree_size == log.size(session)
    assert offers.Kind.accepted in [n.kind for n in for_user(session, owner.id)]
    assert audited(session, AuditAction.copyright_licence_answer) >= 1

    for reader, sees_fee in ((owner, True), (licensee, True), (stranger, False), (None, False)):
        shown = records.record(session, number, reader)
        assert [lic.fee for lic in shown.licences] == (["CNY 8,000 a year"] if sees_fee else [None])
    assert [e.type for e in records.record(session, number, None).chain] == ["registration", "licence"]
    assert [o.number for o in records.licences_to(session, licensee)] == [number]
    assert records.works_of(session, owner)[0].licences == 1

    pdf = offers.licence_pdf(session, licensee, made.id)
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    # values in both of the document's languages, as its labels; times as the pages show them
    assert "全世界 worldwide" in text and "print" in text and "北京时间" in text and " UTC\n" not in text
    assert "本文件仅供双方当事人使用" in text
    assert text.index("著作权许可使用合同") < text.index("Copyright Licence") and "复制权 Reproduction" in text
    with pytest.raises(NotFound):
        offers.licence_pdf(session, stranger, made.id)


def test_refusals_change_nothing(session: Session, settings: Settings) -> None:
    owner, licensee, stranger = person(session), person(session), person(session)
    number = by_hash(session, settings, owner, b"a poem" * 40, "Poem", WorkType.written)
    before = count(session, LicenceOffer)

    with pytest.raises(InvalidInput, match="no account uses the e-mail"):
        offers.offer(writer(session, owner), number, _offer(licensee, licensee_email="nobody@example.org"))
    session.rollback()
    with pytest.raises(InvalidInput, match="another person"):
        offers.offer(writer(session, owner), number, _offer(owner))
    session.rollback()
    with pytest.raises(PermissionDenied):  # a stranger holds no rights to license
        offers.offer(writer(session, stranger), number, _offer(licensee))
    session.rollback()
    # nor learns whether an address has an account: refused alike, before the address is looked up
    for address in (licensee.email, "nobody@example.org"):
        with pytest.raises(PermissionDenied, match="only the rights holder"):
            offers.offer(writer(session, stranger), number, _offer(licensee, licensee_email=address))
        session.rollback()
    assert count(session, LicenceOffer) == before

    made = offers.offer(writer(session, owner), number, _offer(licensee))
    with pytest.raises(NotFound):  # a stranger is told the offer does not exist
        offers.accept(writer(session, stranger), made.id)
    session.rollback()
    with pytest.raises(PermissionDenied):  # the licensor cannot accept their own offer
        offers.accept(writer(session, owner), made.id)
    session.rollback()
    size = log.size(session)
    assert offers.decline(writer(session, licensee), made.id).status is OfferStatus.declined
    with pytest.raises(Conflict, match="declined already"):
        offers.accept(writer(session, licensee), made.id)
    session.rollback()
    assert log.size(session) == size
    assert offers.Kind.declined in [n.kind for n in for_user(session, owner.id)]
    with pytest.raises(Conflict):  # no licence document for a declined offer
        offers.licence_document(session, owner, made.id)


def test_withdrawn_and_overtaken_offers(session: Session, settings: Settings) -> None:
    owner, first, second = person(session), person(session), person(session)
    number = by_hash(session, settings, owner, b"a film" * 40, "Film", WorkType.audiovisual)
    withdrawn = offers.offer(writer(session, owner), number, _offer(first))
    assert offers.withdraw(writer(session, owner), withdrawn.id).status is OfferStatus.withdrawn
    assert offers.Kind.withdrawn in [n.kind for n in for_user(session, first.id)]

    # two exclusive offers of the same right: the second acceptance finds the right already licensed
    a = offers.offer(writer(session, owner), number, _offer(first, exclusive=True))
    b = offers.offer(writer(session, owner), number, _offer(second, exclusive=True))
    offers.accept(writer(session, first), a.id)
    with pytest.raises(Conflict, match="exclusive licence"):
        offers.accept(writer(session, second), b.id)
    session.rollback()
    assert offers.get(session, second, b.id).status is OfferStatus.offered


def test_a_transfer_withdraws_the_open_offers_of_rights_the_licensor_gave_away(session: Session,
                                                                              settings: Settings) -> None:
    owner, heir, first, second = (person(session) for _ in range(4))
    number = by_hash(session, settings, owner, b"a map" * 40, "Map", WorkType.graphic)
    gone = offers.offer(writer(session, owner), number, _offer(first))  # reproduction, from today
    kept = offers.offer(writer(session, owner), number, _offer(second, rights=[Right.adaptation]))
    answered = audited(session, AuditAction.copyright_licence_answer)

    moved = service.transfer_rights(writer(session, owner), number, TransferIn(
        to_user_id=heir.id, rights=[Right.reproduction], effective_date=today()))
    assert moved.withdrawn_offers == [gone.id]
    assert offers.get(session, first, gone.id).status is OfferStatus.withdrawn
    assert offers.get(session, second, kept.id).status is OfferStatus.offered
    notes = for_user(session, first.id)
    assert [n.kind for n in notes] == [offers.Kind.withdrawn, offers.Kind.offered]
    assert notes[0].payload["offer_id"] == gone.id and notes[1].read_at is not None  # nothing left to answer
    assert audited(session, AuditAction.copyright_licence_answer) == answered + 1
    with pytest.raises(Conflict, match="withdrawn already"):
        offers.accept(writer(session, first), gone.id)
    session.rollback()
    # the offer the transfer did not touch is still the licensor's to grant
    assert offers.accept(writer(session, second), kept.id).status is OfferStatus.accepted


def test_an_earlier_owner_is_told_of_a_registration_held_as_a_duplicate(session: Session, settings: Settings) -> None:
    earlier, later = person(session), person(session)
    first = by_hash(session, settings, earlier, b"the same bytes" * 30, "Original")
    held = by_hash(session, settings, later, b"the same bytes" * 30, "Copy")
    notes = [n for n in for_user(session, earlier.id) if n.kind == DUPLICATE_HELD]
    assert [(n.payload["number"], n.payload["held"]) for n in notes] == [(first, held)]
    shown = records.record(session, held, later)
    assert shown.status == "under_review" and [m.number for m in shown.matches] == [first]
    assert records.record(session, held, earlier).matches == []  # what it matched is for its owner


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_two_acceptances_sent_at_once_log_one_licence(request: pytest.FixtureRequest, settings: Settings,
                                                      database: str) -> None:
    """A double submit: both requests read the open offer before either answers. The second is
    a conflict, and the log, the licences and the licensor's inbox each get one."""
    db_settings = settings if database == "sqlite" else request.getfixturevalue("prod_settings")
    make = session_factory(db_settings.effective_database_url)
    with make() as setup:
        owner, licensee = person(setup), person(setup)
        number = by_hash(setup, db_settings, owner, b"a double click" * 40, "Double", WorkType.music)
        made = offers.offer(writer(setup, owner), number, _offer(licensee))
        size, licences = log.size(setup), count(setup, Licence)
    with make() as first, make() as second:
        reader_1, reader_2 = first.get(User, licensee.id), second.get(User, licensee.id)
        assert reader_1 is not None and reader_2 is not None
        # Both requests have read the open offer (and hold it) before either answers.
        held = [s.get(LicenceOffer, made.id) for s in (first, second)]
        assert all(row is not None and row.status is OfferStatus.offered for row in held)
        assert offers.accept(writer(first, reader_1), made.id).status is OfferStatus.accepted
        with pytest.raises(Conflict, match="accepted already"):
            offers.accept(writer(second, reader_2), made.id)
    with make() as after:
        assert (log.size(after), count(after, Licence)) == (size + 1, licences + 1)
        told = [n for n in for_user(after, owner.id) if n.kind == offers.Kind.accepted]
        assert len(told) == 1
