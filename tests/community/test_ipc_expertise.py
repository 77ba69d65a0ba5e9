"""IPC expertise kept at subclass level: an agency works in H04W, not in "H"; a question about H04W
does not count an agency that only knows semiconductors (H01L) as working in the field: it is
proposed after those that do."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from community.agencies import ipc
from community.agencies import service as svc
from community.agencies.models import Agency, ServiceType
from community.agencies.schemas import AgencyIn, AgencyPatch, RecordIn, ReviewIn
from core.accounts.models import Role, User
from core.errors import InvalidInput
from tests.community.conftest import Community


@pytest.mark.parametrize("text,code,level", [
    ("H", "H", "section"), ("h04", "H04", "class"), ("H04W", "H04W", "subclass"), ("h04w 4/00", "H04W", "subclass"),
    ("H04N21/431", "H04N", "subclass"), (" G06F  17/30 ", "G06F", "subclass"), ("A61K0031", "A61K", "subclass"),
])
def test_symbols_are_read_down_to_their_subclass(text: str, code: str, level: str) -> None:
    prefix = ipc.parse(text)
    assert (prefix.code, prefix.level) == (code, level)


@pytest.mark.parametrize("text", ["", "Z", "Z99Z", "H4", "H04WW", "HELLO", "H04W/", "4/00", "'; DROP", "🙂", "H04W 4/"])
def test_what_is_not_an_ipc_symbol_is_refused_clearly(text: str) -> None:
    with pytest.raises(InvalidInput, match="not an IPC symbol"):
        ipc.parse(text)


def test_expertise_must_be_a_subclass() -> None:
    assert ipc.subclasses(["h04w 4/00", "H04W", " g06f ", ""]) == ["G06F", "H04W"]
    for broad in ("H", "H04"):
        with pytest.raises(InvalidInput, match="given by subclass"):
            ipc.subclass(broad)


def _agency(c: Community, admin: User, name: str, **extra: Any) -> int:
    body = AgencyIn.model_validate({"name": f"{c.tag} {name}", "licence_number": f"{c.tag}-{name}"[:60],
                                    "province": "Guangdong", **extra})
    return svc.create_agency(c.writer(admin), body).id


def test_recommendations_compare_subclasses(both_dbs: Community) -> None:
    c = both_dbs
    admin = c.user(Role.admin)
    wireless = _agency(c, admin, "wireless", ipc_subclasses=["H04W"])
    video = _agency(c, admin, "video", ipc_subclasses=["H04N 21/00"])
    chips = _agency(c, admin, "chips", ipc_subclasses=["H01L"])
    legacy = _agency(c, admin, "legacy")  # an older row that only knew its section
    c.session.execute(update(Agency).where(Agency.id == legacy).values(ipc_sections=["H"]))
    c.session.commit()
    mine = {wireless, video, chips, legacy}

    def found(question: str) -> set[int]:
        """Mine proposed as working in the field: ranked before every agency that does not, all proposed."""
        recs = svc.recommend(c.session, question, None, "Guangdong", 10_000)
        in_field = [r.fit >= svc.FIELD_FIT for r in recs]
        assert in_field == sorted(in_field, reverse=True), question
        assert {r.agency_id for r in recs} >= mine, question  # the field ranks; it does not filter
        return {r.agency_id for r in recs if r.fit >= svc.FIELD_FIT} & mine

    assert found("H04W 4/00") == {wireless}  # not every agency of section H
    assert found("H04") == {wireless, video}
    assert found("H") == mine
    why = next(r for r in svc.recommend(c.session, "H04", None, None, 10_000) if r.agency_id == video).reasons
    assert why[0] == "works in IPC class H04 (H04N)"
    why = next(r for r in svc.recommend(c.session, "H04W", None, None, 10_000) if r.agency_id == wireless).reasons
    assert why[0] == "works in IPC subclass H04W"
    with pytest.raises(InvalidInput):
        svc.recommend(c.session, "Z99", None, None)


def test_the_agency_edits_its_subclasses(community: Community) -> None:
    c = community
    admin, owner = c.user(Role.admin), c.user()
    agency = _agency(c, admin, "owned", ipc_subclasses=["H04W"])
    claim = svc.claim_agency(c.writer(owner), agency, "our licence scan")
    svc.decide_claim(c.writer(admin), claim.id, approve=True)
    c.refused(lambda: svc.update_agency(c.writer(owner), agency, AgencyPatch(ipc_subclasses=["H"])), InvalidInput)
    out = svc.update_agency(c.writer(owner), agency, AgencyPatch(ipc_subclasses=["g06q 50/18", "H04L"]))
    assert (out.ipc_subclasses, out.ipc_sections) == (["G06Q", "H04L"], ["G", "H"])


def test_the_field_ranks_the_agencies_of_the_province_it_does_not_filter_them(both_dbs: Community) -> None:
    """The tour's case: Guangdong + H04W proposed only the H04W agency (the province's best, working in
    H04N and G06F, not at all), and Zhejiang + H04W nothing although an agency of Zhejiang was listed.
    "Those working in your field first": then the others of the province; never another province."""
    c = both_dbs
    admin = c.user(Role.admin)
    patents = {"service_types": ["patent"]}
    lingnan = _agency(c, admin, "lingnan", city="Shenzhen", ipc_subclasses=["H04W"], **patents)
    pearl = _agency(c, admin, "pearl", city="Guangzhou", ipc_subclasses=["H04N", "G06F"], **patents)
    west = _agency(c, admin, "west lake", province="Zhejiang", ipc_subclasses=["G06F"], **patents)
    marks = _agency(c, admin, "marks", service_types=["trademark"], ipc_subclasses=["H04W"])
    svc.add_integrity_record(c.writer(admin), lingnan, RecordIn.model_validate({
        "kind": "sanction", "points": 15, "description": "late fees", "source": "CNIPA", "occurred_on": "2025-01-02"}))
    for n in range(3):  # pearl rated on its reviews, above the sanctioned lingnan
        svc.review_agency(c.writer(c.user()), pearl, ReviewIn(engagement_ref=f"case {n}", professionalism=5,
                                                              responsiveness=5, cost_transparency=5, outcome=5))
    mine = {lingnan, pearl, west, marks}

    def ranked(ipc: str | None, region: str, service: ServiceType | None = ServiceType.patent) -> list[int]:
        return [r.agency_id for r in svc.recommend(c.session, ipc, service, region, 10_000) if r.agency_id in mine]

    assert ranked(None, "Guangdong") == [pearl, lingnan]  # by tier when no field is asked
    assert ranked("H04W", "Guangdong") == [lingnan, pearl]  # the field first, then the others of the province
    assert ranked("H04W 4/00", "广东") == [lingnan, pearl]
    assert ranked("H04W", "Zhejiang") == [west]  # no agency of Zhejiang in the field: the others, not nothing
    assert ranked("G06F", "Zhejiang") == [west] and ranked("H04W", "Tibet") == []
    assert ranked("H04W", "Guangdong", None)[2:] == [pearl]  # a service not asked for filters nothing
    assert set(ranked("H04W", "Guangdong", None)[:2]) == {lingnan, marks}
    assert ranked("H04W", "Guangdong", ServiceType.trademark) == [marks]  # a service asked for still filters
    why = {r.agency_id: r.reasons for r in svc.recommend(c.session, "H04W", None, "Guangdong", 10_000)}
    assert why[lingnan][0] == "works in IPC subclass H04W" and not any("IPC" in w for w in why[pearl])
    shown = {r.agency.id: r for r in svc.recommended(c.session, "H04W", ServiceType.patent, "Guangdong", "", 10_000)}
    assert (shown[lingnan].in_field, shown[pearl].in_field) == (True, False) and shown[pearl].ipc_matched == []
    for question, region in (("Z99", "Guangdong"), ("'; DROP TABLE agencies; --", "Guangdong"), ("H04W", "Atlantis")):
        with pytest.raises(InvalidInput):  # its refusals of what it cannot read are kept
            svc.recommend(c.session, question, None, region)
