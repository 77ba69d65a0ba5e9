"""Service hall operations: what the API, the pages and the CLI call.

Writes take a ``core.audit.Writer``: they check who may act, move the application through the
state machine (``servicehall.workflow``), run its clocks (``servicehall.clock``), fire any card now
due (``servicehall.warnings``), write the trail event and the audit record, notify, and commit.
The application row is locked (``SELECT … FOR UPDATE`` on PostgreSQL) and carries a version
column, so of two people acting at once one succeeds and the other gets ``Conflict``.
Reads take a session. ``now`` is injectable everywhere (tests move time, never sleep).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.accounts.models import User
from core.accounts.permissions import is_admin, is_staff
from core.audit import AuditAction, Writer
from core.db import utcnow
from core.errors import Conflict, InvalidInput, IPCommonsError, NotFound, PermissionDenied, validator_words
from core.i18n import Named, Quoted, Term, WordedTerm
from core.notifications import notify
from core.settings import Settings
from servicehall import clock, lapsing, rescheduling, uploads, warnings, workflow
from servicehall.access import barred_by, earlier_step_of, last_actor, may_act, may_extend_supply, visible
from servicehall.calendar import BEIJING, iso
from servicehall.catalogue import get_item, holders, roles_of
from servicehall.models import (
    FINAL,
    OPEN,
    STEP_OF,
    Application,
    Counter,
    Event,
    ItemKind,
    Material,
    ServiceItem,
    StaffRole,
    Status,
)
from servicehall.schemas import ActionIn, ApplicationOut, ApplyIn, AssignIn, RateIn, SupplyLimitIn, SweepOut
from servicehall.views import application_out
from servicehall.workflow import APPLICANT_ACTIONS, NEEDS_COMMENT, ROLE_FOR_STATUS, Action

Files = list[tuple[str, BinaryIO]]
MAX_AMOUNT = Decimal("100000000")  # a subsidy asked in yuan: anything larger is a typing slip
FIELD_MAX_CHARS = 5000  # one field of an application form (a case's account, a product's name)


# --- applying ------------------------------------------------------------------------------------

def parse_apply(text: str) -> ApplyIn:
    """The application's JSON sent next to its files (a multipart form field)."""
    try:
        return ApplyIn.model_validate_json(text)
    except ValidationError as exc:
        raise InvalidInput.said("the application is not valid: %(reason)s",
                                reason=validator_words(exc.errors()[0])) from exc


def _next_number(session: Session, year: int) -> str:
    if session.scalar(select(Counter).where(Counter.year == year)) is None:
        try:
            with session.begin_nested():
                session.add(Counter(year=year, last=0))
        except IntegrityError:
            pass  # another application created the year's counter first
    counter = session.scalars(select(Counter).where(Counter.year == year).with_for_update()
                              .execution_options(populate_existing=True)).one()
    counter.last += 1
    return f"SH{year}{counter.last:06d}"


def _checked_fields(session: Session, item: ServiceItem, given: dict[str, str], applicant: User) -> dict[str, str]:
    """The form's values: known fields only, required ones present, the references they name real."""
    known = {f["name"]: f for f in item.fields}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise InvalidInput.said("unknown field %(name)s", name=unknown[0])
    # a browser sends a textarea's line breaks as CR LF and counts each as one character against maxlength
    values = {k: v.replace("\r\n", "\n").strip() for k, v in given.items() if v.strip()}
    # refused, never cut (an 80,000-character account was kept as 5,000); said with the empty ones at once
    too_long = [known[name] for name, value in values.items() if len(value) > FIELD_MAX_CHARS]
    missing = [spec for name, spec in known.items() if spec.get("required") and name not in values]
    if too_long or missing:
        raise _unfilled(missing, too_long)
    if item.kind is ItemKind.agency_mediation:
        from community.agencies.service import get_agency

        if not values["agency_id"].isdigit():
            raise InvalidInput("the agency number is the number in the directory's address")
        get_agency(session, int(values["agency_id"]))
    if item.kind in (ItemKind.copyright_review, ItemKind.registration_subsidy):
        _check_registration(session, item, values["registration"], applicant)
    if item.kind is ItemKind.registration_subsidy:
        values["amount"] = _amount(values["amount"])
    return values


def _names(specs: Sequence[dict[str, str]]) -> Named:
    return Named(zh="、".join(m["zh"] for m in specs), en=", ".join(m["en"] for m in specs))


def _unfilled(missing: Sequence[dict[str, str]], too_long: Sequence[dict[str, str]] = ()) -> InvalidInput:
    """Every required field left empty and every one too long, named at once (the form was refused
    for one, then for the next): ``unfilled`` and ``too_long`` name them for the form to mark."""
    if missing and too_long:  # "must": the same words for one field and for several
        error = InvalidInput.said("%(fields)s must be filled in; %(long)s must be at most %(max_length)s characters "
                                  "long", fields=_names(missing), long=_names(too_long), max_length=FIELD_MAX_CHARS)
    elif len(too_long) > 1:
        error = InvalidInput.said("%(fields)s must be at most %(max_length)s characters long", fields=_names(too_long),
                                  max_length=FIELD_MAX_CHARS)
    elif too_long:
        error = InvalidInput.said("%(field)s takes at most %(max_length)s characters", field=_names(too_long),
                                  max_length=FIELD_MAX_CHARS)
    elif len(missing) == 1:
        error = InvalidInput.said("%(field)s is required", field=_names(missing))
    else:
        error = InvalidInput.said("these fields are required: %(fields)s", fields=_names(missing))
    error.extra["unfilled"] = [m["name"] for m in missing]
    error.extra["too_long"] = [m["name"] for m in too_long]
    return error


def _check_registration(session: Session, item: ServiceItem, number: str, applicant: User) -> None:
    """An application about a registration: 1. the registry has it, 2. it is the applicant's own
    (its review decides the registration, a subsidy pays its owner), 3. a review is asked only of
    one held for review, 4. it has no open application of the same service already."""
    from copyright.models import RegistrationStatus
    from copyright.service import registration

    try:
        reg = registration(session, number)
    except NotFound as exc:  # a value of the form that does not fit, said as one: "登记 不存在的号 不存在"
        raise InvalidInput.said("no registration is numbered %(number)s: its number is on its certificate, such as "
                                "CR-2026-00000001", number=Quoted(number)) from exc
    if reg.owner_id != applicant.id:
        raise PermissionDenied.said("registration %(number)s is not yours: only its registrant applies for it",
                                    number=reg.number)
    if item.kind is ItemKind.copyright_review and reg.status is not RegistrationStatus.under_review:
        raise Conflict.said("registration %(number)s is not held for review", number=reg.number)
    open_ones = session.scalars(select(Application).where(Application.item_id == item.id,
                                                          Application.applicant_id == applicant.id,
                                                          Application.status.in_(OPEN)))
    if other := next((a.number for a in open_ones if a.form.get("registration") == reg.number), None):
        raise Conflict.said("registration %(number)s already has an open application: %(other)s",
                            number=reg.number, other=other)


def _amount(text: str) -> str:
    """A sum of money in yuan as the form's digits: positive, at most two decimals (1,200.50)."""
    try:
        value = Decimal(text.replace(",", "").replace("，", "").removesuffix("元").strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0 or value > MAX_AMOUNT or value != value.quantize(Decimal("0.01")):
        raise InvalidInput.said("the amount is a sum in yuan, such as 1200 or 1200.50")
    return f"{value:.2f}"


def _keep_files(w: Writer, settings: Settings, app: Application, files: Files, round_: int,
                material: dict[str, str] | None = None) -> int:
    """Store ``files`` as materials of ``app`` (all under ``material``), each file once: the same bytes
    chosen again beside the copy a refused form kept were listed twice. How many were listed."""
    seen: set[str] = set()
    for filename, stream in files:
        kept = uploads.store(settings, filename, stream)
        if kept.sha256 in seen:
            continue
        seen.add(kept.sha256)
        w.session.add(Material(application_id=app.id, uploaded_by=w.actor.id, round=round_, material=material,
                               filename=kept.filename, sha256=kept.sha256, size=kept.size))
    return len(seen)


def _at_most_max_files(count: int) -> None:
    """The limit is on the files kept: count them once their copies are dropped (``_distinct``)."""
    if count > uploads.MAX_FILES:
        raise InvalidInput.said("at most %(count)s files at a time", count=uploads.MAX_FILES)


def _distinct(files: Files, seen: set[str] | None = None) -> Files:
    """``files`` less each one with the bytes of an earlier one (or of one whose hash is in ``seen``,
    where theirs are added), as ``_keep_files`` keeps them: the same file chosen twice among 20 is
    20 files, not one too many."""
    seen = set() if seen is None else seen
    kept: Files = []
    for filename, stream in files:
        if (sha256 := uploads.sha256_of(stream)) not in seen:
            seen.add(sha256)
            kept.append((filename, stream))
    return kept


def _check_materials(item: ServiceItem, labelled: dict[int, Files], others: Files) -> None:
    """Every required material has a file: one labelled with it, else one of the unlabelled files
    (the API's files carry no label). Refused with all the unmet ones named at once. The files are
    counted as kept: each once (``_distinct``)."""
    _at_most_max_files(sum(map(len, labelled.values())) + len(others))
    if any(not 0 <= position < len(item.materials) for position in labelled):
        raise InvalidInput.said("this service lists %(count)s materials: a file is labelled with another",
                                count=len(item.materials))
    unmet = [i for i, m in enumerate(item.materials) if m.get("required") and not labelled.get(i)]
    if len(others) < len(unmet):
        names = [item.materials[i] for i in unmet]
        error = InvalidInput.said("attach a file for each required material: %(names)s", names=Named(
            zh="、".join(m["zh"] for m in names), en=", ".join(m["en"] for m in names)))
        error.extra["unmet_materials"] = unmet  # their positions, for the form to mark
        raise error


def apply(w: Writer, settings: Settings, body: ApplyIn, files: Files, now: datetime | None = None,
          labelled: dict[int, Files] | None = None) -> ApplicationOut:
    """A person applies for a catalogue item with its form and materials; the tracking number
    comes back, and the department's acceptors are told. ``labelled`` holds the files the form
    gave for one of the item's listed materials (by its position in the list), ``files`` the others."""
    now = now or utcnow()
    user = w.actor
    # the same bytes again, for the same material or among the others, are kept once: counted once
    labelled = {i: _distinct(given) for i, given in (labelled or {}).items() if given}
    files = _distinct(files)
    with writing(w, body.item):
        item = get_item(w.session, body.item)
        values = _checked_fields(w.session, item, body.fields, user)
        _check_materials(item, labelled, files)
        app = Application(number=_next_number(w.session, now.year), item_id=item.id, department_id=item.department_id,
                          applicant_id=user.id, status=Status.submitted, form=values, submitted_at=now, step_no=0)
        clock.start_total(app, item, now)
        clock.start_step(app, item, STEP_OF[Status.submitted], now, set())
        w.session.add(app)
        w.session.flush()
        count = _keep_files(w, settings, app, files, 0)
        for position, given in sorted(labelled.items()):
            spec = item.materials[position]
            count += _keep_files(w, settings, app, given, 0, {"zh": spec["zh"], "en": spec["en"]})
        w.session.add(Event(application_id=app.id, at=now, actor_id=user.id, action=workflow.Entry.apply,
                            from_status=None, to_status=Status.submitted, comment=""))
        w.audit(AuditAction.hall_apply, "hall_application", app.number, item=item.code, files=count)
        for acceptor in holders(w.session, app.department_id, StaffRole.acceptor):
            notify(w.session, acceptor, "hall.new_application", f"New application {app.number}: {item.name_en}",
                   number=app.number)
        w.commit()
    return application_out(w.session, user, app, now)


@dataclass(frozen=True)
class Chosen:
    """An application form's files: chosen now, by material position (``labelled``) or not
    (``others``), and kept from a refused try (``uploads.hold`` tokens, the same two ways)."""

    labelled: dict[int, Files] = field(default_factory=dict)
    others: Files = field(default_factory=list)
    kept_labelled: dict[int, list[str]] = field(default_factory=dict)
    kept_others: list[str] = field(default_factory=list)

    def count(self) -> int:
        return (sum(map(len, self.labelled.values())) + len(self.others)
                + sum(map(len, self.kept_labelled.values())) + len(self.kept_others))


@dataclass(frozen=True)
class HeldFiles:
    """What a refused form keeps for the corrected one, by material position and not, and the
    names of the files it could not keep (refused themselves, or beyond what is kept)."""

    labelled: dict[int, list[uploads.Held]]
    others: list[uploads.Held]
    dropped: list[str]


@dataclass(frozen=True)
class Refused:
    """A form refused for what its sender can put right, and the files kept for the corrected one."""

    error: IPCommonsError
    held: HeldFiles


def apply_form(w: Writer, settings: Settings, body: ApplyIn, chosen: Chosen,
               now: datetime | None = None) -> ApplicationOut | Refused:
    """``apply`` from the portal's form: the files kept from a refused try go with the ones chosen
    now. Refused for what the form can put right (InvalidInput, Conflict), the chosen files are kept
    (a browser never shows a chosen file again); no such item, or no right to apply, is raised."""
    if chosen.count() > uploads.MAX_FILES:  # maybe copies, which are kept once: dropped before counting
        chosen = _chosen_once(settings, w.actor.id, chosen)
    _at_most_max_files(chosen.count())  # before any kept file is opened
    try:
        with ExitStack() as stack:
            def reopened(tokens: list[str]) -> Files:
                kept = [uploads.held(settings, w.actor.id, t) for t in tokens]
                return [(k.filename, stack.enter_context(uploads.open_held(settings, w.actor.id, k))) for k in kept]

            positions = set(chosen.labelled) | set(chosen.kept_labelled)
            labelled = {i: chosen.labelled.get(i, []) + reopened(chosen.kept_labelled.get(i, [])) for i in positions}
            return apply(w, settings, body, chosen.others + reopened(chosen.kept_others), now, labelled)
    except (InvalidInput, Conflict) as exc:
        w.session.rollback()
        return Refused(exc, _hold(w, settings, get_item(w.session, body.item), chosen))


def _chosen_once(settings: Settings, user_id: int, chosen: Chosen) -> Chosen:
    """``chosen`` less the copies ``apply`` would keep once: a file with the bytes of an earlier one
    for the same material (or among the others), whether chosen now or kept from a refused try. A
    kept file is known by the hash its token signs, so none is opened (a token that is not good is
    left for ``apply`` to refuse by name)."""
    def once(files: Files, tokens: list[str]) -> tuple[Files, list[str]]:
        seen: set[str] = set()
        new = _distinct(files, seen)
        kept: list[str] = []
        for token in tokens:
            try:
                sha256 = uploads.held(settings, user_id, token).sha256
            except InvalidInput:
                sha256 = token  # refused when reopened; the same bad token twice is one refusal
            if sha256 not in seen:
                seen.add(sha256)
                kept.append(token)
        return new, kept

    labelled: dict[int, Files] = {}
    kept_labelled: dict[int, list[str]] = {}
    for i in set(chosen.labelled) | set(chosen.kept_labelled):
        labelled[i], kept_labelled[i] = once(chosen.labelled.get(i, []), chosen.kept_labelled.get(i, []))
    others, kept_others = once(chosen.others, chosen.kept_others)
    return Chosen(labelled=labelled, others=others, kept_labelled=kept_labelled, kept_others=kept_others)


def _hold(w: Writer, settings: Settings, item: ServiceItem, chosen: Chosen) -> HeldFiles:
    """The files of a refused form, kept: tokens still good as they are, new files stored apart, at
    most ``MAX_FILES`` and ``HELD_MAX_BYTES`` of new files in all, within what the applicant may
    still keep (``HELD_PER_PERSON_BYTES``); what is not kept is named."""
    room = uploads.HELD_PER_PERSON_BYTES - uploads.held_bytes(settings, w.actor.id)
    budget = {"files": uploads.MAX_FILES, "bytes": max(0, min(uploads.HELD_MAX_BYTES, room))}
    dropped: list[str] = []

    def keep(files: Files, tokens: list[str]) -> list[uploads.Held]:
        kept: list[uploads.Held] = []
        for token in tokens[:budget["files"]]:
            with suppress(InvalidInput):  # expired or forged: said by the refusal, or simply gone
                kept.append(uploads.held(settings, w.actor.id, token))
        for filename, stream in files:
            stream.seek(0)  # the refused apply may have read it
            held = None
            if len(kept) < budget["files"]:
                with suppress(InvalidInput):  # a program, empty, or larger than what is still kept
                    held = uploads.hold(settings, w.actor.id, filename, stream, budget["bytes"])
            if held is None:
                dropped.append(uploads.clean_name(filename))
            else:
                kept.append(held)
                budget["bytes"] -= held.size
        budget["files"] -= len(kept)
        return kept

    positions = sorted(set(chosen.labelled) | set(chosen.kept_labelled))
    held = HeldFiles({i: keep(chosen.labelled.get(i, []), chosen.kept_labelled.get(i, [])) for i in positions},
                     keep(chosen.others, chosen.kept_others), dropped)
    stored = sum(len(files) for files in chosen.labelled.values()) + len(chosen.others) - len(dropped)
    if stored:
        w.audit(AuditAction.hall_files_hold, "hall_item", item.code, files=stored)
        w.commit()
    return held


def forget_held_files(w: Writer, settings: Settings) -> int:
    """Remove the files kept from refused forms once older than ``uploads.FORGET_HELD_AFTER``; how many."""
    removed = uploads.forget_held(settings)
    if removed:
        w.audit(AuditAction.hall_files_forget, "hall_files", "held", files=removed)
        w.commit()
    return removed


# --- acting on an application --------------------------------------------------------------------

@contextmanager
def writing(w: Writer, number: str) -> Iterator[None]:
    """A write on one application: any failure rolls back (releasing the row lock) and a stale
    version (someone else's write won) is a ``Conflict``."""
    try:
        yield
    except StaleDataError as exc:
        w.session.rollback()
        raise Conflict.said("application %(number)s was changed by someone else: reload it", number=number) from exc
    except BaseException:
        w.session.rollback()
        raise


def locked(session: Session, user: User, number: str) -> Application:
    """The application, locked for this transaction (PostgreSQL), read afresh from the database."""
    app = session.scalars(select(Application).where(Application.number == number).with_for_update()
                          .execution_options(populate_existing=True)).one_or_none()
    if app is None or not visible(session, user, app):
        raise NotFound.said("no application %(number)s", number=number)
    return app


def _as_seen(app: Application, version: int | None) -> None:
    """409 unless the application is still at ``version``, the one its form was shown at (None: unchecked)."""
    if version is not None and version != app.version:
        raise Conflict.said("application %(number)s changed since you saw it: reload it", number=app.number)


def _require(session: Session, user: User, app: Application, body: ActionIn, now: datetime) -> None:
    """409 when the status does not allow the action (or its time has passed), 403 when the caller
    may not take it."""
    _as_seen(app, body.version)
    # the action named as it is at this step (不予受理, not 驳回); the API's detail keeps its own name
    action = WordedTerm(body.action.value, workflow.action_term(body.action, app.status))
    if body.action not in workflow.allowed(app):
        raise Conflict.said("application %(number)s is %(status)s: %(action)s is not possible now",
                            number=app.number, status=Term(app.status.value), action=action)
    if not may_act(session, user, app, body.action):
        if body.action not in APPLICANT_ACTIONS and (earlier := barred_by(session, user, app)) is not None:
            raise PermissionDenied.said(
                "you may not %(action)s application %(number)s: you took its %(earlier)s step, and the department "
                "separates duties", action=action, earlier=Term(earlier.value), number=app.number)
        raise PermissionDenied.said("you may not %(action)s application %(number)s", action=action, number=app.number)
    if body.action is Action.supply and (ended := lapsing.ended(app, now)) is not None:
        raise lapsing.too_late(app, ended)
    if body.action in NEEDS_COMMENT and not body.comment.strip():
        raise InvalidInput.said("say why (%(action)s needs a comment)", action=action).about("comment")
    if _upholds_mediation(session, app, body) and not is_admin(user):
        raise PermissionDenied("an upheld mediation enters the agency's integrity record: an admin approves it")
    if _decides_registration(session, app, body) and not is_staff(user):
        raise PermissionDenied("the decision is the registry's review: a moderator approves or refuses it")


def _upholds_mediation(session: Session, app: Application, body: ActionIn) -> bool:
    item = session.get(ServiceItem, app.item_id)
    return bool(item and item.kind is ItemKind.agency_mediation and body.action is Action.approve and body.upheld)


def _decides_registration(session: Session, app: Application, body: ActionIn) -> bool:
    """Approving or refusing a copyright-review application decides the registry's review."""
    item = session.get(ServiceItem, app.item_id)
    return bool(item and item.kind is ItemKind.copyright_review and app.status is Status.approving
                and body.action in (Action.approve, Action.reject))


def _decide_registration(w: Writer, settings: Settings | None, app: Application, body: ActionIn) -> None:
    """The registry's review decided with the approver's word (the registry audits and commits it)."""
    from copyright.schemas import DecisionIn
    from copyright.service import review

    if settings is None:
        raise InvalidInput("the registry's review needs the platform's settings")
    # the registry's note is public (the registration's review): a refusal's reasons, never an approval's comment
    said = body.result or (body.comment if body.action is Action.reject else "")
    note = (said or "decided in the service hall").strip()
    review(w, settings, app.form["registration"], DecisionIn(approve=body.action is Action.approve,
                                                             note=f"{note} (service hall {app.number})"))


def _run_clocks(w: Writer, app: Application, item: ServiceItem, action: Action, before: Status,
                now: datetime) -> None:
    """Pause, resume, move on to the next step or stop, as the transition says."""
    clock.pause(app, now)
    app.supply_due_at = lapsing.supply_due(item, now) if app.status is Status.materials else None
    if app.status is Status.materials:
        app.paused_from = before
    elif action is Action.supply:
        app.paused_from = None
        clock.resume(app, item, now, warnings.fired(w.session, app))
    elif app.status in FINAL:
        clock.finish(app, now)
        warnings.close_cards(w.session, app, now)
    else:
        warnings.close_cards(w.session, app, now)
        app.assignee_id = last_actor(w.session, app, Action.handle) if action is Action.send_back else None
        clock.start_step(app, item, STEP_OF[app.status], now, set())


def _tell_applicant(w: Writer, app: Application, action: Action, comment: str) -> None:
    """Each step reaches the applicant's inbox (and mail); a finished one with its result."""
    if w.actor.id == app.applicant_id:
        return
    kind = lapsing.ASKED if action is Action.request_materials else "hall.status"
    said = "" if action in workflow.INTERNAL_COMMENTS else comment[:500]
    notify(w.session, app.applicant_id, kind, f"Application {app.number}: {app.status.value}", number=app.number,
           status=app.status.value, comment=said, result=(app.result or "")[:2000],
           due=iso(app.supply_due_at))


def _record_upheld(w: Writer, app: Application, body: ActionIn, now: datetime) -> None:
    """An upheld mediation adds a complaint_upheld integrity record to the agency (and commits)."""
    from community.agencies.models import RecordKind
    from community.agencies.schemas import RecordIn
    from community.agencies.service import add_integrity_record

    text = (body.result or "complaint upheld through mediation").strip()  # public: the comment is the office's own
    add_integrity_record(w, int(app.form["agency_id"]), RecordIn(
        kind=RecordKind.complaint_upheld, points=5.0, description=text if len(text) >= 3 else "complaint upheld",
        source=f"service hall {app.number}", occurred_on=now.astimezone(BEIJING).date()))


def act(w: Writer, number: str, body: ActionIn, now: datetime | None = None,
        settings: Settings | None = None, files: Files | None = None) -> ApplicationOut:
    """Take ``body.action`` on the application: one transition, one trail event, one audit record."""
    now = now or utcnow()
    if files:  # read before the application's row is locked; the same bytes twice are kept once: counted once
        files = _distinct(files)
        _at_most_max_files(len(files))
    with writing(w, number):
        app = locked(w.session, w.actor, number)
        _require(w.session, w.actor, app, body, now)
        item = w.session.get(ServiceItem, app.item_id)
        assert item is not None
        warnings.check(w, app, now)  # a step that ran late keeps its cards, even when it ends now
        decides = _decides_registration(w.session, app, body)
        before, after = workflow.fire(app, body.action)
        _run_clocks(w, app, item, body.action, before, now)
        if body.action in (Action.approve, Action.reject):
            # a refusal's reasons are its result; an approval's comment is the office's own opinion
            app.result = body.result or (body.comment if body.action is Action.reject else "") or None
            app.upheld = body.upheld if item.kind is ItemKind.agency_mediation else None
        if files and settings is not None:
            _keep_files(w, settings, app, files, app.step_no)
        w.session.add(Event(application_id=app.id, at=now, actor_id=w.actor.id, action=body.action.value,
                            from_status=before, to_status=after, comment=body.comment.strip(),
                            due_at=app.supply_due_at if body.action is Action.request_materials else None))
        warnings.check(w, app, now)
        _tell_applicant(w, app, body.action, body.comment)
        w.audit(AuditAction.hall_transition, "hall_application", app.number, event=body.action.value,
                from_status=before.value, to_status=after.value,
                **({"supply_due_at": iso(app.supply_due_at)} if app.supply_due_at else {}))
        w.session.flush()
        if _upholds_mediation(w.session, app, body):
            _record_upheld(w, app, body, now)
        if decides:
            _decide_registration(w, settings, app, body)
        w.commit()
    return application_out(w.session, w.actor, app, now)


def supply(w: Writer, settings: Settings, number: str, comment: str, files: Files,
           now: datetime | None = None) -> ApplicationOut:
    """补正: the applicant sends the missing materials; the clock runs on from where it stopped."""
    if not files and not comment.strip():
        raise InvalidInput("send the missing materials (or say what you supply)")
    return act(w, number, ActionIn(action=Action.supply, comment=comment), now, settings, files)


def assign(w: Writer, number: str, body: AssignIn, now: datetime | None = None) -> ApplicationOut:
    """The department head (or an admin) gives the current step to someone holding its role."""
    now = now or utcnow()
    with writing(w, number):
        app = locked(w.session, w.actor, number)
        if StaffRole.head not in roles_of(w.session, w.actor, app.department_id) and not is_admin(w.actor):
            raise PermissionDenied("only the department's head assigns its work")
        status = app.paused_from if app.status is Status.materials else app.status
        role = ROLE_FOR_STATUS.get(status) if status else None
        if role is None:
            raise Conflict.said("application %(number)s is %(status)s: nothing to assign", number=number,
                                status=Term(app.status.value))
        if body.assignee_id is not None and role not in roles_of(w.session, w.session.get(User, body.assignee_id),
                                                                 app.department_id):
            raise InvalidInput.said("that person is not %(role)s in this department", role=Term(role.value))
        if (earlier := earlier_step_of(w.session, body.assignee_id, app)) is not None:
            raise InvalidInput.said("that person took the %(earlier)s step of this application: the department "
                                    "separates duties", earlier=Term(earlier.value))
        app.assignee_id = body.assignee_id
        w.session.add(Event(application_id=app.id, at=now, actor_id=w.actor.id, action=workflow.Entry.assign,
                            from_status=app.status, to_status=app.status, comment=body.comment.strip()))
        if body.assignee_id is not None:
            notify(w.session, body.assignee_id, "hall.assigned", f"Application {number} is yours", number=number)
        w.audit(AuditAction.hall_assign, "hall_application", number, assignee_id=body.assignee_id)
        w.commit()
    return application_out(w.session, w.actor, app, now)


def extend_supply(w: Writer, number: str, body: SupplyLimitIn, now: datetime | None = None) -> ApplicationOut:
    """延长补正期限: the department's head, or the officer of the step that asked for the materials,
    gives the applicant until the end of ``body.last_day`` to supply them. An office's act, as the
    steps are: a site admin without a role in the department does not take it (``access``)."""
    now = now or utcnow()
    with writing(w, number):
        app = locked(w.session, w.actor, number)
        _as_seen(app, body.version)
        if app.status is not Status.materials:
            raise Conflict.said("application %(number)s is %(status)s: it waits for no materials", number=number,
                                status=Term(app.status.value))
        if not may_extend_supply(w.session, w.actor, app):
            raise PermissionDenied.said("you may not give the applicant of application %(number)s more time: the "
                                        "department's head or the officer of the step that asked for the materials "
                                        "does", number=number)
        lapsing.extend(w, app, body.last_day, body.comment, now)
        w.commit()
    return application_out(w.session, w.actor, app, now)


def rate(w: Writer, number: str, body: RateIn, now: datetime | None = None) -> ApplicationOut:
    """After completion the applicant rates the service once."""
    now = now or utcnow()
    with writing(w, number):
        app = locked(w.session, w.actor, number)
        if w.actor.id != app.applicant_id:
            raise PermissionDenied("only the applicant rates the service")
        if app.status not in (Status.completed, Status.rejected):
            raise Conflict.said("application %(number)s is not finished yet", number=number)
        if app.satisfaction is not None:
            raise Conflict.said("application %(number)s is already rated", number=number)
        app.satisfaction, app.rating_comment, app.rated_at = body.satisfaction, body.comment.strip() or None, now
        w.audit(AuditAction.hall_rate, "hall_application", number, satisfaction=body.satisfaction.value)
        w.commit()
    return application_out(w.session, w.actor, app, now)


def sweep(w: Writer, now: datetime | None = None) -> SweepOut:
    """Celery beat's run: deadlines the calendar can now make official, applications whose time to
    supply materials has passed, then every card now due."""
    now = now or utcnow()
    rescheduling.sweep(w, now)
    lapsed = lapsing.sweep(w, now)
    return warnings.sweep(w, now).model_copy(update={"lapsed": lapsed})
