"""Audit events: who did what, when, written in the caller's transaction; an append-only hash chain.

`record` adds an event in the caller's transaction and takes no lock: events are not chained when
written. `record_at_once` inserts it on the connection at once, for the few actions of a step whose
other changes are written there too (claim, release, completion); `take_written_at_once` tells a
commit hook which they were. The sealer (`seal_pending`, run every few
seconds by the scheduler) chains them later, under one lock: each unsealed event, in id order, gets
the next `chain_seq` and
`chain_hash = sha256(previous chain_hash + canonical JSON of the event)`, the first one chaining
on 64 zeros. An event whose transaction commits late is simply sealed in a later batch. The
chain's end is kept in `audit_chain_head`, so deleting the newest sealed events shows too.

`verify_chain` recomputes the chain and reports tampered events, deleted ones (gaps in
`chain_seq`) and how many are not sealed yet. Events not sealed yet are not protected by the
chain, only by the append-only rules.

Append-only: the ORM refuses to update or delete an audit event (`AuditTrailAppendOnly`), except
the sealer setting the two chain columns from NULL; the database's triggers refuse it as well.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import event, func, inspect, or_, select, text
from sqlalchemy.orm import ORMExecuteState, Session

from engine.clock import utcnow
from engine.db import forget_at_transaction_end
from engine.errors import EngineError
from engine.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
HEAD_ID = 1
# The PostgreSQL advisory lock the sealers share: "MCAUDIT1" as a 64-bit integer.
CHAIN_LOCK_KEY = int.from_bytes(b"MCAUDIT1", "big")
CHAIN_COLUMNS = frozenset({"chain_seq", "chain_hash"})


class AuditTrailAppendOnly(EngineError):
    """Something tried to change or delete an audit event: the trail is append-only."""

    code = "audit_append_only"


class AuditChainBroken(EngineError):
    """The sealer cannot continue the chain (its head is missing while sealed events exist)."""

    code = "audit_chain_broken"


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    instance_id: int | None = None,
    subject: str | None = None,
    data: dict | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    event = AuditEvent(
        occurred_at=at or utcnow(), actor=actor, action=action, instance_id=instance_id,
        subject=subject, data=data or {},
    )
    session.add(event)
    return event


# The events `record_at_once` may write: a claim's and a release's (their change is written on the
# connection too, so the event was their commit's only flush) and a completion's (the event was the flush
# of a step that changed nothing else through the session).
WRITTEN_AT_ONCE = frozenset({"task.claimed", "task.unclaimed", "task.completed"})
_INSERT_EVENT = AuditEvent.__table__.insert()
_AT_ONCE_KEY = "motcua_audit_written_at_once"


def record_at_once(session: Session, *, actor: str, action: str, instance_id: int | None = None,
                   subject: str | None = None, data: dict | None = None, at: datetime | None = None) -> int:
    """`record`, inserted at once on the session's connection, in the same transaction, instead of
    waiting for the commit's unit of work: its id. Only for the actions in WRITTEN_AT_ONCE.

    Events recorded before it and not yet flushed are flushed first, so that ids keep the order in
    which things happened. A flush hook does not see such an event in `session.new`: its id and action
    are kept until the transaction ends, for a commit hook to take (`take_written_at_once`; it reads
    the rows back, so that one a rolled-back savepoint took is not there)."""
    if action not in WRITTEN_AT_ONCE:
        raise ValueError(f"'{action}' is not written at once (audit.WRITTEN_AT_ONCE)")
    if any(isinstance(obj, AuditEvent) for obj in session.new):
        session.flush()
    written = session.connection().execute(_INSERT_EVENT, {
        "occurred_at": at or utcnow(), "actor": actor, "action": action, "instance_id": instance_id,
        "subject": subject, "data": data or {}})
    event_id = written.inserted_primary_key[0]
    session.info.setdefault(_AT_ONCE_KEY, []).append((event_id, action))
    return event_id


def take_written_at_once(session: Session) -> list[tuple[int, str]]:
    """(id, action) of the events `record_at_once` wrote in the session's transaction and nobody took
    yet, oldest first, handed over once: a savepoint's commit and the transaction's both run the
    commit hooks, and the second must not see the events the first took."""
    return session.info.pop(_AT_ONCE_KEY, [])


forget_at_transaction_end(_AT_ONCE_KEY)


def events_of_instance(session: Session, instance_id: int) -> list[AuditEvent]:
    """The instance's history, oldest first."""
    query = select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id)
    return list(session.scalars(query))


# --- the hash chain ----------------------------------------------------------------------------

def canonical_json(event) -> str:
    """The event's fields as JSON, keys sorted, no spaces: what its chain hash covers.

    `event` is an AuditEvent or a row with the same attribute names, as read from the database.
    """
    occurred_at = event.occurred_at.astimezone(timezone.utc).isoformat(timespec="microseconds")
    fields = {
        "id": event.id, "occurred_at": occurred_at, "actor": event.actor, "action": event.action,
        "instance_id": event.instance_id, "subject": event.subject, "data": event.data,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(previous_hash: str, event) -> str:
    return hashlib.sha256((previous_hash + canonical_json(event)).encode("utf-8")).hexdigest()


def _take_chain_lock(session: Session) -> None:
    """Serialise sealers until the transaction ends.

    PostgreSQL: a transaction-level advisory lock. SQLite: the transaction already holds the
    database's write lock (engine/db.py begins every transaction IMMEDIATE).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})


def seal_pending(session: Session, limit: int = 1000) -> int:
    """Chain up to `limit` unsealed events, oldest id first; returns how many were sealed.

    Runs in the caller's transaction, which must commit for the seal to count. Events written
    earlier in the same session are flushed and sealed too.
    """
    _take_chain_lock(session)
    head = session.get(AuditChainHead, HEAD_ID, populate_existing=True)
    # populate_existing: hash what the database holds, not an object's in-memory values.
    pending = session.scalars(
        select(AuditEvent).where(AuditEvent.chain_seq.is_(None)).order_by(AuditEvent.id).limit(limit)
        .execution_options(populate_existing=True)
    ).all()
    if not pending:
        return 0
    if head is None:
        if session.scalar(select(AuditEvent.id).where(AuditEvent.chain_seq.is_not(None)).limit(1)) is not None:
            raise AuditChainBroken("The audit chain's head is missing while sealed events exist; "
                                   "run `motcua verify-audit`.")
        head = AuditChainHead(id=HEAD_ID, last_seq=0, last_hash=GENESIS_HASH, sealed_at=utcnow())
        session.add(head)
    seq, previous = head.last_seq, head.last_hash
    for audit_event in pending:
        seq += 1
        previous = chain_hash(previous, audit_event)
        audit_event.chain_seq, audit_event.chain_hash = seq, previous
    head.last_seq, head.last_hash, head.sealed_at = seq, previous, utcnow()
    session.flush()
    return len(pending)


@dataclass(frozen=True)
class BrokenLink:
    """A sealed event whose stored hash is not the hash of its predecessor's hash and its fields."""

    chain_seq: int
    event_id: int


@dataclass(frozen=True)
class VerificationResult:
    checked: int  # sealed events read
    unsealed: int  # events not sealed yet (not covered by the chain)
    head_seq: int  # where the chain head says the chain ends (0: nothing sealed)
    head_hash: str  # its hash: worth keeping outside the database, to compare later
    first_mismatch: BrokenLink | None = None
    mismatches: int = 0
    gaps: list[tuple[int, int]] = field(default_factory=list)  # missing chain_seq ranges, inclusive
    unchecked_after_gap: list[int] = field(default_factory=list)  # event ids whose predecessor is missing
    head_problem: str | None = None

    @property
    def missing(self) -> int:
        return sum(last - first + 1 for first, last in self.gaps)

    @property
    def tampered(self) -> bool:
        return self.first_mismatch is not None or bool(self.gaps) or self.head_problem is not None

    def report(self) -> list[str]:
        """The result for a person, in English, one line each."""
        lines = [f"audit chain: {self.checked} sealed event(s) checked, {self.unsealed} event(s) not sealed yet",
                 f"chain head: chain_seq {self.head_seq}, hash {self.head_hash}"]
        if self.first_mismatch is not None:
            link = self.first_mismatch
            lines.append(f"TAMPERED: event {link.event_id} (chain_seq {link.chain_seq}) does not match its hash; "
                         f"{self.mismatches} event(s) in all do not match")
        for first, last in self.gaps:
            where = f"chain_seq {first}" if first == last else f"chain_seq {first}-{last}"
            lines.append(f"DELETED: {where} missing ({last - first + 1} event(s))")
        if self.unchecked_after_gap:
            lines.append("cannot check the link of event(s) right after a gap: "
                         + ", ".join(str(event_id) for event_id in self.unchecked_after_gap))
        if self.head_problem:
            lines.append(f"TAMPERED: {self.head_problem}")
        lines.append("audit chain: TAMPERED" if self.tampered else "audit chain: OK")
        return lines


def _sealed_events(session: Session) -> Iterator:
    query = (
        select(AuditEvent.id, AuditEvent.occurred_at, AuditEvent.actor, AuditEvent.action, AuditEvent.instance_id,
               AuditEvent.subject, AuditEvent.data, AuditEvent.chain_seq, AuditEvent.chain_hash)
        .where(AuditEvent.chain_seq.is_not(None)).order_by(AuditEvent.chain_seq)
        .execution_options(yield_per=2000)
    )
    yield from session.execute(query)


def verify_chain(session: Session) -> VerificationResult:
    """Recompute the chain in `chain_seq` order; seals nothing, changes nothing.

    Each event's hash is recomputed from its predecessor's stored hash and its own fields: an
    edited event fails, and so does the next one if the edit rewrote the edited event's hash.
    A missing `chain_seq` is a deleted event; the event after a gap cannot be checked. The last
    event must match the chain head, which the sealer moves forward in the same transaction.
    Events sealed while this runs are checked too; the head is read first.
    """
    head = session.get(AuditChainHead, HEAD_ID, populate_existing=True)
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    checked = mismatches = 0
    first_mismatch: BrokenLink | None = None
    gaps: list[tuple[int, int]] = []
    unchecked: list[int] = []
    expected_seq, previous = 1, GENESIS_HASH
    head_row = None
    for row in _sealed_events(session):
        checked += 1
        if row.chain_seq > expected_seq:
            gaps.append((expected_seq, row.chain_seq - 1))
            unchecked.append(row.id)
        elif chain_hash(previous, row) != row.chain_hash:
            mismatches += 1
            first_mismatch = first_mismatch or BrokenLink(row.chain_seq, row.id)
        if row.chain_seq == head_seq:
            head_row = row
        expected_seq, previous = row.chain_seq + 1, row.chain_hash
    head_problem = None
    if head is None:
        if checked:
            head_problem = "the chain head is missing while sealed events exist"
    elif expected_seq <= head_seq:
        gaps.append((expected_seq, head_seq))  # the newest sealed events are gone
    elif head_row is not None and head_row.chain_hash != head.last_hash:
        head_problem = (f"event {head_row.id} (chain_seq {head_seq}) does not match the chain head's hash: "
                        "the last sealed event was rewritten")
    unsealed = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.chain_seq.is_(None)))
    return VerificationResult(checked=checked, unsealed=unsealed, head_seq=head_seq, head_hash=head_hash,
                              first_mismatch=first_mismatch, mismatches=mismatches, gaps=gaps,
                              unchecked_after_gap=unchecked, head_problem=head_problem)


# --- append-only, in the ORM -------------------------------------------------------------------

def _refuse(what: str, audit_event: AuditEvent | None = None) -> None:
    event_id = getattr(audit_event, "id", None)
    raise AuditTrailAppendOnly(f"The audit trail is append-only: {what} refused.", event_id=event_id)


@event.listens_for(AuditEvent, "before_insert")
def _before_insert(_mapper, _connection, audit_event: AuditEvent) -> None:
    if audit_event.chain_seq is not None or audit_event.chain_hash is not None:
        _refuse("writing an audit event already sealed (only the sealer seals)", audit_event)


@event.listens_for(AuditEvent, "before_update")
def _before_update(_mapper, _connection, audit_event: AuditEvent) -> None:
    """Allow only the sealer's change: both chain columns set, from NULL, nothing else."""
    state = inspect(audit_event)
    touched = set(state.mapper.column_attrs.keys()) - state.unmodified
    changed = {key for key in touched if state.attrs[key].history.has_changes()}
    if not changed:
        return
    sealing = changed <= CHAIN_COLUMNS and all(
        list(state.attrs[key].history.deleted) == [None] and getattr(audit_event, key) is not None
        for key in CHAIN_COLUMNS
    )
    if not sealing:
        _refuse(f"changing audit event {audit_event.id} ({', '.join(sorted(changed))})", audit_event)


@event.listens_for(AuditEvent, "before_delete")
def _before_delete(_mapper, _connection, audit_event: AuditEvent) -> None:
    _refuse(f"deleting audit event {audit_event.id}", audit_event)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    """UPDATE or DELETE statements on audit_event through a session (ORM-enabled or Core)."""
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and getattr(table, "name", None) == AuditEvent.__tablename__:
        _refuse("UPDATE or DELETE statements on audit_event")


# --- reading the trail --------------------------------------------------------------------------

def list_events(session: Session, *, action_prefixes: tuple[str, ...] = (), actions: tuple[str, ...] = (),
                subject: str | None = None, actor: str | None = None, offset: int = 0,
                limit: int = 50) -> list[AuditEvent]:
    """Events newest first: an action starting with one of `action_prefixes` (when given) and among
    `actions` (when given), of `subject` and by `actor` (when given). Prefixes match literally
    ("_" and "%" are not wildcards)."""
    query = select(AuditEvent)
    if action_prefixes:
        query = query.where(or_(*(AuditEvent.action.startswith(prefix, autoescape=True) for prefix in action_prefixes)))
    if actions:
        query = query.where(AuditEvent.action.in_(actions))
    if subject is not None:
        query = query.where(AuditEvent.subject == subject)
    if actor is not None:
        query = query.where(AuditEvent.actor == actor)
    return list(session.scalars(query.order_by(AuditEvent.id.desc()).offset(offset).limit(limit)))
