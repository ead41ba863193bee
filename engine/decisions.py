"""Versioned deployment of DMN decisions, and their binding into process versions.

Like BPMN models: the same content as a decision's latest version is a no-op that returns it; changed
content for a known decision id becomes version N+1. A process version binds, when it is deployed, the
latest version of each decision its business rule tasks call (or the version a task pins): the table
goes into the process version's spec (`Binding`, given to `engine.parsing.parse_model`), and which
versions were bound is recorded on the process version (`ProcessVersion.decisions`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.clock import utcnow
from engine.dmn.model import DecisionTable
from engine.dmn.reading import ParsedDecision, read_decision
from engine.dmn.tasks import DecisionReference
from engine.errors import ConcurrentUpdate, NotFound
from engine.models import DecisionVersion, ProcessVersion


def deploy(session: Session, content: bytes, filename: str, *, actor: str) -> tuple[DecisionVersion, bool]:
    """Deploy a .dmn file; returns the version and whether it was created (False: identical)."""
    parsed = read_decision(content, filename)
    checksum = _checksum(content)
    latest = find_latest_version(session, parsed.decision_id)
    if latest is not None and latest.checksum == checksum:
        return latest, False
    table = parsed.table
    version = DecisionVersion(
        decision_id=parsed.decision_id,
        version=(latest.version + 1) if latest else 1,
        name=parsed.name,
        filename=filename,
        checksum=checksum,
        dmn_xml=content.decode("utf-8"),
        hit_policy=table.hit_policy,
        aggregation=table.aggregation,
        inputs=[{"label": column.label, "expression": column.text} for column in table.inputs],
        outputs=[{"name": column.name, "label": column.label, "values": list(column.values)}
                 for column in table.outputs],
        rule_count=len(table.rules),
        deployed_at=utcnow(),
        deployed_by=actor,
    )
    session.add(version)
    try:
        session.flush()
    except sa.exc.IntegrityError:
        raise ConcurrentUpdate(
            f"Another deployment of decision '{parsed.decision_id}' happened at the same moment; try again.",
            decision_id=parsed.decision_id) from None
    audit.record(session, actor=actor, action="decision.deployed", subject=parsed.decision_id,
                 data={"version": version.version, "filename": filename, "checksum": checksum})
    return version, True


@dataclass(frozen=True)
class Preview:
    """What `deploy` would do with a file, found without saving anything."""

    parsed: ParsedDecision
    checksum: str
    latest: DecisionVersion | None

    @property
    def identical(self) -> bool:
        return self.latest is not None and self.latest.checksum == self.checksum

    @property
    def version(self) -> int:
        if self.latest is None:
            return 1
        return self.latest.version if self.identical else self.latest.version + 1


def preview(session: Session, content: bytes, filename: str) -> Preview:
    """Read and check `content` as `deploy` does and compare it with the latest version; saves nothing."""
    parsed = read_decision(content, filename)
    return Preview(parsed, _checksum(content), find_latest_version(session, parsed.decision_id))


def find_version_with_content(session: Session, content: bytes) -> DecisionVersion | None:
    """A version deployed with exactly this content (any decision, any version), if there is one."""
    query = (select(DecisionVersion).where(DecisionVersion.checksum == _checksum(content))
             .order_by(DecisionVersion.id).limit(1))
    return session.scalars(query).first()


def find_latest_version(session: Session, decision_id: str) -> DecisionVersion | None:
    query = (select(DecisionVersion).where(DecisionVersion.decision_id == decision_id)
             .order_by(DecisionVersion.version.desc()).limit(1))
    return session.scalars(query).first()


def find_version(session: Session, decision_id: str, number: int) -> DecisionVersion | None:
    query = select(DecisionVersion).where(DecisionVersion.decision_id == decision_id,
                                          DecisionVersion.version == number)
    return session.scalars(query).first()


def get_version(session: Session, decision_id: str, number: int) -> DecisionVersion:
    version = find_version(session, decision_id, number)
    if version is None:
        raise NotFound(f"Decision '{decision_id}' has no version {number}.", decision_id=decision_id,
                       version=number)
    return version


def list_latest_versions(session: Session) -> list[tuple[DecisionVersion, int]]:
    """Each deployed decision's latest version, with its number of versions, by decision id."""
    latest = (select(DecisionVersion.decision_id, func.max(DecisionVersion.version).label("n"))
              .group_by(DecisionVersion.decision_id).subquery())
    query = (select(DecisionVersion, latest.c.n)
             .join(latest, sa.and_(DecisionVersion.decision_id == latest.c.decision_id,
                                   DecisionVersion.version == latest.c.n))
             .order_by(DecisionVersion.decision_id))
    return [(row[0], row[1]) for row in session.execute(query)]


def list_versions(session: Session, decision_id: str) -> list[tuple[DecisionVersion, list[dict]]]:
    """A decision's versions, newest first, each with the process versions bound to it
    ([{"process_id", "version"}])."""
    versions = list(session.scalars(select(DecisionVersion).where(DecisionVersion.decision_id == decision_id)
                                    .order_by(DecisionVersion.version.desc())))
    if not versions:
        raise NotFound(f"No decision with id '{decision_id}' is deployed.", decision_id=decision_id)
    used: dict[int, list[dict]] = {}
    rows = session.execute(select(ProcessVersion.process_id, ProcessVersion.version, ProcessVersion.decisions)
                           .order_by(ProcessVersion.process_id, ProcessVersion.version))
    for process_id, process_version, bound in rows:
        for entry in bound or []:
            if entry.get("decision_id") == decision_id:
                used.setdefault(entry.get("version"), []).append({"process_id": process_id,
                                                                  "version": process_version})
    return [(version, used.get(version.version, [])) for version in versions]


class Binding:
    """The decisions a BPMN file's business rule tasks call, found in the database as it is parsed:
    the lookup `engine.parsing.parse_model` takes. `used` lists what was bound, for the version row."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._tables: dict[tuple[str, int | None], DecisionTable | None] = {}
        self._elements: dict[tuple[str, int], list[str]] = {}

    def __call__(self, reference: DecisionReference, element_id: str) -> DecisionTable | None:
        key = (reference.decision_id, reference.version)
        if key not in self._tables:
            self._tables[key] = self._load(*key)
        table = self._tables[key]
        if table is not None:
            self._elements.setdefault((table.decision_id, table.version), []).append(element_id)
        return table

    def _load(self, decision_id: str, number: int | None) -> DecisionTable | None:
        if number is None:
            row = find_latest_version(self.session, decision_id)
        else:
            row = find_version(self.session, decision_id, number)
        if row is None:
            return None
        return replace(read_decision(row.dmn_xml.encode("utf-8"), row.filename).table, version=row.version)

    @property
    def used(self) -> list[dict]:
        """[{"decision_id", "version", "elements"}], by decision id and version."""
        return [{"decision_id": decision_id, "version": version, "elements": sorted(set(elements))}
                for (decision_id, version), elements in sorted(self._elements.items())]


def same_decisions(bound: list[dict] | None, used: list[dict]) -> bool:
    """Whether a version's bound decisions are those `used` (the elements aside)."""
    def pairs(entries):
        return sorted((e["decision_id"], e["version"]) for e in entries or [])
    return pairs(bound) == pairs(used)


def _checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
