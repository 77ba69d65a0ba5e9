"""Files kept from a refused application form: a browser never shows a chosen file again, so the
hall keeps them apart and the corrected form sends a signed token per file instead. A token is
good only for the person it was given to, only unaltered and only for ``uploads.HELD_FOR``; a file
itself refused, or beyond what is kept (per form and per person), is named and not kept; kept
files are removed after
``uploads.FORGET_HELD_AFTER``, and the hall's own store is never swept."""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.audit import AuditRecord
from core.errors import InvalidInput, NotFound
from servicehall import service, uploads
from servicehall.schemas import ApplicationOut, ApplyIn
from tests.core.test_filekinds import PE as PROGRAM
from tests.servicehall.conftest import Office, bj

NOW = bj(2026, 4, 1)
FORM = ApplyIn(item="rights-protection", fields={"subject": "s", "infringer": "i", "details": "d"})
NO_INFRINGER = FORM.model_copy(update={"fields": {"subject": "s", "details": "d"}})


def _refused(office: Office, chosen: service.Chosen, form: ApplyIn = FORM) -> service.Refused:
    done = service.apply_form(office.writer("applicant"), office.settings, form, chosen)
    assert isinstance(done, service.Refused)
    return done


def _audited(office: Office, action: str) -> list[AuditRecord]:
    with office.sessions() as session:
        return list(session.scalars(select(AuditRecord).where(AuditRecord.action == action)))


def test_a_refused_form_keeps_its_files_for_the_corrected_one(office: Office) -> None:
    evidence = service.Chosen(labelled={1: [("evidence.png", io.BytesIO(b"evidence"))]},
                              others=[("note.txt", io.BytesIO(b"a note"))])
    refused = _refused(office, evidence, NO_INFRINGER)
    assert refused.error.detail == "The infringer is required"
    held = refused.held
    assert [(h.filename, h.size) for h in held.labelled[1]] == [("evidence.png", 8)] and held.dropped == []
    assert [h.filename for h in held.others] == ["note.txt"]
    kept_apart = uploads.held_folder(office.settings, office.people["applicant"]) / held.others[0].sha256
    assert kept_apart.read_bytes() == b"a note" and not uploads.path_of(office.settings, held.others[0].sha256).exists()
    (audited,) = _audited(office, "hall.files.hold")
    assert audited.object_id == "rights-protection" and audited.details["files"] == 2

    corrected = service.Chosen(labelled={0: [("id.png", io.BytesIO(b"id"))]},  # one more file, for its box
                               kept_labelled={1: [held.labelled[1][0].token]}, kept_others=[held.others[0].token])
    shown = service.apply_form(office.writer("applicant"), office.settings, FORM, corrected)
    assert isinstance(shown, ApplicationOut)
    kept = {m.filename: (m.material.en if m.material else None) for m in shown.materials}
    assert kept == {"id.png": "Proof of the applicant's identity", "evidence.png": "Evidence of the infringement",
                    "note.txt": None}
    assert uploads.path_of(office.settings, held.others[0].sha256).read_bytes() == b"a note"  # copied into the hall


def test_a_file_chosen_again_beside_its_kept_copy_is_listed_once(office: Office) -> None:
    """The refused form says the file is kept, but people choose it again all the same: one material
    listed once, not twice with the same hash; the same bytes for two materials stay two materials."""
    refused = _refused(office, service.Chosen(labelled={1: [("evidence.png", io.BytesIO(b"evidence"))]}), NO_INFRINGER)
    again = service.Chosen(labelled={0: [("id.png", io.BytesIO(b"same scan"))],
                                     1: [("evidence.png", io.BytesIO(b"evidence")),
                                         ("scan.png", io.BytesIO(b"same scan"))]},
                           kept_labelled={1: [refused.held.labelled[1][0].token]})
    shown = service.apply_form(office.writer("applicant"), office.settings, FORM, again)
    assert isinstance(shown, ApplicationOut)
    listed = sorted((m.material.en if m.material else "", m.filename) for m in shown.materials)
    assert listed == [("Evidence of the infringement", "evidence.png"), ("Evidence of the infringement", "scan.png"),
                      ("Proof of the applicant's identity", "id.png")]
    (applied,) = [r for r in _audited(office, "hall.apply") if r.object_id == shown.number]
    assert applied.details["files"] == 3


def test_a_token_is_good_only_for_its_owner_unaltered_and_in_time(office: Office,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    held = _refused(office, service.Chosen(labelled={1: [("evidence.png", io.BytesIO(b"evidence"))]})).held
    token = held.labelled[1][0].token
    owner = office.people["applicant"]
    assert uploads.held(office.settings, owner, token).sha256 == held.labelled[1][0].sha256

    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for who, presented in (("stranger", token), ("applicant", tampered), ("applicant", "not-a-token"),
                           ("applicant", "")):
        chosen = service.Chosen(labelled={0: [("id.png", io.BytesIO(b"id"))]}, kept_labelled={1: [presented]})
        refused = service.apply_form(office.writer(who), office.settings, FORM, chosen)
        assert isinstance(refused, service.Refused) and refused.error.detail == uploads.KEPT_FILE_GONE
    monkeypatch.setattr(uploads, "HELD_FOR", timedelta(seconds=-1))  # every token is now past its time
    with pytest.raises(InvalidInput, match="expired"):
        uploads.held(office.settings, owner, token)


def test_what_is_not_kept_is_named_and_the_audit_counts_what_is(office: Office) -> None:
    """A field refused first says nothing of a program or an empty file beside it: the form names them."""
    held = _refused(office, service.Chosen(others=[("receipt.pdf", io.BytesIO(PROGRAM)), ("blank.pdf", io.BytesIO()),
                                                   ("ok.txt", io.BytesIO(b"ok"))]), NO_INFRINGER).held
    assert [h.filename for h in held.others] == ["ok.txt"] and held.dropped == ["receipt.pdf", "blank.pdf"]
    assert _audited(office, "hall.files.hold")[-1].details["files"] == 1

    many = [(f"{i}.txt", io.BytesIO(str(i).encode())) for i in range(uploads.MAX_FILES)]
    held = _refused(office, service.Chosen(labelled={1: many[:3]}, others=many[3:]), NO_INFRINGER).held
    assert len(held.labelled[1]) + len(held.others) == uploads.MAX_FILES and held.dropped == []
    too_many = service.Chosen(others=many, kept_others=["x"] * 500)  # counted before any kept file is opened
    with pytest.raises(InvalidInput, match="at most 20 files"):
        service.apply_form(office.writer("applicant"), office.settings, FORM, too_many)


def test_copies_among_the_forms_files_are_dropped_before_they_are_counted(office: Office,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """20 different files and a copy of one, chosen again or kept from the refused try, are 20
    files: applied. Copies are found by the hash a kept file's token signs, so a form sending one
    token 500 times opens one file; 21 different files are refused before any kept one is opened."""
    many = [(f"{i}.txt", io.BytesIO(f"file {i}".encode())) for i in range(uploads.MAX_FILES)]
    refused = _refused(office, service.Chosen(labelled={1: [("evidence.png", io.BytesIO(b"evidence"))]}), NO_INFRINGER)
    token = refused.held.labelled[1][0].token
    chosen = service.Chosen(labelled={0: many[:2], 1: [("evidence.png", io.BytesIO(b"evidence"))]},
                            others=[*many[2:-1], ("copy of 3.txt", io.BytesIO(b"file 3"))],
                            kept_labelled={1: [token] * 500})
    assert chosen.count() == uploads.MAX_FILES + 1 + 500
    opened: list[str] = []
    real_open = uploads.open_held

    def open_held(*args: object) -> object:
        opened.append("a kept file")
        return real_open(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(uploads, "open_held", open_held)
    shown = service.apply_form(office.writer("applicant"), office.settings, FORM, chosen)
    assert isinstance(shown, ApplicationOut) and len(shown.materials) == uploads.MAX_FILES
    assert "copy of 3.txt" not in {m.filename for m in shown.materials}
    assert opened == []  # the token's bytes were chosen again: its kept file is never opened
    refused = _refused(office, service.Chosen(labelled={1: [("evidence.png", io.BytesIO(b"evidence"))]}), NO_INFRINGER)
    again = service.Chosen(labelled={0: many[:1]}, kept_labelled={1: [refused.held.labelled[1][0].token] * 500})
    shown = service.apply_form(office.writer("applicant"), office.settings, FORM, again)
    assert isinstance(shown, ApplicationOut) and len(shown.materials) == 2
    assert opened == ["a kept file"]  # one token sent 500 times: its file opened once

    opened.clear()
    other = _refused(office, service.Chosen(others=[("other.txt", io.BytesIO(b"other"))]), NO_INFRINGER)
    twenty_one = service.Chosen(others=[(f"{i}.txt", io.BytesIO(f"new {i}".encode())) for i in range(20)],
                                kept_others=[other.held.others[0].token])
    with pytest.raises(InvalidInput, match="at most 20 files"):
        service.apply_form(office.writer("applicant"), office.settings, FORM, twenty_one)
    assert opened == []


def test_a_person_keeps_at_most_their_share_and_another_person_is_not_held_back(
        office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    """Refusing a form again and again cannot fill the disk: beyond HELD_PER_PERSON_BYTES kept at
    once, a file is named, not kept; what another person keeps is theirs alone."""
    monkeypatch.setattr(uploads, "HELD_PER_PERSON_BYTES", 10)
    first = _refused(office, service.Chosen(others=[("a.txt", io.BytesIO(b"123456"))]), NO_INFRINGER).held
    assert [h.filename for h in first.others] == ["a.txt"]
    again = _refused(office, service.Chosen(others=[("b.txt", io.BytesIO(b"abcdef")), ("c.txt", io.BytesIO(b"xyz"))],
                                            kept_others=[first.others[0].token]), NO_INFRINGER).held
    assert [h.filename for h in again.others] == ["a.txt", "c.txt"] and again.dropped == ["b.txt"]
    assert uploads.held_bytes(office.settings, office.people["applicant"]) == 9

    theirs = service.apply_form(office.writer("stranger"), office.settings, NO_INFRINGER,
                                service.Chosen(others=[("d.txt", io.BytesIO(b"123456789"))]))
    assert isinstance(theirs, service.Refused) and [h.filename for h in theirs.held.others] == ["d.txt"]
    theirs_folder = uploads.held_folder(office.settings, office.people["stranger"])
    assert {p.name for p in theirs_folder.iterdir()} == {theirs.held.others[0].sha256}  # their folder, theirs only
    assert uploads.held_bytes(office.settings, office.people["stranger"]) == 9


def test_nothing_is_kept_for_an_item_that_does_not_exist(office: Office) -> None:
    chosen = service.Chosen(others=[("a.txt", io.BytesIO(b"a"))])
    with pytest.raises(NotFound):
        service.apply_form(office.writer("applicant"), office.settings, ApplyIn(item="x" * 60, fields={}), chosen)
    assert [p for p in uploads.held_folder(office.settings).rglob("*") if p.is_file()] == []


def test_kept_files_are_removed_after_a_day_and_the_hall_store_never_is(office: Office) -> None:
    held = _refused(office, service.Chosen(others=[("left.txt", io.BytesIO(b"left behind"))]), NO_INFRINGER).held
    taken = office.apply(NOW)  # an application's own file, in the hall's store
    mine = uploads.held_folder(office.settings, office.people["applicant"])
    left = mine / held.others[0].sha256
    used = uploads.path_of(office.settings, taken.materials[0].sha256)
    fresh = uploads.hold(office.settings, office.people["applicant"], "fresh.txt", io.BytesIO(b"fresh"), 100)
    day_old = time.time() - uploads.FORGET_HELD_AFTER.total_seconds() - 60
    for path in (left, used):
        os.utime(path, (day_old, day_old))

    assert service.forget_held_files(office.writer("admin"), office.settings) == 1
    assert not left.exists() and used.exists() and (mine / fresh.sha256).exists()
    with pytest.raises(InvalidInput):
        uploads.held(office.settings, office.people["applicant"], held.others[0].token)
    (audited,) = _audited(office, "hall.files.forget")
    assert audited.details["files"] == 1
