"""The one-stop domain's tables: units, users and roles, access tokens, procedures, dossiers."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, JSONType, UTCDateTime
from engine.models import ProcessInstance


class Unit(Base):
    """An organisational unit: the one-stop desk at the service center, a division, the board."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(50), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(100), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(255))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    unit: Mapped[Unit | None] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(lazy="selectin", cascade="all, delete-orphan")

    @property
    def roles(self) -> list[str]:
        return sorted(r.role for r in self.role_rows)


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(50), primary_key=True)


class AccessToken(Base):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "access_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class Procedure(Base):
    """An administrative procedure (thủ tục hành chính) in the catalogue, and the model it runs."""

    __tablename__ = "procedure"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(50), unique=True)
    name: Mapped[str] = mapped_column(sa.String(500))
    field: Mapped[str] = mapped_column(sa.String(255))
    legal_basis: Mapped[str] = mapped_column(sa.Text, default="")
    required_documents: Mapped[list] = mapped_column(JSONType, default=list)
    fee_vnd: Mapped[int] = mapped_column(default=0)
    fee_note: Mapped[str] = mapped_column(sa.String(500), default="")
    processing_time_value: Mapped[float] = mapped_column(sa.Float)
    processing_time_unit: Mapped[str] = mapped_column(sa.String(20))
    deciding_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    process_id: Mapped[str] = mapped_column(sa.String(255))
    lane_roles: Mapped[dict] = mapped_column(JSONType, default=dict)
    step_allocations: Mapped[dict] = mapped_column(JSONType, default=dict)
    clock_on_wait: Mapped[str] = mapped_column(sa.String(10), default="pause")  # pause | restart
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    deciding_unit: Mapped[Unit] = relationship(lazy="joined")


class Dossier(Base):
    """A dossier (hồ sơ) received for a procedure, driving one process instance."""

    __tablename__ = "dossier"
    __table_args__ = (
        sa.Index("ix_dossier_procedure_received", "procedure_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(50), unique=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedure.id"))
    applicant_name: Mapped[str] = mapped_column(sa.String(255))
    applicant_id_number: Mapped[str] = mapped_column(sa.String(20))
    applicant_phone: Mapped[str] = mapped_column(sa.String(20), default="")
    applicant_email: Mapped[str] = mapped_column(sa.String(255), default="")
    applicant_address: Mapped[str] = mapped_column(sa.String(500), default="")
    channel: Mapped[str] = mapped_column(sa.String(20))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline_policy: Mapped[dict] = mapped_column(JSONType, default=dict)
    clock_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[int] = mapped_column(index=True)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first time in progress (4)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    outcome: Mapped[str | None] = mapped_column(sa.String(10))  # early | on_time | late
    received_by: Mapped[str] = mapped_column(sa.String(100))
    data: Mapped[dict] = mapped_column(JSONType, default=dict)
    instance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("process_instance.id"), unique=True)

    procedure: Mapped[Procedure] = relationship(lazy="joined")
    instance: Mapped[ProcessInstance | None] = relationship(lazy="select")


class DossierCounter(Base):
    """The last sequence number handed out for dossier codes of one day."""

    __tablename__ = "dossier_counter"

    day: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
