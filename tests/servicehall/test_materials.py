"""Materials: streamed, hashed and kept by SHA-256 under the data dir; a file beyond the upload
limit is refused and leaves no application and no file; only the applicant and the department see
them; the results of public items are published, others not."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import func, select

from api.i18n import translations
from core.accounts.models import User
from core.errors import InvalidInput, NotFound
from core.i18n import Language
from servicehall import service, uploads, views
from servicehall.models import Application
from servicehall.schemas import ActionIn, ApplyIn
from servicehall.workflow import Action
from tests.core.test_filekinds import PE as PROGRAM
from tests.servicehall.conftest import Office, bj

NOW = bj(2026, 4, 1)


def _count(office: Office) -> int:
    with office.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Application)) or 0)


def test_files_are_hashed_and_a_file_beyond_the_limit_is_refused(office: Office) -> None:
    shown = office.apply(NOW, files=2)
    data = b"evidence 1"
    stored = [m for m in shown.materials if m.sha256 == hashlib.sha256(data).hexdigest()]
    assert len(shown.materials) == 2 and stored and stored[0].size == len(data)
    assert (office.settings.resolved_data_dir / "hall" / stored[0].sha256).read_bytes() == data
    before = _count(office)
    w = office.writer("applicant")
    too_big = b"x" * (office.settings.max_upload_bytes + 1)
    with pytest.raises(InvalidInput):
        service.apply(w, office.settings, ApplyIn(item=office.item, fields={"details": "d"}),
                      [("../../etc/big.bin", io.BytesIO(too_big))], now=NOW)
    assert _count(office) == before
    leftovers = [p for p in (office.settings.resolved_data_dir / "hall").iterdir()
                 if p.name.startswith(".upload-") or p.read_bytes() == too_big]
    assert leftovers == []


def test_the_file_limit_counts_the_files_kept_a_copy_once(office: Office) -> None:
    """The same file sent twice among 20 was refused as 21 files, though 20 were kept: copies are
    dropped first, then counted. 21 different files are still refused and leave nothing; so when
    materials are supplied."""
    w = office.writer("applicant")
    form = ApplyIn(item=office.item, fields={"details": "d"})

    def files(tag: str, count: int = uploads.MAX_FILES) -> service.Files:
        return [(f"{tag}-{i}.txt", io.BytesIO(f"{tag} {i}".encode())) for i in range(count)]

    shown = service.apply(w, office.settings, form, [*files("a"), ("again.txt", io.BytesIO(b"a 7"))], now=NOW)
    assert len(shown.materials) == uploads.MAX_FILES and "again.txt" not in {m.filename for m in shown.materials}
    before = _count(office)
    with pytest.raises(InvalidInput, match="at most 20 files at a time"):
        service.apply(w, office.settings, form, files("b", uploads.MAX_FILES + 1), now=NOW)
    w.session.rollback()
    assert _count(office) == before
    assert not (office.settings.resolved_data_dir / "hall" / hashlib.sha256(b"b 0").hexdigest()).exists()

    number = office.apply(NOW).number
    service.act(office.writer("acceptor"), number, ActionIn(action=Action.request_materials, comment="more"), NOW)
    with pytest.raises(InvalidInput, match="at most 20 files at a time"):
        service.supply(office.writer("applicant"), office.settings, number, "", files("c", uploads.MAX_FILES + 1),
                       now=NOW)
    supplied = service.supply(office.writer("applicant"), office.settings, number, "",
                              [*files("d"), ("d-copy.txt", io.BytesIO(b"d 0"))], now=NOW)
    assert len(supplied.materials) == 1 + uploads.MAX_FILES


def test_a_program_is_refused_as_a_material_and_leaves_nothing(office: Office) -> None:
    """The staff open what applicants send: an executable (by its content, whatever its name) or a
    script (by its name) is refused, named, before anything is stored."""
    before = _count(office)
    w = office.writer("applicant")
    for name, data, said in (("receipt.pdf", PROGRAM, "receipt.pdf is a program (EXE)"),
                             ("run.bat", b"@echo off", "run.bat is a program (BAT)")):
        with pytest.raises(InvalidInput) as refused:
            service.apply(w, office.settings, ApplyIn(item=office.item, fields={"details": "d"}),
                          [(name, io.BytesIO(data))], now=NOW)
        assert refused.value.detail.startswith(said)
        zh = refused.value.in_words(translations(Language.zh).gettext, Language.zh)
        assert zh.startswith(f"{name} 是程序文件（{said[-4:-1]}）")
        w.session.rollback()
    assert _count(office) == before
    assert [p for p in (office.settings.resolved_data_dir / "hall").iterdir() if p.name.startswith(".upload-")] == []


def test_an_empty_file_is_refused_as_a_material(office: Office) -> None:
    """Nothing for the staff to open, and no content for the program check (an empty run.bat passed)."""
    before = _count(office)
    w = office.writer("applicant")
    for name in ("run.bat", "scan.pdf"):
        with pytest.raises(InvalidInput) as refused:
            service.apply(w, office.settings, ApplyIn(item=office.item, fields={"details": "d"}),
                          [("ok.txt", io.BytesIO(b"ok")), (name, io.BytesIO(b""))], now=NOW)
        assert refused.value.detail == f"{name} is empty: choose the file itself"
        zh = refused.value.in_words(translations(Language.zh).gettext, Language.zh)
        assert zh == f"{name} 是空文件，请选择文件本身"
        w.session.rollback()
    assert _count(office) == before


def test_required_fields_and_materials_are_asked_for(office: Office) -> None:
    w = office.writer("applicant")
    with pytest.raises(InvalidInput) as missing:
        service.apply(w, office.settings, ApplyIn(item=office.item, fields={}), [("a.txt", io.BytesIO(b"a"))])
    # the field is named by its label in the reader's language (it read "Details为必填项")
    zh = translations(Language.zh).gettext
    assert missing.value.in_words(zh, Language.zh) == "说明为必填项"
    assert missing.value.in_words(translations(Language.en).gettext, Language.en) == "Details is required"
    assert missing.value.detail == "Details is required" and missing.value.extra["unfilled"] == ["details"]
    with pytest.raises(InvalidInput) as no_file:
        service.apply(w, office.settings, ApplyIn(item=office.item, fields={"details": "d"}), [])
    assert no_file.value.in_words(zh, Language.zh) == "请为每项必交材料上传文件：证据"
    w.session.rollback()
    # the real catalogue's rights protection asks for two materials: one file is not enough
    two = ApplyIn(item="rights-protection", fields={"subject": "s", "infringer": "i", "details": "d"})
    with pytest.raises(InvalidInput, match="Proof of the applicant's identity, Evidence of the infringement") as both:
        service.apply(w, office.settings, two, [("a.txt", io.BytesIO(b"a"))])
    assert both.value.extra["unmet_materials"] == [0, 1]  # positions, for the form to mark the boxes
    w.session.rollback()
    # every required field left empty is named at once, not one per round
    with pytest.raises(InvalidInput) as blank:
        service.apply(w, office.settings, ApplyIn(item="rights-protection", fields={"details": "  "}), [])
    assert blank.value.in_words(zh, Language.zh) == "以下各项为必填项：作品或专利、侵权方、情况说明"
    assert blank.value.detail == "these fields are required: The work or patent, The infringer, Details"
    assert blank.value.extra["unfilled"] == ["subject", "infringer", "details"]
    w.session.rollback()
    # an empty field and a too long one are said together, and both are marked
    long = ApplyIn(item="rights-protection", fields={"subject": " ", "infringer": "i", "details": "x" * 8000})
    with pytest.raises(InvalidInput) as both_kinds:
        service.apply(w, office.settings, long, [])
    assert both_kinds.value.in_words(zh, Language.zh) == "作品或专利为必填项；情况说明最多 5000 个字符"
    assert both_kinds.value.detail == \
        "The work or patent must be filled in; Details must be at most 5000 characters long"
    assert (both_kinds.value.extra["unfilled"], both_kinds.value.extra["too_long"]) == (["subject"], ["details"])
    w.session.rollback()
    assert service.apply(w, office.settings, two, [("a.txt", io.BytesIO(b"a")), ("b.txt", io.BytesIO(b"b"))]).number
    with pytest.raises(InvalidInput):
        service.apply(w, office.settings, ApplyIn(item=office.item, fields={"details": "d", "evil": "x"}),
                      [("a.txt", io.BytesIO(b"a"))])
    # a value over the limit is refused, named, and nothing is written: it was cut to 5,000 characters
    before = _count(office)
    with pytest.raises(InvalidInput) as long:
        service.apply(w, office.settings, ApplyIn(item=office.item, fields={"details": "长" * 80_000}),
                      [("a.txt", io.BytesIO(b"a"))])
    assert long.value.in_words(zh, Language.zh) == "说明最多 5000 个字符"
    assert long.value.detail == "Details takes at most 5000 characters"
    w.session.rollback()
    assert _count(office) == before
    at_limit = ("长" * 99 + "\r\n") * 50  # 5,000 characters as the browser counts them, line breaks sent as CR LF
    kept = service.apply(w, office.settings, ApplyIn(item=office.item, fields={"details": at_limit}),
                         [("a.txt", io.BytesIO(b"a"))])  # at the limit: all of it
    assert views.get(w.session, w.actor, kept.number).fields["details"] == at_limit.replace("\r\n", "\n").strip()


def test_files_given_for_a_listed_material_are_kept_as_that_material(office: Office) -> None:
    """The portal's form has a box per listed material: a refusal names every unmet one at once,
    and each file keeps the material it was given for, for the department to see."""
    w = office.writer("applicant")
    two = ApplyIn(item="rights-protection", fields={"subject": "s", "infringer": "i", "details": "d"})
    evidence = {1: [("evidence.png", io.BytesIO(b"evidence"))]}
    with pytest.raises(InvalidInput) as unmet:
        service.apply(w, office.settings, two, [], labelled=evidence)
    assert unmet.value.detail == "attach a file for each required material: Proof of the applicant's identity"
    assert unmet.value.in_words(translations(Language.zh).gettext, Language.zh) == \
        "请为每项必交材料上传文件：申请人身份证明"
    w.session.rollback()
    for beyond in (2, -1):
        with pytest.raises(InvalidInput, match="lists 2 materials"):
            service.apply(w, office.settings, two, [], labelled={**evidence, beyond: [("x", io.BytesIO(b"x"))]})
        w.session.rollback()
    shown = service.apply(w, office.settings, two, [("note.txt", io.BytesIO(b"a note"))], labelled={
        0: [("id-front.png", io.BytesIO(b"front")), ("id-back.png", io.BytesIO(b"back"))], **evidence})
    kept = {m.filename: (m.material.en if m.material else None) for m in shown.materials}
    assert kept == {"note.txt": None, "id-front.png": "Proof of the applicant's identity",
                    "id-back.png": "Proof of the applicant's identity", "evidence.png": "Evidence of the infringement"}


def test_only_the_applicant_and_the_department_see_the_files(office: Office) -> None:
    shown = office.apply(NOW)
    material = shown.materials[0]
    with office.sessions() as session:
        def person(who: str) -> User:
            user = session.get(User, office.people[who])
            assert user is not None
            return user

        for who in ("applicant", "acceptor", "head", "admin"):
            path, name = views.material_file(session, office.settings, person(who), shown.number, material.id)
            assert path.read_bytes() == b"evidence 0" and name == "evidence-0.txt"
        with pytest.raises(NotFound):
            views.material_file(session, office.settings, person("stranger"), shown.number, material.id)


def test_public_results_list_only_public_items(office: Office) -> None:
    number = office.apply(NOW).number
    w = office.writer("acceptor")
    service.act(w, number, ActionIn(action=Action.reject, comment="not our matter", result="Not our matter."), now=NOW)
    with office.sessions() as session:
        assert number not in [r.number for r in views.public_results(session, 1000)]  # the test item is not public
