"""Applicants signed in through OpenID Connect (VNeID): who they are and their sessions.

The identity comes from the provider's verified claims (`identity_from_claims`): the ID number and
the name, from the first of the configured claims present. A session is 32 random bytes given to the
browser as a cookie; the database keeps only its SHA-256, with an expiry, so signing out ends it for
good and a copied cookie is worth nothing afterwards. Officers' accounts and tokens are another
thing altogether: an applicant's session opens the applicant's pages and nothing else.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from engine.clock import utcnow
from workflows.errors import InvalidInput
from workflows.models import ApplicantSession

ID_NUMBER = re.compile(r"[0-9A-Za-z]{6,20}")  # as an online dossier's applicant has it
KEPT_AFTER_EXPIRY = timedelta(days=1)  # then an expired or ended session's row is deleted


@dataclass(frozen=True)
class Identity:
    """An applicant as the identity provider vouched for them."""

    id_number: str
    full_name: str
    issuer: str
    subject: str


def identity_from_claims(claims: Mapping, *, issuer: str, id_number_claims: tuple[str, ...],
                         name_claims: tuple[str, ...]) -> Identity:
    """The applicant named by verified claims; `InvalidInput` when no claim holds a usable ID number."""
    id_number = _first(claims, id_number_claims)
    if not ID_NUMBER.fullmatch(id_number):
        raise InvalidInput("The identity provider gave no usable ID number (6-20 letters or digits) in the claims "
                           f"{', '.join(id_number_claims)}.", field="id_number")
    return Identity(id_number=id_number, full_name=_first(claims, name_claims)[:255], issuer=issuer,
                    subject=str(claims.get("sub", ""))[:255])


def _first(claims: Mapping, names: tuple[str, ...]) -> str:
    for name in names:
        value = claims.get(name)
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()
    return ""


def start(session: Session, identity: Identity, *, minutes: int) -> str:
    """A new session for `identity`; the raw token, to be handed to the browser once; sessions long
    over are deleted (no sign-in goes to the append-only audit trail, which would keep ID numbers for ever)."""
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    session.execute(delete(ApplicantSession).where(ApplicantSession.expires_at < now - KEPT_AFTER_EXPIRY))
    session.add(ApplicantSession(token_hash=_hash(raw), id_number=identity.id_number, full_name=identity.full_name,
                                 issuer=identity.issuer[:500], subject=identity.subject, created_at=now,
                                 expires_at=now + timedelta(minutes=minutes)))
    session.flush()
    return raw


def find(session: Session, raw: str | None) -> Identity | None:
    """The applicant of a live session, or None (no token, unknown, ended or expired)."""
    if not raw:
        return None
    row = session.scalar(select(ApplicantSession).where(ApplicantSession.token_hash == _hash(raw)))
    if row is None or row.ended_at is not None or row.expires_at <= utcnow():
        return None
    return Identity(id_number=row.id_number, full_name=row.full_name, issuer=row.issuer, subject=row.subject)


def end(session: Session, raw: str | None) -> None:
    """Sign out: the session can no longer be used, whoever holds its token."""
    if raw:
        session.execute(update(ApplicantSession).where(ApplicantSession.token_hash == _hash(raw),
                                                       ApplicantSession.ended_at.is_(None)).values(ended_at=utcnow()))


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
