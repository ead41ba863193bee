"""The per-applicant store (kho quản lý dữ liệu điện tử của tổ chức, cá nhân), keyed by the ID number.

It keeps the papers digitised at intake (signed by the organisation: workflows.digitisation) and
the results issued electronically (workflows.results). When the same person files another dossier,
the desk sees which of its checklist items are already on file and still valid, and links the
stored copy to the new dossier instead of asking for the paper again; each such reuse is recorded.

Validity is data: a result is valid until its kind's `valid_days` after issue (none: no limit); a
digitised paper is valid without limit unless the checklist item of the procedure asking for it
sets `reuse_valid_days` (how old a stored copy may be; 0: never reused).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine import audit
from engine.clock import utcnow
from workflows.auth import Principal
from workflows.dossiers import handled_dossier
from workflows.errors import Conflict, Forbidden, NotFound
from workflows.models import ApplicantDocument, AttachmentBlob, DocumentReuse, DossierAttachment, IssuedResult
from workflows.procedures import get_procedure
from workflows.result_kinds import result_kinds
from workflows.roles import DESK_OFFICER


@dataclass(frozen=True)
class OnFile:
    """A stored document, and the checklist items of the procedure asked about that it can stand for."""

    document: ApplicantDocument
    matches: tuple[str, ...]


def record_result(session: Session, result: IssuedResult, *, actor: str, at: datetime) -> ApplicantDocument:
    """An issued result joins its applicant's store (valid as long as the result is)."""
    dossier = result.dossier
    entry = ApplicantDocument(
        id_number=dossier.applicant_id_number, kind="result", document_name=result.title, dossier_id=dossier.id,
        result_id=result.id, sha256=result.sha256, filename=result.filename, signer_subject=result.signer_subject,
        recorded_by=actor, recorded_at=at, valid_until=result.valid_until)
    session.add(entry)
    session.flush()
    return entry


def documents_on_file(session: Session, principal: Principal, id_number: str, *,
                      procedure_code: str | None = None) -> list[OnFile]:
    """The applicant's valid stored documents, newest first, each with the checklist items of
    `procedure_code` it can stand for; for desk officers only, and every look-up is in the audit trail."""
    _require_desk(principal)
    rules = _checklist(session, procedure_code)
    now = utcnow()
    rows = session.scalars(select(ApplicantDocument).where(
        ApplicantDocument.id_number == id_number.strip(),
        or_(ApplicantDocument.valid_until.is_(None), ApplicantDocument.valid_until > now))
        .order_by(ApplicantDocument.recorded_at.desc(), ApplicantDocument.id.desc()))
    found = [OnFile(row, tuple(name for name, max_age in rules.items() if _can_stand_for(row, name, max_age, now)))
             for row in rows]
    found = [entry for entry in found if entry.matches or procedure_code is None]
    audit.record(session, actor=principal.username, action="applicant.documents_looked_up",
                 subject=id_number.strip()[:255], data={"procedure_code": procedure_code, "found": len(found)})
    return found


def reuse_for_dossier(session: Session, principal: Principal, code: str, document_id: int,
                      document_name: str) -> DossierAttachment:
    """Link a stored document of the dossier's applicant to the dossier for one of its checklist items,
    without a new upload; recorded as a reuse."""
    _require_desk(principal)
    dossier = handled_dossier(session, principal, code)
    entry = session.get(ApplicantDocument, document_id)
    if entry is None or entry.id_number != dossier.applicant_id_number:
        raise NotFound(f"The applicant of dossier '{dossier.code}' has no stored document {document_id}.",
                       document_id=document_id)
    rules = _checklist(session, dossier.procedure.code)
    name = document_name.strip()
    if name not in rules:
        raise Conflict(f"'{name}' is not a document procedure '{dossier.procedure.code}' asks for.",
                       document_name=name)
    now = utcnow()
    if not _can_stand_for(entry, name, rules[name], now) or (entry.valid_until and entry.valid_until <= now):
        raise Conflict(f"Stored document {document_id} cannot stand for '{name}' (another paper, or no longer "
                       "valid).", document_id=document_id, document_name=name)
    attachment = DossierAttachment(dossier_id=dossier.id, category="document", document_name=name,
                                   filename=entry.filename, content_type="application/pdf",
                                   size=_size(session, entry.sha256), sha256=entry.sha256,
                                   uploaded_by=principal.username, uploaded_at=now)
    session.add(attachment)
    session.flush()
    session.add(DocumentReuse(dossier_id=dossier.id, applicant_document_id=entry.id, attachment_id=attachment.id,
                              document_name=name, reused_by=principal.username, reused_at=now))
    audit.record(session, actor=principal.username, action="dossier.document_reused", instance_id=dossier.instance_id,
                 subject=dossier.code, data={"applicant_document_id": entry.id, "attachment_id": attachment.id,
                                             "document_name": name, "from_dossier": entry.dossier.code})
    return attachment


def reuses_of(session: Session, dossier_id: int) -> list[DocumentReuse]:
    return list(session.scalars(select(DocumentReuse).where(DocumentReuse.dossier_id == dossier_id)
                                .order_by(DocumentReuse.id)))


def same_name(first: str, second: str) -> bool:
    """Checklist names compared as people read them: Unicode NFC, case and spacing ignored."""
    return _normal(first) == _normal(second)


def _can_stand_for(entry: ApplicantDocument, name: str, max_age_days: int | None, now: datetime) -> bool:
    names = [entry.document_name]
    if entry.result is not None and entry.result.kind in result_kinds():
        names += result_kinds()[entry.result.kind].stands_for
    if not any(same_name(name, candidate) for candidate in names):
        return False
    return max_age_days is None or entry.recorded_at > now - timedelta(days=max_age_days)


def _checklist(session: Session, procedure_code: str | None) -> dict[str, int | None]:
    """The procedure's checklist: each item's name and how old (days) a stored copy of it may be."""
    if procedure_code is None:
        return {}
    return {item["name"]: item.get("reuse_valid_days") for item in get_procedure(session, procedure_code)
            .required_documents or []}


def _size(session: Session, digest: str) -> int:
    return session.get(AttachmentBlob, digest).size


def _require_desk(principal: Principal) -> None:
    if not principal.has_role(DESK_OFFICER):
        raise Forbidden("Only desk officers look up and reuse an applicant's stored documents.")


def _normal(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())
