"""Versioned deployment of BPMN models.

A changed file with a known process id becomes version N+1; the same content as the latest
version is a no-op that returns it. Instances keep the version they started on. The latest version
of each decision a business rule task calls is bound into the version's spec (engine/decisions.py):
the same content deployed when one of those decisions has a newer version is a new version too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from engine import audit, calls
from engine.clock import utcnow
from engine.decisions import Binding, same_decisions
from engine.errors import ConcurrentUpdate, ModelInvalid, NotFound
from engine.models import ProcessInstance, ProcessVersion
from engine.parsing import ParsedModel, parse_model
from engine.serialization import spec_from_json, spec_to_json


def deploy(session: Session, content: bytes, filename: str, *, actor: str,
           parsed: ParsedModel | None = None) -> tuple[ProcessVersion, bool]:
    """Deploy `content` (`parsed`: the caller's `parse_model` of it, made with its own checks and a
    `Binding` of this session); returns the version and whether it was created (False: identical)."""
    parsed = parsed or parse_model(content, filename, decisions=Binding(session))
    _check_calls(session, parsed, filename)
    checksum = hashlib.sha256(content).hexdigest()
    latest = find_latest_version(session, parsed.process_id)
    if latest is not None and latest.checksum == checksum and same_decisions(latest.decisions, parsed.decisions):
        return latest, False
    version = ProcessVersion(
        process_id=parsed.process_id,
        version=(latest.version + 1) if latest else 1,
        name=parsed.name,
        filename=filename,
        checksum=checksum,
        bpmn_xml=content.decode("utf-8"),
        spec_json=spec_to_json(parsed.spec, parsed.subprocess_specs),
        lanes=parsed.lanes,
        user_tasks=parsed.user_tasks,
        decisions=parsed.decisions,
        deployed_at=utcnow(),
        deployed_by=actor,
    )
    session.add(version)
    try:
        session.flush()
    except sa.exc.IntegrityError:
        raise ConcurrentUpdate(
            f"Another deployment of '{parsed.process_id}' happened at the same moment; try again.",
            process_id=parsed.process_id) from None
    data = {"version": version.version, "filename": filename, "checksum": checksum}
    if parsed.decisions:
        data["decisions"] = [{"decision_id": d["decision_id"], "version": d["version"]} for d in parsed.decisions]
    audit.record(session, actor=actor, action="model.deployed", subject=parsed.process_id, data=data)
    return version, True


def _check_calls(session: Session, parsed: ParsedModel, filename: str) -> None:
    """A call activity to a process of another file calls a deployed process (engine/calls.py)."""
    try:
        calls.check_calls(session, parsed.process_id, parsed.spec, parsed.subprocess_specs)
    except calls.CallProblem as exc:
        raise ModelInvalid(exc.message, file=filename, **exc.details) from None


def find_version_with_content(session: Session, content: bytes) -> ProcessVersion | None:
    """A version deployed with exactly this content (any process, any version), if there is one."""
    checksum = hashlib.sha256(content).hexdigest()
    query = select(ProcessVersion).where(ProcessVersion.checksum == checksum).order_by(ProcessVersion.id).limit(1)
    return session.scalars(query).first()


def find_latest_version(session: Session, process_id: str) -> ProcessVersion | None:
    query = (select(ProcessVersion).where(ProcessVersion.process_id == process_id)
             .order_by(ProcessVersion.version.desc()).limit(1))
    return session.scalars(query).first()


def is_latest_version_of(process_id) -> sa.ColumnElement[bool]:
    """A condition on ProcessVersion: it is the latest version of `process_id` (a value, or another
    table's column, for a join: what `find_latest_version` finds)."""
    other = aliased(ProcessVersion)
    return sa.and_(ProcessVersion.process_id == process_id, ProcessVersion.version == (
        select(func.max(other.version)).where(other.process_id == process_id).scalar_subquery()))


def get_latest_version(session: Session, process_id: str) -> ProcessVersion:
    version = find_latest_version(session, process_id)
    if version is None:
        raise NotFound(f"No model with process id '{process_id}' is deployed.", process_id=process_id)
    return version


def get_version(session: Session, process_id: str, number: int) -> ProcessVersion:
    query = select(ProcessVersion).where(ProcessVersion.process_id == process_id,
                                         ProcessVersion.version == number)
    version = session.scalars(query).first()
    if version is None:
        raise NotFound(f"Process '{process_id}' has no version {number}.", process_id=process_id, version=number)
    return version


def list_latest_versions(session: Session) -> list[tuple[ProcessVersion, int]]:
    """Each deployed process's latest version, with its number of versions, by process id."""
    latest = (select(ProcessVersion.process_id, func.max(ProcessVersion.version).label("n"))
              .group_by(ProcessVersion.process_id).subquery())
    query = (select(ProcessVersion, latest.c.n)
             .join(latest, sa.and_(ProcessVersion.process_id == latest.c.process_id,
                                   ProcessVersion.version == latest.c.n))
             .order_by(ProcessVersion.process_id))
    return [(row[0], row[1]) for row in session.execute(query)]


def load_spec(version: ProcessVersion) -> tuple:
    return spec_from_json(f"{version.id}:{version.checksum}", lambda: version.spec_json)


@dataclass(frozen=True)
class Preview:
    """What `deploy` would do with a file, found without saving anything."""

    parsed: ParsedModel
    checksum: str
    latest: ProcessVersion | None
    decisions: list = field(default_factory=list)  # the decision versions it would bind

    @property
    def identical(self) -> bool:
        """The content is that of the latest version, with the same decisions: deploying it would create nothing."""
        return (self.latest is not None and self.latest.checksum == self.checksum
                and same_decisions(self.latest.decisions, self.decisions))

    @property
    def version(self) -> int:
        """The version number deploying it would give (the latest one's when identical)."""
        if self.latest is None:
            return 1
        return self.latest.version if self.identical else self.latest.version + 1


def preview(session: Session, content: bytes, filename: str, parsed: ParsedModel | None = None) -> Preview:
    """Parse and check `content` as `deploy` does (or take the caller's `parsed`) and compare it
    with the latest version; saves nothing."""
    parsed = parsed or parse_model(content, filename, decisions=Binding(session))
    _check_calls(session, parsed, filename)
    return Preview(parsed, hashlib.sha256(content).hexdigest(), find_latest_version(session, parsed.process_id),
                   parsed.decisions)


def list_versions(session: Session, process_id: str) -> list[tuple[ProcessVersion, int]]:
    """A process's versions, newest first, each with how many of its instances are still running."""
    running = (select(ProcessInstance.process_version_id, func.count().label("n"))
               .where(ProcessInstance.status == "running")
               .group_by(ProcessInstance.process_version_id).subquery())
    query = (select(ProcessVersion, func.coalesce(running.c.n, 0))
             .outerjoin(running, running.c.process_version_id == ProcessVersion.id)
             .where(ProcessVersion.process_id == process_id)
             .order_by(ProcessVersion.version.desc()))
    rows = [(row[0], int(row[1])) for row in session.execute(query)]
    if not rows:
        raise NotFound(f"No model with process id '{process_id}' is deployed.", process_id=process_id)
    return rows
