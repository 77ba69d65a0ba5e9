"""The agency directory in the browser: the directory with its filters (province and city by any
GB/T 2260 name, service type, IPC section, class or subclass, name) and "recommend for me"; an
agency's profile with its tier and the score's breakdown in words, integrity records, reviews with
the agency's replies, the reader's one review (written, then edited), flags, the agency's replies and
its objections to an integrity record or to its tier.

Each route translates a query or a form into one call of ``community.agencies.service``, which
checks permission, audits and commits; a refusal shows the page again with its reason in words.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.i18n import N_
from api.pages.context import CheckedPageDep, Page, PageDep
from api.pages.errors import error_home
from api.problems import form_status
from community.agencies import service as svc
from community.agencies.models import RecordKind, ServiceType, Tier
from community.agencies.schemas import DirectoryOut, DirectoryQuery, ReviewIn, TextIn
from core import regions
from core.errors import Conflict, InvalidInput, PermissionDenied
from core.i18n import Language
from core.ids import DbId, parse_id

# an error on the directory's pages (an agency that does not exist, a reply by someone who does not
# speak for the agency) leads back to the directory, not to the patent search
TO_THE_DIRECTORY = Depends(error_home("/community/agencies", N_("Search the directory of IP agencies")))
router = APIRouter(include_in_schema=False, dependencies=[TO_THE_DIRECTORY])
PER_PAGE = 20
FORM_ERRORS = (InvalidInput, Conflict, PermissionDenied, ValidationError)
Text = Annotated[str, Form()]
ServiceParam = Annotated[str, Query(pattern="^(" + "|".join(s.value for s in ServiceType) + ")?$")]
Place = Annotated[str, Query(max_length=60)]
IPCParam = Annotated[str, Query(max_length=30)]

SERVICES = {ServiceType.patent: N_("Patents"), ServiceType.trademark: N_("Trademarks"),
            ServiceType.copyright: N_("Copyright"), ServiceType.law: N_("Legal services")}
TIERS = {Tier.a_plus: "A+", Tier.a: "A", Tier.b: "B", Tier.c: "C", Tier.d: "D", Tier.not_rated: N_("not yet rated")}
RECORD_KINDS = {RecordKind.sanction: N_("Sanction"), RecordKind.complaint_upheld: N_("Complaint upheld"),
                RecordKind.commendation: N_("Commendation")}
CRITERIA = [("professionalism", N_("Professionalism")), ("responsiveness", N_("Responsiveness")),
            ("cost_transparency", N_("Cost transparency")), ("outcome", N_("Outcome"))]
FIELD_ERRORS = {"engagement_ref": N_("Give your case, matter or invoice reference (at most 100 characters)."),
                "professionalism": N_("Rate each of the four criteria from 1 to 5."),
                "responsiveness": N_("Rate each of the four criteria from 1 to 5."),
                "cost_transparency": N_("Rate each of the four criteria from 1 to 5."),
                "outcome": N_("Rate each of the four criteria from 1 to 5."),
                "text": N_("Write at most 5,000 characters."),
                "linked_pn": N_("Give a publication number such as CN101096965A, or leave the box empty.")}
# the service's refusals people meet here (translated by value)
MESSAGES = [N_("unknown province %(name)s: give a GB/T 2260 name or code, such as 广东, 广东省, Guangdong or 440000"),
            N_("unknown region %(name)s: give a province or a prefecture-level city, by name or code, such as 广东, "
               "深圳, Shenzhen or 440300 (for a county or district, its city)"),
            N_("%(name)s may be any of %(options)s: give its province or its code"),
            N_("%(city)s is in %(home)s, not in %(province)s"),
            N_("not an IPC symbol: %(text)s (a subclass looks like H04W)"),
            N_("an agency cannot review itself"), N_("you already reviewed this engagement"),
            N_("you cannot flag your own review"), N_("the agency has already replied to this review")]


class Done(enum.StrEnum):
    """What a form did, said on the page it leads back to (a fixed sentence: a link cannot put words
    in the page)."""

    reviewed = "reviewed"
    edited = "edited"
    unverified = "unverified"
    held = "held"
    flagged = "flagged"
    replied = "replied"
    objected = "objected"


DONE = {Done.reviewed: N_("Thank you: your review is published."),
        Done.edited: N_("Your review is updated: it replaces the one you wrote before."),
        Done.unverified: N_("Your review is saved. The patent you named is not in the corpus or does not give "
                            "this agency as its agent, so the review is not marked verified."),
        Done.held: N_("Your review is saved; it is held for a moderator before it is shown."),
        Done.flagged: N_("Thank you: the moderators will look at the review."),
        Done.replied: N_("The agency's reply is published under the review."),
        Done.objected: N_("The objection is filed: a moderator will answer it on this page.")}


def _explain(page: Page, exc: Exception) -> str:
    """A refusal in the reader's language, a form's value that does not fit in the form's words (the
    four stars share one sentence). ``page.explain`` keeps the fields it is about, for the form to
    mark them: a refused patent number was said, its box left unmarked."""
    said = page.explain(exc)
    if isinstance(exc, ValidationError):
        fields = dict.fromkeys(str(e["loc"][0]) for e in exc.errors() if e["loc"])
        if fields and all(field in FIELD_ERRORS for field in fields):
            sentences = dict.fromkeys(page.gettext(FIELD_ERRORS[field]) for field in fields)
            return ("" if page.lang is Language.zh else " ").join(sentences)
    return said


def _helpers(page: Page) -> dict[str, Any]:
    """What the templates use to name things in the reader's language."""
    lang = page.lang.value

    def place(code: str | None, fallback: str = "") -> str:
        region = regions.by_code(code) if code else None
        return region.name(lang) if region is not None else fallback

    provinces = sorted(regions.provinces(), key=lambda r: r.code)
    return {"place": place, "provinces": [(r.code, r.name(lang)) for r in provinces], "services": SERVICES,
            "tiers": TIERS, "record_kinds": RECORD_KINDS, "criteria": CRITERIA,
            "cities": lambda code: [r.name(lang) for r in regions.prefectures(code)] if code else []}


# --- the directory -------------------------------------------------------------------------------

def _page_url(query: DirectoryQuery, number: int) -> str:
    params = {k: v for k, v in query.model_dump(exclude={"page", "per_page"}, mode="json").items() if v}
    return "/community/agencies?" + urlencode(params | ({"page": number} if number > 1 else {}))


@router.get("/community/agencies", response_class=HTMLResponse)
def directory(page: PageDep, q: Annotated[str, Query(max_length=100)] = "", province: Place = "", city: Place = "",
              service: ServiceParam = "", ipc: IPCParam = "",
              page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1) -> HTMLResponse:
    """The directory; a province, city or IPC symbol not understood shows the form again, saying why."""
    query = DirectoryQuery(q=q, province=province, city=city, service=ServiceType(service) if service else None,
                           ipc=ipc, page=page_number, per_page=PER_PAGE)
    found: DirectoryOut | None = None
    error: str | None = None
    refused: tuple[str, ...] = ()
    try:
        found = svc.directory(page.session, query)
    except InvalidInput as exc:
        error = page.explain(exc)
        refused = page.refused_fields  # the filters refused: "province", "city", "ipc"
    asked = regions.lookup(province, regions.Level.province) if province.strip() else None  # kept on a refusal
    return page.render("agency_directory.html", 400 if error else 200, query=query, found=found, error=error,
                       refused=refused,
                       province_code=asked.code if asked else None, page_url=lambda n: _page_url(query, n),
                       **_helpers(page))


@router.get("/community/agencies/recommend", response_class=HTMLResponse)
def recommend(page: PageDep, province: Place = "", city: Place = "", service: ServiceParam = "",
              ipc: IPCParam = "") -> HTMLResponse:
    """Agencies that fit a technical field, a service and a place; never one from another province."""
    asked = DirectoryQuery(province=province, city=city, service=ServiceType(service) if service else None, ipc=ipc)
    picks, error = None, None
    try:
        picks = svc.recommended(page.session, ipc, asked.service, province, city)
    except InvalidInput as exc:
        error = page.explain(exc)
    chosen = regions.lookup(province, regions.Level.province)
    return page.render("agency_recommend.html", 400 if error else 200, asked=asked, picks=picks, error=error,
                       province_code=chosen.code if chosen else None, **_helpers(page))


# --- a profile -----------------------------------------------------------------------------------

def _profile(page: Page, agency_id: int, status_code: int = 200, **extra: Any) -> HTMLResponse:
    view = svc.agency_page(page.session, agency_id, page.user)
    return page.render("agency_profile.html", status_code, view=view, **_helpers(page),
                       **({"typed": None, "error": None, "error_at": None, "said": None} | extra))


@router.get("/community/agencies/{agency_id}", response_class=HTMLResponse)
def profile(page: PageDep, agency_id: DbId, done: Annotated[Done | None, Query()] = None,
            review: Annotated[DbId | None, Query()] = None) -> HTMLResponse:
    """``done`` says what a form did, next to that form or ``review`` (the redirect scrolls there)."""
    said = {"done": done.value, "text": page.gettext(DONE[done]), "review": review} if done is not None else None
    return _profile(page, agency_id, said=said)


def _back(page: Page, agency_id: int, done: Done, anchor: str, review: int | None = None) -> Response:
    query = {"done": done.value} | ({"review": review} if review is not None else {})
    return page.redirect(f"/community/agencies/{agency_id}?{urlencode(query)}#{anchor}")


def _criterion(value: str) -> int:
    """A star from the form; anything else is 0, which the review's own checks refuse in words."""
    return int(value) if value.strip().isdigit() and len(value.strip()) == 1 else 0


@router.post("/community/agencies/{agency_id}/review", response_model=None)
def save_review(page: CheckedPageDep, agency_id: DbId, engagement_ref: Text = "", professionalism: Text = "",
                responsiveness: Text = "", cost_transparency: Text = "", outcome: Text = "", text: Text = "",
                linked_pn: Text = "") -> Response:
    """Write the reader's review of the agency, or edit it: one per reader and agency."""
    typed = {"engagement_ref": engagement_ref, "professionalism": professionalism, "responsiveness": responsiveness,
             "cost_transparency": cost_transparency, "outcome": outcome, "text": text, "linked_pn": linked_pn}
    try:
        body = ReviewIn(engagement_ref=engagement_ref.strip(), professionalism=_criterion(professionalism),
                        responsiveness=_criterion(responsiveness), cost_transparency=_criterion(cost_transparency),
                        outcome=_criterion(outcome), text=text.strip(), linked_pn=linked_pn.strip() or None)
        saved = svc.save_review(page.writer(), agency_id, body, page.platform.search)
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _profile(page, agency_id, form_status(exc), typed=typed, error=_explain(page, exc), error_at="review")
    done = (Done.held if saved.held else Done.unverified if body.linked_pn and not saved.verified
            else Done.reviewed if saved.created else Done.edited)
    return _back(page, agency_id, done, "my-review")


@router.post("/community/agencies/{agency_id}/reviews/{review_id}/flag", response_model=None)
def flag_review(page: CheckedPageDep, agency_id: DbId, review_id: DbId) -> Response:
    try:
        svc.flag_review(page.writer(), review_id)
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _profile(page, agency_id, form_status(exc), error=_explain(page, exc), error_at="reviews")
    return _back(page, agency_id, Done.flagged, f"review-{review_id}", review_id)


@router.post("/community/agencies/{agency_id}/reviews/{review_id}/reply", response_model=None)
def reply(page: CheckedPageDep, agency_id: DbId, review_id: DbId, text: Text = "") -> Response:
    """The agency's account answers a review, once."""
    try:
        if not text.strip():
            raise InvalidInput.said("write the reply")
        svc.reply_to_review(page.writer(), review_id, TextIn(text=text.strip()).text)
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _profile(page, agency_id, form_status(exc), error=_explain(page, exc), error_at="reviews")
    return _back(page, agency_id, Done.replied, f"review-{review_id}", review_id)


@router.post("/community/agencies/{agency_id}/objections", response_model=None)
def object_(page: CheckedPageDep, agency_id: DbId, text: Text = "", record: Text = "") -> Response:
    """The agency's account objects to one integrity record, or (no record chosen) to its tier."""
    try:
        if not text.strip():
            raise InvalidInput.said("say what you object to and why")
        if (record_id := parse_id(record)) is not None:
            svc.object_to_record(page.writer(), agency_id, record_id, TextIn(text=text.strip()).text)
        else:
            svc.object_to_tier(page.writer(), agency_id, TextIn(text=text.strip()).text)
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _profile(page, agency_id, form_status(exc), error=_explain(page, exc), error_at="objections",
                        typed={"objection": text, "record": record})
    return _back(page, agency_id, Done.objected, "objections")


MESSAGES += [N_("write the reply"), N_("say what you object to and why")]
