"""Applying changed step allocations to dossiers already running: an explicit admin action."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import instances
from engine.models import ProcessInstance
from workflows.models import Dossier
from workflows.procedures import get_procedure


def retime_running_dossiers(session: Session, procedure_code: str, *, actor: str) -> dict:
    """Give every running dossier of the procedure its current step allocations; re-time their timers.

    Dossiers keep the allocations they were received with until an administrator does this.
    Returns how many dossiers were looked at and how many timers moved.
    """
    procedure = get_procedure(session, procedure_code)
    allocations = dict(procedure.step_allocations or {})
    running = session.scalars(
        select(Dossier).join(ProcessInstance, ProcessInstance.id == Dossier.instance_id)
        .where(Dossier.procedure_id == procedure.id, ProcessInstance.status == "running")
        .order_by(Dossier.id)
    ).all()
    moved = 0
    for dossier in running:
        dossier.deadline_policy = {**(dossier.deadline_policy or {}), "step_allocations": allocations}
        moved += instances.retime_timers(session, dossier.instance_id, allocations, actor=actor)
    return {"dossiers": len(running), "timers_moved": moved}
