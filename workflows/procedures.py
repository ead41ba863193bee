"""The procedure catalogue: what each procedure requires, how long it may take, which model runs it."""

from __future__ import annotations

import re

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine import audit, calls
from engine.assignment import task_role
from engine.clock import utcnow
from engine.deployments import find_latest_version, is_latest_version_of
from engine.models import ProcessVersion
from engine.working_calendar import UNITS, CalendarError, WorkingCalendar
from workflows.auth import Principal
from workflows.errors import Conflict, InvalidInput, NotFound
from workflows.models import Procedure, Unit
from workflows.roles import ADMIN, ROLES

TIME_UNITS = UNITS
EDITABLE_FIELDS = (
    "name", "field", "legal_basis", "required_documents", "fee_vnd", "fee_note", "processing_time_value",
    "processing_time_unit", "process_id", "lane_roles", "default_role", "step_allocations", "clock_on_wait",
    "active", "max_supplement_requests", "apology_lead_days", "national_code", "field_code", "clock_while_paying",
)
CLOCK_ON_WAIT = ("pause", "restart")
CLOCK_WHILE_PAYING = ("pause", "run")
_DEADLINE_CALL = re.compile(r"""deadline\(\s*["']([^"']+)["']\s*\)""")


def list_procedures(session: Session, *, include_inactive: bool = False) -> list[Procedure]:
    query = select(Procedure).order_by(Procedure.code)
    if not include_inactive:
        query = query.where(Procedure.active.is_(True))
    return list(session.scalars(query))


def catalogue_for(session: Session, principal: Principal, *, include_inactive: bool = False) -> list[Procedure]:
    """The active procedures; also those taken out of service when an administrator asks for them."""
    return list_procedures(session, include_inactive=include_inactive and principal.has_role(ADMIN))


def find_procedure(session: Session, code: str) -> Procedure | None:
    return session.scalars(select(Procedure).where(Procedure.code == code)).first()


def get_procedure(session: Session, code: str) -> Procedure:
    procedure = find_procedure(session, code)
    if procedure is None:
        raise _no_such_procedure(code)
    return procedure


# A procedure with its model's latest version, in one read.
_WITH_LATEST_VERSION = (select(Procedure, ProcessVersion)
                        .outerjoin(ProcessVersion, is_latest_version_of(Procedure.process_id))
                        .where(Procedure.code == bindparam("code")))


def get_procedure_with_latest_version(session: Session, code: str) -> tuple[Procedure, ProcessVersion | None]:
    """The procedure and the latest version of its model (None while none is deployed): what a
    receipt starts."""
    found = session.execute(_WITH_LATEST_VERSION, {"code": code}).first()
    if found is None:
        raise _no_such_procedure(code)
    return found[0], found[1]


def _no_such_procedure(code: str) -> NotFound:
    return NotFound(f"Procedure '{code}' does not exist.", procedure_code=code)


def role_for_lane(lane_roles: dict, lane: str | None) -> str | None:
    """The role that works a lane, or a candidate group: the procedure's mapping, else the name itself
    if it is a role code."""
    if lane is None:
        return None
    if lane in lane_roles:
        return lane_roles[lane]
    return lane if lane in ROLES else None


def model_versions(session: Session, version: ProcessVersion | None) -> list[ProcessVersion]:
    """A model version and the deployed processes it calls (their tasks are the dossier's)."""
    return [version, *calls.called_versions(session, version)] if version is not None else []


def lane_role_map(session: Session, procedure: Procedure, version: ProcessVersion | None) -> dict:
    """Every lane and every candidate group of the procedure's current model (`version`, the latest)
    and of the processes it calls, resolved to its role: what an instance gives its tasks their roles
    with (engine/assignment.py)."""
    names = []
    for model in model_versions(session, version):
        names += model.lanes
        for task in model.user_tasks:
            names += task.get("candidate_groups", [])
    return {name: role_for_lane(procedure.lane_roles or {}, name) for name in dict.fromkeys(names)}


def tasks_without_role(session: Session, procedure: Procedure, version: ProcessVersion) -> list[dict]:
    """The user tasks of `version` (and of the processes it calls) that nobody could see under the
    procedure's `lane_roles` and `default_role`: no candidate group maps to a role, nor does the lane,
    and there is no default."""
    role_map = lane_role_map(session, procedure, version)
    return [task for model in model_versions(session, version) for task in model.user_tasks
            if task_role(task.get("candidate_groups", []), task.get("lane"), role_map, procedure.default_role) is None]


def create_procedure(session: Session, values: dict, *, actor: str) -> Procedure:
    if find_procedure(session, values["code"]) is not None:
        raise Conflict(f"Procedure '{values['code']}' already exists.", code=values["code"])
    now = utcnow()
    procedure = Procedure(code=values["code"], created_at=now, updated_at=now, lane_roles={}, step_allocations={},
                          clock_on_wait="pause", required_documents=[], legal_basis="", fee_vnd=0, fee_note="",
                          active=True)
    _apply(session, procedure, values)
    session.add(procedure)
    session.flush()
    audit.record(session, actor=actor, action="procedure.created", subject=procedure.code,
                 data=_snapshot(procedure))
    return procedure


def update_procedure(session: Session, code: str, values: dict, *, actor: str) -> Procedure:
    procedure = get_procedure(session, code)
    before = _snapshot(procedure)
    _apply(session, procedure, values)
    procedure.updated_at = utcnow()
    after = _snapshot(procedure)
    changes = {k: {"old": before[k], "new": after[k]} for k in after if before[k] != after[k]}
    audit.record(session, actor=actor, action="procedure.updated", subject=code, data={"changes": changes})
    return procedure


def _apply(session: Session, procedure: Procedure, values: dict) -> None:
    for name in EDITABLE_FIELDS:
        if name in values:
            setattr(procedure, name, values[name])
    if "deciding_unit_code" in values:
        unit = session.scalars(select(Unit).where(Unit.code == values["deciding_unit_code"])).first()
        if unit is None:
            raise InvalidInput(f"Unit '{values['deciding_unit_code']}' does not exist.",
                               deciding_unit_code=values["deciding_unit_code"])
        procedure.deciding_unit = unit
    if procedure.processing_time_unit not in TIME_UNITS:
        raise InvalidInput(f"The time unit must be one of {', '.join(TIME_UNITS)}.",
                           processing_time_unit=procedure.processing_time_unit)
    _check_period(procedure.processing_time_value, procedure.processing_time_unit, "processing_time_value")
    for key, allocation in (procedure.step_allocations or {}).items():
        _check_period(allocation.get("value"), allocation.get("unit"), f"step_allocations.{key}")
    if procedure.clock_on_wait not in CLOCK_ON_WAIT:
        raise InvalidInput(f"clock_on_wait must be one of {', '.join(CLOCK_ON_WAIT)}.",
                           clock_on_wait=procedure.clock_on_wait)
    for name in ("max_supplement_requests", "apology_lead_days"):
        value = getattr(procedure, name)
        if value is None:  # a new procedure: once, one working day ahead
            setattr(procedure, name, 1)
        elif not isinstance(value, int) or value < 0 or value > 30:
            raise InvalidInput(f"{name} must be a whole number from 0 to 30.", **{name: value})
    _check_model(session, procedure)


def _check_period(value, unit, field_name: str) -> None:
    """Whole days and sessions, positive hours, a known unit: the default calendar tells."""
    try:
        WorkingCalendar().due_at(utcnow(), value, unit)
    except (CalendarError, TypeError) as exc:
        raise InvalidInput(getattr(exc, "message", str(exc)), **{field_name: {"value": value, "unit": unit}}) from None


def _check_model(session: Session, procedure: Procedure) -> None:
    """The model must be deployed and every user task of it must have a role (`tasks_without_role`)."""
    version = find_latest_version(session, procedure.process_id)
    if version is None:
        raise InvalidInput(f"No model with process id '{procedure.process_id}' is deployed; deploy it first.",
                           process_id=procedure.process_id)
    bad_roles = {lane: role for lane, role in (procedure.lane_roles or {}).items() if role not in ROLES}
    if bad_roles:
        raise InvalidInput("Lanes are mapped to unknown roles.", lane_roles=bad_roles)
    steps = {step for model in (version, *calls.called_versions(session, version))
             for step in _DEADLINE_CALL.findall(model.bpmn_xml)}
    missing = sorted(steps - set(procedure.step_allocations or {}))
    if missing:
        raise InvalidInput(f"The model calls deadline() for steps with no allocated time: {', '.join(missing)}.",
                           step_allocations=missing)
    if procedure.default_role is not None and procedure.default_role not in ROLES:
        raise InvalidInput(f"The default role '{procedure.default_role}' is not a role.",
                           default_role=procedure.default_role)
    orphans = tasks_without_role(session, procedure, version)
    if orphans:
        lanes = sorted({task["lane"] for task in orphans if task.get("lane")})
        groups = sorted({group for task in orphans for group in task.get("candidate_groups", [])})
        named = ", ".join(f"{task['name']} ({task['bpmn_id']})" for task in orphans)
        raise InvalidInput(
            f"Nobody could work these user tasks of '{procedure.process_id}': {named}. Map their lanes or "
            "candidate groups to roles in lane_roles, name the lanes after role codes, or set a default_role.",
            tasks=[task["bpmn_id"] for task in orphans], lane_roles=lanes + groups)


def deadline_policy(procedure: Procedure) -> dict:
    """What a dossier keeps of its procedure's time rules at receipt; later edits do not touch it."""
    return {
        "processing_time": {"value": procedure.processing_time_value, "unit": procedure.processing_time_unit},
        "step_allocations": dict(procedure.step_allocations or {}),
        "clock_on_wait": procedure.clock_on_wait,
        "clock_while_paying": procedure.clock_while_paying or "pause",
        "apology_lead_days": procedure.apology_lead_days if procedure.apology_lead_days is not None else 1,
    }


def _snapshot(procedure: Procedure) -> dict:
    return {
        **{name: getattr(procedure, name) for name in EDITABLE_FIELDS},
        "deciding_unit_code": procedure.deciding_unit.code if procedure.deciding_unit else None,
    }
