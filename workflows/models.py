"""The one-stop domain's tables: units, users and roles, access tokens, procedures, dossiers, their
signed results and the per-applicant store."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from engine.db import Base, JSONType, UTCDateTime
from engine.models import ProcessInstance
from workflows.search_keys import fold


class Unit(Base):
    """An organisational unit: the one-stop desk at the service center, a division, the board; or
    (kind `service_centre`) another Public Administration Service Centre of the province (a commune's)
    that receives the department's dossiers regardless of administrative boundary (Decree 118/2025)."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(50), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[str] = mapped_column(sa.String(30), default="internal", server_default="internal")


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(100), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(255))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    email: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    phone: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    demo: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # made by the demo seed
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


class ApplicantSession(Base):
    """An applicant signed in through OpenID Connect; only the SHA-256 of the cookie's token is stored."""

    __tablename__ = "applicant_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    id_number: Mapped[str] = mapped_column(sa.String(20), index=True)
    full_name: Mapped[str] = mapped_column(sa.String(255))
    issuer: Mapped[str] = mapped_column(sa.String(500))
    subject: Mapped[str] = mapped_column(sa.String(255))  # the provider's `sub`
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A token for an integration (a postal service, the provincial portal): scoped, not a user.
    Only its SHA-256 is stored; the token is shown once, when it is made."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scopes: Mapped[list] = mapped_column(JSONType, default=list)
    created_by: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Procedure(Base):
    """An administrative procedure (thủ tục hành chính) in the catalogue, and the model it runs."""

    __tablename__ = "procedure"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(50), unique=True)
    name: Mapped[str] = mapped_column(sa.String(500))
    field: Mapped[str] = mapped_column(sa.String(255))
    # the national portal's codes of the procedure (mã TTHC, e.g. 1.005092) and of its field (mã lĩnh vực)
    national_code: Mapped[str] = mapped_column(sa.String(50), default="", server_default="")
    field_code: Mapped[str] = mapped_column(sa.String(50), default="", server_default="")
    legal_basis: Mapped[str] = mapped_column(sa.Text, default="")
    required_documents: Mapped[list] = mapped_column(JSONType, default=list)
    fee_vnd: Mapped[int] = mapped_column(default=0)
    fee_note: Mapped[str] = mapped_column(sa.String(500), default="")
    processing_time_value: Mapped[float] = mapped_column(sa.Float)
    processing_time_unit: Mapped[str] = mapped_column(sa.String(20))
    deciding_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    process_id: Mapped[str] = mapped_column(sa.String(255))
    lane_roles: Mapped[dict] = mapped_column(JSONType, default=dict)  # lane or candidate group -> role
    default_role: Mapped[str | None] = mapped_column(sa.String(50))  # for a task that names no role
    step_allocations: Mapped[dict] = mapped_column(JSONType, default=dict)
    clock_on_wait: Mapped[str] = mapped_column(sa.String(10), default="pause")  # pause | restart
    # while a fee is being paid (status 6): the clock pauses (as for a supplement) or keeps running
    clock_while_paying: Mapped[str] = mapped_column(sa.String(10), default="pause", server_default="pause")
    max_supplement_requests: Mapped[int] = mapped_column(default=1, server_default="1")
    apology_lead_days: Mapped[int] = mapped_column(default=1, server_default="1")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    deciding_unit: Mapped[Unit] = relationship(lazy="joined")


class Dossier(Base):
    """A dossier (hồ sơ) received for a procedure, driving one process instance."""

    __tablename__ = "dossier"
    __table_args__ = (
        sa.Index("ix_dossier_procedure_received", "procedure_id", "received_at"),
        sa.Index("ix_dossier_applicant_id_number", "applicant_id_number"),  # an applicant's own dossiers
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(50), unique=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedure.id"))
    applicant_name: Mapped[str] = mapped_column(sa.String(255))
    # the name folded (no case, no diacritics) for the inbox's search; kept by `_fold_applicant_name`
    applicant_name_key: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    applicant_id_number: Mapped[str] = mapped_column(sa.String(20))
    applicant_phone: Mapped[str] = mapped_column(sa.String(20), default="")
    applicant_email: Mapped[str] = mapped_column(sa.String(255), default="")
    applicant_address: Mapped[str] = mapped_column(sa.String(500), default="")
    channel: Mapped[str] = mapped_column(sa.String(20))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # when the record was made
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # the receipt slip's time
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a new return date after an apology
    deadline_policy: Mapped[dict] = mapped_column(JSONType, default=dict)
    clock_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[int] = mapped_column(index=True)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first time in progress (4)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    outcome: Mapped[str | None] = mapped_column(sa.String(10))  # early | on_time | late
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_method: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    receiver_name: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    postal_tracking_number: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    supplement_requests: Mapped[int] = mapped_column(default=0, server_default="0")
    received_by: Mapped[str] = mapped_column(sa.String(100))
    # where it was received, when not at the department's own desk: a service centre (workflows.boundary)
    receiving_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    data: Mapped[dict] = mapped_column(JSONType, default=dict)
    instance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("process_instance.id"), unique=True)

    procedure: Mapped[Procedure] = relationship(lazy="joined")
    instance: Mapped[ProcessInstance | None] = relationship(lazy="select")
    receiving_unit: Mapped[Unit | None] = relationship(lazy="select")

    @validates("applicant_name")
    def _fold_applicant_name(self, _key: str, name: str) -> str:
        self.applicant_name_key = fold(name or "")
        return name


class PaperTransfer(Base):
    """The paper documents of a dossier received at a service centre, on their way to the deciding
    department: sent (how, with which tracking number), then received at the department's desk."""

    __tablename__ = "paper_transfer"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossier.id", ondelete="CASCADE"), unique=True)
    from_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    method: Mapped[str] = mapped_column(sa.String(20))  # post | courier | in_person
    tracking_number: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_by: Mapped[str] = mapped_column(sa.String(100))
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_by: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    arrival_note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")


class DossierCounter(Base):
    """The last sequence number handed out for dossier codes of one day."""

    __tablename__ = "dossier_counter"

    day: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class DossierNotice(Base):
    """A written notice about a dossier: supplement request (form 02), refusal (03), apology and
    request to extend (04), or a withdrawal, made when the model's element says so; or the notice
    of stopping the processing (05, kind `stop`, with its `ground`), made by workflows.stopping."""

    __tablename__ = "dossier_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    documents: Mapped[list] = mapped_column(JSONType, default=list)  # [{name, reason}]
    new_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ground: Mapped[str] = mapped_column(sa.String(50), default="", server_default="")  # a stop's ground code
    element: Mapped[str] = mapped_column(sa.String(255), default="")
    created_by: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AttachmentBlob(Base):
    """An uploaded file's bytes, stored once per content (SHA-256)."""

    __tablename__ = "attachment_blob"

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)


class DossierAttachment(Base):
    """A file attached to a dossier: a required document, the result, or another paper."""

    __tablename__ = "dossier_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(sa.String(20))  # document | result | other
    document_name: Mapped[str] = mapped_column(sa.String(500), default="")
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.ForeignKey("attachment_blob.sha256"))
    uploaded_by: Mapped[str] = mapped_column(sa.String(100))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NotificationTemplate(Base):
    """The text of one kind of notification on one channel; an administrator edits it."""

    __tablename__ = "notification_template"

    kind: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(10), primary_key=True)  # email | sms
    audience: Mapped[str] = mapped_column(sa.String(20), default="applicant")  # applicant | officers
    subject: Mapped[str] = mapped_column(sa.String(500), default="")
    body: Mapped[str] = mapped_column(sa.Text)
    updated_by: Mapped[str] = mapped_column(sa.String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxMessage(Base):
    """A notification to deliver, written in the transaction of the event that caused it."""

    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_message_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dossier.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(50))
    channel: Mapped[str] = mapped_column(sa.String(10))
    recipient: Mapped[str] = mapped_column(sa.String(255))
    subject: Mapped[str] = mapped_column(sa.String(500), default="")
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")  # pending | sending | sent | failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    provider_id: Mapped[str] = mapped_column(sa.String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PortalEvent(Base):
    """A change of a dossier for the national portal, written in the transaction of the change: one call
    (`service`) with its `body` frozen when written, delivered in id order per dossier (portal/outbox.py)."""

    __tablename__ = "portal_event"
    __table_args__ = (sa.Index("ix_portal_event_status_next", "status", "next_attempt_at"),
                      sa.Index("ix_portal_event_dossier_id", "dossier_id", "id"),
                      sa.UniqueConstraint("audit_event_id", "dossier_id", "service",
                                          name="uq_portal_event_audit_event_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossier.id", ondelete="CASCADE"))
    audit_event_id: Mapped[int | None] = mapped_column(  # what caused it
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), sa.ForeignKey("audit_event.id"))
    trigger: Mapped[str] = mapped_column(sa.String(255))  # the audit actions (or "resync")
    service: Mapped[str] = mapped_column(sa.String(50))  # DongBoHoSoMC | CapNhatTienDoHoSoMC
    body: Mapped[dict] = mapped_column(JSONType)  # the call's fields besides session, madonvi and service
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")  # pending | sending | sent | failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)  # also the lease's end while sending
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    portal_error_code: Mapped[str] = mapped_column(sa.String(20), default="")
    portal_message: Mapped[str] = mapped_column(sa.Text, default="")  # the portal's own answer
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    dossier: Mapped[Dossier] = relationship()


class Rating(Base):
    """An applicant's satisfaction with a returned dossier: one per dossier."""

    __tablename__ = "rating"

    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossier.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[str] = mapped_column(sa.String(20))  # not_satisfied | satisfied | very_satisfied
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class RateLimitHit(Base):
    """How many attempts one key (e.g. an address on the public lookup) made in the current window."""

    __tablename__ = "rate_limit_hit"

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(default=0)


class AppSetting(Base):
    """A setting an administrator edits at run time (e.g. `agency`: names printed on the forms)."""

    __tablename__ = "app_setting"

    key: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    value: Mapped[dict] = mapped_column(JSONType, default=dict)
    updated_by: Mapped[str] = mapped_column(sa.String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IssuedResult(Base):
    """A procedure's result issued as a signed PDF: its bytes (in attachment_blob), who signed it and
    when, and the validation made right after signing. `public_id` is what its QR code links to."""

    __tablename__ = "issued_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(32), unique=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossier.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(50))
    title: Mapped[str] = mapped_column(sa.String(255))
    filename: Mapped[str] = mapped_column(sa.String(255))
    sha256: Mapped[str] = mapped_column(sa.ForeignKey("attachment_blob.sha256"))
    size: Mapped[int]
    signer_subject: Mapped[str] = mapped_column(sa.Text)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timestamp_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the TSA's time, when one is configured
    validation: Mapped[dict] = mapped_column(JSONType, default=dict)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_by: Mapped[str] = mapped_column(sa.String(100))

    dossier: Mapped[Dossier] = relationship(lazy="joined")


class ApplicantDocument(Base):
    """The per-applicant store, keyed by the ID number: a digitised copy of a paper handed in (signed by
    the organisation) or an issued result, reusable by a later dossier while it is valid."""

    __tablename__ = "applicant_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(sa.String(20), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # digitised | result
    document_name: Mapped[str] = mapped_column(sa.String(500))
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossier.id"))  # where it was handed in or issued
    attachment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dossier_attachment.id", ondelete="SET NULL"))
    result_id: Mapped[int | None] = mapped_column(sa.ForeignKey("issued_result.id"))
    sha256: Mapped[str] = mapped_column(sa.ForeignKey("attachment_blob.sha256"))  # the signed copy
    filename: Mapped[str] = mapped_column(sa.String(255))
    signer_subject: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by: Mapped[str] = mapped_column(sa.String(100))  # who digitised it, or who issued the result
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    dossier: Mapped[Dossier] = relationship(lazy="joined")
    result: Mapped[IssuedResult | None] = relationship(lazy="joined")


class DocumentReuse(Base):
    """A document of the store used by a later dossier instead of a new paper (Decision 766 counts these)."""

    __tablename__ = "document_reuse"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    applicant_document_id: Mapped[int] = mapped_column(sa.ForeignKey("applicant_document.id"))
    attachment_id: Mapped[int] = mapped_column(sa.ForeignKey("dossier_attachment.id", ondelete="CASCADE"))
    document_name: Mapped[str] = mapped_column(sa.String(500))  # the checklist item it stands for
    reused_by: Mapped[str] = mapped_column(sa.String(100))
    reused_at: Mapped[datetime] = mapped_column(UTCDateTime)


import workflows.payment_models  # noqa: E402, F401 - the payment tables on Base.metadata too
