"""The directory reads behind the agency pages, on SQLite and PostgreSQL: filters on the JSON lists
of service types and IPC subclasses, not-yet-rated agencies last, pages; one review per reader and
agency (a second save edits the first, audited as an edit)."""

from __future__ import annotations

import pytest

from community.agencies import service as svc
from community.agencies.models import ServiceType
from community.agencies.schemas import AgencyIn, DirectoryQuery, ReviewIn
from core.accounts.models import Role
from core.errors import InvalidInput, NotFound
from tests.community.conftest import Community


def test_directory_filters_and_pages(both_dbs: Community) -> None:
    c = both_dbs
    admin = c.user(Role.admin)
    name = f"Dir {c.tag}"
    made = {key: svc.create_agency(c.writer(admin), AgencyIn(
        name=f"{name} {key}", licence_number=f"{c.tag}-{key}", province=province, city=city,
        service_types=services, ipc_subclasses=ipc)).id for key, province, city, services, ipc in (
            ("sz", "广东", "深圳", [ServiceType.patent], ["H04W", "H04L"]),
            ("gz", "Guangdong", "Guangzhou", [ServiceType.trademark, ServiceType.patent], ["H04N"]),
            ("hz", "浙江", "", [ServiceType.patent], ["H04W"]),
            ("bj", "北京", "", [ServiceType.law], []))}
    for i in range(3):
        svc.review_agency(c.writer(c.user()), made["hz"], ReviewIn(engagement_ref="x", professionalism=5,
                                                                   responsiveness=5, cost_transparency=5, outcome=5))

    def ids(**filters: object) -> list[int]:
        found = svc.directory(c.session, DirectoryQuery(q=name, **filters))
        return [a.id for a in found.agencies]

    assert ids(ipc="H04W") == [made["hz"], made["sz"]]  # rated first
    assert set(ids(ipc="H04")) == {made["hz"], made["sz"], made["gz"]} and ids(ipc="H04N") == [made["gz"]]
    assert set(ids(ipc="H")) == {made["hz"], made["sz"], made["gz"]}
    assert set(ids(service=ServiceType.patent, province="Guangdong")) == {made["sz"], made["gz"]}
    assert ids(service=ServiceType.law) == [made["bj"]] and ids(city="深圳市") == [made["sz"]]
    page = svc.directory(c.session, DirectoryQuery(q=name, per_page=3, page=2))
    assert (page.total, page.pages, len(page.agencies)) == (4, 2, 1)
    with pytest.raises(NotFound):
        svc.directory(c.session, DirectoryQuery(q=name, page=3, per_page=3))
    with pytest.raises(InvalidInput):
        svc.directory(c.session, DirectoryQuery(province="Atlantis"))
    with pytest.raises(InvalidInput):
        svc.directory(c.session, DirectoryQuery(province="浙江", city="深圳"))


def test_one_review_per_reader_and_agency(both_dbs: Community) -> None:
    c = both_dbs
    admin, reader = c.user(Role.admin), c.user()
    agency = svc.create_agency(c.writer(admin), AgencyIn(name=f"Rev {c.tag}", licence_number=f"r-{c.tag}")).id
    body = ReviewIn(engagement_ref="case 1", professionalism=4, responsiveness=4, cost_transparency=4, outcome=4)
    first = svc.save_review(c.writer(reader), agency, body)
    second = svc.save_review(c.writer(reader), agency, body.model_copy(update={"engagement_ref": "case 2",
                                                                               "outcome": 1, "text": "late"}))
    assert first.created and not second.created and second.id == first.id
    view = svc.agency_page(c.session, agency, reader)
    assert view.my_review is not None and view.my_review.outcome == 1 and view.my_review.edited_at is not None
    assert [r.id for r in view.reviews] == [first.id] and view.reviews[0].mine
    assert svc.agency_page(c.session, agency, None).reviews[0].engagement_ref is None
    assert c.audit_actions()[-2:] == ["agency.review", "agency.review.edit"]
