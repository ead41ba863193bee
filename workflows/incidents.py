"""Incidents of dossiers, as an administrator handles them: the list, one incident with the data at
its failing step, retry (with corrected data) and skip, and the warning when one opens.

The engine records and resolves incidents (engine/incidents.py, engine/repair.py); this module adds
the dossier they belong to, the model's effects of a repaired step on the dossier, the check of the
corrected data, and the notification of the administrators and leaders.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine import incidents as engine_incidents
from engine import repair, runtime
from engine.deployments import load_spec
from engine.forms import validate_form_data
from engine.models import INCIDENT_UNRESOLVED, Incident, ProcessInstance
from workflows import notifications
from workflows.auth import Principal
from workflows.dossiers import find_by_instance
from workflows.errors import EngineError, InvalidInput, NotFound, RecordedFailure
from workflows.lifecycle import effects_on
from workflows.models import Dossier, Procedure

log = logging.getLogger(__name__)
STATES = ("open", "resolved")  # what the list filters on: open = retrying or open
NOTIFICATION_KIND = "incident_opened"


@dataclass(frozen=True)
class IncidentView:
    incident: Incident
    dossier: Dossier | None


def record_failure(sessions: sessionmaker, instance_id: int, error: Exception) -> None:
    """The scheduler's step of the instance failed (and rolled back): record the incident in a
    transaction of its own, and warn the administrators and leaders when it is new."""
    try:
        with sessions() as session, session.begin():
            incident, new = engine_incidents.record_failure(session, instance_id, error)
            dossier = find_by_instance(session, instance_id)
            if new and dossier is not None:
                notifications.enqueue(session, dossier, NOTIFICATION_KIND, actor="scheduler",
                                      element=incident.bpmn_id or "",
                                      extra={"incident_element": incident.element_name or incident.bpmn_id or "",
                                             "incident_message": incident.message})
            log.warning("incident %s of dossier %s at %s (attempt %s, %s): %s", incident.id,
                        dossier.code if dossier else instance_id, incident.bpmn_id, incident.attempts,
                        incident.state, incident.message)
    except Exception:  # noqa: BLE001 - recording must never stop the scheduler; say why it could not
        log.exception("the failure of instance %s could not be recorded as an incident", instance_id)


def list_incidents(session: Session, *, procedure_code: str | None = None, state: str | None = None,
                   page: int = 1, per_page: int = 50) -> list[IncidentView]:
    """Incidents, newest first; `state` "open" (still unresolved) or "resolved"."""
    if state is not None and state not in STATES:
        raise InvalidInput(f"state must be one of {', '.join(STATES)}.", field="state")
    query = (select(Incident, Dossier).outerjoin(Dossier, Dossier.instance_id == Incident.instance_id)
             .outerjoin(Procedure, Procedure.id == Dossier.procedure_id))
    if procedure_code is not None:
        query = query.where(Procedure.code == procedure_code)
    if state == "open":
        query = query.where(Incident.state.in_(INCIDENT_UNRESOLVED))
    elif state == "resolved":
        query = query.where(Incident.state == "resolved")
    query = query.order_by(Incident.created_at.desc(), Incident.id.desc()).offset((page - 1) * per_page).limit(per_page)
    return [IncidentView(incident, dossier) for incident, dossier in session.execute(query)]


def get_incident(session: Session, incident_id: int) -> IncidentView:
    incident = engine_incidents.get_incident(session, incident_id)
    return IncidentView(incident, find_by_instance(session, incident.instance_id))


def retry_incident(session: Session, principal: Principal, incident_id: int, *, data: dict | None,
                   reason: str = "") -> IncidentView:
    """Run the failed step again, with `data` (checked like a task's data) put into the failing
    element when it fails again there. A retry that fails too counts an attempt and answers why."""
    view = get_incident(session, incident_id)
    _check_data(session, view.incident, data or {})
    return _repaired(session, view, lambda effects: repair.retry_incident(
        session, incident_id, actor=principal.username, data=data, reason=reason, effects=effects), principal)


def skip_incident(session: Session, principal: Principal, incident_id: int, *, reason: str,
                  data: dict | None = None, flow_to: str | None = None) -> IncidentView:
    """Complete the failing element without running it (a gateway goes to `flow_to`)."""
    view = get_incident(session, incident_id)
    _check_data(session, view.incident, data or {})
    return _repaired(session, view, lambda effects: repair.skip_incident(
        session, incident_id, actor=principal.username, reason=reason, data=data, flow_to=flow_to,
        effects=effects), principal)


def _repaired(session: Session, view: IncidentView, run, principal: Principal) -> IncidentView:
    effects = effects_on(session, view.dossier, actor=principal.username) if view.dossier is not None else None
    savepoint = session.begin_nested()
    try:
        run(effects)
    except EngineError as error:
        savepoint.rollback()
        engine_incidents.record_failed_repair(session, view.incident.id, error, actor=principal.username)
        raise RecordedFailure(error) from None
    savepoint.commit()
    return get_incident(session, view.incident.id)


def _check_data(session: Session, incident: Incident, data: dict) -> None:
    """Corrected data: names a model may read (no leading underscore) with JSON values, and, when the
    failing element declares a form, data that fits it."""
    bad = [name for name in data if not name.isidentifier() or name.startswith("_")]
    if bad:
        raise InvalidInput(f"These names cannot be model data: {', '.join(sorted(bad))}.", field="data", names=bad)
    if incident.bpmn_id is None or not data:
        return
    instance = session.get(ProcessInstance, incident.instance_id)
    if instance is None:
        raise NotFound(f"The instance of incident {incident.id} no longer exists.", incident_id=incident.id)
    spec, subprocess_specs = load_spec(instance.process_version)
    for process_spec in (spec, *subprocess_specs.values()):
        task_spec = process_spec.task_specs.get(incident.bpmn_id)
        if task_spec is not None:
            validate_form_data(runtime.spec_properties(task_spec), data, incident.element_name or incident.bpmn_id)
            return
