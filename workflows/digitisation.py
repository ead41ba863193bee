"""Papers scanned at intake become digitised copies (bản sao điện tử từ bản chính), signed by the
organisation's key, and join the applicant's store (workflows.applicant_store).

A scan attached to a dossier as a document (category "document") is copied and signed as the
organisation, at the top right of its first page (Decree 30/2020, for papers an agency digitises):
a PDF is signed as it is (PAdES); a JPEG or PNG is first put on an A4 page of its own (a PDF, so
that the copy and its signature travel as one file any PDF reader checks). The scan itself stays
attached as uploaded. A Word file is not a scan and is not digitised; neither is anything when no
signing key is configured (the attachment is kept, and its history says it was not digitised).
"""

from __future__ import annotations

import base64
import hashlib

from sqlalchemy.orm import Session

from engine import audit
from engine.calendar_store import load_calendar
from engine.clock import utcnow
from workflows.errors import ResultNotSigned
from workflows.models import ApplicantDocument, AttachmentBlob, Dossier, DossierAttachment
from workflows.signing import context as signing_context
from workflows.signing.keys import SigningUnavailable
from workflows.signing.pades import SigningFailed, sign_pdf, validate

DIGITISED_TYPES = ("application/pdf", "image/jpeg", "image/png")
REASON = "Số hóa bản sao điện tử từ bản chính"
IMAGE_PAGE = ('<!DOCTYPE html><html><head><meta charset="utf-8"><style>@page {{ size: A4; margin: 25mm 10mm 10mm; }}'
              "html, body {{ margin: 0; }} img {{ display: block; max-width: 100%; max-height: 260mm; margin: auto; }}"
              '</style></head><body><img src="data:{media_type};base64,{data}" alt=""></body></html>')


def digitise(session: Session, dossier: Dossier, attachment: DossierAttachment, content: bytes, *,
             actor: str) -> ApplicantDocument | None:
    """The signed digitised copy of an attached scan, kept in the applicant's store; None when the file
    is not a scan or no key is configured. A key that fails refuses the upload (ResultNotSigned)."""
    if attachment.category != "document" or attachment.content_type not in DIGITISED_TYPES:
        return None
    context = signing_context.current()
    if context.signing is None:
        audit.record(session, actor=actor, action="dossier.document_not_digitised", instance_id=dossier.instance_id,
                     subject=dossier.code, data={"attachment_id": attachment.id,
                                                 "reason": "no signing key is configured"})
        return None
    pdf = content if attachment.content_type == "application/pdf" else _image_page(content, attachment.content_type)
    try:
        signed = sign_pdf(pdf, context.signing, signed_at=utcnow().astimezone(load_calendar(session).zone),
                          reason=REASON, position="top-right", field_name="ChuKySoSoHoa",
                          font_cache=context.font_cache)
    except (SigningUnavailable, SigningFailed) as exc:
        raise ResultNotSigned(f"The scan could not be signed as a digitised copy: {exc}.",
                              dossier_code=dossier.code) from None
    verdict = validate(signed, list(context.trust_roots))
    if not verdict.valid:
        raise ResultNotSigned(f"The digitised copy's signature does not validate ({verdict.problem}).",
                              dossier_code=dossier.code, summary=verdict.summary)
    digest = hashlib.sha256(signed).hexdigest()
    if session.get(AttachmentBlob, digest) is None:
        session.add(AttachmentBlob(sha256=digest, size=len(signed), content=signed))
        session.flush()  # before the rows that refer to it
    stem = attachment.filename.rsplit(".", 1)[0]
    entry = ApplicantDocument(
        id_number=dossier.applicant_id_number, kind="digitised",
        document_name=attachment.document_name or stem, dossier_id=dossier.id, attachment_id=attachment.id,
        sha256=digest, filename=f"{stem}-ban-sao-dien-tu.pdf", signer_subject=verdict.signer_subject,
        recorded_by=actor, recorded_at=utcnow(), valid_until=None)
    session.add(entry)
    session.flush()
    audit.record(session, actor=actor, action="dossier.document_digitised", instance_id=dossier.instance_id,
                 subject=dossier.code, data={"attachment_id": attachment.id, "applicant_document_id": entry.id,
                                             "document_name": entry.document_name, "sha256": digest})
    return entry


def _image_page(content: bytes, media_type: str) -> bytes:
    from weasyprint import HTML  # imported on first use, as the forms do

    html = IMAGE_PAGE.format(media_type=media_type, data=base64.b64encode(content).decode("ascii"))
    return HTML(string=html).write_pdf()
