"""Files kept from a refused application form: a browser never shows a chosen file again, so the
hall stores them and the corrected form sends a signed token per file instead. A token is good only
for the person it was given to, only unaltered and only for ``uploads.HELD_FOR``; a file itself
refused is not kept; what no application took up is removed after ``uploads.UNUSED_AFTER``."""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.audit import AuditRecord
from core.errors import InvalidInput
from servicehall import service, uploads
from servicehall.schemas import ApplyIn
from tests.core.test_filekinds import PE as PROGRAM
from tests.servicehall.conftest import Office, bj

NOW = bj(2026, 4, 1)
FORM = ApplyIn(item="rights-protection", fields={"subject": "s", "infringer": "i", "details": "d"})


def _refused_then_held(office: Office, chosen: service.Chosen, form: ApplyIn = FORM) -> service.HeldFiles:
    w = office.writer("applicant")
    with pytest.raises(InvalidInput):
        service.apply_chosen(w, office.settings, form, chosen)
    w.session.rollback()
    return service.hold_chosen(w, office.settings, FORM.item, chosen)


def test_a_refused_form_keeps_its_files_for_the_corrected_one(office: Office) -> None:
    evidence = service.Chosen(labelled={1: [("evidence.png", io.BytesIO(b"evidence"))]},
                              others=[("note.txt", io.BytesIO(b"a note"))])
    no_infringer = FORM.model_copy(update={"fields": {"subject": "s", "details": "d"}})
    held = _refused_then_held(office, evidence, no_infringer)
    assert [(h.filename, h.size) for h in held.labelled[1]] == [("evidence.png", 8)]
    assert [h.filename for h in held.others] == ["note.txt"]
    with office.sessions() as session:
        audited = session.scalars(select(AuditRecord).where(AuditRecord.action == "hall.files.hold")).one()
        assert audited.object_id == "rights-protection" and audited.details["files"] == 2

    corrected = service.Chosen(labelled={0: [("id.png", io.BytesIO(b"id"))]},  # one more file, for its box
                               kept_labelled={1: [held.labelled[1][0].token]}, kept_others=[held.others[0].token])
    shown = service.apply_chosen(office.writer("applicant"), office.settings, FORM, corrected)
    kept = {m.filename: (m.material.en if m.material else None) for m in shown.materials}
    assert kept == {"id.png": "Proof of the applicant's identity", "evidence.png": "Evidence of the infringement",
                    "note.txt": None}


def test_a_token_is_good_only_for_its_owner_unaltered_and_in_time(office: Office,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    held = _refused_then_held(office, service.Chosen(labelled={1: [("evidence.png", io.BytesIO(b"evidence"))]}))
    token = held.labelled[1][0].token
    with_id = service.Chosen(labelled={0: [("id.png", io.BytesIO(b"id"))]})
    owner = office.people["applicant"]
    assert uploads.held(office.settings, owner, token).sha256 == held.labelled[1][0].sha256

    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for who, presented in (("stranger", token), ("applicant", tampered), ("applicant", "not-a-token"),
                           ("applicant", "")):
        chosen = service.Chosen(labelled=with_id.labelled, kept_labelled={1: [presented]})
        with pytest.raises(InvalidInput) as refused:
            service.apply_chosen(office.writer(who), office.settings, FORM, chosen)
        assert refused.value.detail == uploads.KEPT_FILE_GONE
    monkeypatch.setattr(uploads, "HELD_FOR", timedelta(seconds=-1))  # every token is now past its time
    with pytest.raises(InvalidInput, match="expired"):
        uploads.held(office.settings, owner, token)


def test_a_refused_file_is_not_kept_and_at_most_max_files_are(office: Office) -> None:
    held = _refused_then_held(office, service.Chosen(others=[("receipt.pdf", io.BytesIO(PROGRAM)),
                                                             ("ok.txt", io.BytesIO(b"ok"))]))
    assert [h.filename for h in held.others] == ["ok.txt"]  # the program was refused by name already

    many = [(f"{i}.txt", io.BytesIO(str(i).encode())) for i in range(uploads.MAX_FILES + 5)]
    held = _refused_then_held(office, service.Chosen(labelled={1: many[:3]}, others=many[3:]))
    assert len(held.labelled[1]) + len(held.others) == uploads.MAX_FILES


def test_files_no_application_took_up_are_removed_after_a_day(office: Office) -> None:
    held = _refused_then_held(office, service.Chosen(others=[("left.txt", io.BytesIO(b"left behind"))]))
    taken = office.apply(NOW)  # an application's own file
    folder = uploads.folder(office.settings)
    left = folder / held.others[0].sha256
    used = folder / taken.materials[0].sha256
    fresh = uploads.hold(office.settings, office.people["applicant"], "fresh.txt", io.BytesIO(b"fresh"))
    day_old = time.time() - uploads.UNUSED_AFTER.total_seconds() - 60
    for path in (left, used):
        os.utime(path, (day_old, day_old))

    w = office.writer("admin")
    assert service.forget_unused_files(w, office.settings) == 1
    assert not left.exists() and used.exists() and (folder / fresh.sha256).exists()
    with pytest.raises(InvalidInput):
        uploads.held(office.settings, office.people["applicant"], held.others[0].token)
    with office.sessions() as session:
        audited = session.scalars(select(AuditRecord).where(AuditRecord.action == "hall.files.forget")).one()
        assert audited.details["files"] == 1

