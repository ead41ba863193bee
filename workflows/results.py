"""A procedure's result issued as a signed PDF, when the model's element says so (`issue_result`).

The result is rendered from its kind's template (workflows.result_kinds: title, template, validity),
carries a QR code in its upper-left corner to the public verification page (`/xac-minh/<id>`), is
signed with the department's key (PAdES, with a timestamp when a TSA is configured) and validated at
once: only a result whose validation's bottom line is true is kept. It then goes to the applicant's
store (workflows.applicant_store), from which a later dossier may reuse it.

Without a signing key configured, nothing is signed: the dossier goes on (the result is handed
over on paper) and its history says why no electronic result was issued. A key that is configured
but fails (a wrong password, an absent token, a timestamp server that does not answer) refuses the
step, so that the leader's signature can be given again once it is fixed.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import timedelta

import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.calendar_store import load_calendar
from engine.clock import utcnow
from workflows import applicant_store
from workflows.agency import get_agency
from workflows.attachments import Download
from workflows.auth import Principal
from workflows.dossiers import handled_dossier
from workflows.errors import NotFound, ResultNotSigned
from workflows.models import AttachmentBlob, Dossier, IssuedResult, User
from workflows.printable.render import template_pdf
from workflows.result_kinds import ResultKind, result_kinds
from workflows.signing import context as signing_context
from workflows.signing.keys import SigningUnavailable
from workflows.signing.pades import SigningFailed, sign_pdf, validate

RESULT_PROPERTY = "issue_result"
SYSTEM_NAME = "Hệ thống giải quyết thủ tục hành chính một cửa (MotCua)"
SIGNING_REASON = "Ký số kết quả giải quyết thủ tục hành chính"
VERIFY_PATH = "/xac-minh/"
log = logging.getLogger(__name__)


def issue(session: Session, dossier: Dossier, kind: str, *, actor: str, element: str) -> IssuedResult | None:
    """Render, sign, validate and keep the dossier's result of `kind`; None when no key is configured."""
    result_kind = result_kinds()[kind]
    context = signing_context.current()
    if context.signing is None:
        reason = ("no signing key is configured (MOTCUA_SIGNING_PKCS12 or MOTCUA_SIGNING_PKCS11_MODULE): the "
                  "result is not issued electronically")
        log.warning("dossier %s: %s", dossier.code, reason)
        audit.record(session, actor=actor, action="dossier.result_not_issued", instance_id=dossier.instance_id,
                     subject=dossier.code, data={"kind": kind, "element": element, "reason": reason})
        return None
    now = utcnow()
    zone = load_calendar(session).zone
    valid_until = now + timedelta(days=result_kind.valid_days) if result_kind.valid_days is not None else None
    public_id = uuid.uuid4().hex
    agency = get_agency(session)
    unsigned = template_pdf(result_kind.template, _template_context(
        session, dossier, result_kind, agency, public_id, issued_at=now.astimezone(zone),
        valid_until=valid_until.astimezone(zone) if valid_until else None, actor=actor))
    try:
        signed = sign_pdf(unsigned, context.signing, signed_at=now.astimezone(zone), reason=SIGNING_REASON,
                          location=f"{agency['department']} tỉnh {agency['province']}",
                          font_cache=context.font_cache)
    except (SigningUnavailable, SigningFailed) as exc:
        raise ResultNotSigned(f"The result of dossier '{dossier.code}' could not be signed: {exc}. The step was "
                              "not completed; ask the administrator to check the signing settings.",
                              dossier_code=dossier.code, element=element) from None
    verdict = validate(signed, list(context.trust_roots))
    if not verdict.valid:
        raise ResultNotSigned(f"The signed result of dossier '{dossier.code}' does not validate ({verdict.problem} "
                              f"{verdict.summary}); check MOTCUA_SIGNING_TRUST_ROOTS and the key's certificate.",
                              dossier_code=dossier.code, element=element, summary=verdict.summary)
    digest = hashlib.sha256(signed).hexdigest()
    if session.get(AttachmentBlob, digest) is None:
        session.add(AttachmentBlob(sha256=digest, size=len(signed), content=signed))
        session.flush()  # before the rows that refer to it
    result = IssuedResult(
        public_id=public_id, dossier=dossier, kind=kind, title=result_kind.title,
        filename=f"{kind}-{dossier.code}.pdf", sha256=digest, size=len(signed),
        signer_subject=verdict.signer_subject, signed_at=verdict.signing_time or now,
        timestamp_at=verdict.timestamp_time, validation=verdict.as_dict(), valid_until=valid_until, issued_by=actor)
    session.add(result)
    session.flush()
    applicant_store.record_result(session, result, actor=actor, at=now)
    audit.record(session, actor=actor, action="dossier.result_issued", instance_id=dossier.instance_id,
                 subject=dossier.code, data={"result_id": public_id, "kind": kind, "sha256": digest,
                                             "signer": verdict.signer_subject, "summary": verdict.summary,
                                             "timestamp_at": verdict.as_dict()["timestamp_time"]})
    return result


def verification_url(session: Session, public_id: str) -> str:
    return get_agency(session)["public_url"].rstrip("/") + VERIFY_PATH + public_id


def results_of(session: Session, principal: Principal, code: str) -> list[IssuedResult]:
    """The dossier's electronic results, oldest first, for those who handle it."""
    dossier = handled_dossier(session, principal, code)
    return list(session.scalars(select(IssuedResult).where(IssuedResult.dossier_id == dossier.id)
                                .order_by(IssuedResult.id)))


def download(session: Session, principal: Principal, code: str, public_id: str) -> Download:
    """One of the dossier's signed results, as issued, for those who handle it."""
    dossier = handled_dossier(session, principal, code)
    result = session.scalars(select(IssuedResult).where(IssuedResult.public_id == public_id,
                                                        IssuedResult.dossier_id == dossier.id)).first()
    if result is None:
        raise NotFound(f"Dossier '{dossier.code}' has no result {public_id}.", result_id=public_id)
    return Download(result.filename, "application/pdf", stored_bytes(session, result.sha256), result.sha256)


def stored_bytes(session: Session, digest: str) -> bytes:
    return session.scalars(select(AttachmentBlob.content).where(AttachmentBlob.sha256 == digest)).one()


def _template_context(session: Session, dossier: Dossier, kind: ResultKind, agency: dict, public_id: str, *,
                      issued_at, valid_until, actor: str) -> dict:
    signer = session.scalars(select(User).where(User.username == actor)).first()
    qr = segno.make(verification_url(session, public_id), error="m").svg_data_uri(scale=4, border=1)
    return {
        "title": kind.title, "qr": qr, "number": f"{dossier.code}/KQ", "system_name": SYSTEM_NAME,
        "issued_at": issued_at, "valid_until": valid_until, "signer_role": kind.signer_role,
        "signer_name": signer.full_name if signer else actor,
        "agency": {key: agency[key] for key in ("province", "department")},
        "dossier": {"code": dossier.code, "procedure_code": dossier.procedure.code,
                    "procedure_name": dossier.procedure.name, "applicant_name": dossier.applicant_name,
                    "data": {key: value for key, value in (dossier.data or {}).items() if isinstance(value, str)}},
    }
