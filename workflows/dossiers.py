"""Dossiers: receiving one starts its procedure's process; the model's elements move its status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine import audit, instances
from engine.calendar_store import get_settings as get_calendar_settings
from engine.calendar_store import load_calendar
from engine.clock import utcnow
from engine.instances import CompletedElement
from engine.models import AuditEvent
from workflows import outcomes, statuses
from workflows.auth import Principal
from workflows.errors import InvalidInput, NotFound
from workflows.models import Dossier, DossierCounter, Procedure
from workflows.procedures import deadline_policy, get_procedure, lane_role_map

CHANNELS = ("in_person", "online", "post")
NOTIFICATION_PROPERTY = "notification"


@dataclass(frozen=True)
class Applicant:
    full_name: str
    id_number: str
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class DossierFilters:
    status: int | None = None
    procedure_code: str | None = None
    received_from: date | None = None
    received_to: date | None = None


def receive_dossier(
    session: Session,
    principal: Principal,
    *,
    procedure_code: str,
    channel: str,
    applicant: Applicant,
    data: dict,
    code_prefix: str,
) -> Dossier:
    """Record a dossier received at the desk and start its procedure's process."""
    procedure = get_procedure(session, procedure_code)
    if not procedure.active:
        raise InvalidInput(f"Procedure '{procedure_code}' is no longer accepted.", procedure_code=procedure_code)
    if channel not in CHANNELS:
        raise InvalidInput(f"The channel must be one of {', '.join(CHANNELS)}.", channel=channel)
    now = utcnow()
    calendar = load_calendar(session)
    policy = deadline_policy(procedure)
    period = policy["processing_time"]
    dossier = Dossier(
        code=_next_code(session, code_prefix, now, calendar.settings.timezone),
        procedure=procedure,
        applicant_name=applicant.full_name,
        applicant_id_number=applicant.id_number,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_address=applicant.address,
        channel=channel,
        received_at=now,
        status=statuses.RECEIVED,
        status_changed_at=now,
        received_by=principal.username,
        data=data,
        deadline_policy=policy,
        due_at=calendar.due_at(now, period["value"], period["unit"]),
    )
    session.add(dossier)
    session.flush()
    result = instances.start_instance(
        session, procedure.process_id, actor=principal.username, business_key=dossier.code,
        lane_roles=lane_role_map(session, procedure), step_allocations=policy["step_allocations"],
        due_at=dossier.due_at,
        data={**data, "dossier_code": dossier.code, "procedure_code": procedure.code, "channel": channel},
    )
    dossier.instance_id = result.instance.id
    audit.record(session, actor=principal.username, action="dossier.received", instance_id=dossier.instance_id,
                 subject=dossier.code, at=now,
                 data={"procedure_code": procedure.code, "channel": channel, "due_at": dossier.due_at.isoformat()})
    apply_model_effects(session, dossier, result.completed, actor=principal.username)
    return dossier


def apply_model_effects(session: Session, dossier: Dossier, completed: list[CompletedElement], *,
                        actor: str) -> None:
    """What the model's completed elements say about the dossier, in order.

    `dossier_status` moves the status (and with it the statutory clock); `notification` records
    that the applicant or an officer is to be told something (delivered by the notification outbox).
    """
    for element in completed:
        kind = element.properties.get(NOTIFICATION_PROPERTY)
        if kind:
            audit.record(session, actor=actor, action="dossier.notification", instance_id=dossier.instance_id,
                         subject=dossier.code, data={"kind": kind, "element": element.bpmn_id,
                                                     "element_name": element.name})
        raw = element.properties.get(statuses.STATUS_PROPERTY)
        if raw is None:
            continue
        new = int(raw)
        if new == dossier.status:
            continue
        audit.record(session, actor=actor, action="dossier.status_changed", instance_id=dossier.instance_id,
                     subject=dossier.code,
                     data={"from": dossier.status, "to": new, "element": element.bpmn_id,
                           "element_name": element.name})
        _move_clock(session, dossier, new, actor=actor)
        dossier.status = new
        dossier.status_changed_at = utcnow()
        _record_progress(session, dossier)


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


def _move_clock(session: Session, dossier: Dossier, new_status: int, *, actor: str) -> None:
    """While the applicant owes something (statuses 5, 6) the statutory clock stops.

    On resuming, the due date moves by the working time the dossier waited ("pause"), or the
    whole period starts again from now ("restart"), as the procedure's policy at receipt says.
    """
    waiting_before = dossier.status in statuses.CLOCK_STOPPED
    waiting_after = new_status in statuses.CLOCK_STOPPED
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
    instances.retime_timers(session, dossier.instance_id, actor=actor, due_at=dossier.due_at)
    audit.record(session, actor=actor, action="dossier.due_date_moved", instance_id=dossier.instance_id,
                 subject=dossier.code,
                 data={"from": old_due.isoformat(), "to": dossier.due_at.isoformat(),
                       "clock_on_wait": policy.get("clock_on_wait", "pause"),
                       "stopped_at": dossier.clock_paused_at.isoformat()})
    dossier.clock_paused_at = None


def _next_code(session: Session, prefix: str, now: datetime, timezone: str) -> str:
    """`PREFIX-YYMMDD-NNNN`, numbered per local day; safe under concurrent receipts."""
    day = now.astimezone(ZoneInfo(timezone)).strftime("%y%m%d")
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    statement = (
        dialect.insert(DossierCounter).values(day=day, last=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last": DossierCounter.last + 1})
        .returning(DossierCounter.last)
    )
    number = session.execute(statement).scalar_one()
    return f"{prefix}-{day}-{number:04d}"


def find_by_code(session: Session, code: str) -> Dossier | None:
    return session.scalars(select(Dossier).where(Dossier.code == code)).first()


def get_dossier(session: Session, code: str) -> Dossier:
    dossier = find_by_code(session, code)
    if dossier is None:
        raise NotFound(f"Dossier '{code}' does not exist.", dossier_code=code)
    return dossier


def find_by_instance(session: Session, instance_id: int) -> Dossier | None:
    return session.scalars(select(Dossier).where(Dossier.instance_id == instance_id)).first()


def list_dossiers(session: Session, filters: DossierFilters, *, page: int = 1,
                  per_page: int = 20) -> tuple[list[Dossier], int]:
    """A page of dossiers, newest first, and the total matching the filters."""
    query = select(Dossier)
    if filters.status is not None:
        query = query.where(Dossier.status == filters.status)
    if filters.procedure_code:
        query = query.join(Procedure).where(Procedure.code == filters.procedure_code)
    zone = ZoneInfo(get_calendar_settings(session).timezone)
    if filters.received_from:
        start = datetime.combine(filters.received_from, datetime.min.time(), zone)
        query = query.where(Dossier.received_at >= start)
    if filters.received_to:
        end = datetime.combine(filters.received_to + timedelta(days=1), datetime.min.time(), zone)
        query = query.where(Dossier.received_at < end)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(Dossier.received_at.desc(), Dossier.id.desc())
                           .offset((page - 1) * per_page).limit(per_page))
    return list(rows), total or 0


def dossier_steps(session: Session, code: str) -> list[dict]:
    """The hand-overs of the process-control slip (form 05): each step, when it came and went,
    and whether it was done early, on time or late against its allotted time."""
    dossier = get_dossier(session, code)
    if dossier.instance_id is None:
        return []
    zone = load_calendar(session).settings.timezone
    steps = []
    for task in instances.tasks_of_instance(session, dossier.instance_id):
        verdict = None
        if task.completed_at is not None and task.due_at is not None and task.state == "completed":
            verdict = outcomes.classify(task.completed_at, task.due_at, zone)
        steps.append({"task": task, "verdict": verdict})
    return steps


def dossier_history(session: Session, code: str) -> list[AuditEvent]:
    dossier = get_dossier(session, code)
    return audit.events_of_instance(session, dossier.instance_id) if dossier.instance_id else []
