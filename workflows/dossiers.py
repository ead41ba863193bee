"""Dossiers: receiving one starts its procedure's process; the model's elements move its status.

Who may read or work a dossier is decided here, not in the API: where a rule depends on the
caller, the functions the API calls take the caller (`Principal`) and the dossier's code, apply
the rules of `workflows.access`, and return the dossier as a `DossierView`, the applicant's
personal data already masked or in full. Its steps and diagram are open to all staff.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine import audit, instances
from engine.calendar_store import get_settings as get_calendar_settings
from engine.calendar_store import load_calendar
from engine.clock import utcnow
from engine.deployments import load_spec
from engine.forms import start_form_schema, validate_task_data
from engine.models import INCIDENT_UNRESOLVED, Incident, ProcessInstance, ProcessVersion
from engine.progress import progress_of
from workflows import access, boundary, lifecycle, outcomes, statuses
from workflows.access import DossierView
from workflows.agency import get_agency
from workflows.auth import Principal
from workflows.errors import InvalidInput, NotFound
from workflows.models import Dossier, DossierCounter, DossierNotice, Procedure, Unit
from workflows.people import Person, people
from workflows.procedures import deadline_policy, get_procedure_with_latest_version, lane_role_map

CHANNELS = ("in_person", "online", "post")
DESK_CHANNELS = ("in_person", "post")
INTAKE_RESULTS = ("complete", "incomplete", "refuse")  # form 01, 02 or 03 issued at the desk
ONLINE_ACTOR = "applicant"  # who the audit trail names for what an applicant does online


@dataclass(frozen=True)
class Applicant:
    full_name: str
    id_number: str
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class Intake:
    """The completeness check the desk did in front of the applicant: `complete` (form 01, received),
    `incomplete` (form 02, the missing documents or the reason) or `refuse` (form 03, the reason)."""

    result: str
    missing_documents: tuple[dict, ...] = ()
    reason: str = ""

    def process_data(self) -> dict:
        """What the model's check gateway reads, as a check task would have left it."""
        data: dict = {"check_result": self.result}
        if self.missing_documents:
            data["missing_documents"] = [dict(item) for item in self.missing_documents]
        if self.reason:
            data["reason"] = self.reason
        return data


@dataclass(frozen=True)
class DossierFilters:
    status: int | None = None
    procedure_code: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    receiving_unit_code: str | None = None  # received at that service centre (workflows.boundary)


def receive_dossier(
    session: Session,
    principal: Principal,
    *,
    procedure_code: str,
    channel: str,
    applicant: Applicant,
    data: dict,
    code_prefix: str,
    received_at: datetime | None = None,
    intake: Intake | None = None,
) -> DossierView:
    """Record a dossier received at the desk, in person or by post, and start its process.

    A dossier that came by post counts from the receipt time the desk records (`received_at`,
    not in the future); one handed in at the desk counts from now. One handed in at the desk
    comes with the `intake` check done in front of the applicant: its process starts from that
    outcome (`checked_at_desk` and `check_result` in its data), without a check task; a dossier
    that came by post (or one recorded without the check) waits for the desk's check task.
    """
    if channel not in DESK_CHANNELS:
        raise InvalidInput(f"At the desk the channel is one of {', '.join(DESK_CHANNELS)}; online dossiers "
                           "are submitted by the applicant.", channel=channel)
    now = utcnow()
    if channel == "post":
        if received_at is None:
            raise InvalidInput("A dossier that came by post needs the time it was received (received_at).",
                               field="received_at")
        if received_at > now:
            raise InvalidInput("The receipt time cannot be in the future.", field="received_at")
    elif received_at is not None:
        raise InvalidInput("received_at is recorded only for dossiers that came by post.", field="received_at")
    procedure, version, form = _intake(session, procedure_code)
    if form is not None:
        validate_task_data(form, data, "intake")
    if intake is not None:
        if channel != "in_person":
            raise InvalidInput("The check at receipt is done for dossiers handed in at the desk; a dossier that "
                               "came by post is checked in its check task.", field="intake")
        if intake.result not in INTAKE_RESULTS:
            raise InvalidInput(f"The check's result is one of {', '.join(INTAKE_RESULTS)}.", field="intake.result")
    dossier = _create(session, actor=principal.username, procedure_code=procedure_code, channel=channel,
                      applicant=applicant, data=data, code_prefix=code_prefix, received_at=received_at or now,
                      receiving_unit=boundary.receiving_unit_of(session, principal), intake=intake,
                      procedure=procedure, version=version)
    return shown(session, principal, dossier)


def intake_form(session: Session, procedure_code: str) -> dict | None:
    """What the desk asks with a dossier of this procedure besides the checklist: the form on the
    start event of the procedure's latest model version (the diploma copy: number of copies, ...)."""
    return _intake(session, procedure_code)[2]


def _intake(session: Session, procedure_code: str) -> tuple[Procedure, ProcessVersion | None, dict | None]:
    """The procedure, its latest model version and that version's intake form (`intake_form`)."""
    procedure, version = get_procedure_with_latest_version(session, procedure_code)
    return procedure, version, start_form_schema(load_spec(version)[0]) if version is not None else None


def submit_online(session: Session, *, procedure_code: str, applicant: Applicant, data: dict,
                  code_prefix: str) -> Dossier:
    """An applicant registers a dossier online (status 1); the desk then accepts or refuses it,
    and the statutory clock starts only on acceptance."""
    return _create(session, actor=ONLINE_ACTOR, procedure_code=procedure_code, channel="online",
                   applicant=applicant, data=data, code_prefix=code_prefix, received_at=None)


def _create(session: Session, *, actor: str, procedure_code: str, channel: str, applicant: Applicant,
            data: dict, code_prefix: str, received_at: datetime | None, receiving_unit: Unit | None = None,
            intake: Intake | None = None, procedure: Procedure | None = None,
            version: ProcessVersion | None = None) -> Dossier:
    """The dossier and its started process; `procedure` and `version` when the caller has read them."""
    if procedure is None:
        procedure, version, _ = _intake(session, procedure_code)
    if not procedure.active:
        raise InvalidInput(f"Procedure '{procedure_code}' is no longer accepted.", procedure_code=procedure_code)
    now = utcnow()
    calendar = load_calendar(session)
    policy = deadline_policy(procedure)
    period = policy["processing_time"]
    # An online dossier's timers count from a provisional due date until the desk accepts it.
    due_at = calendar.due_at(received_at or now, period["value"], period["unit"])
    if receiving_unit is not None:  # received at another centre: the papers' transit is allowed for
        due_at = boundary.with_transit(session, calendar, due_at, policy)
    dossier = Dossier(
        code=_next_code(session, get_agency(session)["dossier_code_prefix"] or code_prefix, now,
                        calendar.settings.timezone),
        procedure=procedure,
        applicant_name=applicant.full_name,
        applicant_id_number=applicant.id_number,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_address=applicant.address,
        channel=channel,
        submitted_at=now,
        received_at=received_at,
        status=statuses.RECEIVED if received_at is not None else statuses.NEWLY_REGISTERED,
        status_changed_at=now,
        received_by=actor,
        receiving_unit=receiving_unit,
        data=data,
        deadline_policy=policy,
        due_at=due_at if received_at is not None else None,
    )
    # written with its instance, in the instance's first flush (`on_created`): one insert, no update
    session.add(dossier)
    action = "dossier.received" if received_at is not None else "dossier.submitted_online"

    def created(instance: ProcessInstance) -> None:
        dossier.instance = instance  # the answer needs no read

    def effects(step) -> None:
        audit.record(session, actor=actor, action=action, instance_id=dossier.instance_id, subject=dossier.code,
                     at=now, data={"procedure_code": procedure.code, "channel": channel,
                                   "receiving_unit": receiving_unit.code if receiving_unit else None,
                                   "received_at": received_at.isoformat() if received_at else None,
                                   "due_at": dossier.due_at.isoformat() if dossier.due_at else None,
                                   **({"intake": intake.result} if intake else {})})
        lifecycle.apply_model_effects(session, dossier, step, actor=actor)

    instances.start_instance(
        session, procedure.process_id, actor=actor, business_key=dossier.code, version=version,
        lane_roles=lane_role_map(session, procedure, version), default_role=procedure.default_role,
        step_allocations=policy["step_allocations"],
        due_at=due_at, effects=effects, on_created=created,
        data={**data, "dossier_code": dossier.code, "procedure_code": procedure.code, "channel": channel,
              "apology_lead_days": policy["apology_lead_days"], "checked_at_desk": intake is not None,
              **(intake.process_data() if intake else {})},
    )
    return dossier


def _next_code(session: Session, prefix: str, now: datetime, timezone: str) -> str:
    """`PREFIX-YYMMDD-NNNN`, numbered per local day; safe under concurrent receipts."""
    day = now.astimezone(ZoneInfo(timezone)).strftime("%y%m%d")
    connection = session.connection()
    number = connection.execute(_COUNT_UP[connection.dialect.name == "sqlite"], {"day": day}).scalar_one()
    return f"{prefix}-{day}-{number:04d}"


# the day's counter, up by one (built once per dialect: PostgreSQL's, SQLite's)
_COUNT_UP = tuple(
    dialect.insert(DossierCounter).values(day=bindparam("day"), last=1)
    .on_conflict_do_update(index_elements=["day"], set_={"last": DossierCounter.last + 1})
    .returning(DossierCounter.last)
    for dialect in (postgresql, sqlite))


def find_by_code(session: Session, code: str) -> Dossier | None:
    return session.scalars(select(Dossier).where(Dossier.code == code)).first()


def get_dossier(session: Session, code: str) -> Dossier:
    dossier = find_by_code(session, code)
    if dossier is None:
        raise NotFound(f"Dossier '{code}' does not exist.", dossier_code=code)
    return dossier


def handled_dossier(session: Session, principal: Principal, code: str, *, scope: str | None = None) -> Dossier:
    """The dossier, for someone who handles it (or an API token with `scope`); `Forbidden` otherwise."""
    dossier = get_dossier(session, code)
    if not principal.has_scope(scope):
        access.require_handler(principal, dossier)
    return dossier


def dossier_for(session: Session, principal: Principal, code: str) -> DossierView:
    """One dossier, for any member of staff; the applicant's personal data in full only for those
    who handle it."""
    dossier = get_dossier(session, code)
    if not boundary.may_see(principal, dossier):  # another centre's desk: only what it received
        access.require_handler(principal, dossier)
    return shown(session, principal, dossier)


def shown(session: Session, principal: Principal, dossier: Dossier) -> DossierView:
    """The dossier as `principal` may see it (`access.shown_to`), with its process's unresolved
    incident: why it does not move, for everyone who opens it."""
    instance = dossier.instance
    incident = session.get(Incident, instance.incident_id) if instance and instance.incident_id else None
    if incident is not None and incident.state not in INCIDENT_UNRESOLVED:
        incident = None
    caller = Person(principal.username, principal.full_name, principal.unit_name) if principal.user_id else None
    named = people(session, [dossier.received_by, instance.suspended_by if instance else None], known=caller)
    return replace(access.shown_to(principal, dossier), incident=incident, people=named)


def find_by_instance(session: Session, instance_id: int) -> Dossier | None:
    return dossiers_of(session, [instance_id]).get(instance_id)


def dossiers_of(session: Session, instance_ids: list[int]) -> dict[int, Dossier]:
    """The dossiers of these instances (those that have one), by instance id, in one read."""
    query = select(Dossier).where(Dossier.instance_id.in_(instance_ids))
    return {dossier.instance_id: dossier for dossier in session.scalars(query)}


def list_dossiers(session: Session, filters: DossierFilters, *, page: int = 1, per_page: int = 20,
                  principal: Principal | None = None) -> tuple[list[DossierView], int]:
    """A page of dossiers, newest first (the applicants' data masked), and the total matching the filters;
    for the desk officers of another service centre, of the dossiers that centre received."""
    if principal is not None and boundary.is_at_centre(principal):
        filters = replace(filters, receiving_unit_code=principal.unit_code)
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
    if filters.receiving_unit_code:
        query = query.join(Unit, Unit.id == Dossier.receiving_unit_id).where(Unit.code == filters.receiving_unit_code)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(Dossier.submitted_at.desc(), Dossier.id.desc())
                           .offset((page - 1) * per_page).limit(per_page))
    return [access.listed(dossier) for dossier in rows], total or 0


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


def dossier_diagram(session: Session, code: str) -> dict:
    """The dossier's own model version (not the latest) and where the dossier stands on it."""
    dossier = get_dossier(session, code)
    instance = dossier.instance
    if instance is None:
        raise NotFound(f"Dossier '{dossier.code}' has not started a process yet.", code=dossier.code)
    done = progress_of(instance)
    version = instance.process_version
    return {"process_id": version.process_id, "version": version.version, "bpmn_xml": version.bpmn_xml,
            "completed": sorted(done.completed), "active": sorted(done.active),
            "taken": sorted([list(step) for step in done.taken])}


def notices_for(session: Session, principal: Principal, code: str) -> list[DossierNotice]:
    """The dossier's written notices, for those who handle it."""
    return lifecycle.notices_of(session, handled_dossier(session, principal, code))


def record_withdrawal_request(session: Session, principal: Principal, code: str, *, reason: str) -> DossierView:
    """The desk records the applicant's request to withdraw the dossier (see `lifecycle.request_withdrawal`)."""
    dossier = lifecycle.request_withdrawal(session, get_dossier(session, code), actor=principal.username,
                                           reason=reason)
    return shown(session, principal, dossier)


def return_result(session: Session, principal: Principal, code: str, *, return_method: str, receiver_name: str,
                  postal_tracking_number: str) -> DossierView:
    """The desk returns the result of a dossier whose process ended (see `lifecycle.return_result`)."""
    dossier = lifecycle.return_result(session, get_dossier(session, code), actor=principal.username,
                                      return_method=return_method, receiver_name=receiver_name,
                                      postal_tracking_number=postal_tracking_number)
    return access.shown_to(principal, dossier)


def record_postal_delivery(session: Session, principal: Principal, code: str, *, status: str, at: datetime,
                           note: str) -> DossierView:
    """The postal service (or the desk) reports what became of a result sent by post."""
    dossier = lifecycle.record_postal_delivery(session, get_dossier(session, code), status=status, at=at,
                                               note=note, actor=principal.username)
    return shown(session, principal, dossier)
