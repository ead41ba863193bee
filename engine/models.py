"""The engine's tables: model and decision versions, instances, human tasks, waiting timers, audit events."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, JSONType, UTCDateTime


class ProcessVersion(Base):
    """One deployed version of one executable BPMN process. The spec is stored here, once."""

    __tablename__ = "process_version"
    __table_args__ = (sa.UniqueConstraint("process_id", "version", name="uq_process_version_process_id_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(sa.String(255), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(500))
    filename: Mapped[str] = mapped_column(sa.String(500))
    checksum: Mapped[str] = mapped_column(sa.String(64))
    bpmn_xml: Mapped[str] = mapped_column(sa.Text, deferred=True)
    spec_json: Mapped[str] = mapped_column(sa.Text, deferred=True)
    lanes: Mapped[list] = mapped_column(JSONType, default=list)
    user_tasks: Mapped[list] = mapped_column(JSONType, default=list)
    # The decision versions bound into the spec: [{"decision_id", "version", "elements": [task ids]}].
    decisions: Mapped[list] = mapped_column(JSONType, default=list)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deployed_by: Mapped[str] = mapped_column(sa.String(100))


class DecisionVersion(Base):
    """One deployed version of one DMN decision (a decision table): the file as uploaded, and what
    a list shows of it. The table a process runs is bound into the process version's spec."""

    __tablename__ = "decision_version"
    __table_args__ = (sa.UniqueConstraint("decision_id", "version", name="uq_decision_version_decision_id_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[str] = mapped_column(sa.String(255), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(500))
    filename: Mapped[str] = mapped_column(sa.String(500))
    checksum: Mapped[str] = mapped_column(sa.String(64), index=True)
    dmn_xml: Mapped[str] = mapped_column(sa.Text, deferred=True)
    hit_policy: Mapped[str] = mapped_column(sa.String(20))
    aggregation: Mapped[str | None] = mapped_column(sa.String(10))
    inputs: Mapped[list] = mapped_column(JSONType, default=list)  # [{"label", "expression"}]
    outputs: Mapped[list] = mapped_column(JSONType, default=list)  # [{"name", "label", "values"}]
    rule_count: Mapped[int]
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deployed_by: Mapped[str] = mapped_column(sa.String(100))


class ProcessInstance(Base):
    """A running or finished workflow. `revision` is the optimistic lock on its state."""

    __tablename__ = "process_instance"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_version_id: Mapped[int] = mapped_column(sa.ForeignKey("process_version.id"), index=True)
    business_key: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="running", index=True)
    state: Mapped[str] = mapped_column(sa.Text)
    # Lane or candidate group name -> role, and the role of a task that names neither (engine/assignment.py).
    lane_roles: Mapped[dict] = mapped_column(JSONType, default=dict)
    default_role: Mapped[str | None] = mapped_column(sa.String(50))
    # the version of each process called by a call activity, pinned when its call started (engine/calls.py)
    called_versions: Mapped[dict] = mapped_column(JSONType, default=dict)
    revision: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_by: Mapped[str] = mapped_column(sa.String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set while an administrator holds the instance: nobody works it and its timers do not fire.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspended_by: Mapped[str | None] = mapped_column(sa.String(100))
    suspend_reason: Mapped[str | None] = mapped_column(sa.Text)
    # The instance's unresolved incident (engine/incidents.py), if any: read with the row, so a step
    # knows at no cost whether the timers it would fire are held. (No foreign key: incident rows
    # refer to their instance, and a cycle of keys would complicate every delete.)
    incident_id: Mapped[int | None]

    process_version: Mapped[ProcessVersion] = relationship(lazy="joined", innerjoin=True)

    __mapper_args__ = {"version_id_col": revision}


class InstanceTask(Base):
    """One SpiffWorkflow task of an instance, serialized: the instance's workflow state is its
    `process_instance.state` (the workflow without its tasks) and these rows. A step rewrites only
    the tasks it changed; `position` keeps the order of the workflow's (or subprocess's) tasks."""

    __tablename__ = "instance_task"

    instance_id: Mapped[int] = mapped_column(sa.ForeignKey("process_instance.id"), primary_key=True)
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    subprocess: Mapped[str | None] = mapped_column(sa.String(36))  # the subprocess's task id; NULL: the process
    position: Mapped[int]
    state: Mapped[str] = mapped_column(sa.Text)


class HumanTask(Base):
    """A user or manual task as a queryable row; the id is SpiffWorkflow's task id."""

    __tablename__ = "human_task"
    __table_args__ = (
        # the inbox: a role's ready tasks, oldest first (migration 0015)
        sa.Index("ix_human_task_role_state_created", "role", "state", "created_at", "id"),
        sa.Index("ix_human_task_assignee_state", "assignee", "state"),
        sa.Index("ix_human_task_instance_state", "instance_id", "state"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(sa.ForeignKey("process_instance.id"))
    bpmn_id: Mapped[str] = mapped_column(sa.String(255))
    name: Mapped[str] = mapped_column(sa.String(500))
    lane: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[str | None] = mapped_column(sa.String(50))
    assignee: Mapped[str | None] = mapped_column(sa.String(100))
    state: Mapped[str] = mapped_column(sa.String(20))  # ready | claimed | completed | cancelled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by: Mapped[str | None] = mapped_column(sa.String(100))
    data: Mapped[dict | None] = mapped_column(JSONType)

    # inner: every task has its instance, and a flat join is one index lookup (an outer join of the
    # instance and its version, nested, is materialized whole by SQLite: a scan of every instance)
    instance: Mapped[ProcessInstance] = relationship(lazy="joined", innerjoin=True)
    # Written with a new row; never loaded through the row (the inbox queries the table itself).
    candidates: Mapped[list[HumanTaskCandidate]] = relationship(lazy="raise", cascade="all, delete-orphan")


class HumanTaskCandidate(Base):
    """A user a task is offered to, as its model names them (`candidate_users`, engine/assignment.py)."""

    __tablename__ = "human_task_candidate"

    task_id: Mapped[str] = mapped_column(sa.ForeignKey("human_task.id"), primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(100), primary_key=True)


OPEN_TASK_STATES = ("ready", "claimed")


class WaitingTimer(Base):
    """A timer event the workflow waits on, with its due instant in UTC."""

    __tablename__ = "waiting_timer"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(sa.ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    bpmn_id: Mapped[str] = mapped_column(sa.String(255))
    name: Mapped[str | None] = mapped_column(sa.String(500))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


INCIDENT_UNRESOLVED = ("retrying", "open")


class Incident(Base):
    """A step the service ran on its own (a timer firing and what follows it) that failed.

    The instance keeps its state from before the step. While `retrying`, the scheduler tries the
    step again at `next_retry_at`; once `open`, only an administrator's retry or skip moves it on.
    At most one unresolved incident per instance (engine/incidents.py keeps it so).
    """

    __tablename__ = "incident"
    __table_args__ = (sa.Index("ix_incident_state_instance", "state", "instance_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(sa.ForeignKey("process_instance.id"), index=True)
    trigger: Mapped[str] = mapped_column(sa.String(20))  # timer
    bpmn_id: Mapped[str | None] = mapped_column(sa.String(255))
    element_name: Mapped[str | None] = mapped_column(sa.String(500))
    message: Mapped[str] = mapped_column(sa.Text)
    line: Mapped[int | None]
    task_data: Mapped[dict] = mapped_column(JSONType, default=dict)  # the failing element's data
    attempts: Mapped[int] = mapped_column(default=1)
    state: Mapped[str] = mapped_column(sa.String(20))  # retrying | open | resolved
    next_retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(sa.String(100))
    resolution: Mapped[str | None] = mapped_column(sa.String(20))  # retried | skipped | obsolete | moved | migrated


class InstanceMigration(Base):
    """An instance moved from one version of its process to another, with what it was before, so
    that the migration can be reverted while nothing has happened to the instance since."""

    __tablename__ = "instance_migration"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(sa.ForeignKey("process_instance.id"), index=True)
    from_version_id: Mapped[int] = mapped_column(sa.ForeignKey("process_version.id"))
    to_version_id: Mapped[int] = mapped_column(sa.ForeignKey("process_version.id"))
    mapping: Mapped[dict] = mapped_column(JSONType, default=dict)
    revision_after: Mapped[int]  # the instance's revision the migration left: a later step changes it
    # what the instance was: {"version_id", "state": envelope JSON, "tasks": [[id, subprocess, position, state]]}
    before: Mapped[dict] = mapped_column(JSONType)
    migrated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    migrated_by: Mapped[str] = mapped_column(sa.String(100))
    reverted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reverted_by: Mapped[str | None] = mapped_column(sa.String(100))


class AuditEvent(Base):
    """Who did what, when. Written in the same transaction as the change it records.

    Append-only (engine/audit.py, and the audit-chain migration's triggers): the sealer later gives
    each event its place in the hash chain, `chain_seq` and `chain_hash`, once; nothing else changes.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(sa.String(100))
    action: Mapped[str] = mapped_column(sa.String(100))
    instance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("process_instance.id"), index=True)
    subject: Mapped[str | None] = mapped_column(sa.String(255))
    data: Mapped[dict] = mapped_column(JSONType, default=dict)
    # NULL until sealed. active_history: the append-only guard must see the value being replaced.
    chain_seq: Mapped[int | None] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), unique=True,
                                                  active_history=True)
    chain_hash: Mapped[str | None] = mapped_column(sa.String(64), active_history=True)


class AuditChainHead(Base):
    """Where the sealed audit chain ends: one row, moved forward by the sealer only.

    It makes deleting the newest sealed events detectable (the chain would end short of it).
    """

    __tablename__ = "audit_chain_head"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"))
    last_hash: Mapped[str] = mapped_column(sa.String(64))
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CalendarException(Base):
    """An administrator's exception to the working calendar: a day off or a make-up working day."""

    __tablename__ = "calendar_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # day_off | working_day
    reason: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(sa.String(100))


class CalendarSettingsRow(Base):
    """The agency's calendar settings, one row; absent means the documented defaults."""

    __tablename__ = "calendar_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[dict] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(sa.String(100))
