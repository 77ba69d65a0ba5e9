"""Copyright in the browser: the registration wizard, my works, a registration's public record
(with the verifier that runs in the visitor's browser), licences both parties sign, and transfers
of rights by their holder.

Each route translates a form or a path into one call of ``copyright.service``, ``copyright.offers``
or ``copyright.records``. The wizard works without JavaScript (upload, or a SHA-256 typed in);
with it, an upload shows a progress bar and hash-only mode hashes the file in the browser, so the
file is never sent.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import ValidationError

from api.i18n import N_
from api.pages import refusals
from api.pages.context import CheckedPageDep, Page, PageDep, fields_of
from api.pages.copyright_catalogue import TO_THE_REGISTER
from api.pages.errors import came_from
from copyright import offers, records, service
from copyright.models import RIGHT_LABELS, WORK_TYPE_LABELS, Right, WorkType
from copyright.registry import EARLIEST_WORK_DATE, ContentHash, WorkIn, registry_day
from copyright.rights import TransferByEmailIn
from copyright.schemas import RegisterIn
from core.db import latest_today
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Refused
from core.i18n import Language
from core.ids import DbId, whole_number

router = APIRouter(include_in_schema=False, dependencies=[TO_THE_REGISTER])
Text = Annotated[str, Form()]  # every field optional here: a missing one is refused in words, not as JSON
FORM_ERRORS = (InvalidInput, PermissionDenied, Conflict, ValidationError)
# The wizard's fields (WorkIn's names, in the form's order) with the label the form shows: a refusal
# of one field is said beside it and names it as the form does (名称, where other forms' word is 标题)
WIZARD_LABELS = {"work_type": N_("Type of work"), "title": N_("Title"), "description": N_("Description of the work"),
                 "authors": N_("Authors"), "owners": N_("Co-owners"), "completion_date": N_("Completion date"),
                 "published": N_("The work has been published"),
                 "first_publication_date": N_("First publication date"),
                 "first_publication_place": N_("First publication place")}
# the fields of the wizard's last step, where a refusal of the file or of its hash is said
FILE_FIELDS = frozenset({"file", "sha256", "size", "content"})


def work_types(lang: Language) -> list[tuple[str, str]]:
    """(value, label) in the reader's language, in the order of the law's list."""
    return [(kind.value, WORK_TYPE_LABELS[kind][1 if lang is Language.zh else 0]) for kind in WorkType]


def right_names(lang: Language) -> list[tuple[str, str]]:
    """The economic rights of Art. 10, (value, label) in the reader's language."""
    return [(right.value, RIGHT_LABELS[right][1 if lang is Language.zh else 0]) for right in Right]


def _lines(text: str) -> list[str]:
    """Names typed one per line or separated by commas (either kind)."""
    return [name.strip() for chunk in text.splitlines() for name in chunk.replace("，", ",").split(",")
            if name.strip()]


def _date(page: Page, text: str, field: str, name: str = "") -> dt.date | None:
    """A date typed in a form (YYYY-MM-DD), or None when left empty; ``field``: its label, ``name``:
    the form's field, which a refusal is about (the form marks it)."""
    try:
        return dt.date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError as exc:
        refusal = InvalidInput.said("%(field)s is not a date (YYYY-MM-DD)", field=page.gettext(field))
        raise refusal.about(name) if name else refusal from exc


def _work(page: Page, form: dict[str, str]) -> WorkIn:
    """The wizard's description of the work, each refusal in words the form's reader knows; every
    field it refuses at once (``Refused``), not one per submit: the work's own checks (lengths, the
    dates' order) run too, on what was not refused already."""
    problems: list[Exception] = []
    kind = form["work_type"] if form["work_type"] in {k.value for k in WorkType} else None
    if kind is None:
        problems.append(InvalidInput.said("choose the type of work").about("work_type"))
    if not form["title"].strip():
        problems.append(InvalidInput.said("give the title of the work").about("title"))
    dates: dict[str, dt.date | None] = {}
    for name, label in (("completion_date", "Completion date"), ("first_publication_date", "First publication date")):
        try:
            dates[name] = _date(page, form[name], label, name)
        except InvalidInput as exc:
            problems.append(exc)
            dates[name] = None
    try:
        work = WorkIn(title=form["title"].strip() or "-", work_type=WorkType(kind or next(iter(WorkType))),
                      description=form["description"].strip(), authors=_lines(form["authors"]),
                      owners=_lines(form["owners"]), completion_date=dates["completion_date"],
                      published=bool(form["published"]), first_publication_date=dates["first_publication_date"],
                      first_publication_place=form["first_publication_place"].strip() or None)
    except ValidationError as exc:
        problems.append(exc)
    if problems:
        raise Refused(problems)
    return work


def _described(page: Page, form: dict[str, str], file: UploadFile | None,
               size: str) -> tuple[WorkIn, ContentHash | None]:
    """The work, and for a hash-only registration its hash: a work refused and no file chosen are
    refused together (``Refused``, the file's refusal last)."""
    problems: list[Exception] = []
    work = content = None
    try:
        work = _work(page, form)
    except Refused as exc:
        problems += exc.problems
    try:
        if form["mode"] == "hash":
            content = _content(form["sha256"], size)
        elif file is None or not file.filename:
            raise InvalidInput.said("choose the file to register, or switch to hash-only").about("file")
    except (InvalidInput, ValidationError) as exc:
        problems.append(exc)
    if problems:
        raise Refused(problems)
    assert work is not None
    return work, content


def _rights(chosen: list[str], none_chosen: str) -> list[Right]:
    """The ticked rights; ``none_chosen`` says what to do when none (or one we do not know) is."""
    if not (rights := _rights_or_none(chosen)):
        raise InvalidInput.said(none_chosen).about("rights")
    return rights


def _rights_or_none(chosen: list[str]) -> list[Right]:
    """The ticked rights we know; none when none (or one we do not know) is ticked."""
    return [Right(r) for r in chosen] if chosen and {r.value for r in Right} >= set(chosen) else []


def _content(sha256: str, size: str) -> ContentHash:
    """The SHA-256 the browser computed (or the creator typed) and the size it reported."""
    digest = sha256.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise InvalidInput.said("the SHA-256 is 64 hexadecimal characters (0-9, a-f)").about("sha256")
    bytes_ = whole_number(size)
    if size.strip() and bytes_ is None:  # it was dropped: a forged or broken form registered no size
        raise InvalidInput.said("the file size is a whole number of bytes").about("sha256")
    return ContentHash(sha256=digest, size=bytes_)


def _refusal_shown(page: Page, exc: Exception) -> dict[str, Any]:
    """Where the wizard says a refusal: each part about one of its fields beside that field, and
    the file's (or the registry's, about what was sent) in the file's step, with the file marked;
    a part about none of them says the whole refusal above the form."""
    problems = exc.problems if isinstance(exc, Refused) else [exc]
    work = [p for p in problems if refusals.NO_FIELD not in refusals.by_field(page, [p], WIZARD_LABELS)]
    rest = [p for p in problems if p not in work]
    if not all(set(fields_of(p)) <= FILE_FIELDS and (fields_of(p) or p is exc) for p in rest):
        return {"beside": {}, "error": page.explain(exc), "about_file": False}
    beside = refusals.by_field(page, work, WIZARD_LABELS)
    said = page.gettext("; ").join(page.explain(p) for p in rest)  # explained last: the file's field is marked
    return {"beside": beside, "error": said or None, "about_file": bool(rest)}


# --- home ----------------------------------------------------------------------------------------

@router.get("/copyright", response_class=HTMLResponse)
def home(page: PageDep) -> HTMLResponse:
    return page.render("copyright_home.html")


@router.get("/copyright/verify", response_model=None)
def verify(page: PageDep, number: Annotated[str, Query(max_length=200)] = "") -> Response:
    """The verifier alone: a visitor brings the certificate JSON (and the file) from anywhere, or
    types the number on a paper certificate and is taken to that registration's own verifier."""
    if not number.strip():
        return page.render("copyright_verify.html", number="")
    try:
        found = records.certified_number(page.session, number)
    except (InvalidInput, NotFound) as exc:
        status = 404 if isinstance(exc, NotFound) else 400
        return page.render("copyright_verify.html", status, number=number, error=page.explain(exc))
    return page.redirect(f"/copyright/records/{found}?check=1#verify")  # its verifier runs at once


# --- the registration wizard ---------------------------------------------------------------------

def _wizard(page: Page, status_code: int = 200, **extra: Any) -> HTMLResponse:
    return page.render("copyright_register.html", status_code, work_types=work_types(page.lang),
                       max_upload=page.platform.settings.max_upload_bytes,
                       # the latest date a work can be completed or published: the server's own check (latest_today)
                       today=latest_today().isoformat(), earliest=EARLIEST_WORK_DATE.isoformat(), **extra)


@router.get("/copyright/register", response_class=HTMLResponse)
def register_form(page: PageDep) -> HTMLResponse:
    page.require_user()
    return _wizard(page, form={"mode": "upload"})


@router.post("/copyright/register", response_model=None)
def register(page: CheckedPageDep, title: Text = "", work_type: Text = "", mode: Text = "upload",
             authors: Text = "", owners: Text = "", description: Text = "", completion_date: Text = "",
             published: Text = "", first_publication_date: Text = "", first_publication_place: Text = "",
             sha256: Text = "", size: Text = "", file: UploadFile | None = None) -> Response:
    """Upload mode stores and hashes the file; hash mode takes the SHA-256 (from the browser or typed).
    A refusal shows the form again with its reason and what was typed (a file must be chosen again)."""
    page.require_user()
    form = {"title": title, "work_type": work_type, "mode": mode, "authors": authors, "owners": owners,
            "description": description, "completion_date": completion_date, "published": published,
            "first_publication_date": first_publication_date, "first_publication_place": first_publication_place,
            "sha256": sha256}
    dropped = mode != "hash" and file is not None and bool(file.filename)  # a browser never keeps it
    try:
        work, content = _described(page, form, file, size)
        settings = page.platform.settings
        if content is not None:
            done = service.register_hash(page.writer(), settings, RegisterIn(work=work, content=content))
        else:
            assert file is not None  # _described refused the form without one
            done = service.register_stream(page.writer(), settings, work, file.file, filename=file.filename or "")
    except FORM_ERRORS as exc:
        page.session.rollback()
        yours = exc.extra.get("registration") if isinstance(exc, Conflict) else None
        return _wizard(page, 400, form=form, choose_again=dropped and yours is None, yours=yours,
                       **_refusal_shown(page, exc))
    return page.redirect(f"/copyright/records/{done.number}?registered=1#content")  # not the form's #form-error


class Answer(enum.StrEnum):
    """What was done with a licence offer, said on the page it leads back to (a fixed sentence)."""

    accepted = "accepted"
    declined = "declined"
    withdrawn = "withdrawn"


ANSWERED = {Answer.accepted: N_("You accepted the licence: it is in force from its start date, and the owner is "
                                "told."),
            Answer.declined: N_("You declined the licence; the owner is told."),
            Answer.withdrawn: N_("The offer is withdrawn; the licensee is told.")}


# --- my works -------------------------------------------------------------------------------------

@router.get("/copyright/mine", response_class=HTMLResponse)
def mine(page: PageDep, answered: Answer | None = None) -> HTMLResponse:
    user = page.require_user()
    notice = page.gettext(ANSWERED[answered]) if answered is not None else None
    return page.render("copyright_mine.html", notice=notice, works=records.works_of(page.session, user),
                       held=records.works_held(page.session, user),
                       received=records.licences_to(page.session, user),
                       offered=records.licences_from(page.session, user),
                       transfers=records.transfers_of(page.session, user), type_labels=dict(work_types(page.lang)),
                       right_labels=dict(right_names(page.lang)))


# --- the public record ----------------------------------------------------------------------------

def _record(page: Page, number: str, status_code: int = 200, **extra: Any) -> HTMLResponse:
    shown = records.record(page.session, number, page.user)
    # the logged statement as it reads (Chinese names as characters, not \u escapes); escaped by the template
    entry_text = json.dumps(shown.log_entry, ensure_ascii=False, indent=2, sort_keys=True) if shown.log_entry else ""
    return page.render("copyright_record.html", status_code, r=shown, entry_text=entry_text,
                       type_labels=dict(work_types(page.lang)),
                       rights=right_names(page.lang), right_labels=dict(right_names(page.lang)),
                       today=registry_day().isoformat(), **({"offer_form": {}, "transfer_form": {}} | extra))


@router.get("/copyright/records/{number}", response_class=HTMLResponse)
def record(page: PageDep, number: str, registered: Annotated[int, Query(ge=0, le=1)] = 0,
           offered: Annotated[int, Query(ge=0, le=1)] = 0,
           transferred: Annotated[int, Query(ge=0, le=1)] = 0, answered: Answer | None = None,
           check: Annotated[int, Query(ge=0, le=1)] = 0) -> HTMLResponse:
    """``registered=1``, ``offered=1`` and ``transferred=1`` after those forms, ``answered`` after an
    offer's answer: fixed sentences, so a link cannot put words in the page. ``check=1``: the
    certificate is checked as the page opens (the verify page found it by its number)."""
    notice = page.gettext(ANSWERED[answered]) if answered is not None else None
    return _record(page, number, registered=bool(registered), offered=bool(offered),
                   transferred=bool(transferred), notice=notice, check_now=bool(check))


@router.get("/copyright/records/{number}/certificate.pdf", response_model=None)
def certificate_pdf(page: PageDep, number: str) -> Response:
    """The PDF when a worker has rendered it; until then a page that looks again in a moment."""
    pdf = service.certificate_pdf(page.session, page.platform.settings, page.platform.tasks, number)
    if isinstance(pdf, Path):
        return FileResponse(pdf, media_type="application/pdf", filename=f"{number}.pdf")
    return page.render("copyright_pdf_wait.html", 202, number=number, retry=pdf.retry_after, late=pdf.late)


# --- licences both parties sign -------------------------------------------------------------------

@router.post("/copyright/records/{number}/offers", response_model=None)
def offer(page: CheckedPageDep, number: str, licensee_email: Text = "",
          rights: Annotated[list[str], Form()] = [], start_date: Text = "",  # noqa: B006 - FastAPI copies it
          end_date: Text = "", territory: Text = "worldwide", media: Text = "all media", fee: Text = "",
          exclusive: Text = "", may_sublicense: Text = "") -> Response:
    form = {"licensee_email": licensee_email, "rights": rights, "start_date": start_date, "end_date": end_date,
            "territory": territory, "media": media, "fee": fee, "exclusive": exclusive,
            "may_sublicense": may_sublicense}
    try:
        body = offers.OfferIn(licensee_email=licensee_email.strip(), rights=_rights_or_none(rights),
                              start_date=_date(page, start_date, "From", "start_date") or registry_day(),
                              end_date=_date(page, end_date, "Until (optional)", "end_date"),
                              territory=_no_limit(page, territory, "worldwide"),
                              media=_no_limit(page, media, "all media"),
                              fee=fee.strip() or None, exclusive=bool(exclusive), may_sublicense=bool(may_sublicense))
        offers.offer(page.writer(), number, body)
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _record(page, number, 400, offer_error=page.explain(exc), offer_form=form)
    return page.redirect(f"/copyright/records/{number}?offered=1#licences")


# --- transfers ------------------------------------------------------------------------------------

@router.post("/copyright/records/{number}/transfers", response_model=None)
def transfer(page: CheckedPageDep, number: str, recipient_email: Text = "",
             rights: Annotated[list[str], Form()] = [], effective_date: Text = "",  # noqa: B006 - FastAPI copies it
             confirm: Text = "") -> Response:
    """Rights the reader holds, moved to another person at once (written to the public log)."""
    form = {"recipient_email": recipient_email, "rights": rights, "effective_date": effective_date,
            "confirm": confirm}
    try:
        chosen = _rights(rights, "choose at least one right to transfer")
        if not confirm:
            raise InvalidInput.said("tick the box to confirm: a transfer is written to the public log and cannot "
                                    "be undone").about("confirm")
        body = TransferByEmailIn(recipient_email=recipient_email.strip(), rights=chosen,
                                 effective_date=_date(page, effective_date, "Effective from", "effective_date")
                                 or registry_day())
        service.transfer_to(page.writer(), number, body)
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _record(page, number, 400, transfer_error=page.explain(exc), transfer_form=form)
    return page.redirect(f"/copyright/records/{number}?transferred=1#transfers")


def _no_limit(page: Page, value: str, keyword: str) -> str:
    """A licence's territory or media as the rights check reads it: the words the form shows for no
    limit (全世界, 所有媒介), the stored keyword itself, or nothing, are the keyword."""
    value = value.strip()
    return keyword if value in ("", keyword, page.gettext(keyword)) else value


def _answer(page: Page, offer_id: int, act: Any, back: str, answer: Answer) -> Response:
    try:
        done = act(page.writer(), offer_id)
    except (InvalidInput, PermissionDenied, Conflict) as exc:
        page.session.rollback()
        return page.render("error.html", 409, title=page.gettext("The offer is unchanged"), detail=page.explain(exc),
                           back=came_from(page.request))
    target = back if back.startswith("/copyright/") else f"/copyright/records/{done.number}"
    path, hashmark, fragment = target.partition("#")
    said = ("&" if "?" in path else "?") + urlencode({"answered": answer.value})
    return page.redirect(f"{path}{said}{hashmark}{fragment}")


@router.post("/copyright/offers/{offer_id}/accept", response_model=None)
def accept(page: CheckedPageDep, offer_id: DbId, back: Annotated[str, Form()] = "/copyright/mine") -> Response:
    return _answer(page, offer_id, offers.accept, back, Answer.accepted)


@router.post("/copyright/offers/{offer_id}/decline", response_model=None)
def decline(page: CheckedPageDep, offer_id: DbId, back: Annotated[str, Form()] = "/copyright/mine") -> Response:
    return _answer(page, offer_id, offers.decline, back, Answer.declined)


@router.post("/copyright/offers/{offer_id}/withdraw", response_model=None)
def withdraw(page: CheckedPageDep, offer_id: DbId, back: Annotated[str, Form()] = "/copyright/mine") -> Response:
    return _answer(page, offer_id, offers.withdraw, back, Answer.withdrawn)


@router.get("/copyright/offers/{offer_id}/licence.pdf", response_model=None)
def licence_pdf(page: PageDep, offer_id: DbId) -> Response:
    """The licence document, for its two parties only."""
    pdf = offers.licence_pdf(page.session, page.require_user(), offer_id)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="licence-{offer_id}.pdf"',
                             "Cache-Control": "no-store"})
