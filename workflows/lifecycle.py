"""What a dossier's process does to the dossier, as its model says.

When an element of the model completes, its `spiffworkflow:properties` say what follows, in this
order:
- `dossier_status`: the portal status code (1-10) the dossier moves to; only a valid transition
  (`statuses.TRANSITIONS`) is possible, else the whole step is refused. Moving to 5 or 6 stops
  the statutory clock, leaving it restarts or resumes it; moving an online dossier to 2 receives
  it (the clock starts); 10 records the return.
- `dossier_fields`: data names copied onto the dossier (how and to whom the result went).
- `dossier_data`: data names (comma-separated) copied into the dossier's data, which the dossier
  page shows (e.g. the fee a decision table computed).
- `dossier_notice`: a written notice made from the task's data: a supplement request (form 02),
  a refusal (03), an apology with a new return date (04), a withdrawal.
- `issue_result`: a result kind (workflows.result_kinds): the result is issued as a signed PDF with
  its verification QR code (workflows.results) and kept in the applicant's store.
- `payment_request`: the applicant is asked to pay a fee (workflows/payments.py): the data name that
  holds the amount (e.g. `le_phi`, from a decision table), or `procedure_fee` for the procedure's fee.
- `notification`: a notification kind; the applicant (or the officers) are told through the
  outbox, in the same transaction.

A dossier always resolves: when its process ends and its model left it in no end status (refused,
stopped, processed, returned), it becomes processed (9), resolved early, on time or late.
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit, instances
from engine.calendar_store import load_calendar
from engine.clock import utcnow
from engine.instances import CompletedElement, StepResult
from workflows import notifications, outcomes, statuses
from workflows.errors import Conflict, InvalidInput, SupplementLimitReached, TransitionRefused
from workflows.models import Dossier, DossierNotice

NOTICE_PROPERTY = "dossier_notice"
FIELDS_PROPERTY = "dossier_fields"
DATA_PROPERTY = "dossier_data"
NOTIFICATION_PROPERTY = "notification"
RESULT_PROPERTY = "issue_result"
PAYMENT_PROPERTY = "payment_request"
NOTICE_KINDS = ("supplement_request", "refusal", "apology", "withdrawal")
RECORDED_FIELDS = ("return_method", "receiver_name", "postal_tracking_number")
WITHDRAWAL_MESSAGE = "withdrawal_requested"
RETURNED_NOTIFICATION = "result_returned"
WITHDRAWABLE = frozenset({statuses.NEWLY_REGISTERED, statuses.RECEIVED, statuses.IN_PROGRESS,
                          statuses.SUPPLEMENT_REQUESTED, statuses.FINANCIAL_OBLIGATION_REQUESTED})


def has_effects(completed: list[CompletedElement]) -> bool:
    """Whether `apply_model_effects` would do anything for these elements (so their dossier is wanted)."""
    return any(properties.get(statuses.STATUS_PROPERTY) is not None
               or any(properties.get(name) for name in (FIELDS_PROPERTY, DATA_PROPERTY, NOTICE_PROPERTY,
                                                       RESULT_PROPERTY, NOTIFICATION_PROPERTY, PAYMENT_PROPERTY))
               for properties in (element.properties for element in completed))


def apply_model_effects(session: Session, dossier: Dossier, step: StepResult, *, actor: str) -> None:
    """Apply, in order, what the step's completed elements' properties say (see the module's docstring).

    Called as the engine step's `effects`, before the step is saved: a due date the clock moves is
    given to the step, which recomputes the timers counting from it in the same save.
    """
    for element in step.completed:
        properties = element.properties
        raw_status = properties.get(statuses.STATUS_PROPERTY)
        if raw_status is not None:
            _move_status(session, dossier, int(raw_status), element, step, actor=actor)
        if properties.get(FIELDS_PROPERTY):
            _record_fields(dossier, properties[FIELDS_PROPERTY], element.data)
        if properties.get(DATA_PROPERTY):
            _record_data(dossier, properties[DATA_PROPERTY], element.data)
        if properties.get(NOTICE_PROPERTY):
            _make_notice(session, dossier, properties[NOTICE_PROPERTY], element, actor=actor)
        if properties.get(RESULT_PROPERTY):
            from workflows import results  # imported here: results reads dossiers, which imports this module

            results.issue(session, dossier, properties[RESULT_PROPERTY].strip(), actor=actor, element=element.bpmn_id)
        if properties.get(PAYMENT_PROPERTY) or raw_status is not None:
            from workflows import payments  # imported here: payments sends messages through this module

            payments.apply_element(session, dossier, element, actor=actor)
        if properties.get(NOTIFICATION_PROPERTY):
            notifications.enqueue(session, dossier, properties[NOTIFICATION_PROPERTY], actor=actor,
                                  element=element.bpmn_id)
    if step.finished and not step.terminated and dossier.status not in statuses.END_STATUSES:
        _resolve_at_end(session, dossier, step, actor=actor)


def effects_on(session: Session, dossier: Dossier, *, actor: str):
    """The `effects` of an engine step of `dossier`'s instance: what its model says to the dossier."""
    return lambda step: apply_model_effects(session, dossier, step, actor=actor)


def request_withdrawal(session: Session, dossier: Dossier, *, actor: str, reason: str) -> Dossier:
    """The applicant asks to withdraw the dossier: the model's withdrawal message catches it."""
    if dossier.status not in WITHDRAWABLE or dossier.instance_id is None:
        raise Conflict(f"Dossier '{dossier.code}' can no longer be withdrawn (status {dossier.status}: "
                       f"{statuses.label(dossier.status, 'en')}).", dossier_code=dossier.code, status=dossier.status)
    audit.record(session, actor=actor, action="dossier.withdrawal_requested", instance_id=dossier.instance_id,
                 subject=dossier.code, data={"reason": reason})
    instances.send_message(session, dossier.instance_id, WITHDRAWAL_MESSAGE, actor=actor,
                           payload={"withdrawal_reason": reason}, effects=effects_on(session, dossier, actor=actor))
    return dossier


def return_result(session: Session, dossier: Dossier, *, actor: str, return_method: str, receiver_name: str = "",
                  postal_tracking_number: str = "") -> Dossier:
    """The desk returns the result of a dossier whose process ended leaving it processed (9): nothing
    in its model returns it. A dossier whose process is still running is returned by its own task."""
    ended = dossier.instance is not None and dossier.instance.status == "completed"
    if dossier.status != statuses.PROCESSED or not ended:
        raise Conflict(f"Dossier '{dossier.code}' is not a processed dossier whose process has ended "
                       f"(status {dossier.status}); its result is returned by the task its model gives the desk.",
                       dossier_code=dossier.code, status=dossier.status)
    if return_method == "post" and not postal_tracking_number.strip():
        raise InvalidInput("A result sent by post needs its postal tracking number.", field="postal_tracking_number")
    now = utcnow()
    audit.record(session, actor=actor, action="dossier.status_changed", instance_id=dossier.instance_id,
                 subject=dossier.code, at=now,
                 data={"from": dossier.status, "to": statuses.RESULT_RETURNED, "element": None,
                       "reason": "returned_by_the_desk"})
    _record_fields(dossier, ",".join(RECORDED_FIELDS), {"return_method": return_method, "receiver_name": receiver_name,
                                                        "postal_tracking_number": postal_tracking_number})
    dossier.status = statuses.RESULT_RETURNED
    dossier.status_changed_at = dossier.returned_at = now
    notifications.enqueue(session, dossier, RETURNED_NOTIFICATION, actor=actor)
    return dossier


def record_postal_delivery(session: Session, dossier: Dossier, *, status: str, at, note: str, actor: str) -> Dossier:
    """The postal service reports what became of a result sent by post (delivered, or returned)."""
    if dossier.return_method != "post" or dossier.status != statuses.RESULT_RETURNED:
        raise Conflict(f"Dossier '{dossier.code}' has no result sent by post.", dossier_code=dossier.code)
    audit.record(session, actor=actor, action="dossier.postal_delivery", instance_id=dossier.instance_id,
                 subject=dossier.code, data={"status": status, "at": at.isoformat(), "note": note,
                                             "postal_tracking_number": dossier.postal_tracking_number})
    return dossier


def notices_of(session: Session, dossier: Dossier, kind: str | None = None) -> list[DossierNotice]:
    query = select(DossierNotice).where(DossierNotice.dossier_id == dossier.id)
    if kind is not None:
        query = query.where(DossierNotice.kind == kind)
    return list(session.scalars(query.order_by(DossierNotice.created_at, DossierNotice.id)))


def _move_status(session: Session, dossier: Dossier, new: int, element: CompletedElement, step: StepResult, *,
                 actor: str) -> None:
    old = dossier.status
    if new == old:
        return
    if not statuses.can_move(old, new):
        raise TransitionRefused(
            f"Dossier '{dossier.code}' is '{statuses.label(old, 'en')}' ({old}) and cannot become "
            f"'{statuses.label(new, 'en')}' ({new}) at '{element.name}'.",
            dossier_code=dossier.code, element=element.bpmn_id, from_status=old, to_status=new,
            from_label=statuses.label(old), to_label=statuses.label(new))
    _set_status(session, dossier, new, step, actor=actor,
                audit_data={"element": element.bpmn_id, "element_name": element.name}, element=element)


def stop(session: Session, dossier: Dossier, step: StepResult, *, actor: str, ground: str) -> None:
    """The dossier's processing is stopped (8) from outside its model (workflows.stopping), in the
    step that terminates its process. A clock stopped for the applicant stays where it stood."""
    dossier.clock_paused_at = None
    _set_status(session, dossier, statuses.PROCESSING_STOPPED, step, actor=actor,
                audit_data={"element": None, "reason": "processing_stopped", "ground": ground})


def _resolve_at_end(session: Session, dossier: Dossier, step: StepResult, *, actor: str) -> None:
    """The process ended and its model set no end status: the dossier is processed (9), whatever
    status it was left in, so that it is resolved, returned by the desk and counted."""
    _set_status(session, dossier, statuses.PROCESSED, step, actor=actor,
                audit_data={"element": None, "reason": "process_ended"})


def _set_status(session: Session, dossier: Dossier, new: int, step: StepResult, *, actor: str, audit_data: dict,
                element: CompletedElement | None = None) -> None:
    old = dossier.status
    if new == statuses.SUPPLEMENT_REQUESTED:
        limit = dossier.procedure.max_supplement_requests
        if dossier.supplement_requests >= limit:
            raise SupplementLimitReached(
                f"Dossier '{dossier.code}' was already asked for a supplement {dossier.supplement_requests} "
                f"time(s); the procedure allows {limit}.", dossier_code=dossier.code,
                element=element.bpmn_id if element else None, count=dossier.supplement_requests, limit=limit)
        dossier.supplement_requests += 1
    now = utcnow()
    audit.record(session, actor=actor, action="dossier.status_changed", instance_id=dossier.instance_id,
                 subject=dossier.code, at=now, data={"from": old, "to": new, **audit_data})
    _move_clock(session, dossier, new, step, actor=actor)
    dossier.status = new
    dossier.status_changed_at = now
    if new == statuses.RECEIVED and dossier.received_at is None:
        _receive(session, dossier, step, actor=actor)
    if new == statuses.RESULT_RETURNED:
        dossier.returned_at = now
    _record_progress(session, dossier)


def _receive(session: Session, dossier: Dossier, step: StepResult, *, actor: str) -> None:
    """An online dossier accepted at the desk: from now on it is received and its clock runs."""
    now = dossier.status_changed_at
    period = dossier.deadline_policy["processing_time"]
    dossier.received_at = now
    dossier.due_at = load_calendar(session).due_at(now, period["value"], period["unit"])
    step.move_due_at(dossier.due_at)
    audit.record(session, actor=actor, action="dossier.received", instance_id=dossier.instance_id,
                 subject=dossier.code, at=now, data={"channel": dossier.channel, "due_at": dossier.due_at.isoformat()})


def _record_progress(session: Session, dossier: Dossier) -> None:
    """When a dossier first goes to a division, and when it is resolved, early, on time or late."""
    now = dossier.status_changed_at
    if dossier.status == statuses.IN_PROGRESS and dossier.handed_over_at is None:
        dossier.handed_over_at = now
    resolved = dossier.status in statuses.RESOLVED or (
        dossier.status == statuses.NOT_RECEIVED and dossier.handed_over_at is not None)
    if resolved and dossier.resolved_at is None:
        dossier.resolved_at = now
        if dossier.due_at is not None:
            zone = load_calendar(session).settings.timezone
            dossier.outcome = outcomes.classify(now, dossier.due_at, zone)


def _move_clock(session: Session, dossier: Dossier, new_status: int, step: StepResult, *, actor: str) -> None:
    """While the applicant owes something (statuses 5, 6) the statutory clock stops; before an
    online dossier is accepted it has not started.

    On resuming, the due date moves by the working time the dossier waited ("pause"), or the
    whole period starts again from now ("restart"), as the procedure's policy at receipt says.
    """
    if dossier.received_at is None:  # an online dossier not yet accepted: no clock runs
        return
    waiting_before = clock_stopped_in(dossier.status, dossier.deadline_policy or {})
    waiting_after = clock_stopped_in(new_status, dossier.deadline_policy or {})
    now = utcnow()
    if waiting_after and not waiting_before:
        dossier.clock_paused_at = now
        return
    if not (waiting_before and not waiting_after) or dossier.clock_paused_at is None or dossier.due_at is None:
        return
    calendar = load_calendar(session)
    policy = dossier.deadline_policy or {}
    old_due = dossier.due_at
    if policy.get("clock_on_wait") == "restart":
        period = policy["processing_time"]
        dossier.due_at = calendar.due_at(now, period["value"], period["unit"])
    else:
        waited = calendar.working_time_between(dossier.clock_paused_at, now)
        dossier.due_at = calendar.add_working_hours(old_due, waited.total_seconds() / 3600) if waited else old_due
    step.move_due_at(dossier.due_at)
    audit.record(session, actor=actor, action="dossier.due_date_moved", instance_id=dossier.instance_id,
                 subject=dossier.code,
                 data={"from": old_due.isoformat(), "to": dossier.due_at.isoformat(),
                       "clock_on_wait": policy.get("clock_on_wait", "pause"),
                       "stopped_at": dossier.clock_paused_at.isoformat()})
    dossier.clock_paused_at = None


def clock_stopped_in(status: int, policy: dict) -> bool:
    """Whether the statutory clock stops in `status`: while a supplement or a payment is awaited, except a
    payment under a procedure whose clock runs while its fee is paid (`clock_while_paying` "run")."""
    if status == statuses.FINANCIAL_OBLIGATION_REQUESTED and policy.get("clock_while_paying") == "run":
        return False
    return status in statuses.CLOCK_STOPPED


def _record_fields(dossier: Dossier, names: str, data: dict) -> None:
    for name in (n.strip() for n in names.split(",")):
        if name in RECORDED_FIELDS and data.get(name) not in (None, ""):
            setattr(dossier, name, str(data[name])[:255])


def _record_data(dossier: Dossier, names: str, data: dict) -> None:
    """Copy the named values into the dossier's data (as JSON: a date or a decimal as its text)."""
    recorded = dict(dossier.data or {})
    for name in (n.strip() for n in names.split(",")):
        if name in data:
            recorded[name] = json.loads(json.dumps(data[name], default=str))
    dossier.data = recorded


def _make_notice(session: Session, dossier: Dossier, kind: str, element: CompletedElement, *, actor: str) -> None:
    data = element.data
    reason = str(data.get("reason") or "").strip()
    notice = DossierNotice(dossier_id=dossier.id, kind=kind, reason=reason, element=element.bpmn_id,
                           created_by=actor, created_at=utcnow(), documents=[])
    if kind == "supplement_request":
        notice.documents = [{"name": str(d.get("name", "")), "reason": str(d.get("reason", ""))}
                            for d in data.get("missing_documents") or [] if isinstance(d, dict)]
        if not notice.documents and not reason:
            raise InvalidInput("A supplement request must list the missing or faulty documents or give a reason.",
                               field="missing_documents", element=element.bpmn_id)
    elif kind == "refusal":
        if not reason:
            raise InvalidInput("A refusal must give its reason.", field="reason", element=element.bpmn_id)
    elif kind == "apology":
        notice.new_due_at = _new_return_date(session, dossier, data.get("new_due_date"), element)
        if not reason:
            raise InvalidInput("An apology must give the reason for the delay.", field="reason",
                               element=element.bpmn_id)
        dossier.appointment_at = notice.new_due_at
    elif kind == "withdrawal":
        notice.reason = reason or str(data.get("withdrawal_reason") or "").strip()
    else:
        raise InvalidInput(f"Unknown dossier_notice '{kind}'; known: {', '.join(NOTICE_KINDS)}.",
                           element=element.bpmn_id)
    session.add(notice)
    session.flush()
    audit.record(session, actor=actor, action=f"dossier.notice.{kind}", instance_id=dossier.instance_id,
                 subject=dossier.code,
                 data={"notice_id": notice.id, "reason": notice.reason, "documents": notice.documents,
                       "new_due_at": notice.new_due_at.isoformat() if notice.new_due_at else None})


def _new_return_date(session: Session, dossier: Dossier, raw, element: CompletedElement):
    """The apology's new return date: a working day after the original due day; the result is
    due by the close of that day."""
    try:
        day = date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidInput("new_due_date must be a date written YYYY-MM-DD.", field="new_due_date",
                           element=element.bpmn_id) from None
    calendar = load_calendar(session)
    if dossier.due_at is not None and day <= dossier.due_at.astimezone(calendar.zone).date():
        raise InvalidInput("The new return date must come after the original due date.", field="new_due_date",
                           due_date=dossier.due_at.astimezone(calendar.zone).date().isoformat())
    if not calendar.is_working_day(day):
        raise InvalidInput(f"{day.isoformat()} is not a working day.", field="new_due_date")
    return calendar.close_of(day)
