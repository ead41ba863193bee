"""Migrating the dossiers running on one version of a process to another, in bulk or by code.

Each dossier migrates in its own transaction: one that is refused (its active step is not in the
new version and no mapping places it) stays on its version with the reason, and never stops the
others. A dry run goes through every dossier the same way and rolls each back: its answer is what
the real run would do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from engine import migration
from engine.deployments import get_version
from engine.models import ProcessInstance
from workflows.auth import Principal
from workflows.errors import EngineError, InvalidInput
from workflows.lifecycle import effects_on
from workflows.models import Dossier
from workflows.repairs import check_model_data

MAX_DOSSIERS = 5000  # one request's bulk; more: several requests by dossier codes


@dataclass
class MigrationReport:
    process_id: str
    from_version: int
    to_version: int
    dry_run: bool
    migrated: list[str] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)


class _DryRun(Exception):
    """Rolls a dry run's transaction back once the migration went through."""


def migrate_dossiers(sessions: sessionmaker, principal: Principal, process_id: str, *, from_version: int,
                     to_version: int, dossier_codes: list[str] | None = None, dry_run: bool = True,
                     mapping: dict | None = None, data: dict | None = None, reason: str = "") -> MigrationReport:
    """Migrate the dossiers running on `from_version` (all, or those of `dossier_codes`) to `to_version`."""
    check_model_data(data or {})
    report = MigrationReport(process_id, from_version, to_version, dry_run)
    with sessions() as session:
        source = get_version(session, process_id, from_version)
        get_version(session, process_id, to_version)
        if from_version == to_version:
            raise InvalidInput("Choose two different versions.", field="to_version")
        running = {code: instance_id for code, instance_id in session.execute(
            select(Dossier.code, Dossier.instance_id).join(ProcessInstance, ProcessInstance.id == Dossier.instance_id)
            .where(ProcessInstance.process_version_id == source.id, ProcessInstance.status == "running")
            .order_by(Dossier.id))}
    wanted = list(dict.fromkeys(dossier_codes)) if dossier_codes is not None else list(running)
    if len(wanted) > MAX_DOSSIERS:
        raise InvalidInput(f"At most {MAX_DOSSIERS} dossiers per request; give dossier_codes to do the rest.",
                           field="dossier_codes", count=len(wanted))
    for code in wanted:
        if code not in running:
            report.refused.append({"code": code, "reason": f"not running on version {from_version} of {process_id}"})
            continue
        try:
            _migrate_one(sessions, principal, code, running[code], process_id, to_version, mapping, data, reason,
                         dry_run)
            report.migrated.append(code)
        except _DryRun:
            report.migrated.append(code)
        except EngineError as refused:
            report.refused.append({"code": code, "reason": refused.message})
    return report


def _migrate_one(sessions: sessionmaker, principal: Principal, code: str, instance_id: int, process_id: str,
                 to_version: int, mapping: dict | None, data: dict | None, reason: str, dry_run: bool) -> None:
    with sessions() as session, session.begin():
        dossier = session.scalars(select(Dossier).where(Dossier.code == code)).one()
        target = get_version(session, process_id, to_version)
        migration.migrate_instance(session, instance_id, target, actor=principal.username, reason=reason,
                                   mapping=mapping, data=data,
                                   effects=effects_on(session, dossier, actor=principal.username))
        if dry_run:
            raise _DryRun
