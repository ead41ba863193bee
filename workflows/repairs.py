"""An administrator's repairs of a dossier's process: suspend and resume it, move its active step
elsewhere, revert its latest migration. The engine does the work (engine/repair.py,
engine/migration.py); this adds the dossier, the model's effects of the step on it, and the check of
the data an administrator gives."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine import migration, repair
from engine.models import AuditEvent
from workflows.access import DossierView
from workflows.auth import Principal
from workflows.dossiers import get_dossier, shown
from workflows.errors import Conflict, InvalidInput
from workflows.lifecycle import effects_on
from workflows.models import Dossier

# The audit trail's part an administrator reads on the dossier's page: its incidents (incident.*) and
# these repairs. Its full history is for those who handle it (it carries the applicant's data).
REPAIR_ACTIONS = ("instance.suspended", "instance.resumed", "instance.moved", "instance.migrated",
                  "instance.migration_reverted")

def suspend(session: Session, principal: Principal, code: str, *, reason: str) -> DossierView:
    """Nobody may claim or complete the dossier's tasks and its timers wait until it is resumed."""
    dossier = _running(session, code)
    repair.suspend(session, dossier.instance_id, actor=principal.username, reason=reason)
    return shown(session, principal, dossier)


def resume(session: Session, principal: Principal, code: str, *, reason: str = "") -> DossierView:
    """The dossier goes on; timers that fell due while it was suspended fire at once."""
    dossier = _running(session, code)
    repair.resume(session, dossier.instance_id, actor=principal.username, reason=reason)
    return shown(session, principal, dossier)


def move(session: Session, principal: Principal, code: str, *, from_bpmn_id: str, to_bpmn_id: str, reason: str,
         data: dict | None = None) -> DossierView:
    """Cancel the dossier's active step `from_bpmn_id` and make `to_bpmn_id` active instead."""
    check_model_data(data or {})
    dossier = _running(session, code)
    repair.move(session, dossier.instance_id, from_bpmn_id=from_bpmn_id, to_bpmn_id=to_bpmn_id,
                actor=principal.username, reason=reason, data=data,
                effects=effects_on(session, dossier, actor=principal.username))
    return shown(session, principal, dossier)


def revert_migration(session: Session, principal: Principal, code: str, *, reason: str = "") -> DossierView:
    """Put the dossier back on the version it ran before its latest migration, if nothing happened since."""
    dossier = _running(session, code)
    migration.revert_latest(session, dossier.instance_id, actor=principal.username, reason=reason)
    return shown(session, principal, dossier)


def operations_of(session: Session, code: str, *, limit: int = 200) -> list[AuditEvent]:
    """The dossier's incidents and repairs, newest first: who did what, why, and the data before and after."""
    dossier = get_dossier(session, code)
    if dossier.instance_id is None:
        return []
    return list(session.scalars(
        select(AuditEvent).where(AuditEvent.instance_id == dossier.instance_id,
                                 or_(AuditEvent.action.startswith("incident."),
                                     AuditEvent.action.in_(REPAIR_ACTIONS)))
        .order_by(AuditEvent.id.desc()).limit(limit)))


def check_model_data(data: dict) -> None:
    """Data an administrator puts into a model: names a model may read (no leading underscore)."""
    bad = sorted(name for name in data if not name.isidentifier() or name.startswith("_"))
    if bad:
        raise InvalidInput(f"These names cannot be model data: {', '.join(bad)}.", field="data", names=bad)


def _running(session: Session, code: str) -> Dossier:
    dossier = get_dossier(session, code)
    if dossier.instance_id is None or dossier.instance is None or dossier.instance.status != "running":
        raise Conflict(f"Dossier '{code}' has no running process to repair.", dossier_code=code)
    return dossier
