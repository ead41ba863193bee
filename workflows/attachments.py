"""Files attached to a dossier: the documents handed in, the result, other papers.

A file is accepted only when its content is one of the allowed types (judged by its first bytes,
not by its name or the type the client claims) and within the size limit. Its bytes are stored
once per SHA-256, in the database, so that every server process and host sees them. Only those
who handle the dossier list, attach and download its files. A scanned document is also digitised:
signed as the organisation and kept in the applicant's store (workflows.digitisation).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from engine import audit
from engine.clock import utcnow
from workflows import digitisation
from workflows.auth import Principal
from workflows.dossiers import handled_dossier
from workflows.errors import InvalidInput, NotFound
from workflows.models import AttachmentBlob, DossierAttachment

CATEGORIES = ("document", "result", "other")
# content type -> (magic prefixes, file name extensions)
ALLOWED_TYPES = {
    "application/pdf": ((b"%PDF-",), (".pdf",)),
    "image/jpeg": ((b"\xff\xd8\xff",), (".jpg", ".jpeg")),
    "image/png": ((b"\x89PNG\r\n\x1a\n",), (".png",)),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ((b"PK\x03\x04",), (".docx",)),
}


@dataclass(frozen=True)
class Download:
    filename: str
    content_type: str
    content: bytes
    sha256: str


def attach(session: Session, principal: Principal, code: str, *, filename: str, content: bytes, category: str,
           document_name: str, max_bytes: int) -> DossierAttachment:
    dossier = handled_dossier(session, principal, code)
    actor = principal.username
    if category not in CATEGORIES:
        raise InvalidInput(f"category must be one of {', '.join(CATEGORIES)}.", field="category")
    if not content:
        raise InvalidInput("The file is empty.", field="file")
    if len(content) > max_bytes:
        raise InvalidInput(f"The file is {len(content)} bytes; at most {max_bytes} are accepted.", field="file",
                           max_bytes=max_bytes)
    name = safe_filename(filename)
    content_type = _content_type(content, name)
    digest = hashlib.sha256(content).hexdigest()
    if session.get(AttachmentBlob, digest) is None:
        session.add(AttachmentBlob(sha256=digest, size=len(content), content=content))
    attachment = DossierAttachment(
        dossier_id=dossier.id, category=category, document_name=document_name.strip()[:500], filename=name,
        content_type=content_type, size=len(content), sha256=digest, uploaded_by=actor, uploaded_at=utcnow())
    session.add(attachment)
    session.flush()
    audit.record(session, actor=actor, action="dossier.attachment_added", instance_id=dossier.instance_id,
                 subject=dossier.code, data={"attachment_id": attachment.id, "filename": name, "category": category,
                                             "size": len(content), "sha256": digest})
    digitisation.digitise(session, dossier, attachment, content, actor=actor)
    return attachment


def list_attachments(session: Session, principal: Principal, code: str) -> list[DossierAttachment]:
    dossier = handled_dossier(session, principal, code)
    return list(session.scalars(select(DossierAttachment).where(DossierAttachment.dossier_id == dossier.id)
                                .order_by(DossierAttachment.id)))


def download(session: Session, principal: Principal, code: str, attachment_id: int) -> Download:
    dossier = handled_dossier(session, principal, code)
    attachment = session.get(DossierAttachment, attachment_id)
    if attachment is None or attachment.dossier_id != dossier.id:
        raise NotFound(f"Dossier '{dossier.code}' has no attachment {attachment_id}.", attachment_id=attachment_id)
    blob = session.scalars(select(AttachmentBlob).options(undefer(AttachmentBlob.content))
                           .where(AttachmentBlob.sha256 == attachment.sha256)).one()
    return Download(attachment.filename, attachment.content_type, blob.content, blob.sha256)


def safe_filename(filename: str) -> str:
    """The last path component, without control characters, at most 200 characters."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C").strip(" .")
    if not name:
        raise InvalidInput("The file needs a name.", field="file")
    return name[-200:]


def _content_type(content: bytes, filename: str) -> str:
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    for content_type, (magics, extensions) in ALLOWED_TYPES.items():
        if any(content.startswith(m) for m in magics):
            if extension not in extensions:
                raise InvalidInput(f"The file's content is {content_type} but its name ends in '{extension}'.",
                                   field="file")
            if content_type.endswith(".document") and b"word/" not in content[:65536]:
                break  # a ZIP that is not a Word document
            return content_type
    raise InvalidInput("Only PDF, JPEG, PNG and Word (.docx) files are accepted.", field="file",
                       allowed=sorted(e for _, exts in ALLOWED_TYPES.values() for e in exts))
