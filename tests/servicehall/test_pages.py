"""The service hall's pages in the browser's place (TestClient on the real PostgreSQL): the staff
page takes a role away and marks the field a refusal is about, lists a person's roles in the
workflow's order; an application page names the department that separates duties, keeps the line
breaks of what people wrote (escaped), answers a refused step with a redirect to the application
and its reason, and shows the applicant no internal routing."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lxml import html
from sqlalchemy import select

from api.app import create_app
from core.accounts.models import User
from core.audit import AuditRecord
from core.db import utcnow
from servicehall import catalogue, service, views
from servicehall.models import Application, StaffRole, Status
from servicehall.schemas import ActionIn, ApplyIn, AssignIn, StaffIn
from servicehall.workflow import Action
from tests.servicehall.conftest import Office
from tests.servicehall.test_duties import give
from tests.servicehall.test_workflow import NOW, do, reach

PASSWORD = "correct horse battery"  # the office's people (tests/servicehall/conftest.py)
EN = {"Accept": "text/html", "Accept-Language": "en"}
ZH = {"Accept": "text/html", "Accept-Language": "zh-CN"}
STAFF = "/service-hall/staff"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(office: Office) -> FastAPI:
    return create_app(office.settings.model_copy(update={"login_attempts_per_minute": 100}))


@pytest.fixture
def people(app: FastAPI, office: Office) -> Iterator[dict[str, TestClient]]:
    """A signed-in browser for each of the office's people, on demand (``people[who]``)."""
    with ExitStack() as stack:
        class Signed(dict[str, TestClient]):
            def __missing__(self, who: str) -> TestClient:
                client = stack.enter_context(TestClient(app))
                r = client.post("/login", data={"email": email(office, who), "password": PASSWORD,
                                                "csrf_token": csrf(client)}, headers=EN, follow_redirects=False)
                assert r.status_code == 303, r.text
                self[who] = client
                return client

        yield Signed()


def email(office: Office, who: str) -> str:
    with office.sessions() as session:
        user = session.get(User, office.people[who])
        assert user is not None
        return user.email


def csrf(client: TestClient, path: str = "/login") -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', client.get(path, headers=EN).text)
    assert match is not None
    return match.group(1)


def post(client: TestClient, path: str, data: dict[str, str], headers: dict[str, str] = EN,
         token: bool = True) -> httpx.Response:
    return client.post(path, data=data | ({"csrf_token": csrf(client)} if token else {}), headers=headers,
                       follow_redirects=False)


def roles(office: Office, who: str) -> list[StaffRole]:
    with office.sessions() as session:
        return [s.role for s in catalogue.staff(session, session.get(User, office.people["admin"]))  # type: ignore[arg-type]
                if s.department == office.department and s.user_id == office.people[who]]


def staff_audits(office: Office) -> list[dict[str, object]]:
    with office.sessions() as session:
        return [r.details for r in session.scalars(select(AuditRecord).where(
            AuditRecord.action == "hall.staff", AuditRecord.object_id == office.department).order_by(AuditRecord.id))]


# --- 1. taking a role away on the staff page -----------------------------------------------------

def test_an_admin_takes_a_role_away_on_the_staff_page(office: Office, people: dict[str, TestClient]) -> None:
    """Each role has its button (a POST form with the CSRF token) calling the service the API calls:
    an admin's removal is audited; a head's is refused (403), a role not held is said so (404, not a
    500), a role posted by hand is refused by name, a post without the token refused."""
    admin, head, handler = people["admin"], people["head"], email(office, "handler")
    page = html.fromstring(admin.get(STAFF, headers=EN).text)
    forms = page.xpath('//table[@id="staff"]//form[@action="/service-hall/staff/remove"]')
    mine = [f for f in forms if f.xpath('.//input[@name="email"]/@value') == [handler]
            and f.xpath('.//input[@name="department"]/@value') == [office.department]]
    assert [f.xpath('string(.//input[@name="role"]/@value)') for f in mine] == ["handler"]
    assert mine[0].xpath('.//input[@name="csrf_token"]/@value') == [csrf(admin, STAFF)]
    button = mine[0].xpath(".//button")[0]
    named = " ".join(button.text_content().split())  # what a screen reader says: which of the person's roles
    assert button.xpath("string(text())") == "Remove" and named.startswith("Remove ")
    assert named.endswith(" as handling officer in Test office"), named
    body = {"email": handler, "department": office.department, "role": "handler"}
    before = len(staff_audits(office))

    assert post(admin, f"{STAFF}/remove", body, token=False).status_code == 403
    assert 'action="/service-hall/staff/remove"' not in head.get(STAFF, headers=EN).text  # no buttons for a head
    refused = post(head, f"{STAFF}/remove", body)
    assert refused.status_code == 403
    assert StaffRole.handler in roles(office, "handler") and len(staff_audits(office)) == before

    not_held = post(admin, f"{STAFF}/remove", body | {"email": email(office, "applicant")})
    assert not_held.status_code == 404
    said = html.fromstring(not_held.text).xpath('string(//*[@id="form-error"])')
    assert said == f"The account {email(office, 'applicant')} is not handling officer in Test office", said
    zh = post(admin, f"{STAFF}/remove", body | {"email": email(office, "applicant")}, headers=ZH)
    assert html.fromstring(zh.text).xpath('string(//*[@id="form-error"])') == \
        f"账号 {email(office, 'applicant')} 在测试处不担任承办人"
    forged = post(admin, f"{STAFF}/remove", body | {"role": "boss"})
    assert forged.status_code == 400 and "There is no department role &#39;boss&#39;" in forged.text
    assert len(staff_audits(office)) == before

    # an application at their step, assigned to them: no one else could take it once they lose the role
    number = reach(office, Status.handling)
    service.assign(office.writer("head"), number, AssignIn(assignee_id=office.people["handler"]), now=NOW)
    done = post(admin, f"{STAFF}/remove", body)
    assert done.status_code == 303 and done.headers["location"] == f"{STAFF}?notice=unstaffed"
    assert "The role is taken away." in admin.get(done.headers["location"], headers=EN).text
    assert StaffRole.handler not in roles(office, "handler")
    assert staff_audits(office)[-1] == {"user_id": office.people["handler"], "role": "handler", "added": False,
                                        "returned_to_pool": [number]}
    with office.sessions() as session:  # back to the department's pool, said in its trail
        assert session.scalars(select(Application.assignee_id).where(Application.number == number)).one() is None
        admin_user = session.get(User, office.people["admin"])
        trail = views.get(session, admin_user, number, NOW).events  # type: ignore[arg-type]
    assert [e.action for e in trail[-2:]] == ["assign", "assign"]  # the head's, then the release's


# --- 3. the staff form marks the field a refusal is about ----------------------------------------

def _marked(response: httpx.Response) -> dict[str, str]:
    """The give-a-role form's fields marked invalid, each with the words beside it."""
    page = html.fromstring(response.text)
    return {f.get("name"): page.xpath(f'string(//*[@id="{f.get("aria-describedby")}"])')
            for f in page.xpath('//form[@id="staff-form"]//*[@aria-invalid="true"]')}


def test_the_staff_form_marks_the_refused_field_and_says_why_beside_it(office: Office,
                                                                       people: dict[str, TestClient]) -> None:
    admin = people["admin"]
    body = {"email": "nobody-here@example.org", "department": office.department, "role": "reviewer"}
    unknown = post(admin, STAFF, body)
    assert unknown.status_code == 404
    assert _marked(unknown) == {"email": "No account for nobody-here@example.org"}
    page = html.fromstring(unknown.text)  # what was chosen is kept
    assert page.xpath('//select[@id="staff-department"]/option[@selected]/@value') == [office.department]
    assert page.xpath('//select[@id="staff-role"]/option[@selected]/@value') == ["reviewer"]
    assert page.xpath('//input[@id="staff-email"]/@value') == ["nobody-here@example.org"]

    # a role posted by hand: the reader's words, and the roles there are (not "'boss' is not a valid StaffRole")
    forged = post(admin, STAFF, body | {"email": email(office, "stranger"), "role": "boss"}, headers=ZH)
    assert forged.status_code == 400
    assert _marked(forged) == {"role": "没有部门岗位 “boss”：请选择受理人、承办人、审核人、批准人或部门负责人"}
    en = post(admin, STAFF, body | {"email": email(office, "stranger"), "role": "boss"})
    assert _marked(en) == {"role": "There is no department role 'boss': choose acceptance officer, handling officer, "
                                   "reviewer, approver or head of department"}
    hostile = post(admin, STAFF, body | {"role": "<script>alert(1)</script>" + "x" * 500})
    assert hostile.status_code == 400 and "<script>alert(1)" not in hostile.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile.text and "x" * 100 not in hostile.text

    nowhere = post(admin, STAFF, body | {"email": email(office, "stranger"), "department": "nowhere"})
    assert nowhere.status_code == 404
    said = _marked(nowhere)["department"]
    assert said.startswith("No department nowhere: the departments are ") and office.department in said
    empty = post(admin, STAFF, body | {"email": ""})  # sent without the browser's check: the form, not a 422 page
    assert empty.status_code == 400 and _marked(empty) == {"email": "E-mail is required"}
    too_long = post(admin, STAFF, body | {"email": "x" * 300 + "@example.org"})
    assert too_long.status_code == 400 and list(_marked(too_long)) == ["email"]
    assert StaffRole.reviewer not in roles(office, "stranger")
    # a refused switch of duties (its own form) marks nothing in the give-a-role form
    switched = post(admin, "/service-hall/departments/nowhere/duties", {"separate": "no"})
    assert switched.status_code == 404 and _marked(switched) == {}


# --- 5. the staff list: the workflow's order, a row a person ----------------------------------------

def test_a_persons_roles_are_listed_in_the_workflows_order(office: Office, people: dict[str, TestClient]) -> None:
    give(office, "reviewer", "head", "approver", "acceptor")  # given out of order; alphabetical was a-a-h-r
    assert roles(office, "reviewer") == [StaffRole.acceptor, StaffRole.reviewer, StaffRole.approver, StaffRole.head]
    page = html.fromstring(people["admin"].get(STAFF, headers=EN).text)
    row = page.xpath(f'//table[@id="staff"]//tr[td[contains(., "{email(office, "reviewer")}")]]'
                     f'[td[contains(., "Test office")]]')
    assert len(row) == 1  # one row for the person in the department, not one a role
    assert [s.text_content() for s in row[0].xpath('.//*[@class="hall-role"]')] == [
        "Acceptance officer", "Reviewer", "Approver", "Head of department"]  # labels, not words of a sentence
    assert row[0].xpath("td/@data-label") == ["Department", "Name", "E-mail", "Roles"]  # a card a row on a phone
    assert page.xpath('//table[@id="staff"]/@class') == ["stack"]


# --- 2. the separation-of-duties notice names the department -------------------------------------

def test_the_duties_note_names_the_department(office: Office, people: dict[str, TestClient]) -> None:
    give(office, "handler", "reviewer")
    number = reach(office, Status.reviewing)  # the handler handled it
    path = f"/service-hall/applications/{number}"
    note = html.fromstring(people["handler"].get(path, headers=EN).text).xpath('string(//*[@id="duties-note"])')
    assert note == ("You handled this application, so another member of staff reviews and approves it: "
                    "the Test office separates duties.")
    zh = html.fromstring(people["handler"].get(path, headers=ZH).text).xpath('string(//*[@id="duties-note"])')
    assert zh == "此申请由您承办，审核和批准须由其他工作人员进行（测试处实行审批分离）。"


def test_an_admin_without_a_department_role_is_told_why_and_where_roles_are_given(
        office: Office, people: dict[str, TestClient]) -> None:
    """An admin reads every application but acts on none until given a role: the page said nothing
    (no buttons, no reason), and the worklist refused with a link back to the patent search."""
    admin = people["admin"]
    number = reach(office, Status.submitted)
    page = html.fromstring(admin.get(f"/service-hall/applications/{number}", headers=EN).text)
    assert page.xpath('string(//*[@id="no-role-note"])').startswith(
        "You hold no role in Test office that acts on this application now, so it shows no buttons for you.")
    assert page.xpath('//*[@id="no-role-note"]//a/@href') == [STAFF]
    assert page.xpath('//*[@id="staff-actions"]') == []
    # the acceptor, who acts on it, is not told so; nor is the applicant
    for who in ("acceptor", "applicant"):
        shown = html.fromstring(people[who].get(f"/service-hall/applications/{number}", headers=EN).text)
        assert shown.xpath('//*[@id="no-role-note"]') == [], who
    refused = admin.get("/service-hall/work", headers=ZH)
    assert refused.status_code == 403
    said = html.fromstring(refused.text)
    assert "您尚未担任任何部门岗位" in said.xpath("string(//main)")
    assert said.xpath('//main//a[@href="/service-hall"]')  # back to the hall, not to the patent search
    board = html.fromstring(admin.get("/service-hall/dashboard", headers=EN).text)
    assert board.xpath('string(//*[@id="stat-satisfaction"]//p)') == "No data yet."  # not bare axes: nothing rated
    crumbs = html.fromstring(admin.get(STAFF, headers=EN).text).xpath('//p[contains(@class, "crumbs")]//a/@href')
    assert crumbs == ["/service-hall"]  # no link to a worklist that refuses them
    # a second acceptor, when the step is assigned to the first, is told so (not that they hold no role)
    give(office, "reviewer", "acceptor")
    service.assign(office.writer("head"), number, AssignIn(assignee_id=office.people["acceptor"]), now=NOW)
    with office.sessions() as session:
        first = session.get(User, office.people["acceptor"])
        assert first is not None
        name = first.display_name
    other = html.fromstring(people["reviewer"].get(f"/service-hall/applications/{number}", headers=EN).text)
    assert other.xpath('string(//*[@id="no-role-note"])') == f"This step is assigned to {name}: only they take it now."
    shown = html.fromstring(people["acceptor"].get(f"/service-hall/applications/{number}", headers=EN).text)
    assert shown.xpath('//*[@id="no-role-note"]') == [] and shown.xpath('//*[@id="staff-actions"]')


def test_a_staff_step_refused_for_its_missing_comment_keeps_what_was_typed(office: Office,
                                                                          people: dict[str, TestClient]) -> None:
    """Asked for materials without a comment: the reason was said only above the page, the comment box
    not marked, and the result typed was lost."""
    number = reach(office, Status.submitted)
    path = f"/service-hall/applications/{number}"
    shown = html.fromstring(people["acceptor"].get(path, headers=EN).text)
    version = shown.xpath('string(//input[@name="version"]/@value)')
    refused = post(people["acceptor"], f"{path}/act", {"action": "request_materials", "comment": "  ",
                                                      "result": "Kept <b>as typed</b>", "version": version})
    assert refused.status_code == 400
    form = html.fromstring(refused.text)
    assert form.get_element_by_id("comment-error").text_content() == "Say why (“request materials” needs a comment)"
    assert form.xpath('//textarea[@id="comment"]/@aria-invalid') == ["true"]
    assert form.xpath('//textarea[@id="comment"]/@aria-describedby') == ["comment-error comment-hint"]
    assert form.xpath('//*[@id="form-error"]') == []  # said once, beside the field
    assert form.get_element_by_id("result").text_content() == "Kept <b>as typed</b>"
    assert html.fromstring(people["acceptor"].get(path, headers=EN).text).xpath(
        '//textarea[@id="comment"]/@aria-invalid') == []
    # the applicant's inbox says what the office asks for (it said only "awaiting materials")
    do(office, "acceptor", number, Action.request_materials, now=utcnow())  # its time to supply them runs now
    inbox = html.fromstring(people["applicant"].get("/inbox", headers=EN).text)
    assert [" ".join(p.text_content().split()) for p in inbox.xpath('//p[@class="notice-asked"]')] == \
        ["The office asks for: because"]
    # the applicant's supply refused (an empty file) keeps what they wrote
    applicant = people["applicant"]
    refused_supply = applicant.post(f"{path}/supply", headers=EN, follow_redirects=False,
                                    data={"comment": "The receipt <i>follows</i>", "csrf_token": csrf(applicant, path)},
                                    files={"files": ("receipt.pdf", b"", "application/pdf")})
    assert refused_supply.status_code == 400, refused_supply.text[:500]
    assert html.fromstring(refused_supply.text).get_element_by_id("supply-comment").text_content() == \
        "The receipt <i>follows</i>"


# --- 4. what people wrote keeps its line breaks, escaped -----------------------------------------

def test_written_text_keeps_its_line_breaks_and_stays_escaped(office: Office, people: dict[str, TestClient]) -> None:
    details = "First line.\nSecond line <b>bold?</b>\n\n— the applicant"
    w = office.writer("applicant")
    number = service.apply(w, office.settings, ApplyIn(item=office.item, fields={"details": details}),
                           [("e.txt", io.BytesIO(b"evidence"))], now=NOW).number
    w.session.close()
    do(office, "acceptor", number, Action.accept)
    do(office, "handler", number, Action.handle)
    do(office, "reviewer", number, Action.review)
    w = office.writer("approver")
    service.act(w, number, ActionIn(action=Action.reject, comment="Not enough:\n1. no receipt\n2. no date",
                                    result="Refused.\nApply again with the receipt."), now=NOW)
    w.session.close()
    text = people["applicant"].get(f"/service-hall/applications/{number}", headers=EN).text
    page = html.fromstring(text)
    written = [e.text_content() for e in page.xpath('//*[contains(concat(" ", @class, " "), " hall-written ")]')]
    assert details in written and "Refused.\nApply again with the receipt." in written
    assert "Not enough:\n1. no receipt\n2. no date" in written  # a refusal's reasons are the applicant's
    assert "<b>bold?</b>" not in text and "&lt;b&gt;bold?&lt;/b&gt;" in text  # kept as typed, never markup
    rate = f"/service-hall/applications/{number}/rate"
    forged = post(people["applicant"], rate, {"satisfaction": "<b>great</b>", "comment": "Quick.\nThank you!"})
    assert forged.status_code == 400 and "<b>great</b>" not in forged.text  # was a ValueError, a server error
    assert "Rating is not one of the choices" in forged.text
    for sent in ({"comment": "No level <i>chosen</i>"}, {"satisfaction": "", "comment": "No level <i>chosen</i>"}):
        unchosen = post(people["applicant"], rate, sent)  # the browser's "required" bypassed: a whole page of 422
        form = html.fromstring(unchosen.text)
        assert unchosen.status_code == 400
        assert form.get_element_by_id("form-error").text_content() == "Rating is required"
        assert form.xpath('//input[@name="satisfaction"]/@aria-invalid') == ["true"] * 5
        assert form.get_element_by_id("rate-comment").text_content() == "No level <i>chosen</i>"  # kept, as text
    zh = post(people["applicant"], rate, {"comment": ""}, headers=ZH)
    assert zh.status_code == 400
    assert html.fromstring(zh.text).get_element_by_id("form-error").text_content() == "评分为必填项"
    assert post(people["applicant"], rate, {"satisfaction": "satisfied", "comment": "Quick.\nThank you!"}
                ).headers["location"].endswith("?notice=rated")
    rated = html.fromstring(people["applicant"].get(f"/service-hall/applications/{number}", headers=EN).text)
    assert rated.xpath('string(//*[@id="app-rating"]/span[@class="hall-written"])') == "Quick.\nThank you!"
    assert page.xpath('//dd[@id="app-result"]/span[@class="hall-written"]')
    css = people["applicant"].get("/static/hall.css").text
    assert re.search(r"\.hall-written\s*\{\s*white-space:\s*pre-line;", css)


# --- 6. a refused step: POST, redirect, GET ------------------------------------------------------

def test_a_refused_step_redirects_to_the_application_with_its_reason(office: Office,
                                                                    people: dict[str, TestClient]) -> None:
    """Reloading the page a refusal is shown on posts nothing again: the refusal redirects to the
    application, which says the refusal's own words once (carried in an encrypted cookie of the
    session, never in the address); a form the step cannot use still comes back at once (400)."""
    give(office, "handler", "reviewer")
    number = reach(office, Status.reviewing)
    act = f"/service-hall/applications/{number}/act"
    page = f"/service-hall/applications/{number}"
    handler = people["handler"]
    barred = handler.post(act, data={"action": "review", "csrf_token": csrf(handler)}, headers=ZH,
                          follow_redirects=False)
    assert barred.status_code == 303 and barred.headers["location"] == f"{page}#form-error"
    said = html.fromstring(handler.get(barred.headers["location"], headers=ZH).text)
    assert said.xpath('string(//*[@id="form-error"])') == (
        f"您不能对办件 {number} 执行“审核”：该办件的“承办”环节由您办理，本部门实行审批分离")
    again = handler.get(page, headers=ZH)  # a reload: said once
    assert again.status_code == 200 and 'id="form-error"' not in again.text

    with office.sessions() as session:
        seen = session.scalars(select(Application.version).where(Application.number == number)).one()
    do(office, "reviewer", number, Action.review)  # someone else acts on what the approver opened
    approver = people["approver"]
    stale = post(approver, act, {"action": "approve", "version": str(seen)})
    assert stale.headers["location"] == f"{page}#form-error"
    shown = html.fromstring(approver.get(page, headers=EN).text)
    assert shown.xpath('string(//*[@id="form-error"])') == (
        f"Application {number} changed since you saw it: reload it")
    assert shown.xpath('//*[@id="app-status"]//*[contains(@class, "status-approving")]')  # as it is now
    assert people["acceptor"].get(page, headers=EN).status_code == 200  # another session: nothing to say
    assert 'id="form-error"' not in people["acceptor"].get(page, headers=EN).text

    denied = post(people["acceptor"], act, {"action": "approve"})
    assert denied.headers["location"] == f"{page}#form-error"
    assert f"You may not approve application {number}" in people["acceptor"].get(page, headers=EN).text
    admin_only = post(people["admin"], f"/service-hall/applications/{number}/assign",
                      {"assignee_id": str(office.people["approver"])})
    assert admin_only.status_code == 303  # an admin assigns (the head's work), no refusal
    pool = post(people["head"], f"/service-hall/applications/{number}/assign", {"assignee_id": ""})
    assert pool.status_code == 303 and pool.headers["location"].endswith("?notice=assigned")  # "the pool" was a 422
    head_only = post(approver, f"/service-hall/applications/{number}/assign",
                     {"assignee_id": str(office.people["approver"])})
    assert head_only.headers["location"] == f"{page}#form-error"
    assert "Only the department&#39;s head assigns its work" in approver.get(page, headers=EN).text
    forged = post(people["head"], f"/service-hall/applications/{number}/assign", {"assignee_id": "<script>"})
    assert forged.status_code == 400 and "&lt;script&gt;" not in forged.text  # not "the pool" by mistake

    missing = post(approver, act, {"action": "reject"})  # without the reason it needs: the form again
    assert missing.status_code == 400 and "needs a comment" in missing.text
    with office.sessions() as session:
        assert session.scalars(select(Application.status).where(Application.number == number)).one() \
            is Status.approving  # nothing done by any of them
    # an address says no refusal: the old ?refused= key is no parameter, and shows nothing
    assert 'id="form-error"' not in handler.get(page, params={"refused": "<script>"}, headers=EN).text


# --- 8. the applicant is not shown internal routing ----------------------------------------------

def test_the_applicant_does_not_see_who_a_step_was_assigned_to(office: Office, people: dict[str, TestClient]) -> None:
    number = reach(office, Status.submitted)
    do(office, "acceptor", number, Action.request_materials)
    do(office, "applicant", number, Action.supply)
    service.assign(office.writer("head"), number, AssignIn(assignee_id=office.people["acceptor"],
                                                           comment="yours: the receipt is in"), now=NOW)
    do(office, "acceptor", number, Action.accept)
    service.assign(office.writer("head"), number, AssignIn(assignee_id=office.people["handler"]), now=NOW)
    path = f"/service-hall/applications/{number}"

    def trail(who: str) -> list[str]:
        page = html.fromstring(people[who].get(path, headers=EN).text)
        rows = page.xpath('//table[@id="trail"]/tbody/tr')
        return [row.xpath("string(td[2]/text()[1])") for row in rows]  # the step, not the limit it set

    seen = ["apply", "request_materials", "supply", "accept"]  # what is done with the application
    assert trail("applicant") == [_words(w) for w in seen]
    for who in ("head", "handler", "admin"):  # the office still sees its routing
        assert trail(who).count(_words("assign")) == 2, who
    with office.sessions() as session:  # the API's view is the same
        applicant = session.get(User, office.people["applicant"])
        out = views.get(session, applicant, number, NOW)  # type: ignore[arg-type]
        assert [e.action for e in out.events] == ["apply", "request_materials", "supply", "accept"]


def _words(action: str) -> str:
    """An action as the English trail names it: the catalog's word, starting as a label does."""
    from api.i18n import translations
    from core.i18n import Language

    word = translations(Language.en).gettext(action)
    return word[:1].upper() + word[1:]


# --- 7. a mistyped department is refused with the departments there are (CLI: tests/api/test_cli.py) -----

def test_an_unknown_department_is_refused_with_the_departments_there_are(office: Office) -> None:
    from core.errors import NotFound
    from servicehall.schemas import DutiesIn

    with pytest.raises(NotFound) as refused:
        catalogue.set_separate_duties(office.writer("admin"), "nowhere", DutiesIn(separate=False))
    assert refused.value.detail.startswith("no department nowhere: the departments are copyright, protection, "
                                           "supervision, ")
    assert office.department in refused.value.detail and refused.value.extra["field"] == "department"
    with pytest.raises(NotFound):
        catalogue.add_staff(office.writer("admin"), StaffIn(email=email(office, "stranger"), department="<x>",
                                                            role=StaffRole.head))

