"""What anyone holding a result (or its QR code) may check without an account: who issued it, for
which dossier and procedure, when it was signed, and whether a file presented is that result.

A file matches when it is byte for byte the result issued (same SHA-256) and its signature
validates against the configured trust roots; a copy changed in any way fails and the answer says
how (content changed after signing, something appended, an untrusted signer). The result's id in
the QR code is random (128 bits), so results cannot be enumerated; validating an uploaded file
costs work, so verifications are counted per address.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from workflows import rate_limits
from workflows.agency import get_agency
from workflows.errors import InvalidInput, NotFound
from workflows.models import IssuedResult
from workflows.results import stored_bytes
from workflows.signing import context as signing_context
from workflows.signing.pades import Verdict, validate

VERIFICATIONS_PER_ADDRESS = (30, timedelta(minutes=5))


@dataclass(frozen=True)
class PublicResult:
    id: str
    title: str
    issuer: str
    dossier_code: str
    procedure_code: str
    procedure_name: str
    signed_at: datetime
    signer_subject: str
    timestamp_at: datetime | None
    valid_until: datetime | None
    signature_valid: bool  # the stored result, validated now against the configured trust roots
    problem: str


@dataclass(frozen=True)
class Presentation:
    result: PublicResult
    sha256: str
    same_file: bool
    signature: Verdict
    matches: bool
    message: str


def public_result(session: Session, public_id: str) -> PublicResult:
    result = _result(session, public_id)
    verdict = validate(stored_bytes(session, result.sha256), list(signing_context.current().trust_roots))
    agency = get_agency(session)
    dossier = result.dossier
    return PublicResult(
        id=result.public_id, title=result.title, issuer=f"{agency['department']} tỉnh {agency['province']}",
        dossier_code=dossier.code, procedure_code=dossier.procedure.code, procedure_name=dossier.procedure.name,
        signed_at=result.signed_at, signer_subject=result.signer_subject, timestamp_at=result.timestamp_at,
        valid_until=result.valid_until, signature_valid=verdict.valid, problem=verdict.problem)


def verify_file(session: Session, public_id: str, content: bytes, *, max_bytes: int) -> Presentation:
    """Whether `content` is the result `public_id` as issued, with a valid signature."""
    if not content:
        raise InvalidInput("The file is empty.", field="file")
    if len(content) > max_bytes:
        raise InvalidInput(f"The file is larger than {max_bytes} bytes.", field="file", max_bytes=max_bytes)
    shown = public_result(session, public_id)
    result = _result(session, public_id)
    digest = hashlib.sha256(content).hexdigest()
    same = digest == result.sha256
    verdict = validate(content, list(signing_context.current().trust_roots))
    matches = same and verdict.valid
    if matches:
        message = "Tệp trùng khớp với kết quả đã cấp; chữ ký số hợp lệ."
    elif not same and verdict.valid:
        message = "Tệp có chữ ký số hợp lệ nhưng không phải là kết quả này."
    elif not same:
        message = f"Tệp không trùng khớp với kết quả đã cấp. {verdict.problem}"
    else:
        message = f"Tệp trùng với kết quả đã cấp nhưng chữ ký số không còn hợp lệ: {verdict.problem}"
    return Presentation(shown, digest, same, verdict, matches, message.strip())


def count_verification(limits: sessionmaker, address: str) -> None:
    """One more verification from `address`; RateLimited beyond VERIFICATIONS_PER_ADDRESS."""
    limit, window = VERIFICATIONS_PER_ADDRESS
    rate_limits.hit(limits, f"verify:{address}", limit=limit, window=window)


def _result(session: Session, public_id: str) -> IssuedResult:
    result = session.scalars(select(IssuedResult).where(IssuedResult.public_id == public_id[:32])).first()
    if result is None:
        raise NotFound("No result has this id.", result_id=public_id[:32])
    return result
