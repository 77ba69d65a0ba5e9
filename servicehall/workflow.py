"""The handling flow as a state machine (python-statemachine): 申请 apply → 受理 accept → 承办 handle
→ 审核 review → 批准 approve → 办结 completed, with 补正 (request and supply materials), send back,
reject and withdraw. The machine decides which action a status allows; ``ACTORS`` decides who may
take it. Both are checked before anything changes."""

from __future__ import annotations

import enum

from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed

from core.errors import Conflict
from core.i18n import Term
from servicehall.models import Application, StaffRole, Status


class Action(enum.StrEnum):
    """In the order a step's buttons are offered: the one moving the application on comes first
    at every step, where staff look for it, and rejecting comes last."""

    accept = "accept"  # 受理
    handle = "handle"  # 承办: the handler's proposal goes to review
    review = "review"  # 审核: passed on for approval
    approve = "approve"  # 批准 → 办结
    supply = "supply"  # 补正
    request_materials = "request_materials"  # 补正通知
    send_back = "send_back"  # back to the handler
    reject = "reject"  # 不予受理 / 不予批准
    withdraw = "withdraw"  # 撤回


# who may take each action: the applicant, or the department role of the current step
STAFF_ACTIONS = {Action.accept, Action.request_materials, Action.handle, Action.review, Action.send_back,
                 Action.approve, Action.reject}
APPLICANT_ACTIONS = {Action.supply, Action.withdraw}
NEEDS_COMMENT = {Action.request_materials, Action.send_back, Action.reject}


class Entry(enum.StrEnum):
    """What the trail (``hall_events.action``) records besides the flow's actions."""

    apply = "apply"  # 申请: the application itself
    assign = "assign"  # a head giving a step to someone (not a transition)
    reschedule = "reschedule"  # the platform moving time limits when a holiday schedule changed
    lapse = "lapse"  # the platform withdrawing an application whose materials came too late (视为撤回)
    supply_limit = "supply_limit"  # the platform setting the time to supply materials, or moving it later
    extend_supply = "extend_supply"  # the office giving the applicant more time to supply them (延长补正期限)


TrailAction = Action | Entry
# The office's own opinions (内部意见) stay within it: the handler's proposal, the review and the
# approval, a send-back and an assignment. The applicant is shown the comments addressed to them:
# acceptance, a request for materials, a refusal (with its reasons), and their own. (A StrEnum is
# its value: a trail row's stored action string is looked up here as it is.)
INTERNAL_COMMENTS: frozenset[TrailAction] = frozenset({Action.handle, Action.review, Action.approve, Action.send_back,
                                                       Entry.assign})
# Internal routing the applicant's trail does not list, not even as an entry without its comment: a
# head giving a step to a named officer, or back to the pool. Their trail says what is done with their
# application (accepted, materials asked for, handled, decided); the page names who handles it now.
HIDDEN_FROM_APPLICANT: frozenset[TrailAction] = frozenset({Entry.assign})


class HandlingFlow(StateMachine):
    submitted = State(value=Status.submitted, initial=True)
    materials = State(value=Status.materials)
    handling = State(value=Status.handling)
    reviewing = State(value=Status.reviewing)
    approving = State(value=Status.approving)
    completed = State(value=Status.completed, final=True)
    rejected = State(value=Status.rejected, final=True)
    withdrawn = State(value=Status.withdrawn, final=True)

    accept = submitted.to(handling)
    request_materials = submitted.to(materials) | handling.to(materials)
    supply = (materials.to(submitted, cond="paused_at_acceptance")
              | materials.to(handling, unless="paused_at_acceptance"))
    handle = handling.to(reviewing)
    review = reviewing.to(approving)
    send_back = reviewing.to(handling) | approving.to(handling)
    approve = approving.to(completed)
    reject = submitted.to(rejected) | approving.to(rejected)
    withdraw = (submitted.to(withdrawn) | materials.to(withdrawn) | handling.to(withdrawn)
                | reviewing.to(withdrawn) | approving.to(withdrawn))

    def paused_at_acceptance(self) -> bool:
        return bool(self.model.paused_from is Status.submitted)


def action_term(action: Action, status: Status) -> str:
    """What an action is called where it is taken: rejecting is 不予受理 at acceptance and 不予批准
    at approval (one word, 驳回, left staff unsure which result box went with it)."""
    if action is Action.reject:
        return "reject_at_acceptance" if status is Status.submitted else "reject_at_approval"
    return action.value


def allowed(app: Application) -> set[Action]:
    """The actions the application's status allows (whoever takes them)."""
    flow = HandlingFlow(model=app, state_field="status")
    return {Action(e.id) for e in flow.allowed_events}


def fire(app: Application, action: Action) -> tuple[Status, Status]:
    """Move ``app`` along ``action``; ``Conflict`` (and ``app`` unchanged) if its status does not allow it."""
    before = app.status
    flow = HandlingFlow(model=app, state_field="status")
    try:
        flow.send(action.value)
    except TransitionNotAllowed as exc:
        raise Conflict.said("application %(number)s is %(status)s: %(action)s is not possible now",
                            number=app.number, status=Term(before.value), action=Term(action.value)) from exc
    return before, Status(app.status)


ROLE_FOR_STATUS = {Status.submitted: StaffRole.acceptor, Status.handling: StaffRole.handler,
                   Status.reviewing: StaffRole.reviewer, Status.approving: StaffRole.approver}
