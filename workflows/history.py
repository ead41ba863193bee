"""A dossier's history as people read it: each event with the person who did it and, for a completed
task, what was written in it in the words of its form (`workflows.opinions`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine import audit, instances
from engine.models import AuditEvent, HumanTask
from workflows.auth import Principal
from workflows.dossiers import handled_dossier
from workflows.models import Dossier
from workflows.opinions import form_of, labelled
from workflows.people import people


def history_entries(session: Session, dossier: Dossier, events: list[AuditEvent]) -> list[dict]:
    """Each event with the person who did it (`actor`: a `Person`, or None for the applicant online,
    the scheduler, the system) and, for a completed task, the `fields` it was completed with, in the
    words of its form."""
    names = people(session, [event.actor for event in events])
    rows: dict[str, HumanTask] = {}
    if dossier.instance_id is not None and any(event.action == "task.completed" for event in events):
        rows = {task.id: task for task in instances.tasks_of_instance(session, dossier.instance_id)}
    forms: dict[str, dict | None] = {}
    entries = []
    for event in events:
        fields = None
        if event.action == "task.completed":
            task = rows.get(event.subject or "")
            schema = form_of(task, forms) if task is not None else None
            fields = labelled(schema, (event.data or {}).get("data"))
        entries.append({"event": event, "actor": names.get(event.actor), "fields": fields})
    return entries


def dossier_history(session: Session, principal: Principal, code: str) -> list[dict]:
    """Everything that happened to the dossier, oldest first, with who did it (`history_entries`):
    for those who handle it, and API tokens that may read dossiers."""
    dossier = handled_dossier(session, principal, code, scope="dossiers:read")
    events = audit.events_of_instance(session, dossier.instance_id) if dossier.instance_id else []
    return history_entries(session, dossier, events)
